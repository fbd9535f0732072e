/**
 * The user's own inputs as the simulation's input distribution: a `.npy` array or a `.csv`
 * table, rows the samples and columns the features, read in the webview (nothing leaves it).
 * Pure functions (no DOM): the panel hands in the file's bytes, the unit tests hand in bytes
 * they build.
 *
 * What the simulation and its prediction need from the data are two numbers besides the rows:
 * E[x^2] (mean over samples and features: the input's second moment, where N(0, 1) has 1) and
 * the cross moment E[x_a . x_b] / n of two different samples (0 for i.i.d. zero-mean inputs;
 * positive for data with a mean, such as pixels in [0, 1], which makes every unit of the first
 * layer see correlated samples: the prediction's c-map starts from it).
 */
import { mix32 } from './simulate';

export interface InputData {
  /** The file's name, as the panel shows it. */
  name: string;
  rows: number;
  cols: number;
  /** Row-major, rows x cols. */
  values: Float32Array;
  stats: InputStats;
  /** Each sample's own shape where it has two or more dimensions (an image: 32 x 32 x 3), its values flattened in C order. */
  sampleShape?: number[];
  /** Set on patches cut from such samples for a convolution (`imagePatches`): what they are. */
  patches?: { kernel: number[]; channels: number; from: number[]; images: number };
}

export interface InputStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** E[x^2] over samples and features. */
  secondMoment: number;
  /** E[x_a . x_b] / cols over pairs of different samples. */
  crossMoment: number;
  /** Smallest and largest per-feature standard deviation. */
  featureStd: [number, number];
}

/** Refused: a file that cannot be read as samples x features, with what is wrong in words. */
export class InputError extends Error {
  /** Where the file would fit a model whose first layer read this many features (images: a patch's). */
  constructor(
    message: string,
    readonly fitsWidth?: number,
  ) {
    super(message);
  }
}

/** Largest input accepted (values): 16 M floats, 64 MB. */
export const MAX_INPUT_VALUES = 2 ** 24;
/** Largest file read at all: MAX_INPUT_VALUES of float64 and a header (a CSV that size is refused by its values). */
export const MAX_INPUT_BYTES = MAX_INPUT_VALUES * 8 + 4096;

/**
 * `.npy` (NumPy's format, versions 1 to 3) or `.csv`, by the name's extension. An InputError's
 * message says what is wrong with the file; the caller names the file.
 */
export function readInputFile(name: string, bytes: Uint8Array): InputData {
  const lower = name.toLowerCase();
  const table = lower.endsWith('.npy')
    ? parseNpy(bytes)
    : lower.endsWith('.csv') || lower.endsWith('.txt')
      ? parseCsv(new TextDecoder('utf-8', { fatal: false }).decode(bytes))
      : undefined;
  if (!table) throw new InputError('not a .npy or .csv file');
  return { name, ...table, stats: inputStats(table.values, table.rows, table.cols) };
}

type Table = Pick<InputData, 'rows' | 'cols' | 'values' | 'sampleShape'>;

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * A NumPy .npy array of numbers: 1-D (one feature per sample), 2-D (samples x features), or more
 * (each sample flattened). Little-endian or byte-order-free dtypes: float16/32/64, int8-64,
 * uint8-64, bool. Fortran order is read as such.
 */
export function parseNpy(bytes: Uint8Array): Table {
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) throw new InputError('not a NumPy .npy file (no \\x93NUMPY header)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [headerLength, headerStart] = major === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12];
  if (![1, 2, 3].includes(major) || headerStart + headerLength > bytes.length) throw new InputError(`unsupported .npy version ${major}.${bytes[7]}`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*True/.test(header);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || shapeText === undefined) throw new InputError('the .npy header has no descr or shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new InputError(`the .npy shape (${shapeText}) is not a list of sizes`);
  const read = numberReader(descr);
  const count = shape.reduce((a, b) => a * b, 1);
  const rows = shape.length === 0 ? 1 : shape[0];
  const cols = rows === 0 ? 0 : count / rows;
  checkSize(rows, cols);
  const offset = headerStart + headerLength;
  if (offset + count * read.size > bytes.length) throw new InputError(`the .npy file ends early: ${count} values of ${read.size} bytes declared`);
  const values = new Float32Array(count);
  if (fortran && shape.length > 1) {
    // Column-major: the first index varies fastest. Each sample's features, flattened in C order.
    const strides = shape.map((_, i) => shape.slice(0, i).reduce((a, b) => a * b, 1));
    const index = new Array(shape.length).fill(0);
    for (let c = 0; c < count; c++) {
      let f = 0;
      for (let d = 0; d < shape.length; d++) f += index[d] * strides[d];
      values[c] = read.at(view, offset + f * read.size);
      for (let d = shape.length - 1; d >= 0 && ++index[d] === shape[d]; d--) index[d] = 0;
    }
  } else {
    for (let i = 0; i < count; i++) values[i] = read.at(view, offset + i * read.size);
  }
  return { rows, cols, values: checkFinite(values), ...(shape.length >= 3 ? { sampleShape: shape.slice(1) } : {}) };
}

function numberReader(descr: string): { size: number; at: (v: DataView, o: number) => number } {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) throw new InputError(`the .npy dtype ${descr} is not a number type (float, int, uint, bool)`);
  const [, order, kind, bytesText] = m;
  const size = Number(bytesText);
  if (order === '>' && size > 1) throw new InputError(`the .npy dtype ${descr} is big-endian: save it with a little-endian dtype (e.g. astype('<f4'))`);
  const readers: Record<string, (v: DataView, o: number) => number> = {
    f2: (v, o) => float16(v.getUint16(o, true)),
    f4: (v, o) => v.getFloat32(o, true),
    f8: (v, o) => v.getFloat64(o, true),
    i1: (v, o) => v.getInt8(o),
    i2: (v, o) => v.getInt16(o, true),
    i4: (v, o) => v.getInt32(o, true),
    i8: (v, o) => Number(v.getBigInt64(o, true)),
    u1: (v, o) => v.getUint8(o),
    u2: (v, o) => v.getUint16(o, true),
    u4: (v, o) => v.getUint32(o, true),
    u8: (v, o) => Number(v.getBigUint64(o, true)),
    b1: (v, o) => v.getUint8(o),
  };
  const at = readers[`${kind}${size}`];
  if (!at) throw new InputError(`the .npy dtype ${descr} is not supported`);
  return { size, at };
}

function float16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * A CSV of numbers: one sample a line, separated by commas (or semicolons, tabs, spaces); a
 * first line that is not all numbers is a header and skipped; blank lines are skipped.
 */
export function parseCsv(text: string): Table {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new InputError('the CSV file is empty');
  const separator = [',', ';', '\t'].find((s) => lines[0].includes(s)) ?? /\s+/;
  const split = (line: string) =>
    line
      .trim()
      .split(separator)
      .map((cell) => cell.trim());
  const numeric = (cell: string) => cell !== '' && Number.isFinite(Number(cell));
  const first = split(lines[0]);
  const start = first.every(numeric) ? 0 : 1;
  const rows = lines.length - start;
  const cols = split(lines[start] ?? '').length;
  checkSize(rows, cols);
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const cells = split(lines[start + r]);
    if (cells.length !== cols) throw new InputError(`CSV line ${start + r + 1} has ${cells.length} values, line ${start + 1} has ${cols}`);
    for (let c = 0; c < cols; c++) {
      if (!numeric(cells[c])) throw new InputError(`CSV line ${start + r + 1}, column ${c + 1}: "${cells[c].slice(0, 20)}" is not a number`);
      values[r * cols + c] = Number(cells[c]);
    }
  }
  return { rows, cols, values };
}

function checkSize(rows: number, cols: number): void {
  if (rows < 2 || cols < 1)
    throw new InputError(`${rows} sample${rows === 1 ? '' : 's'} of ${cols} feature${cols === 1 ? '' : 's'}: the simulation needs at least 2 samples`);
  if (rows * cols > MAX_INPUT_VALUES)
    throw new InputError(`${rows} x ${cols} values: more than the ${MAX_INPUT_VALUES.toLocaleString('en-US')} the panel reads; take a sample of the rows`);
}

function checkFinite(values: Float32Array): Float32Array {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InputError(`value ${bad + 1} is ${values[bad]}: the inputs must be finite numbers`);
  return values;
}

/** The statistics the panel shows and the prediction starts from, in float64. */
export function inputStats(values: Float32Array, rows: number, cols: number): InputStats {
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  const colSum = new Float64Array(cols);
  const colSq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = values[r * cols + c];
      sum += x;
      sq += x * x;
      colSum[c] += x;
      colSq[c] += x * x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  const n = rows * cols;
  const mean = sum / n;
  // sum_{a != b} x_a . x_b = |sum_b x_b|^2 - sum_b |x_b|^2
  let total = 0;
  let lo = Infinity;
  let hi = 0;
  for (let c = 0; c < cols; c++) {
    total += colSum[c] * colSum[c];
    const v = Math.max(colSq[c] / rows - (colSum[c] / rows) ** 2, 0);
    lo = Math.min(lo, Math.sqrt(v));
    hi = Math.max(hi, Math.sqrt(v));
  }
  return {
    mean,
    std: Math.sqrt(Math.max(sq / n - mean * mean, 0)),
    min,
    max,
    secondMoment: sq / n,
    crossMoment: (total - sq) / (rows * (rows - 1) * cols),
    featureStd: [lo, hi],
  };
}

/** One line for the panel: "x.npy: 1,000 samples × 784 features · mean 0.13 · std 0.31 · range [0, 1] · E[x²] 0.11". */
export function describeInput(data: InputData): string {
  const f = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3))));
  const s = data.stats;
  const p = data.patches;
  const what = p
    ? `${data.rows.toLocaleString('en-US')} patches of ${[...p.kernel, p.channels].join(' × ')} = ${data.cols.toLocaleString('en-US')} features, cut from ${p.images.toLocaleString('en-US')} samples of ${p.from.join(' × ')}`
    : `${data.rows.toLocaleString('en-US')} samples × ${data.cols.toLocaleString('en-US')} features`;
  return `${data.name}: ${what} · mean ${f(s.mean)} · std ${f(s.std)} · range [${f(s.min)}, ${f(s.max)}] · E[x²] ${f(s.secondMoment)}`;
}

/** Patches cut for a convolution: at most this many (the simulation draws its batch from them). */
export const MAX_PATCHES = 4096;

/**
 * What a convolution's first layer sees of images: its fan_in is per patch (k_h x k_w x c_in), so
 * each simulated sample is one patch, cut at a random place of a random image (seeded), without
 * padding. `fanIn` and `receptiveField` are the layer's; the channels are fan_in / receptive field.
 * A sample of 3 dimensions is an image (H x W x C channels-last, C x H x W channels-first, as
 * PyTorch has it) under a square k x k kernel; of 2 dimensions, a sequence for a 1-D kernel of
 * k = receptive field (L x C or C x L), or a grayscale image (H x W) when the fan_in is k x k.
 * The features of a patch are in the order the window is read; with i.i.d. kernel entries the
 * order does not change what a unit sees. An InputError says why the file does not fit.
 */
export function imagePatches(
  data: InputData,
  layer: { fanIn: number; receptiveField: number },
  layout: 'channels_last' | 'channels_first',
  seed: number,
): InputData {
  const shape = data.sampleShape;
  const { fanIn, receptiveField: rf } = layer;
  if (!shape) throw new InputError(`${data.cols} features a sample, and the first layer reads patches of ${fanIn}`);
  const channels = fanIn / rf;
  const square = Math.round(Math.sqrt(rf));
  // Spatial sizes and the channel count of one sample, by layout.
  let spatial: number[];
  let c: number;
  if (shape.length === 3) {
    [c, spatial] = layout === 'channels_last' ? [shape[2], shape.slice(0, 2)] : [shape[0], shape.slice(1)];
  } else if (shape.length === 2 && shape[layout === 'channels_last' ? 1 : 0] * rf === fanIn) {
    [c, spatial] = layout === 'channels_last' ? [shape[1], [shape[0]]] : [shape[0], [shape[1]]];
  } else if (shape.length === 2) {
    [c, spatial] = [1, shape];
  } else {
    throw new InputError(`samples of shape ${shape.join(' × ')} are not images or sequences (2 or 3 dimensions a sample)`);
  }
  const kernel = spatial.length === 2 ? [square, square] : [rf];
  if (kernel.reduce((a, b) => a * b, 1) !== rf)
    throw new InputError(`a receptive field of ${rf} is not a square kernel, so its patches cannot be cut from ${shape.join(' × ')} images`);
  if (c !== channels) {
    const layoutText = layout === 'channels_first' ? ' (channels first, as PyTorch has them)' : ' (channels last)';
    const reads = Number.isInteger(channels)
      ? `${channels} (fan_in ${fanIn} = ${rf} × ${channels})`
      : `a fan_in of ${fanIn}, not a multiple of its receptive field ${rf}`;
    throw new InputError(
      `samples of ${shape.join(' × ')} have ${c} channel${c === 1 ? '' : 's'}${layoutText}, a patch ${rf} × ${c} = ${rf * c} features; the first layer reads ${reads}`,
      rf * c,
    );
  }
  if (spatial.some((n, i) => n < kernel[i])) throw new InputError(`samples of ${shape.join(' × ')} are smaller than the ${kernel.join(' × ')} kernel`);
  const positions = spatial.map((n, i) => n - kernel[i] + 1);
  const total = data.rows * positions.reduce((a, b) => a * b, 1);
  const rows = Math.min(MAX_PATCHES, total);
  // Element (spatial index s, channel ch) of image `img` in the flattened sample, by layout.
  const perImage = data.cols;
  const size = spatial.reduce((a, b) => a * b, 1);
  const at = (s: number, ch: number) => (layout === 'channels_last' ? s * c + ch : ch * size + s);
  const values = new Float32Array(rows * fanIn);
  let h = seed >>> 0;
  const next = (n: number) => {
    // splitmix-style 32-bit hash, as the simulation's own seeded choices: the same seed, the same patches.
    h = (h + 0x9e3779b9) >>> 0;
    return mix32(h) % n;
  };
  for (let r = 0; r < rows; r++) {
    // Every patch once when there are few; else random ones.
    const pick = rows === total ? r : next(total);
    const img = Math.floor(pick / (total / data.rows));
    let place = pick % (total / data.rows);
    const start = positions.map(() => 0);
    for (let d = positions.length - 1; d >= 0; d--) {
      start[d] = place % positions[d];
      place = Math.floor(place / positions[d]);
    }
    let o = r * fanIn;
    const base = img * perImage;
    if (kernel.length === 2) {
      for (let i = 0; i < kernel[0]; i++)
        for (let j = 0; j < kernel[1]; j++) {
          const s = (start[0] + i) * spatial[1] + start[1] + j;
          for (let ch = 0; ch < c; ch++) values[o++] = data.values[base + at(s, ch)];
        }
    } else {
      for (let i = 0; i < kernel[0]; i++) for (let ch = 0; ch < c; ch++) values[o++] = data.values[base + at(start[0] + i, ch)];
    }
  }
  return {
    name: data.name,
    rows,
    cols: fanIn,
    values,
    stats: inputStats(values, rows, fanIn),
    patches: { kernel, channels: c, from: shape, images: data.rows },
  };
}

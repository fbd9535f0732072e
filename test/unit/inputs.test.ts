/**
 * The user's own inputs in the simulator (webview/sim/inputs.ts): .npy and .csv files read into
 * samples x features, their statistics, and a run of the simulation core on them, whose first
 * layer's E[z^2] follows the data's second moment as the prediction says.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeInput, imagePatches, InputError, inputStats, MAX_PATCHES, parseCsv, parseNpy, readInputFile, type InputData } from '../../webview/sim/inputs';
import { dataRows, simulate } from '../../webview/sim/simulate';
import { predictLayers } from '../../webview/sim/predict';
import type { SimConfig } from '../../webview/sim/types';

tf.env().set('IS_TEST', true);
before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** A version 1.0 .npy file, as numpy.save writes it: magic, header padded to 64 bytes, data. */
function npy(descr: string, shape: number[], data: Uint8Array, fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}
const bytesOf = (array: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array) => new Uint8Array(array.buffer);

describe('.npy', () => {
  test('float32 samples x features, C order', () => {
    const t = parseNpy(npy('<f4', [3, 2], bytesOf(new Float32Array([1, 2, 3, 4, 5, 6.5]))));
    assert.deepEqual([t.rows, t.cols, [...t.values]], [3, 2, [1, 2, 3, 4, 5, 6.5]]);
  });

  test('every number dtype: float16/64, int8-64, uint8, bool', () => {
    assert.deepEqual([...parseNpy(npy('<f8', [2, 1], bytesOf(new Float64Array([0.25, -3])))).values], [0.25, -3]);
    assert.deepEqual([...parseNpy(npy('<i4', [2, 2], bytesOf(new Int32Array([-1, 2, 3, -4])))).values], [-1, 2, 3, -4]);
    assert.deepEqual([...parseNpy(npy('<i8', [2, 1], bytesOf(new BigInt64Array([-7n, 9n])))).values], [-7, 9]);
    assert.deepEqual([...parseNpy(npy('|u1', [2, 2], new Uint8Array([0, 255, 7, 1]))).values], [0, 255, 7, 1]);
    assert.deepEqual([...parseNpy(npy('|i1', [2, 1], new Uint8Array([0xff, 3]))).values], [-1, 3]);
    assert.deepEqual([...parseNpy(npy('|b1', [2, 1], new Uint8Array([1, 0]))).values], [1, 0]);
    // float16: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800
    assert.deepEqual([...parseNpy(npy('<f2', [3, 1], bytesOf(new Uint16Array([0x3c00, 0xc000, 0x3800])))).values], [1, -2, 0.5]);
  });

  test('Fortran order is read column by column; 1-D is one feature, N-D is flattened per sample', () => {
    // [[1, 2, 3], [4, 5, 6]] in Fortran order is stored 1 4 2 5 3 6.
    const f = parseNpy(npy('<f4', [2, 3], bytesOf(new Float32Array([1, 4, 2, 5, 3, 6])), true));
    assert.deepEqual([f.rows, f.cols, [...f.values]], [2, 3, [1, 2, 3, 4, 5, 6]]);
    const one = parseNpy(npy('<f4', [4], bytesOf(new Float32Array([1, 2, 3, 4]))));
    assert.deepEqual([one.rows, one.cols], [4, 1]);
    const images = parseNpy(npy('<f4', [2, 2, 2], bytesOf(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]))));
    assert.deepEqual([images.rows, images.cols, [...images.values]], [2, 4, [1, 2, 3, 4, 5, 6, 7, 8]]);
  });

  test('refused with a reason: not .npy, big-endian, text dtype, too short, NaN, one sample', () => {
    const refused = (bytes: Uint8Array, reason: RegExp) =>
      assert.throws(
        () => parseNpy(bytes),
        (e: unknown) => e instanceof InputError && reason.test(e.message),
      );
    refused(new TextEncoder().encode('a,b\n1,2\n'), /not a NumPy \.npy file/);
    refused(npy('>f4', [2, 1], new Uint8Array(8)), /big-endian/);
    refused(npy('<U3', [2, 1], new Uint8Array(24)), /not a number type/);
    refused(npy('<f4', [3, 2], bytesOf(new Float32Array([1, 2, 3]))), /ends early/);
    refused(npy('<f4', [2, 1], bytesOf(new Float32Array([1, NaN]))), /value 2 is NaN/);
    refused(npy('<f4', [1, 3], bytesOf(new Float32Array([1, 2, 3]))), /at least 2 samples/);
  });

  test('a file numpy.save wrote (where python3 has numpy)', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'initlint-npy-'));
    const file = path.join(dir, 'x.npy');
    const r = spawnSync('python3', ['-c', `import numpy as np; np.save(${JSON.stringify(file)}, np.arange(12, dtype=np.float64).reshape(4, 3) / 4)`], {
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      t.skip(`no python3 with numpy here (${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)})`);
      return;
    }
    const data = readInputFile('x.npy', fs.readFileSync(file));
    fs.rmSync(dir, { recursive: true });
    assert.deepEqual([data.rows, data.cols, [...data.values]], [4, 3, Array.from({ length: 12 }, (_, i) => i / 4)]);
  });
});

describe('.csv', () => {
  test('a header line is skipped; commas, semicolons, tabs and spaces separate', () => {
    for (const text of ['x1,x2\n1,2\n3,4\n', '1;2\r\n3;4\r\n', '1\t2\n\n3\t4', '1 2\n3   4\n']) {
      const t = parseCsv(text);
      assert.deepEqual([t.rows, t.cols, [...t.values]], [2, 2, [1, 2, 3, 4]], JSON.stringify(text));
    }
  });

  test('refused with the line: ragged rows, a cell that is not a number', () => {
    assert.throws(() => parseCsv('1,2\n3\n'), /CSV line 2 has 1 values, line 1 has 2/);
    assert.throws(() => parseCsv('a,b\n1,2\n3,x\n'), /CSV line 3, column 2: "x" is not a number/);
    assert.throws(() => readInputFile('inputs.json', new Uint8Array()), /not a \.npy or \.csv file/);
  });
});

test('statistics, exactly: mean, E[x^2], the cross moment of two different samples, per-feature spread', () => {
  // Samples (1, 2) and (3, 4): x_a . x_b / 2 = (3 + 8) / 2 = 5.5.
  const s = inputStats(new Float32Array([1, 2, 3, 4]), 2, 2);
  assert.deepEqual(s, { mean: 2.5, std: Math.sqrt(1.25), min: 1, max: 4, secondMoment: 7.5, crossMoment: 5.5, featureStd: [1, 1] });
  const data = readInputFile('pixels.csv', new TextEncoder().encode('1,2\n3,4\n'));
  assert.equal(describeInput(data), 'pixels.csv: 2 samples × 2 features · mean 2.5 · std 1.12 · range [1, 4] · E[x²] 7.5');
});

describe("a run on the user's data", () => {
  // 400 samples of 64 features in [0, 1] (as pixels): E[x^2] = 1/3, and a mean, so two samples
  // are correlated (E[x_a x_b] = 1/4 per feature).
  const rows = 400;
  const cols = 64;
  const values = new Float32Array(rows * cols);
  let h = 12345;
  for (let i = 0; i < values.length; i++) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    values[i] = h / 2 ** 32;
  }
  const data = readInputFile(
    'pixels.csv',
    new TextEncoder().encode(Array.from({ length: rows }, (_, r) => [...values.subarray(r * cols, (r + 1) * cols)].join(',')).join('\n')),
  );
  const config = (batch: number): SimConfig => ({
    inputWidth: cols,
    batch,
    seed: 3,
    input: 'data',
    data,
    layers: [0, 1].map(() => ({
      fanIn: 64,
      units: 64,
      kernel: { label: 'LeCun normal', distribution: 'normal' as const, variance: 1 / 64 },
      activation: { name: 'tanh' },
      normalize: 'none' as const,
    })),
  });

  test("the first layer's E[z^2] is fan_in Var(w) E[x^2] of the data, as predicted", async () => {
    assert.ok(Math.abs(data.stats.secondMoment - 1 / 3) < 0.01, `E[x^2] ${data.stats.secondMoment}`);
    assert.ok(Math.abs(data.stats.crossMoment - 1 / 4) < 0.01, `cross ${data.stats.crossMoment}`);
    const r = await simulate(tf, config(256));
    const ez2 = r.layers[0].preVar + r.layers[0].preMean ** 2;
    // z = sum of 64 terms: over 256 samples x 64 units its mean square is within a few % of 1/3.
    assert.ok(Math.abs(ez2 / data.stats.secondMoment - 1) < 0.15, `E[z^2] ${ez2}`);
    const p = predictLayers(config(256));
    assert.ok(Math.abs(p[0].q - data.stats.secondMoment) < 1e-12, `predicted q ${p[0].q}`);
    // The same configuration with N(0, 1) inputs predicts q = 1: the data is what moved it.
    assert.ok(Math.abs(predictLayers({ ...config(256), input: 'normal', data: undefined })[0].q - 1) < 1e-12);
  });

  test('the batch draws different rows of the data, the same for a seed and others for another; a batch above the rows is the rows, with a note', async () => {
    const rowsOf = async (batch: number, seed: number) => {
      const t = dataRows(tf, data, batch, seed);
      const v = await t.data();
      t.dispose();
      return Array.from({ length: batch }, (_, b) => [...v.subarray(b * cols, (b + 1) * cols)].join());
    };
    const all = new Set(Array.from({ length: rows }, (_, r) => [...data.values.subarray(r * cols, (r + 1) * cols)].join()));
    const drawn = await rowsOf(64, 1);
    assert.equal(new Set(drawn).size, 64, 'a row drawn twice');
    assert.ok(
      drawn.every((r) => all.has(r)),
      'a drawn row is not a row of the data',
    );
    assert.deepEqual(await rowsOf(64, 1), drawn);
    assert.notDeepEqual(await rowsOf(64, 2), drawn);
    assert.equal(new Set(await rowsOf(rows, 3)).size, rows, 'the whole data set, each row once');
    const capped = await simulate(tf, config(1000));
    assert.equal(capped.batch, rows);
    assert.match(capped.reduced ?? '', /batch 1000 → 400: pixels\.csv has 400 samples/);
  });

  test('data of another width than the first layer reads is refused by name', async () => {
    await assert.rejects(
      simulate(tf, { ...config(64), inputWidth: 32, layers: [{ ...config(64).layers[0], fanIn: 32 }] }),
      /pixels\.csv has 64 features a sample; the model's first layer reads 32/,
    );
  });
});

describe('images for a convolution: patches of its receptive field', () => {
  // Pixel (n, h, w, c) holds n·10⁵ + h·10³ + w·10 + c: every value says where it came from (exact in float32 below 2²⁴).
  const code = (n: number, h: number, w: number, c: number) => n * 1e5 + h * 1e3 + w * 10 + c;
  function images(n: number, height: number, width: number, channels: number, layout: 'channels_last' | 'channels_first'): InputData {
    const shape = layout === 'channels_last' ? [n, height, width, channels] : [n, channels, height, width];
    const values = new Float32Array(n * height * width * channels);
    let i = 0;
    for (let a = 0; a < n; a++)
      if (layout === 'channels_last') {
        for (let h = 0; h < height; h++) for (let w = 0; w < width; w++) for (let c = 0; c < channels; c++) values[i++] = code(a, h, w, c);
      } else {
        for (let c = 0; c < channels; c++) for (let h = 0; h < height; h++) for (let w = 0; w < width; w++) values[i++] = code(a, h, w, c);
      }
    return readInputFile('images.npy', npy('<f4', shape, bytesOf(values)));
  }
  /** Each patch: one image, a k x k window at one place, every channel, each pixel once. */
  function assertWindows(data: InputData, k: number, channels: number, height: number, width: number): void {
    for (let r = 0; r < data.rows; r++) {
      const row = [...data.values.subarray(r * data.cols, (r + 1) * data.cols)];
      const n = Math.floor(row[0] / 1e5);
      const at = row.map((v) => [Math.floor((v % 1e5) / 1e3), Math.floor((v % 1e3) / 10), v % 10]);
      assert.ok(
        row.every((v) => Math.floor(v / 1e5) === n),
        `patch ${r}: one image`,
      );
      const top = Math.min(...at.map((p) => p[0]));
      const left = Math.min(...at.map((p) => p[1]));
      assert.ok(top + k <= height && left + k <= width, `patch ${r}: inside the image, no padding`);
      const expected: string[] = [];
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let c = 0; c < channels; c++) expected.push(`${top + i},${left + j},${c}`);
      assert.deepEqual(at.map((p) => p.join(',')).sort(), expected.sort(), `patch ${r}: the ${k}×${k}×${channels} window at (${top}, ${left})`);
    }
  }

  test('channels-last images (Keras, TF.js, Flax): every 3 x 3 x 2 window once when there are few', () => {
    const data = images(2, 4, 5, 2, 'channels_last');
    assert.deepEqual(data.sampleShape, [4, 5, 2]);
    const patches = imagePatches(data, { fanIn: 18, receptiveField: 9 }, 'channels_last', 7);
    assert.deepEqual([patches.rows, patches.cols], [2 * 2 * 3, 18]);
    assertWindows(patches, 3, 2, 4, 5);
    assert.equal(new Set(Array.from({ length: patches.rows }, (_, r) => patches.values[r * 18])).size, 12, 'each window once');
    assert.match(describeInput(patches), /^images\.npy: 12 patches of 3 × 3 × 2 = 18 features, cut from 2 samples of 4 × 5 × 2 · mean /);
    // Statistics are the patches' own: E[x^2] over what the layer reads.
    assert.equal(patches.stats.secondMoment, inputStats(patches.values, patches.rows, patches.cols).secondMoment);
  });

  test('channels-first images (PyTorch), many: MAX_PATCHES windows at seeded places', () => {
    const data = images(60, 12, 12, 3, 'channels_first');
    const a = imagePatches(data, { fanIn: 27, receptiveField: 9 }, 'channels_first', 1);
    assert.equal(a.rows, MAX_PATCHES);
    assertWindows(a, 3, 3, 12, 12);
    assert.deepEqual(imagePatches(data, { fanIn: 27, receptiveField: 9 }, 'channels_first', 1).values, a.values, 'the same seed, the same patches');
    assert.notDeepEqual(imagePatches(data, { fanIn: 27, receptiveField: 9 }, 'channels_first', 2).values, a.values);
    assert.ok(new Set(Array.from({ length: a.rows }, (_, r) => Math.floor(a.values[r * 27] / 1e5))).size > 50, 'from most images');
  });

  test('sequences for a 1-D convolution, grayscale images without a channel axis', () => {
    const seq = readInputFile('seq.npy', npy('<f4', [3, 10, 4], bytesOf(Float32Array.from({ length: 120 }, (_, i) => i))));
    const p = imagePatches(seq, { fanIn: 20, receptiveField: 5 }, 'channels_last', 0);
    // Window of 5 steps x 4 channels: consecutive values of one sample.
    for (let r = 0; r < p.rows; r++) {
      const row = [...p.values.subarray(r * 20, r * 20 + 20)];
      assert.deepEqual(
        row,
        row.map((_, i) => row[0] + i),
        `window ${r}`,
      );
    }
    const gray = readInputFile('gray.npy', npy('<f4', [2, 6, 6], bytesOf(new Float32Array(72))));
    assert.deepEqual([imagePatches(gray, { fanIn: 9, receptiveField: 9 }, 'channels_last', 0).rows, 9], [2 * 4 * 4, 9]);
  });

  test('what does not fit is refused, saying why', () => {
    const data = images(2, 4, 5, 2, 'channels_last');
    assert.throws(
      () => imagePatches(data, { fanIn: 27, receptiveField: 9 }, 'channels_last', 0),
      (e: InputError) =>
        /have 2 channels \(channels last\), a patch 9 × 2 = 18 features; the first layer reads 3 \(fan_in 27 = 9 × 3\)/.test(e.message) && e.fitsWidth === 18,
    );
    // A fan_in the code does not give (the panel's assumed width): what would fit is said.
    assert.throws(
      () => imagePatches(data, { fanIn: 256, receptiveField: 9 }, 'channels_last', 0),
      (e: InputError) => /the first layer reads a fan_in of 256, not a multiple of its receptive field 9/.test(e.message) && e.fitsWidth === 18,
    );
    assert.throws(() => imagePatches(data, { fanIn: 12, receptiveField: 6 }, 'channels_last', 0), /receptive field of 6 is not a square kernel/);
    assert.throws(() => imagePatches(data, { fanIn: 50, receptiveField: 25 }, 'channels_last', 0), /smaller than the 5 × 5 kernel/);
    const flat = readInputFile('flat.csv', new TextEncoder().encode('1,2\n3,4\n'));
    assert.throws(() => imagePatches(flat, { fanIn: 18, receptiveField: 9 }, 'channels_last', 0), InputError);
  });
});

/**
 * Saved Keras models, read down to the model config the JSON front end judges:
 *  - `.keras` archives (Keras 3 `model.save("m.keras")`): a zip holding `config.json`,
 *    `metadata.json` and `model.weights.h5`. Only config.json is inflated; the weights, often
 *    most of the archive, are skipped.
 *  - `.h5` files (Keras 2 / tf.keras `model.save("m.h5")`): HDF5 whose root group carries the
 *    config as its `model_config` attribute. Read with jsfive, a pure-JavaScript HDF5 reader (no
 *    native module, so it runs in the extension host, the CLI and CI alike).
 */
import { unzipSync } from 'fflate';
import * as hdf5 from 'jsfive';

/** Larger than any real model config; guards against a zip bomb posing as one. */
const MAX_CONFIG_BYTES = 256 * 1024 * 1024;

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function readKerasArchive(bytes: Uint8Array): { text: string } | { error: string } {
  // Every zip starts with a local file header (PK\3\4), or is empty (PK\5\6, end of central directory).
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) return { error: 'not a zip archive' };
  let problem: string | undefined;
  let declared = -1;
  let compressed = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (f.name !== 'config.json') return false;
        if (f.compression !== 0 && f.compression !== 8) {
          // Keras writes deflate (8); zip's bzip2 (12), LZMA (14) and others are not read here.
          const method = ({ 12: 'bzip2', 14: 'LZMA', 93: 'Zstandard', 95: 'XZ' } as Record<number, string>)[f.compression];
          problem = `config.json is compressed with ${method ?? `zip method ${f.compression}`}, which initlint does not read: save the model again with Keras (deflate)`;
          return false;
        }
        if (f.originalSize > MAX_CONFIG_BYTES) {
          problem = `config.json in the archive is larger than ${MAX_CONFIG_BYTES / (1024 * 1024)} MB`;
          return false;
        }
        declared = f.originalSize;
        compressed = f.size;
        return true;
      },
    });
  } catch (e) {
    return { error: `not a zip archive, or a damaged one (${(e as Error).message})` };
  }
  if (problem) return { error: problem };
  const data = files['config.json'];
  if (!data) return { error: 'no config.json in the archive' };
  // A header that lies about the size (a damaged or crafted archive) is not silently a model with no layers.
  // (A deflated empty file takes 2 bytes: more, with nothing out, is a header that lies.)
  if (data.length !== declared || (data.length === 0 && compressed > 2)) {
    return { error: `config.json's size in the archive's header (${declared} bytes) does not match its content: the archive is damaged` };
  }
  if (data.length === 0) return { error: 'config.json in the archive is empty' };
  let text: string;
  try {
    text = UTF8.decode(data);
  } catch {
    return { error: 'config.json in the archive is not valid UTF-8' };
  }
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** HDF5's signature, at offset 0 or after a user block of 512, 1024, 2048, ... bytes. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function hasHdf5Signature(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length && at <= 1 << 20; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

/**
 * The model config of a Keras `.h5` file. `{ text: undefined }`: a valid HDF5 file that holds no
 * model config (weights saved alone, or data): not a model, nothing to judge.
 */
export function readKerasH5(bytes: Uint8Array): { text: string | undefined } | { error: string } {
  if (!hasHdf5Signature(bytes)) return { error: 'not an HDF5 file' };
  let value: unknown;
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    value = new hdf5.File(buffer, '').attrs.model_config;
  } catch (e) {
    // jsfive throws plain values too (a string, or nothing at all): never "(undefined)" to a user.
    const why =
      e instanceof Error && e.message ? e.message : typeof e === 'string' && e ? e : 'its superblock or object headers are not ones this reader knows';
    return { error: `HDF5 file could not be read (${why})` };
  }
  if (value === undefined) return { text: undefined };
  // h5py writes the JSON as bytes (a fixed-length string, read as a string), or as a vlen string.
  const text =
    typeof value === 'string'
      ? value
      : value instanceof Uint8Array
        ? new TextDecoder('utf-8').decode(value)
        : Array.isArray(value) && typeof value[0] === 'string'
          ? value[0]
          : undefined;
  if (text === undefined) return { error: 'the model_config attribute is not a string' };
  return { text };
}

/** A saved model by its file name: how to read its config, and what that config is called. */
export function savedModelOf(
  fileName: string,
): { read: (bytes: Uint8Array) => { text: string | undefined } | { error: string }; part: 'config.json' | 'model_config' } | undefined {
  if (/\.keras$/i.test(fileName)) return { read: readKerasArchive, part: 'config.json' };
  if (/\.(h5|hdf5)$/i.test(fileName)) return { read: readKerasH5, part: 'model_config' };
  return undefined;
}

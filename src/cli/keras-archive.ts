/**
 * `.keras` archives (Keras 3 `model.save("m.keras")`): a zip holding `config.json` (the model
 * config the JSON front end reads), `metadata.json` and `model.weights.h5`. Only config.json
 * is inflated; the weights, often most of the archive, are skipped.
 */
import { unzipSync } from 'fflate';

/** Larger than any real model config; guards against a zip bomb posing as one. */
const MAX_CONFIG_BYTES = 256 * 1024 * 1024;

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function readKerasArchive(bytes: Uint8Array): { text: string } | { error: string } {
  // Every zip starts with a local file header (PK\3\4), or is empty (PK\5\6, end of central directory).
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) return { error: 'not a zip archive' };
  let tooLarge = false;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (f.name !== 'config.json') return false;
        if (f.originalSize > MAX_CONFIG_BYTES) {
          tooLarge = true;
          return false;
        }
        return true;
      },
    });
  } catch (e) {
    return { error: `not a zip archive (${(e as Error).message})` };
  }
  if (tooLarge) return { error: `config.json in the archive is larger than ${MAX_CONFIG_BYTES / (1024 * 1024)} MB` };
  const data = files['config.json'];
  if (!data) return { error: 'no config.json in the archive' };
  let text: string;
  try {
    text = UTF8.decode(data);
  } catch {
    return { error: 'config.json in the archive is not valid UTF-8' };
  }
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

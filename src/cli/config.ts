/**
 * Settings for the CLI: `--config FILE`, else `[tool.initlint]` in the nearest pyproject.toml,
 * else the nearest initlint.json, looked for from the working directory upwards.
 */
import * as fs from 'node:fs';
import { readRegular } from './files';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';

export interface LoadedConfig {
  /** The raw settings table, or undefined when no file was found. */
  raw?: unknown;
  file?: string;
}

export function readConfigFile(file: string): LoadedConfig {
  const read = readRegular(file, 4 * 1048576);
  if ('error' in read) throw new Error(`${file}: ${read.error}`);
  const text = read.bytes.toString('utf8');
  if (file.endsWith('.toml')) {
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
    const tool = doc.tool as Record<string, unknown> | undefined;
    return { raw: tool?.initlint, file };
  }
  try {
    return { raw: JSON.parse(text), file };
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Find the nearest config from `start` upwards; a pyproject.toml without [tool.initlint] does not count. */
export function findConfig(start: string): LoadedConfig {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const pyproject = path.join(dir, 'pyproject.toml');
    if (fs.existsSync(pyproject)) {
      const loaded = readConfigFile(pyproject);
      if (loaded.raw !== undefined) return loaded;
    }
    const json = path.join(dir, 'initlint.json');
    if (fs.existsSync(json)) return readConfigFile(json);
    if (path.dirname(dir) === dir) return {};
  }
}

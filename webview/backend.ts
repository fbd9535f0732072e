/**
 * Which TF.js backend runs the simulation: WebGL (the user's GPU), else WebAssembly, else plain
 * JavaScript; what to tell the user about it; and how much work each can do quickly.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type Tf = typeof tf;
export type BackendName = 'webgl' | 'wasm' | 'cpu';

export interface Backend {
  tf: Tf;
  name: BackendName;
  /** A plain sentence for the panel when the backend is not WebGL. */
  note?: string;
}

/** A fast backend should bring the first chart within about 1.5 s (docs/spec: simulator). */
const ORDER: readonly BackendName[] = ['webgl', 'wasm', 'cpu'];

/**
 * Pick the first backend that initialises. `wasmPrefix` is the folder URL of dist/ (where the
 * build copies the .wasm files), derived from the bundle's own URL.
 */
export async function chooseBackend(wasmPrefix: string): Promise<Backend> {
  setWasmPaths(wasmPrefix);
  // Threads need cross-origin isolation and a blob: worker, which a webview has not (and the
  // build ships no threaded binary); they gain nothing on 2 cores either.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // Shader programs keyed by op, not by shape: a warm-up at small sizes then serves the real run.
  tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
  const failures: string[] = [];
  for (const name of ORDER) {
    try {
      if ((await tf.setBackend(name)) && tf.getBackend() === name) {
        await tf.ready();
        return { tf, name, note: noteFor(name, failures) };
      }
      failures.push(name);
    } catch (e) {
      failures.push(`${name} (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  throw new Error(`No TF.js backend could start: ${failures.join('; ')}`);
}

function noteFor(name: BackendName, failed: string[]): string | undefined {
  const why = failed.length ? ` (${failed.join(', ')} unavailable)` : '';
  switch (name) {
    case 'webgl':
      return undefined;
    case 'wasm': {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'with SIMD' : 'without SIMD';
      return `WebGL is not available here${why}, so the simulation runs on WebAssembly (${simd}): slower for large models.`;
    }
    case 'cpu':
      return `Neither WebGL nor WebAssembly is available here${why}, so the simulation runs in plain JavaScript (the cpu backend): the batch is kept small and runs are slower.`;
  }
}

/**
 * Multiply-adds (batch x sum of fan_in x units) each backend does in about a second on a slow
 * machine: WebGL on SwiftShader, single-threaded wasm, the cpu backend (docs/spec: simulator).
 * The default batch fits this; the simulation core itself caps the cpu backend and says so.
 */
export const WORK_BUDGET: Readonly<Record<BackendName, number>> = { webgl: 3e8, wasm: 2e8, cpu: 5e7 };
const AUTO_BATCH_MAX = 512;
const AUTO_BATCH_MIN = 64;

/** Multiply-adds of one sample through the stack. */
export function workPerSample(layers: ReadonlyArray<{ fanIn: number; units: number }>): number {
  return layers.reduce((sum, l) => sum + l.fanIn * l.units, 0);
}

/** The batch when the user has not set one: the largest power of two from 64 to 512 that fits the backend's budget. */
export function autoBatch(backend: BackendName, perSample: number): number {
  const fits = WORK_BUDGET[backend] / Math.max(1, perSample);
  let batch = AUTO_BATCH_MIN;
  while (batch * 2 <= Math.min(fits, AUTO_BATCH_MAX)) batch *= 2;
  return batch;
}

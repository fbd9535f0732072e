/**
 * TF.js and its backends, started on the panel's page (engine.ts, TfEngine) and in the
 * simulation's worker (simWorker.ts): the first backend of the panel's plan (backend.ts) that
 * initialises.
 */
// Core and the three backends only: the full @tensorflow/tfjs adds layers, converter and data,
// which the panel never uses, a quarter of the bundle the page parses at its start
// (minified: 1.75 MB → 1.36 MB).
import * as tf from '@tensorflow/tfjs-core';
// What @tensorflow/tfjs itself adds to core: the gradients (valueAndGrads, the optimizers) and
// the chained tensor methods.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendInfo, BackendName, BackendPlan } from '../backend';
import { errorText } from '../errorText';

export type Tf = typeof tf;

/**
 * Start the first backend of the plan that initialises. `wasmPrefix` is the folder URL of dist/
 * (where the build copies the .wasm files); `fetchFile`, where given, reads one of them (the
 * worker asks the page, which can read the extension's files).
 */
export async function chooseBackend(wasmPrefix: string, plan: BackendPlan, fetchFile?: (url: string) => Promise<Response>): Promise<BackendInfo & { tf: Tf }> {
  if (fetchFile) {
    // The wasm backend reads its binary through the platform's fetch when told to (`true`).
    tf.env().platform.fetch = (path: string) => fetchFile(path);
    setWasmPaths(wasmPrefix, true);
  } else {
    setWasmPaths(wasmPrefix);
  }
  // Threads need cross-origin isolation, which a webview has not (and the build ships no
  // threaded binary); they gain nothing on 2 cores either.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // Shader programs keyed by op, not by shape: a warm-up at small sizes then serves the real run.
  tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
  const tried: BackendName[] = [];
  const details: string[] = [];
  for (const name of plan.order) {
    try {
      if ((await tf.setBackend(name)) && tf.getBackend() === name) {
        await tf.ready();
        if (!tried.length) return { tf, name, reason: plan.reason };
        const note = noteFor(name, plan, tried, details);
        return { tf, name, reason: note, note };
      }
      details.push(`${name} did not start`);
    } catch (e) {
      details.push(`${name}: ${errorText(e)}`);
    }
    tried.push(name);
  }
  throw new Error(`No TF.js backend could start: ${details.join('; ')}`);
}

const LABEL: Readonly<Record<BackendName, string>> = { webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'plain JavaScript' };

/** The sentence for a fallback: what was asked for, what runs instead, what that costs. */
function noteFor(name: BackendName, plan: BackendPlan, tried: BackendName[], details: string[]): string {
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'with SIMD' : 'without SIMD';
  const runs: Record<BackendName, string> = {
    webgl: 'on WebGL',
    wasm: `on WebAssembly (${simd}): slower for large models`,
    cpu: 'in plain JavaScript (the cpu backend): the batch is kept small and runs are slower',
  };
  const missing = tried.map((b) => LABEL[b]);
  const why =
    plan.preference === 'auto'
      ? `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not available here`
      : `The settings ask for ${plan.preference}, which cannot start here`;
  return `${why} (${details.join('; ')}), so the simulation runs ${runs[name]}.`;
}

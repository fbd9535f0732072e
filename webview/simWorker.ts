/**
 * The simulation's worker (bundled to dist/simWorker.js; engine.ts starts it for long runs):
 * TF.js and the simulation core, off the page's thread. On WebAssembly a full run of a deep model
 * computes for seconds without a break; on the page that froze the panel, its scroll, buttons
 * and charts.
 */
import { dispatch, TfEngine } from './engine';
import { errorText } from './errorText';
import type { EngineCall, EngineResults, FromWorker, ToWorker } from './sim/engineProtocol';

const scope = globalThis as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const post = (message: FromWorker) => scope.postMessage(message);

let engine: TfEngine | undefined;
let fetches = 0;
const files = new Map<number, { resolve(r: Response): void; reject(e: Error): void }>();

/** A file through the page: a webview's worker cannot read the extension's resources itself. */
function fetchFile(url: string): Promise<Response> {
  const id = ++fetches;
  post({ type: 'fetch', id, url });
  return new Promise((resolve, reject) => files.set(id, { resolve, reject }));
}

async function run(call: EngineCall): Promise<EngineResults[EngineCall['op']]> {
  if (!engine) throw new Error('the simulation backend has not started');
  return dispatch(engine, call);
}

// One call at a time, in order: the core's runs share TF.js's backend and its memory.
let queue: Promise<unknown> = Promise.resolve();

scope.onmessage = (event) => {
  const m = event.data;
  switch (m.type) {
    case 'start':
      TfEngine.start(m.plan, m.wasmPrefix, fetchFile).then(
        (started) => {
          engine = started;
          post({ type: 'started', info: { name: started.name, reason: started.reason, ...(started.note ? { note: started.note } : {}) } });
        },
        (e: unknown) => post({ type: 'startFailed', message: errorText(e) }),
      );
      return;
    case 'call':
      queue = queue
        .then(() =>
          run(m.call).then(
            (value) => post({ type: 'result', id: m.id, value }),
            (e: unknown) => post({ type: 'failed', id: m.id, message: errorText(e) }),
          ),
        )
        // A result that cannot be posted (not cloneable: our bug) fails its call, never the calls after it.
        .catch((e: unknown) => post({ type: 'failed', id: m.id, message: errorText(e) }));
      return;
    case 'file': {
      const waiting = files.get(m.id);
      files.delete(m.id);
      if (!waiting) return;
      if (m.bytes) waiting.resolve(new Response(m.bytes, { status: 200, headers: { 'Content-Type': 'application/wasm' } }));
      else waiting.reject(new Error(m.error ?? 'the file could not be read'));
      return;
    }
  }
};

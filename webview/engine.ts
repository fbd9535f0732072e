/**
 * The page's side of the simulation: TF.js runs in a worker (simWorker.ts), so a long run never
 * holds the page's thread; the panel stays scrollable and its controls answer while it computes.
 * A webview can start a worker only from a blob: its script is read here and handed over (CSP
 * `worker-src blob:`), and the worker asks this page for the wasm backend's binary.
 */
import type { BackendInfo, BackendPlan } from './backend';
import type { EngineCall, EngineResults, FromWorker, ToWorker } from './sim/engineProtocol';
import type { LsuvResult, PretrainResult, SimOptions } from './sim/simulate';
import type { SimConfig, SimResult } from './sim/types';

type Call<K extends EngineCall['op']> = Extract<EngineCall, { op: K }>;

export class SimEngine implements BackendInfo {
  private calls = 0;
  private readonly pending = new Map<number, { resolve(value: never): void; reject(e: Error): void }>();
  /** Set once the worker has failed: every later call fails with it. */
  private broken?: Error;

  private constructor(
    private readonly worker: Worker,
    readonly name: BackendInfo['name'],
    readonly reason: string,
    readonly note: string | undefined,
  ) {
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      if (m.type === 'fetch') void readFor(m.id, m.url, (r, transfer = []) => worker.postMessage(r, transfer));
      if (m.type !== 'result' && m.type !== 'failed') return;
      const waiting = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'result') waiting?.resolve(m.value as never);
      else waiting?.reject(new Error(m.message));
    };
    worker.onerror = (event) => this.fail(new Error(`the simulation's worker stopped: ${event.message || 'unknown error'}`));
  }

  /**
   * Starts the worker and, in it, the first backend of `plan` that initialises. `assets` is the
   * URL of the folder with simWorker.js and the .wasm files (the extension's dist/).
   */
  static async start(plan: BackendPlan, assets: string): Promise<SimEngine> {
    const script = await fetch(new URL('simWorker.js', assets).href);
    if (!script.ok) throw new Error(`the simulation's worker could not be read (${script.status} ${script.statusText})`);
    const url = URL.createObjectURL(new Blob([await script.text()], { type: 'text/javascript' }));
    const worker = new Worker(url, { name: 'initlint-simulation' });
    const post = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);
    const info = await new Promise<BackendInfo>((resolve, reject) => {
      worker.onerror = (event) => reject(new Error(`the simulation's worker could not start: ${event.message || 'unknown error'}`));
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const m = event.data;
        if (m.type === 'started') resolve(m.info);
        else if (m.type === 'startFailed') reject(new Error(m.message));
        else if (m.type === 'fetch') void readFor(m.id, m.url, post);
      };
      post({ type: 'start', plan, wasmPrefix: assets });
    }).finally(() => URL.revokeObjectURL(url));
    return new SimEngine(worker, info.name, info.reason, info.note);
  }

  simulate(config: SimConfig, options?: SimOptions): Promise<SimResult> {
    return this.call({ op: 'simulate', config, ...(options ? { options } : {}) });
  }

  lsuv(config: SimConfig, which: boolean[]): Promise<LsuvResult> {
    return this.call({ op: 'lsuv', config, which });
  }

  pretrain(config: SimConfig, which: boolean[]): Promise<PretrainResult> {
    return this.call({ op: 'pretrain', config, which });
  }

  symmetryDemo(config: SimConfig, steps: number): Promise<EngineResults['symmetryDemo']> {
    return this.call({ op: 'symmetryDemo', config, steps });
  }

  /** Tensors alive in the worker's TF.js (the core releases every one it makes). */
  numTensors(): Promise<number> {
    return this.call({ op: 'numTensors' });
  }

  private call<K extends EngineCall['op']>(call: Call<K>): Promise<EngineResults[K]> {
    if (this.broken) return Promise.reject(this.broken);
    const id = ++this.calls;
    return new Promise<EngineResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      this.worker.postMessage({ type: 'call', id, call } satisfies ToWorker);
    });
  }

  private fail(error: Error): void {
    this.broken = error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/** Reads a file the worker asked for and hands its bytes over (moved, not copied). */
async function readFor(id: number, url: string, post: (m: ToWorker, transfer?: Transferable[]) => void): Promise<void> {
  try {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    const bytes = await response.arrayBuffer();
    post({ type: 'file', id, bytes }, [bytes]);
  } catch (e) {
    post({ type: 'file', id, error: `could not read ${url}: ${e instanceof Error ? e.message : String(e)}` });
  }
}

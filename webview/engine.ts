/**
 * Where the simulation runs. Short runs (every first chart, a small model's runs) run on the
 * page, as they always did: TF.js is ready there by the time the model arrives, and the first
 * chart needs nothing else. Long runs (a deep model's full run: seconds on WebAssembly, which
 * computes without a break) go to a worker (simWorker.ts), started the first time one is needed,
 * so the panel stays scrollable and its controls answer while they compute. Measured on this
 * 2-core machine, TF.js starting in a worker beside the page made every first chart 0.15-0.25 s
 * later: the worker is not on the first chart's path.
 *
 * A webview can start a worker only from a blob: its script is read here and handed over (CSP
 * `worker-src blob:`), and the worker asks this page for the wasm backend's binary.
 */
import type { BackendInfo, BackendPlan } from './backend';
import { errorText } from './errorText';
import { chooseBackend, type Tf } from './sim/tfBackend';
import { lsuv, pretrain, simulate, symmetryDemo, type LsuvResult, type PretrainResult, type SimOptions } from './sim/simulate';
import type { EngineCall, EngineResults, FromWorker, ToWorker } from './sim/engineProtocol';
import type { SimConfig, SimResult } from './sim/types';

/** The simulation core on one TF.js backend, wherever it runs. */
export interface Engine extends BackendInfo {
  simulate(config: SimConfig, options?: SimOptions): Promise<SimResult>;
  lsuv(config: SimConfig, which: boolean[]): Promise<LsuvResult>;
  pretrain(config: SimConfig, which: boolean[]): Promise<PretrainResult>;
  symmetryDemo(config: SimConfig, steps: number): Promise<EngineResults['symmetryDemo']>;
  /** Tensors alive in this engine's TF.js (the core releases every one it makes). */
  numTensors(): Promise<number>;
}

/** TF.js in this thread: the page's engine, and the worker's (simWorker.ts). */
export class TfEngine implements Engine {
  private constructor(
    private readonly tf: Tf,
    readonly name: BackendInfo['name'],
    readonly reason: string,
    readonly note?: string,
  ) {}

  /**
   * The first backend of `plan` that initialises; `assets`: the folder of the .wasm files
   * (dist/), read through `fetchFile` where given (chooseBackend).
   */
  static async start(plan: BackendPlan, assets: string, fetchFile?: (url: string) => Promise<Response>): Promise<TfEngine> {
    const started = await chooseBackend(assets, plan, fetchFile);
    return new TfEngine(started.tf, started.name, started.reason, started.note);
  }

  simulate(config: SimConfig, options?: SimOptions): Promise<SimResult> {
    return simulate(this.tf, config, options);
  }

  lsuv(config: SimConfig, which: boolean[]): Promise<LsuvResult> {
    return lsuv(this.tf, config, which);
  }

  pretrain(config: SimConfig, which: boolean[]): Promise<PretrainResult> {
    return pretrain(this.tf, config, which);
  }

  symmetryDemo(config: SimConfig, steps: number): Promise<EngineResults['symmetryDemo']> {
    return symmetryDemo(this.tf, config, steps);
  }

  async numTensors(): Promise<number> {
    return this.tf.memory().numTensors;
  }
}

type Call<K extends EngineCall['op']> = Extract<EngineCall, { op: K }>;

/** A call as the worker receives it, made on its engine: the one place the calls are spelled out besides Engine. */
export function dispatch(engine: Engine, call: EngineCall): Promise<EngineResults[EngineCall['op']]> {
  switch (call.op) {
    case 'simulate':
      return engine.simulate(call.config, call.options);
    case 'lsuv':
      return engine.lsuv(call.config, call.which);
    case 'pretrain':
      return engine.pretrain(call.config, call.which);
    case 'symmetryDemo':
      return engine.symmetryDemo(call.config, call.steps);
    case 'numTensors':
      return engine.numTensors();
  }
}

/** TF.js in the simulation's worker: each call a message, answered by its id. */
export class WorkerEngine implements Engine {
  private calls = 0;
  private readonly pending = new Map<number, { resolve(value: never): void; reject(e: Error): void }>();
  /** Set once the worker has failed: every later call fails with it. */
  private broken?: Error;

  // Set from the worker's answer; start() hands the engine out only after it (`ready`).
  name: BackendInfo['name'] = 'cpu';
  reason = '';
  note?: string;
  /** Settles when the worker has started its backend (or could not). */
  private readonly ready: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    plan: BackendPlan,
    assets: string,
  ) {
    let started!: (info: BackendInfo) => void;
    let notStarted!: (e: Error) => void;
    this.ready = new Promise<BackendInfo>((resolve, reject) => {
      started = resolve;
      notStarted = reject;
    }).then((info) => {
      this.name = info.name;
      this.reason = info.reason;
      if (info.note) this.note = info.note;
    });
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      switch (m.type) {
        case 'started':
          return started(m.info);
        case 'startFailed':
          return notStarted(new Error(m.message));
        case 'fetch':
          return void readFor(m.id, m.url, (r, transfer = []) => worker.postMessage(r, transfer));
        case 'result':
        case 'failed': {
          const waiting = this.pending.get(m.id);
          this.pending.delete(m.id);
          if (m.type === 'result') waiting?.resolve(m.value as never);
          else waiting?.reject(new Error(m.message));
        }
      }
    };
    worker.onerror = (event) => {
      const error = new Error(`the simulation's worker stopped: ${event.message || 'unknown error'}`);
      notStarted(error);
      this.fail(error);
    };
    worker.postMessage({ type: 'start', plan, wasmPrefix: assets } satisfies ToWorker);
  }

  /**
   * Starts the worker and, in it, the first backend of `plan` that initialises. `assets` is the
   * URL of the folder with simWorker.js and the .wasm files (the extension's dist/).
   */
  static async start(plan: BackendPlan, assets: string): Promise<WorkerEngine> {
    const script = await fetch(new URL('simWorker.js', assets).href);
    if (!script.ok) throw new Error(`the simulation's worker could not be read (${script.status} ${script.statusText})`);
    // Bytes, not text: no decoding into a string and encoding back.
    const url = URL.createObjectURL(new Blob([await script.arrayBuffer()], { type: 'text/javascript' }));
    const engine = new WorkerEngine(new Worker(url, { name: 'initlint-simulation' }), plan, assets);
    try {
      await engine.ready;
    } catch (e) {
      engine.fail(e instanceof Error ? e : new Error(String(e))); // its TF.js (and any WebGL context) is not left running
      throw e;
    } finally {
      URL.revokeObjectURL(url);
    }
    return engine;
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

  /** The worker stopped (or was stopped): calls fail; the page takes its runs again (app.ts). */
  get failed(): boolean {
    return this.broken !== undefined;
  }

  private fail(error: Error): void {
    if (!this.broken) this.worker.terminate();
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
    post({ type: 'file', id, error: `could not read ${url}: ${errorText(e)}` });
  }
}

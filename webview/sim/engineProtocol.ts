/**
 * The messages between the panel's page and the simulation's worker (simWorker.ts, engine.ts),
 * typed once for both sides. The page asks, the worker answers each call by its id; the worker
 * asks the page for the files it cannot read itself (the wasm backend's binary).
 */
import type { BackendInfo, BackendPlan } from '../backend';
import type { LsuvResult, PretrainResult, SimOptions, symmetryDemo } from './simulate';
import type { SimConfig, SimResult } from './types';

/** A call into the simulation core, and what each returns. */
export type EngineCall =
  | { op: 'simulate'; config: SimConfig; options?: SimOptions }
  | { op: 'lsuv'; config: SimConfig; which: boolean[] }
  | { op: 'pretrain'; config: SimConfig; which: boolean[] }
  | { op: 'symmetryDemo'; config: SimConfig; steps: number }
  | { op: 'numTensors' };

export interface EngineResults {
  simulate: SimResult;
  lsuv: LsuvResult;
  pretrain: PretrainResult;
  symmetryDemo: Awaited<ReturnType<typeof symmetryDemo>>;
  numTensors: number;
}

export type ToWorker =
  | { type: 'start'; plan: BackendPlan; wasmPrefix: string }
  | { type: 'call'; id: number; call: EngineCall }
  /** The page's answer to `fetch`: the file's bytes, or why they could not be read. */
  | { type: 'file'; id: number; bytes?: ArrayBuffer; error?: string };

export type FromWorker =
  | { type: 'started'; info: BackendInfo }
  | { type: 'startFailed'; message: string }
  | { type: 'result'; id: number; value: EngineResults[EngineCall['op']] }
  | { type: 'failed'; id: number; message: string }
  | { type: 'fetch'; id: number; url: string };

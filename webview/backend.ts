/**
 * Which TF.js backend runs the simulation: WebGL (the user's GPU), else WebAssembly, else plain
 * JavaScript; what to tell the user about it; and how much work each can do quickly. Without
 * TF.js itself: it is started by sim/tfBackend.ts, on the page and in the worker for long runs.
 */
import type { BackendPreference } from '../src/protocol';

/** The backends themselves: what initlint.simulator.backend names besides 'auto'. */
export type BackendName = Exclude<BackendPreference, 'auto'>;
export type { BackendPreference } from '../src/protocol';

/** The backend a simulation engine runs on, and what the panel says of it. */
export interface BackendInfo {
  name: BackendName;
  /** Why this backend: the badge's tooltip. */
  reason: string;
  /** A plain sentence for the panel when the backend is a fallback the user should know of. */
  note?: string;
}

/** Which backends to try, in order, and why that order. */
export interface BackendPlan {
  order: readonly BackendName[];
  reason: string;
  preference: BackendPreference;
}

const DEFAULT_ORDER: readonly BackendName[] = ['webgl', 'wasm', 'cpu'];

/**
 * WebGL implementations that draw on the CPU. On them the wasm backend is the faster one at
 * every size: measured in headless Chromium on SwiftShader (docs/benchmarks-simulator.md), a
 * 5 x 50 stack 19 ms on wasm vs 63 ms on webgl, 20 x 1024 at batch 1024 8.7 s vs 61 s, and the
 * first chart of the tutorial model 0.8 s vs 1.9 s (wasm needs no shader compilation).
 */
const SOFTWARE_RENDERER = /SwiftShader|llvmpipe|softpipe|software rasterizer|Microsoft Basic Render|Apple Software Renderer/i;

/**
 * The WebGL renderer's name, from a throwaway context, or undefined without WebGL. The page's
 * first WebGL context is costly (0.2-0.4 s on SwiftShader): the extension tells later panels
 * what the first one found (data-renderer). Chromium reports the unmasked name as RENDERER; the debug extension covers the rest.
 */
export function webglRenderer(): string | undefined {
  try {
    const canvas = document.createElement('canvas');
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return undefined;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return name;
  } catch {
    return undefined;
  }
}

export function isSoftwareRenderer(renderer: string | undefined): boolean {
  return renderer !== undefined && SOFTWARE_RENDERER.test(renderer);
}

/**
 * The order to try backends in: the user's choice first (initlint.simulator.backend); on 'auto',
 * WebGL on a GPU, and WebAssembly first where WebGL is a software renderer.
 */
export function planBackend(preference: BackendPreference, renderer: string | undefined): BackendPlan {
  if (preference !== 'auto') {
    return {
      order: [preference, ...DEFAULT_ORDER.filter((b) => b !== preference)],
      reason: `chosen in the settings (initlint.simulator.backend: ${preference})`,
      preference,
    };
  }
  if (isSoftwareRenderer(renderer)) {
    return {
      order: ['wasm', 'webgl', 'cpu'],
      reason: `WebGL here is a software renderer (${renderer}), so the simulation runs on WebAssembly, which is faster on the CPU`,
      preference,
    };
  }
  return { order: DEFAULT_ORDER, reason: renderer ? `WebGL on ${renderer}` : 'WebGL', preference };
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

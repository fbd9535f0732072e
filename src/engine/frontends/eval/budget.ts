/**
 * The limits that keep an interpreter of model code linear on any input, shared by the Python
 * and the TF.js interpreters (the first piece of their common evaluator core).
 *
 * Loops are unrolled, functions inlined and definitions nobody calls evaluated on their own, so
 * a file's cost is the statements it makes the interpreter run, not its length: four nested
 * `for` loops of 64 iterations are 16.7 million runs of the innermost body. Every statement and
 * call spends one step of a per-file budget; once it is spent the interpreter stops growing the
 * models (what was read stays judged) and says so. Measured on the model sources of timm, Keras
 * applications and transformers (638 files, bench/corpus.mjs): the most any of them spends is
 * 8,241 steps (Keras' inception_resnet_v2.py, 30 ms), a 24th of the budget; at that rate the
 * whole budget is about 0.7 s.
 */

import { MAX_LAYERS } from '../signal';

/** Nesting of expressions and blocks followed. */
export const MAX_DEPTH = 200;
/** Iterations of a loop followed. */
export const MAX_UNROLL = 64;
/** Calls of the file's own functions inlined into each other. */
export const MAX_INLINE_DEPTH = 6;
/**
 * Containers inside containers followed this deep (a list of lists, a Sequential in a
 * Sequential). A list may hold itself, or the same list twice at every level
 * (`x = x + [x]` in a loop): each traversal also visits a container once, or spends a step on it.
 */
export const MAX_CONTAINER_DEPTH = 8;
/** Statements and calls per file. */
export const MAX_STEPS = 200_000;

export class Budget {
  private steps = 0;

  /** Spends one step; false once the budget is spent. */
  step(): boolean {
    return ++this.steps <= MAX_STEPS;
  }

  /** Steps spent so far (a kept evaluation replays its own: definitionCache.ts). */
  get spent(): number {
    return this.steps;
  }

  charge(steps: number): void {
    this.steps += steps;
  }

  get exhausted(): boolean {
    return this.steps > MAX_STEPS;
  }

  /** The message for the file once the budget, or the cap on layers per file, ran out. */
  message(layers: number): string | undefined {
    if (this.exhausted) {
      return `analysis stopped after ${MAX_STEPS.toLocaleString('en-US')} statements (loops or calls nested too deep to follow): layers built after that point are not judged`;
    }
    if (layers >= MAX_LAYERS) return `analysis stopped at ${MAX_LAYERS.toLocaleString('en-US')} layers: layers built after that point are not judged`;
    return undefined;
  }
}

/**
 * The rule registry (rules.md v2): each rule is one definition — code, name, default
 * severity, the docs text beside it, and its check over a model's propagation. `RuleCode` is
 * derived from the table, so adding IL009 is one entry here, one fixture and one docs section
 * (test/unit/registry.test.ts checks package.json and docs/rules.md against this table).
 *
 * Findings and fixes are data; the adapters format them.
 */
import type { Fix, Framework, Layer, Model, Span } from './ir';
import { isPiecewiseLinear, type ActivationInfo } from './activations';
import { fixedPointChi, layerNumbers, propagationOf, type LayerNumbers, type Propagation, type SegmentEffect } from './propagation';
import type { Edge } from './graph';
import { criticalScale, criticalVariance, fmt, fmtFactor, fmtProduct, recommendationFor, RECOMMENDATION_LABEL } from './variance';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInfo {
  span: Span;
  message: string;
}

/** A finding with offsets; the linter adds line/column and the file. */
export interface RawFinding {
  code: RuleCode;
  severity: Severity;
  message: string;
  span: Span;
  model: string;
  layer: string;
  fix?: Fix;
  related: RelatedInfo[];
}

export interface RuleOptions {
  /** Layers whose scale a normalization removes are not judged by IL001, IL002, IL004, IL005, IL007. */
  normalizationAware: boolean;
  /** IL001, IL002, IL006 become information where the layer's segment stays within IMPACT_BOUNDS. */
  severityByImpact: boolean;
  /** The file's `wantedByCode`; without it, each layer's code is taken to build that layer alone. */
  wanted?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The code that builds a layer: its constructor call, by its span. */
const codeKey = (layer: Layer): string => `${layer.span.start}:${layer.span.end}`;

/**
 * For each piece of code that builds layers (a constructor call), the initializers they want. One
 * edit serves them all, so it is offered only where they agree: a layer made in a loop over
 * activations, or by a helper called with relu and with tanh, got he_normal from one fix and
 * glorot_uniform back from the next (`--fix` never settled).
 */
export function wantedByCode(models: readonly Model[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const model of models) {
    for (const layer of model.layers) {
      const key = codeKey(layer);
      let set = out.get(key);
      if (!set) out.set(key, (set = new Set()));
      set.add(recommendationFor(layer.activation.info, model.framework));
    }
  }
  return out;
}

/** Bounds of IL001 on g_f, of IL002 on sigma^2, of IL004/IL005 on s, of IL007/IL008 on compounded factors. */
export const RELU_GAIN_BOUNDS: readonly [number, number] = [0.8, 1.25];
export const TANH_CHAOS_BOUNDS: readonly [number, number] = [1.5, 10];
export const VANISHING_RATIO = 0.1;
export const EXPLODING_RATIO = 10;
export const CHAIN_MIN_DEPTH = 4;
export const CHAIN_BOUNDS: readonly [number, number] = [1e-3, 1e3];
export const SIGMOID_STACK_BOUND = 1e-2;
export const IMPACT_BOUNDS: readonly [number, number] = [1 / 4, 4];

/** What a check emits: a finding without its rule, and its fix as a thunk (built only when asked for). */
type Emit = Omit<RawFinding, 'model' | 'code' | 'severity' | 'fix'> & { severity?: Severity; fixer?: () => Fix | undefined };

/**
 * Defines `obj[key]` as a value computed on first read (then stored): fixes are built only when
 * a code action, `--fix` or the JSON output asks for them, not for every finding of every lint.
 * Enumerable, so JSON and spreads still see it.
 */
export function defineLazy<T extends object, K extends keyof T>(obj: T, key: K, compute: () => T[K]): void {
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
      return value;
    },
  });
}

/** What a check sees: the model, its propagation, and the facts several rules share. */
export class ModelContext {
  readonly prop: Propagation;
  private homogeneousToNorm = new Map<Layer, boolean>();

  constructor(
    readonly model: Model,
    readonly opts: RuleOptions,
  ) {
    this.prop = propagationOf(model);
  }

  get layers(): readonly Layer[] {
    return this.prop.graph.layers;
  }

  numbers(layer: Layer): LayerNumbers {
    return this.prop.numbers.get(layer)!;
  }

  /** An output layer: nothing weighted consumes it (the model's last weighted layer, or a head). */
  isOutput(layer: Layer): boolean {
    return this.prop.graph.consumers.get(layer)!.length === 0 && !this.prop.graph.merged.has(layer);
  }

  /**
   * rules.md v2, "Normalization": the layer's output reaches a normalization through positively
   * homogeneous operations only, on every way out of it, so the normalization removes its scale.
   */
  normalizationExempt(layer: Layer): boolean {
    if (!this.opts.normalizationAware) return false;
    if (this.homogeneousToNorm.size === 0) this.computeReachesNorm();
    return this.homogeneousToNorm.get(layer) ?? false;
  }

  /**
   * Backwards over the forward order, so each consumer is decided before its producers (no
   * recursion: a 2,000-layer chain must not overflow the stack). An edge back to an earlier
   * layer (a layer applied again) does not count as reaching a normalization.
   */
  private computeReachesNorm(): void {
    const layers = this.prop.graph.layers;
    const index = new Map(layers.map((l, i) => [l, i]));
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i];
      let result: boolean;
      if (layer.normalized) result = true;
      else if (!isPiecewiseLinear(layer.activation.info)) result = false;
      else {
        const out = this.prop.graph.consumers.get(layer)!;
        const ends = this.prop.graph.toOutput.get(layer) ?? [];
        // Every way out reaches a normalization: no merge (it mixes in other tensors), nothing
        // unmodelled; a way to the model's output only through a normalization (`return self.norm(x)`).
        result =
          out.length + ends.length > 0 &&
          !this.prop.graph.merged.has(layer) &&
          ends.every((e) => !e.opaque && e.norm) &&
          out.every((e: Edge) => !e.opaque && (e.norm || (index.get(e.to)! > i && this.homogeneousToNorm.get(e.to) === true)));
      }
      this.homogeneousToNorm.set(layer, result);
    }
  }

  /**
   * A branch end: the layer's output, through linear operations, is added to or multiplies
   * another tensor (a residual branch, LoRA's B, a gate, adaLN-zero, a zero conv).
   */
  isBranchEnd(layer: Layer): boolean {
    return this.prop.graph.branchEnds.has(layer);
  }

  /** The compounded effect over the layer's segment. */
  segmentEffect(layer: Layer): SegmentEffect | undefined {
    return this.prop.segmentEffect(layer);
  }

  /** Severity by impact: information where the segment stays within IMPACT_BOUNDS both ways. */
  impactSeverity(layer: Layer, dflt: Severity): Severity {
    if (!this.opts.severityByImpact) return dflt;
    const e = this.segmentEffect(layer);
    const inside = (x: number) => x >= IMPACT_BOUNDS[0] && x <= IMPACT_BOUNDS[1];
    return e && inside(e.forward) && inside(e.backward) ? 'info' : dflt;
  }
}

interface RuleDefinition<C extends string> {
  code: C;
  name: string;
  severity: Severity;
  /** One line, for settings, SARIF and the README. */
  summary: string;
  /** The docs text shown with the rule (SARIF help, hovers): the why, in two or three sentences. */
  docs: string;
  check(ctx: ModelContext, emit: (f: Emit) => void): void;
}

const FRAMEWORK_LABEL: Record<Framework, string> = { keras: 'Keras', tfjs: 'TF.js', pytorch: 'PyTorch', flax: 'Flax' };

/** `He normal`, `glorot_uniform (Keras default)`. */
function initLabel(layer: Layer): string {
  const spec = layer.init.spec;
  return layer.init.explicit ? spec.describe : `${spec.name} (${FRAMEWORK_LABEL[spec.framework]} default)`;
}

function actLabel(act: ActivationInfo): string {
  return act.name === 'leaky_relu' || (act.name === 'prelu' && act.alpha) ? `${act.name} (slope ${fmt(act.alpha ?? 0)})` : act.name;
}

function initSpanOf(layer: Layer): Span {
  return layer.init.explicit && !layer.init.shared && layer.init.span ? layer.init.span : layer.span;
}

/** The message of the related location at a shared init call (sharedInitOf reads it back). */
const SHARED_INIT_RELATED = 'initialised by this call, which';

/**
 * A finding with no fix because its layer's initializer is set by a call that also initializes
 * other layers: where that call is, and the action title the adapters offer to open it.
 */
export function sharedInitOf(finding: {
  fix?: unknown;
  related: ReadonlyArray<{ message: string; start: number; end: number }>;
}): { start: number; end: number; title: string } | undefined {
  if (finding.fix) return undefined;
  const r = finding.related.find((x) => x.message.startsWith(SHARED_INIT_RELATED));
  if (!r) return undefined;
  const n = /initializes (\d+)/.exec(r.message)?.[1] ?? 'several';
  return { start: r.start, end: r.end, title: `Open the shared init call (it initializes ${n} layers that need different initializers: no per-layer fix)` };
}

function activationRelated(layer: Layer): RelatedInfo[] {
  const span = layer.activation.span;
  const out: RelatedInfo[] = span ? [{ span, message: `activation ${layer.activation.info.name} applied here` }] : [];
  // A shared init call (an `apply` function, a loop): the diagnostic stands on the layer; this points at the call.
  if (layer.init.shared && layer.init.span) {
    out.push({ span: layer.init.span, message: `${SHARED_INIT_RELATED} initializes ${layer.init.sharedBy ?? 'several'} layers` });
  }
  return out;
}

function recLabel(layer: Layer, framework: Framework): string {
  return RECOMMENDATION_LABEL[recommendationFor(layer.activation.info, framework)];
}

/** A finding on a layer's initializer, with the recommended fix (built lazily by the caller). */
function onInit(ctx: ModelContext, layer: Layer, message: string, severity?: Severity): Emit {
  const to = recommendationFor(layer.activation.info, ctx.model.framework);
  const agreed = (ctx.opts.wanted?.get(codeKey(layer))?.size ?? 1) <= 1;
  return {
    span: initSpanOf(layer),
    layer: layer.label,
    related: activationRelated(layer),
    message,
    severity,
    fixer: agreed ? () => layer.rewrite(to) : undefined,
  };
}

/** Layers with numbers to judge: a known activation, a known scale, fan_in not 0. */
function judged(ctx: ModelContext): Array<{ layer: Layer; n: LayerNumbers }> {
  return ctx.layers.map((layer) => ({ layer, n: ctx.numbers(layer) })).filter(({ n }) => !n.unjudged);
}

/** ` (x0.50 over this 2-layer segment)`: the forward effect, or the gradient's. */
function effectText(ctx: ModelContext, layer: Layer, direction: 'forward' | 'backward' = 'forward'): string {
  const e = ctx.segmentEffect(layer);
  if (!e) return '';
  const n = e.depth;
  const x = direction === 'forward' ? e.forward : e.backward;
  const what = direction === 'forward' ? '' : 'the gradient ';
  return n === 1 ? ` (${what}x${fmtFactor(x)} in this one-layer segment)` : ` (${what}x${fmtProduct(x)} over this ${n}-layer segment)`;
}

/** Families an initializer must belong to for IL001: variance scaling and orthogonal, not fixed-scale or constant. */
const SCALED_FAMILIES = new Set(['glorot', 'he', 'lecun', 'scaled', 'orthogonal']);
/** IL002 judges fixed-scale kernels too (a fixed N(0, 0.1^2) on fan_in 256 is sigma^2 = 2.56); never Glorot. */
const TANH_JUDGED_FAMILIES = new Set(['he', 'lecun', 'scaled', 'orthogonal', 'fixed']);

const DEFINITIONS = [
  {
    code: 'IL001',
    name: 'relu-init-mismatch',
    severity: 'warning',
    summary: 'A ReLU-family layer whose initializer does not keep the signal variance (forward gain outside [0.8, 1.25]).',
    docs: "ReLU keeps (1 + a^2)/2 of the second moment, so only sigma^2 = 2/(1 + a^2) keeps the signal and the gradient at their scale (He et al. 2015). Glorot, LeCun, PyTorch's and Flax's defaults halve it or worse per layer, and the loss compounds with depth.",
    check(ctx, emit) {
      for (const { layer } of judged(ctx)) {
        const act = layer.activation.info;
        if (act.family !== 'relu' || !SCALED_FAMILIES.has(layer.init.spec.family)) continue;
        // Judged on a unit input, the operating point He aims for: for relu and leaky relu the
        // gain is the same at any input; for elu and relu6 a verdict must not move when a layer
        // upstream is fixed.
        const n = { gain: layerNumbers({ ...layer, normalized: false }, 1).gain };
        if (n.gain === undefined) continue;
        if (n.gain >= RELU_GAIN_BOUNDS[0] && n.gain <= RELU_GAIN_BOUNDS[1]) continue;
        if (ctx.normalizationExempt(layer)) continue;
        const verdict = n.gain < 1 ? `keeps ${fmtFactor(n.gain)} of the variance` : `multiplies the variance by ${fmtFactor(n.gain)}`;
        emit(
          onInit(
            ctx,
            layer,
            `relu-init-mismatch: ${initLabel(layer)} under ${actLabel(act)} ${verdict} per layer${effectText(ctx, layer)}; use ${recLabel(layer, ctx.model.framework)}.`,
            ctx.impactSeverity(layer, 'warning'),
          ),
        );
      }
    },
  },
  {
    code: 'IL002',
    name: 'tanh-init-too-large',
    severity: 'warning',
    summary: 'A hidden tanh-family layer with sigma^2 between 1.5 and 10: the chaotic phase, where the gradient grows with depth.',
    docs: 'tanh is linear near 0, so sigma^2 = 1 is critical; above it the network is in the chaotic phase (Schoenholz et al. 2017): nearby inputs decorrelate and the gradient grows by chi per layer (He normal under tanh: about 1.11).',
    check(ctx, emit) {
      for (const { layer, n } of judged(ctx)) {
        const act = layer.activation.info;
        if (act.family !== 'tanh' || ctx.isOutput(layer) || n.sigma2 === undefined) continue;
        if (layer.init.spec.family === 'glorot' || !TANH_JUDGED_FAMILIES.has(layer.init.spec.family)) continue;
        if (n.sigma2 < TANH_CHAOS_BOUNDS[0] || n.sigma2 > TANH_CHAOS_BOUNDS[1]) continue;
        if (ctx.normalizationExempt(layer)) continue;
        const fixed = fixedPointChi(act, n.sigma2, n.biasVariance);
        const chi = fixed ? `, where the gradient grows x${fmtFactor(fixed.chi)} per layer once the signal settles` : '';
        emit(
          onInit(
            ctx,
            layer,
            `tanh-init-too-large: ${initLabel(layer)} under ${actLabel(act)} has sigma^2 = ${fmtFactor(n.sigma2)} (critical 1): the chaotic phase${chi}${effectText(ctx, layer, 'backward')}; use ${recLabel(layer, ctx.model.framework)}.`,
            ctx.impactSeverity(layer, 'warning'),
          ),
        );
      }
    },
  },
  {
    code: 'IL003',
    name: 'constant-kernel',
    severity: 'error',
    summary: 'A constant kernel: units start identical (warning), or stay interchangeable or dead for good (error).',
    docs: "Units with the same incoming weights compute the same output and receive the same update. Only random weights downstream can tell them apart; if every layer after it is constant too, or a zero kernel and bias sit under ReLU (relu'(0) = 0), they never differ. A zero-initialised branch end added to a live path, and the output layer, are deliberate and not reported.",
    check(ctx, emit) {
      for (const layer of ctx.layers) {
        const spec = layer.init.spec;
        if (spec.family !== 'constant' || layer.fanIn === 0 || ctx.isOutput(layer) || ctx.isBranchEnd(layer)) continue;
        const act = layer.activation.info;
        const consumers = ctx.prop.graph.consumers.get(layer)!;
        const allConstant = consumers.length > 0 && !ctx.prop.graph.merged.has(layer) && consumers.every((e) => e.to.init.spec.family === 'constant');
        const dead = (spec.constant ?? 0) === 0 && !layer.biasVariance && (act.name === 'relu' || act.name === 'relu6');
        const rec = recLabel(layer, ctx.model.framework);
        let message: string;
        let severity: Severity;
        if (dead) {
          severity = 'error';
          message = `constant-kernel: ${layer.label} starts dead or identical: a zero kernel with a constant bias b under ${act.name} gives every unit the same output ${act.name}(b) for every input (with b = 0, the default: 0, and no gradient, as ${act.name}'(0) = 0); use ${rec}.`;
        } else if (allConstant) {
          severity = 'error';
          message = `constant-kernel: the units of ${layer.label} stay interchangeable: its kernel is ${spec.describe} and every layer after it is constant too, so no update tells them apart; use ${rec}.`;
        } else {
          severity = 'warning';
          message = `constant-kernel: the units of ${layer.label} start identical (${spec.describe}); only the next layer's random weights tell them apart; use ${rec}.`;
        }
        emit(onInit(ctx, layer, message, severity));
      }
    },
  },
  {
    code: 'IL004',
    name: 'vanishing-scale',
    severity: 'warning',
    summary: 'A fixed-scale random kernel with Var(w) below 0.1 x the critical variance over fan_in.',
    docs: 'With Var(w) fixed, fan_in Var(w) shrinks the signal by s = Var(w) / Var_crit per layer. Not reported on the output layer, nor on a residual-branch end (shrinking those is deliberate: GPT-2, Fixup, SkipInit).',
    check(ctx, emit) {
      scaleRule(ctx, emit, 'low');
    },
  },
  {
    code: 'IL005',
    name: 'exploding-scale',
    severity: 'warning',
    summary: 'A fixed-scale random kernel with Var(w) above 10 x the critical variance over fan_in.',
    docs: 'With Var(w) fixed, the signal grows by s = Var(w) / Var_crit per layer; bounded activations saturate instead. Reported on the output layer too: huge logits saturate softmax.',
    check(ctx, emit) {
      scaleRule(ctx, emit, 'high');
    },
  },
  {
    code: 'IL006',
    name: 'selu-needs-lecun',
    severity: 'warning',
    summary: 'SELU self-normalizes only with LeCun normal kernels.',
    docs: "SELU's fixed point (mean 0, variance 1) exists for weights of variance 1/fan_in drawn from a normal distribution (Klambauer et al. 2017).",
    check(ctx, emit) {
      for (const layer of ctx.layers) {
        const act = layer.activation.info;
        const spec = layer.init.spec;
        // An initializer that is not known (drawn by code initlint cannot see) is not judged either.
        if (act.family !== 'selu' || layer.fanIn === 0 || spec.family === 'unknown') continue;
        if (spec.family === 'lecun' && (spec.distribution === 'normal' || spec.distribution === 'truncated_normal')) continue;
        emit(
          onInit(
            ctx,
            layer,
            `selu-needs-lecun: ${initLabel(layer)} under selu loses self-normalization${effectText(ctx, layer)}; use LeCun normal (Var = 1/fan_in${layer.fanIn ? ` = ${fmt(1 / layer.fanIn)}` : ''}).`,
            ctx.impactSeverity(layer, 'warning'),
          ),
        );
      }
    },
  },
  {
    code: 'IL007',
    name: 'depth-compounding',
    severity: 'info',
    summary: 'A path of 4+ layers inside one segment whose compounded forward or backward factor leaves [1e-3, 1e3].',
    docs: 'Per-layer factors multiply along a path: 0.5 per layer is 1e-3 after ten layers. Paths follow the data flow inside a segment (between normalizations); bounded activations saturate, which the numbers model.',
    check(ctx, emit) {
      for (const { path, stretch } of compoundingStretches(ctx)) {
        const first = path[stretch.from];
        const n = ctx.numbers(first);
        const direction =
          stretch.direction === 'forward'
            ? stretch.product < 1
              ? 'the signal shrinks'
              : 'the signal grows'
            : stretch.product < 1
              ? 'the gradient shrinks'
              : 'the gradient grows';
        const depth = stretch.to - stretch.from;
        // From the logarithms: the product of 64 factors of 2e9 is Infinity, and so was its 64th root.
        const per = Math.exp(stretch.log / depth);
        emit({
          span: first.span,
          layer: first.label,
          related: [],
          message: `depth-compounding: along ${depth} layers from ${first.label} ${direction} x${fmtProduct(stretch.product)} ${stretch.direction === 'forward' ? 'forward' : 'backward'} (x${fmtFactor(per)} per layer with ${initLabel(first)} and ${actLabel(first.activation.info)}${n.muAssumed ? ', input scale assumed 1' : ''}).`,
        });
      }
    },
  },
  {
    code: 'IL008',
    name: 'sigmoid-hidden-stack',
    severity: 'warning',
    summary: '2+ consecutive sigmoid hidden layers: the gradient falls below 1e-2 of its scale whatever the initializer.',
    docs: "sigmoid'(z) is at most 1/4, so each sigmoid layer keeps at most sigma^2/16 of the gradient's second moment, with any initializer. Use tanh or ReLU for hidden layers; keep sigmoid for gates and outputs.",
    check(ctx, emit) {
      for (const run of sigmoidRuns(ctx)) {
        const first = run.layers[0];
        emit({
          span: first.span,
          layer: first.label,
          related: activationRelated(first),
          message: `sigmoid-hidden-stack: ${run.layers.length} sigmoid hidden layers from ${first.label} keep x${fmtProduct(run.backward)} of the gradient (at most sigma^2/16 per layer, whatever the initializer); use tanh or ReLU for hidden layers.`,
        });
      }
    },
  },
] as const satisfies ReadonlyArray<RuleDefinition<string>>;

export type RuleCode = (typeof DEFINITIONS)[number]['code'];
export type RuleMeta = Omit<RuleDefinition<RuleCode>, 'check'>;

export const RULES: readonly RuleMeta[] = DEFINITIONS.map(({ check: _check, ...meta }) => meta);
export const RULE_CODES: readonly RuleCode[] = RULES.map((r) => r.code);

export function ruleMeta(code: RuleCode): RuleMeta {
  return RULES.find((r) => r.code === code)!;
}

function scaleRule(ctx: ModelContext, emit: (f: Emit) => void, side: 'low' | 'high'): void {
  for (const { layer } of judged(ctx)) {
    const spec = layer.init.spec;
    if (!layer.init.explicit || !spec.fixedScale || spec.fixedVariance === undefined) continue;
    const act = layer.activation.info;
    const crit = criticalVariance(act, layer.fanIn);
    if (crit === undefined) continue;
    const s = spec.fixedVariance / crit;
    if (side === 'low' ? !(s < VANISHING_RATIO) : !(s > EXPLODING_RATIO)) continue;
    if (side === 'low' && (ctx.isOutput(layer) || ctx.isBranchEnd(layer))) continue;
    if (ctx.normalizationExempt(layer)) continue;
    const critText = `${fmt(criticalScale(act)!)}/fan_in = ${fmt(crit)} for fan_in ${layer.fanIn}`;
    const what =
      side === 'low'
        ? 'activations and gradients vanish with depth'
        : act.family === 'tanh' || act.family === 'sigmoid'
          ? `${act.name} saturates`
          : act.name === 'softmax'
            ? 'softmax saturates'
            : 'activations explode with depth';
    const code = side === 'low' ? 'vanishing-scale' : 'exploding-scale';
    emit(
      onInit(
        ctx,
        layer,
        `${code}: ${spec.describe} gives Var(w) = ${fmt(spec.fixedVariance)}, ${fmt(s)} x the critical ${critText} under ${actLabel(act)}: ${what}; use ${recLabel(layer, ctx.model.framework)}.`,
      ),
    );
  }
}

interface Stretch {
  from: number;
  to: number;
  product: number;
  /** ln(product), finite where the product overflows. */
  log: number;
  direction: 'forward' | 'backward';
}

/** The layers a path rule may compound: judged, not constant (IL003 judges those), not exempt by a normalization. */
function compoundable(ctx: ModelContext, layer: Layer): boolean {
  const n = ctx.numbers(layer);
  return (
    !n.unjudged &&
    n.forwardFactor !== undefined &&
    n.backwardFactor !== undefined &&
    n.forwardFactor > 0 &&
    n.backwardFactor > 0 &&
    layer.init.spec.family !== 'constant' &&
    !ctx.normalizationExempt(layer)
  );
}

const piecesOf = new WeakMap<ModelContext, Layer[][]>();

/** Paths split where a layer cannot be compounded: the pieces IL007 and IL008 read (computed once per model). */
function pieces(ctx: ModelContext): Layer[][] {
  const known = piecesOf.get(ctx);
  if (known) return known;
  const out: Layer[][] = [];
  piecesOf.set(ctx, out);
  for (const path of ctx.prop.paths()) {
    let run: Layer[] = [];
    for (const l of path) {
      if (compoundable(ctx, l)) run.push(l);
      else {
        if (run.length) out.push(run);
        run = [];
      }
    }
    if (run.length) out.push(run);
  }
  return out;
}

/** IL008's runs: consecutive sigmoid-family hidden layers whose compounded chi is below SIGMOID_STACK_BOUND. */
type SigmoidRun = { layers: Layer[]; backward: number; piece: Layer[] };
const sigmoidRunsOf = new WeakMap<ModelContext, SigmoidRun[]>();

/** Computed once per model: IL008 reports them, IL007 skips their pieces. */
function sigmoidRuns(ctx: ModelContext): SigmoidRun[] {
  const known = sigmoidRunsOf.get(ctx);
  if (known) return known;
  const out: SigmoidRun[] = [];
  sigmoidRunsOf.set(ctx, out);
  const seen = new Set<string>();
  for (const piece of pieces(ctx)) {
    let run: Layer[] = [];
    const flush = () => {
      if (run.length >= 2) {
        const backward = run.reduce((p, l) => p * ctx.numbers(l).chi!, 1);
        const key = run.map((l) => `${l.span.start}`).join(',');
        if (backward < SIGMOID_STACK_BOUND && !seen.has(key)) {
          seen.add(key);
          out.push({ layers: run, backward, piece });
        }
      }
      run = [];
    };
    for (const l of piece) {
      if (l.activation.info.family === 'sigmoid' && !ctx.isOutput(l) && ctx.numbers(l).chi !== undefined) run.push(l);
      else flush();
    }
    flush();
  }
  return out;
}

/** IL007's stretches: per piece, the most extreme stretch of >= CHAIN_MIN_DEPTH layers, forward or backward. */
function compoundingStretches(ctx: ModelContext): Array<{ path: Layer[]; stretch: Stretch }> {
  const withSigmoid = new Set(sigmoidRuns(ctx).map((r) => r.piece));
  const out: Array<{ path: Layer[]; stretch: Stretch }> = [];
  for (const piece of pieces(ctx)) {
    if (withSigmoid.has(piece) || piece.length < CHAIN_MIN_DEPTH) continue;
    const fwd = mostExtremeStretch(piece.slice(0, MAX_CHAIN).map((l) => ctx.numbers(l).forwardFactor!));
    const bwd = mostExtremeStretch(piece.slice(0, MAX_CHAIN).map((l) => ctx.numbers(l).backwardFactor!));
    const excess = (s?: { log: number }) => (s ? Math.max(Math.log(CHAIN_BOUNDS[0]) - s.log, s.log - Math.log(CHAIN_BOUNDS[1])) : -Infinity);
    const best = excess(fwd) >= excess(bwd) ? fwd && { ...fwd, direction: 'forward' as const } : bwd && { ...bwd, direction: 'backward' as const };
    if (best) out.push({ path: piece, stretch: best });
  }
  return out;
}

/** Longest run examined: quadratic in its length, and real models are far shorter. */
const MAX_CHAIN = 1000;

/** The stretch [from, to) of at least CHAIN_MIN_DEPTH factors whose product lies furthest outside CHAIN_BOUNDS. */
export function mostExtremeStretch(factors: number[]): { from: number; to: number; product: number; log: number } | undefined {
  const prefix = [0];
  for (const g of factors) prefix.push(prefix[prefix.length - 1] + Math.log(g));
  const lo = Math.log(CHAIN_BOUNDS[0]);
  const hi = Math.log(CHAIN_BOUNDS[1]);
  let best: { from: number; to: number; excess: number; log: number } | undefined;
  for (let to = CHAIN_MIN_DEPTH; to <= factors.length; to++) {
    for (let from = 0; from <= to - CHAIN_MIN_DEPTH; from++) {
      const log = prefix[to] - prefix[from];
      const excess = log < lo ? lo - log : log > hi ? log - hi : 0;
      // Ties keep the first stretch found: the shortest one ending earliest.
      if (excess > 0 && (!best || excess > best.excess + 1e-12)) best = { from, to, excess, log };
    }
  }
  // `log` as well: the product may overflow (x> 1e300) where the factor per layer does not.
  return best && { from: best.from, to: best.to, product: Math.exp(best.log), log: best.log };
}

/** All findings of one model, at their default severities, once per rule and place (a layer built in a loop shares its span). */
const contexts = new WeakMap<Model, ModelContext>();

/**
 * Why a layer with no finding passes, as the Initialization panel's tooltip says it: not
 * judged, exempt (rules.md v2, "Exemptions": a normalization removes its scale, it ends a branch
 * added to another tensor, it is the output layer), or an initializer that suits its activation.
 */
export function passReason(model: Model, layer: Layer, opts: RuleOptions): string {
  let ctx = contexts.get(model);
  if (!ctx || ctx.opts.normalizationAware !== opts.normalizationAware) {
    ctx = new ModelContext(model, opts);
    contexts.set(model, ctx);
  }
  const n = ctx.prop.numbers.get(layer);
  if (!n || n.unjudged) return `not judged: ${n?.unjudged ?? 'it is not on a path the engine follows'}`;
  if (layer.init.spec.family === 'constant' && ctx.isBranchEnd(layer))
    return 'a constant start is deliberate here: it ends a branch added to another tensor (a zero-initialised residual or LoRA end)';
  if (ctx.normalizationExempt(layer)) return 'exempt: a normalization after it removes its scale';
  if (ctx.isBranchEnd(layer)) return 'exempt from IL004: it ends a branch added to another tensor, where a small start is deliberate';
  if (ctx.isOutput(layer) && layer.activation.info.family !== 'relu' && layer.activation.info.family !== 'tanh') {
    return "its initializer suits its activation; as the model's output layer its scale is not passed on";
  }
  return n.gain === undefined ? 'its initializer suits its activation' : `its initializer suits its activation: forward gain ${fmt(n.gain)} per layer`;
}

export function judgeModel(model: Model, opts: RuleOptions, only?: (code: RuleCode) => boolean): RawFinding[] {
  const ctx = new ModelContext(model, opts);
  const seen = new Set<string>();
  const out: RawFinding[] = [];
  for (const rule of DEFINITIONS) {
    if (only && !only(rule.code)) continue;
    rule.check(ctx, (f) => {
      const key = `${rule.code}:${f.span.start}:${f.span.end}`;
      if (seen.has(key)) return;
      seen.add(key);
      const { fixer, ...rest } = f;
      const finding: RawFinding = { ...rest, code: rule.code, model: model.name, severity: f.severity ?? rule.severity };
      if (fixer) defineLazy(finding, 'fix', fixer);
      out.push(finding);
    });
  }
  return out;
}

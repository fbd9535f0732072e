/**
 * Every number of a run as a table: one row per layer and run (current, compared), used by the
 * data grid and the CSV export alike.
 */
import type { SimModel } from '../src/protocol';
import type { SimConfig, SimResult } from './sim/types';

export interface Column {
  key: string;
  title: string;
  /** Relative width in the grid. */
  width: number;
}

export const COLUMNS: readonly Column[] = [
  { key: 'layer', title: 'Layer', width: 2 },
  { key: 'run', title: 'Run', width: 2.4 },
  { key: 'fanIn', title: 'fan_in', width: 1.2 },
  { key: 'fanOut', title: 'fan_out', width: 1.2 },
  { key: 'initializer', title: 'Initializer', width: 2.6 },
  { key: 'varW', title: 'Var(w)', width: 1.3 },
  { key: 'activation', title: 'Activation', width: 1.4 },
  { key: 'preVar', title: 'Var(pre)', width: 1.3 },
  { key: 'actVar', title: 'Var(act)', width: 1.3 },
  { key: 'saturated', title: 'Saturated', width: 1.2 },
  { key: 'dead', title: 'Dead', width: 1 },
  { key: 'gradVar', title: 'Var(grad)', width: 1.3 },
  { key: 'gradMoment', title: 'E[grad²] per sample', width: 1.6 },
  { key: 'distinct', title: 'Distinct units', width: 1.7 },
];

export type Row = Record<string, string>;

/** Numbers as people read them: three significant digits, exponents for the very small or large. */
export function formatNumber(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e5 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : '—';
}

export interface RunData {
  name: string;
  config: SimConfig;
  result: SimResult;
  /** The result of an earlier run with the same settings (runs are seeded, so the same numbers). */
  reused?: boolean;
}

export function tableRows(model: SimModel, runs: RunData[]): Row[] {
  const rows: Row[] = [];
  model.layers.forEach((layer, i) => {
    for (const run of runs) {
      const spec = run.config.layers[i];
      const stats = run.result.layers[i];
      if (!spec || !stats) continue;
      rows.push({
        layer: layer.label,
        run: run.name,
        fanIn: String(spec.fanIn),
        fanOut: String(layer.fanOut ?? spec.units * layer.receptiveField),
        initializer: spec.kernel.label,
        varW: formatNumber(spec.kernel.variance),
        activation: layer.activation.name + (layer.normalized ? ' (normalized)' : ''),
        preVar: formatNumber(stats.preVar),
        actVar: formatNumber(stats.actVar),
        saturated: formatPercent(stats.saturated),
        dead: formatPercent(stats.dead),
        gradVar: formatNumber(stats.gradVar),
        gradMoment: formatNumber(stats.gradMoment),
        distinct: `${stats.distinct} / ${spec.units}`,
      });
    }
  });
  return rows;
}

/** RFC 4180 CSV with full-precision numbers (not the rounded ones the grid shows). */
export function toCsv(model: SimModel, runs: RunData[]): string {
  const header = [
    'layer',
    'run',
    'fan_in',
    'fan_out',
    'units',
    'initializer',
    'var_w',
    'activation',
    'normalized',
    'pre_mean',
    'pre_var',
    'act_mean',
    'act_var',
    'saturated',
    'dead',
    'grad_var',
    'grad_moment',
    'delta_moment',
    'distinct_units',
    'backend',
    'batch',
    'seed',
    'input',
  ];
  const lines = [header];
  model.layers.forEach((layer, i) => {
    for (const run of runs) {
      const spec = run.config.layers[i];
      const s = run.result.layers[i];
      if (!spec || !s) continue;
      lines.push(
        [
          layer.label,
          run.name,
          spec.fanIn,
          layer.fanOut ?? spec.units * layer.receptiveField,
          spec.units,
          spec.kernel.label,
          spec.kernel.variance ?? '',
          layer.activation.name,
          layer.normalized,
          s.preMean,
          s.preVar,
          s.actMean,
          s.actVar,
          s.saturated,
          s.dead,
          s.gradVar,
          s.gradMoment,
          s.deltaMoment,
          s.distinct,
          run.result.backend,
          run.config.batch,
          run.config.seed,
          run.config.input === 'data' ? (run.config.data?.name ?? 'data') : run.config.input,
        ].map(String),
      );
    }
  });
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

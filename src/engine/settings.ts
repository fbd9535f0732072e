/**
 * Settings shared by the extension, the CLI (`[tool.initlint]`, `initlint.json`) and the engine
 * API. Raw values come from users' files, so they are validated here with a clear message for
 * each value that is ignored.
 */
import picomatch from 'picomatch';
import { formatSize } from './text';
import { RULE_CODES, type RuleCode, type Severity } from './rules';

export type RuleLevel = 'off' | Severity;

export interface Settings {
  /** Per-rule level overrides: `{ "IL007": "off", "IL001": "error" }`. */
  rules: Partial<Record<RuleCode, RuleLevel>>;
  /** Only these rules run (empty: all). */
  select: RuleCode[];
  /** These rules never run. */
  ignore: RuleCode[];
  /** Glob patterns of files not to lint (relative to the workspace / working directory). */
  exclude: string[];
  /** Codes not reported in files matching a glob (relative like `exclude`): `{ "tests/**": ["IL003"] }`, as Ruff's per-file-ignores. */
  perFileIgnores: Record<string, RuleCode[]>;
  /** Files larger than this many bytes are skipped with a note. */
  maxFileSize: number;
  /** IL001, IL002, IL004, IL005 and IL007 stay silent on layers whose scale a normalization removes. */
  normalizationAware: boolean;
  /** IL001, IL002 and IL006 are information where the layer's segment stays within [1/4, 4] both ways. */
  severityByImpact: boolean;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  rules: {},
  select: [],
  ignore: [],
  exclude: [],
  perFileIgnores: {},
  maxFileSize: 2 * 1024 * 1024,
  normalizationAware: true,
  severityByImpact: false,
});

const LEVELS: readonly RuleLevel[] = ['off', 'info', 'warning', 'error'];

function isCode(x: unknown): x is RuleCode {
  return typeof x === 'string' && (RULE_CODES as readonly string[]).includes(x.toUpperCase());
}

function codes(value: unknown, key: string, problems: string[]): RuleCode[] {
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (!list) {
    problems.push(`${key}: expected a list of rule codes`);
    return [];
  }
  const out: RuleCode[] = [];
  const unknown = new Set<string>();
  // An empty entry of a comma list (`--select IL001,`) is no code; each unknown one is named once.
  const entries = list.filter((c) => !(typeof c === 'string' && c.trim() === ''));
  if (list.length > 0 && entries.length === 0) problems.push(`${key}: expected a list of rule codes`);
  for (const c of entries) {
    const s = typeof c === 'string' ? c.trim().toUpperCase() : c;
    if (isCode(s)) out.push(s);
    else unknown.add(JSON.stringify(c));
  }
  for (const c of unknown) problems.push(`${key}: unknown rule code ${c}`);
  return out;
}

/** Merge raw settings (camelCase or kebab/snake-case keys) over `base`; problems name what was ignored. */
export function parseSettings(raw: unknown, base: Settings = DEFAULT_SETTINGS): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const settings: Settings = { ...base, rules: { ...base.rules } };
  if (raw === undefined || raw === null) return { settings, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { settings, problems: ['settings: expected a table of keys'] };
  for (const [key0, value] of Object.entries(raw as Record<string, unknown>)) {
    const key = key0.replace(/[-_](\w)/g, (_, c: string) => c.toUpperCase());
    switch (key) {
      case 'rules':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          problems.push('rules: expected a table like { IL007 = "off" }');
          break;
        }
        for (const [code, level] of Object.entries(value)) {
          const c = code.toUpperCase();
          if (!isCode(c)) problems.push(`rules: unknown rule code ${JSON.stringify(code)}`);
          else if (typeof level !== 'string' || !LEVELS.includes(level as RuleLevel)) {
            problems.push(`rules.${c}: expected one of ${LEVELS.join(', ')}`);
          } else settings.rules[c] = level as RuleLevel;
        }
        break;
      case 'select':
        settings.select = codes(value, 'select', problems);
        break;
      case 'ignore':
        settings.ignore = codes(value, 'ignore', problems);
        break;
      case 'exclude':
        if (Array.isArray(value) && value.every((v) => typeof v === 'string')) settings.exclude = validGlobs(value as string[], 'exclude', problems);
        else problems.push('exclude: expected a list of glob patterns');
        break;
      case 'perFileIgnores': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          problems.push('per-file-ignores: expected a table like { "tests/**" = ["IL003"] }');
          break;
        }
        const table: Record<string, RuleCode[]> = {};
        for (const [glob, list] of Object.entries(value)) {
          if (validGlobs([glob], 'per-file-ignores', problems).length) table[glob] = codes(list, `per-file-ignores.${glob}`, problems);
        }
        settings.perFileIgnores = table;
        break;
      }
      case 'maxFileSize':
        if (typeof value === 'number' && value > 0) settings.maxFileSize = value;
        else problems.push('maxFileSize: expected a positive number of bytes');
        break;
      case 'normalizationAware':
        if (typeof value === 'boolean') settings.normalizationAware = value;
        else problems.push('normalizationAware: expected true or false');
        break;
      case 'severityByImpact':
        if (typeof value === 'boolean') settings.severityByImpact = value;
        else problems.push('severityByImpact: expected true or false');
        break;
      case 'run':
      case 'lintWorkspace':
        // The editor's own settings, accepted so one config can serve both; nothing to the engine.
        break;
      default:
        problems.push(`unknown setting ${JSON.stringify(key0)}`);
    }
  }
  return { settings, problems };
}

/** The level a rule runs at, or 'off'. */
export function ruleLevel(settings: Settings, code: RuleCode, defaultSeverity: Severity): RuleLevel {
  if (settings.select.length > 0 && !settings.select.includes(code)) return 'off';
  if (settings.ignore.includes(code)) return 'off';
  return settings.rules[code] ?? defaultSeverity;
}

const ignoreMatchers = new WeakMap<Settings, Array<{ match: (path: string) => boolean; codes: RuleCode[] }>>();

/** The codes per-file-ignores turns off for a file, by its path relative to the settings' folder ('/'-separated). */
export function ignoredCodes(settings: Settings, relativePath: string | undefined): Set<RuleCode> {
  const out = new Set<RuleCode>();
  if (relativePath === undefined) return out;
  let matchers = ignoreMatchers.get(settings);
  if (!matchers) {
    matchers = Object.entries(settings.perFileIgnores).map(([glob, codes]) => ({ match: picomatch(glob, { dot: true }), codes }));
    ignoreMatchers.set(settings, matchers);
  }
  for (const m of matchers) if (m.match(relativePath)) m.codes.forEach((c) => out.add(c));
  return out;
}

/**
 * Why a glob of `exclude` or `per-file-ignores` cannot do what it says, if it cannot: globs are
 * matched against '/'-separated paths relative to the config's folder (or the workspace folder).
 */
export function globProblem(glob: string): string | undefined {
  if (/^(?:\/|[A-Za-z]:[\\/])/.test(glob)) return 'is an absolute path; globs are relative to the folder of the config, so it matches nothing';
  if (glob.split(/[\\/]/).includes('..')) return 'reaches outside the folder of the config, so it matches nothing';
  if (picomatch.makeRe(glob, { dot: true }).source === '$^') return 'is not a valid glob (an unclosed { or a trailing \\), so it matches nothing';
  if (/\[[^\]]*$/.test(glob)) return "has a [ that is never closed, so it matches only a literal '['";
  return undefined;
}

/** The globs that can match, a problem for each that cannot (which is dropped). */
function validGlobs(globs: string[], key: string, problems: string[]): string[] {
  return globs.filter((g) => {
    const why = globProblem(g);
    if (why) problems.push(`${key}: "${g}" ${why}`);
    return !why;
  });
}

/**
 * The settings in one line for the log, naming only what differs from the defaults:
 * `rules IL001=error IL007=off; exclude legacy/**; per-file-ignores 1 glob; maxFileSize 2.0 MB`.
 */
export function describeSettings(s: Settings): string {
  const parts: string[] = [];
  const rules = Object.entries(s.rules).filter(([code, level]) => DEFAULT_SETTINGS.rules[code as RuleCode] !== level);
  if (rules.length) parts.push(`rules ${rules.map(([c, l]) => `${c}=${l}`).join(' ')}`);
  if (s.select.length) parts.push(`select ${s.select.join(',')}`);
  if (s.ignore.length) parts.push(`ignore ${s.ignore.join(',')}`);
  if (s.exclude.length) parts.push(`exclude ${s.exclude.join(' ')}`);
  const globs = Object.keys(s.perFileIgnores).length;
  if (globs) parts.push(`per-file-ignores ${globs} glob${globs === 1 ? '' : 's'}`);
  if (s.maxFileSize !== DEFAULT_SETTINGS.maxFileSize) parts.push(`maxFileSize ${formatSize(s.maxFileSize)}`);
  if (s.normalizationAware !== DEFAULT_SETTINGS.normalizationAware) parts.push(`normalizationAware ${s.normalizationAware}`);
  if (s.severityByImpact !== DEFAULT_SETTINGS.severityByImpact) parts.push(`severityByImpact ${s.severityByImpact}`);
  return parts.length ? parts.join('; ') : 'the defaults';
}

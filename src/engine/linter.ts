/**
 * The engine's entry: `createLinter(options)` loads the grammars once; `lint(text, fileName)`
 * is synchronous and never throws. Front ends are chosen by file name; a language whose front
 * end is not built is skipped silently.
 */
import type { FrontEndResult, Layer, Model, Span } from './ir';
import { Parsers } from './parser';
import type { SyntaxTree } from './syntaxTree';
import { KerasFrontEnd } from './frontends/python/keras';
import { TorchFrontEnd } from './frontends/python/torch';
import { FlaxFrontEnd } from './frontends/python/flax';
import { collectImports } from './frontends/python/names';
import { analyzeTfjs } from './frontends/js/tfjs';
import { analyzeKerasConfig } from './frontends/json/kerasConfig';
import { defineLazy, judgeModel, wantedByCode, type RawFinding, type RuleCode, type Severity } from './rules';
import { ignoredCodes, parseSettings, ruleLevel, type Settings } from './settings';
import { isSuppressed, readSuppressions } from './suppression';
import { formatSize, LineIndex } from './text';
import { cellAt, readNotebook, type NotebookDoc } from './notebook';

export interface Position {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface FindingEdit extends Position {
  newText: string;
  /** UTF-16 offsets into the linted text, for adapters that apply edits. */
  start: number;
  end: number;
}

/** One finding, in the shape of the CLI's JSON output (lines and columns 1-based, UTF-16). */
export interface Finding extends Position {
  file: string;
  code: RuleCode;
  severity: Severity;
  message: string;
  model: string;
  layer: string;
  fix?: { title: string; edits: FindingEdit[] };
  /** Notebooks: index of the cell the finding is in (lines count across the joined code cells). */
  cell?: number;
  /** Notebooks, on the command line: line and column within the cell (1-based); line and column are then the .ipynb file's. */
  cellPosition?: { line: number; column: number };
  /** UTF-16 offsets of the finding's range. */
  start: number;
  end: number;
  related: Array<Position & { message: string; start: number; end: number }>;
}

/**
 * What the editor's views read of a finding: the panel, the code lenses, the status item and
 * the simulator. The language server's VS Code client gets findings in this shape (wire.ts);
 * the problems list gets them as LSP diagnostics, and their fixes are built where asked for.
 */
export type FindingSummary = Pick<Finding, 'code' | 'severity' | 'message' | 'model' | 'layer' | 'start' | 'end' | 'cell'>;

export interface Analysis {
  file: string;
  findings: Finding[];
  models: Model[];
  /** The input's own problems (syntax errors): reported, not fatal. */
  errors: string[];
  /** Why the file was not linted, when it was not. */
  skipped?: string;
  /** Notebooks: the code cells; finding offsets are into their joined code. */
  notebook?: NotebookDoc;
}

export type LanguageId = 'python' | 'notebook' | 'javascript' | 'json';

export function languageOf(fileName: string): LanguageId | undefined {
  const ext = fileName.slice(fileName.lastIndexOf('.')).toLowerCase();
  switch (ext) {
    case '.py':
    case '.pyi':
      return 'python';
    case '.ipynb':
      return 'notebook';
    case '.js':
    case '.mjs':
    case '.cjs':
    case '.jsx':
    case '.ts':
    case '.mts':
    case '.cts':
    case '.tsx':
      return 'javascript';
    case '.json':
      return 'json';
    default:
      return undefined;
  }
}

export interface LinterOptions extends Partial<Omit<Settings, 'rules'>> {
  rules?: Settings['rules'];
  /** Where the grammar .wasm files are (defaults to beside the bundle, then node_modules). */
  wasmDir?: string;
}

/** How a lint uses the incremental-parse cache. */
export interface LintOptions {
  /**
   * Which earlier parse an edit starts from: by default the file name. Two texts that share a
   * name (an editor's document and a diff view of it) need keys of their own; `false` parses
   * from scratch and keeps nothing (files read once, like a workspace scan's).
   */
  cacheKey?: string | false;
  /** The file's path relative to the folder its settings belong to ('/'-separated), for per-file-ignores. */
  relativePath?: string;
}

export interface Linter {
  readonly settings: Settings;
  /** Problems found in the options (unknown keys, bad values), each ignored. */
  readonly settingsProblems: string[];
  lint(text: string, fileName: string, options?: LintOptions): Finding[];
  analyze(text: string, fileName: string, options?: LintOptions): Analysis;
  /** Drop the incremental-parse cache of a file (closed in the editor): its file name or cache key. */
  forget(cacheKey: string): void;
  /**
   * A linter with other settings that shares this one's grammars and incremental-parse cache
   * (the editor's workspace folders each have their own settings).
   */
  withSettings(options: Omit<LinterOptions, 'wasmDir'>): Linter;
}

export async function createLinter(options: LinterOptions = {}): Promise<Linter> {
  const { wasmDir, ...raw } = options;
  const { settings, problems } = parseSettings(raw);
  const parsers = await Parsers.load(wasmDir);
  return new EngineLinter(parsers, settings, problems);
}

class EngineLinter implements Linter {
  constructor(
    private readonly parsers: Parsers,
    readonly settings: Settings,
    readonly settingsProblems: string[],
  ) {}

  lint(text: string, fileName: string, options?: LintOptions): Finding[] {
    return this.analyze(text, fileName, options).findings;
  }

  forget(cacheKey: string): void {
    this.parsers.forget(cacheKey);
  }

  withSettings(options: Omit<LinterOptions, 'wasmDir'>): Linter {
    const { settings, problems } = parseSettings(options);
    return new EngineLinter(this.parsers, settings, problems);
  }

  analyze(text: string, fileName: string, options: LintOptions = {}): Analysis {
    const cacheKey = options.cacheKey === false ? undefined : (options.cacheKey ?? fileName);
    const empty = (extra: Partial<Analysis>): Analysis => ({ file: fileName, findings: [], models: [], errors: [], ...extra });
    const language = languageOf(fileName);
    if (!language) return empty({ skipped: 'not a model file' });
    if (text.length > this.settings.maxFileSize) {
      return empty({ skipped: `${fileName} is ${formatSize(text.length)}, above maxFileSize (${formatSize(this.settings.maxFileSize)}): not linted` });
    }
    if (language === 'notebook') {
      const doc = readNotebook(text);
      if ('error' in doc) return empty({ errors: [doc.error] });
      const analysis = this.analyzeCode('python', doc.program, fileName, cacheKey, options.relativePath);
      for (const f of analysis.findings) f.cell = cellAt(doc, f.start)?.index;
      return { ...analysis, notebook: doc };
    }
    return this.analyzeCode(language, text, fileName, cacheKey, options.relativePath);
  }

  private analyzeCode(
    language: Exclude<LanguageId, 'notebook'>,
    text: string,
    fileName: string,
    cacheKey: string | undefined,
    relativePath?: string,
  ): Analysis {
    const empty = (extra: Partial<Analysis>): Analysis => ({ file: fileName, findings: [], models: [], errors: [], ...extra });
    let result: FrontEndResult | undefined;
    let tree: SyntaxTree | undefined;
    try {
      ({ result, tree } = this.frontEnd(language, text, fileName, cacheKey));
    } catch (err) {
      // A bug of ours must not cost the user the rest of the run: report it as this file's error.
      return empty({ errors: [`initlint could not analyze this file: ${(err as Error).message}`] });
    }
    if (!result) return empty({ skipped: 'no model in this file' });
    const lines = new LineIndex(text);
    const suppressions = readSuppressions(
      text,
      tree &&
        ((offset) => {
          const node = tree.rootNode.descendantForIndex(offset);
          // A long run of comment lines reaches tree-sitter as spaces (parser.ts, parserInput): a
          // `#` that starts its line outside any string is a comment there too.
          return node.type === 'comment' || (!/string/.test(node.type) && /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset)));
        }),
    );
    const seen = new Set<string>();
    const findings: Finding[] = [];
    const ignoredHere = ignoredCodes(this.settings, relativePath);
    const wanted = wantedByCode(result.models);
    for (const model of result.models) {
      const opts = { normalizationAware: this.settings.normalizationAware, severityByImpact: this.settings.severityByImpact, wanted };
      const running = (code: RuleCode) => ruleLevel(this.settings, code, 'warning') !== 'off';
      for (const raw of judgeModel(model, opts, running)) {
        const level = ruleLevel(this.settings, raw.code, raw.severity);
        if (level === 'off' || ignoredHere.has(raw.code)) continue;
        const key = `${raw.code}:${raw.span.start}:${raw.span.end}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const pos = toPosition(lines, raw.span);
        if (isSuppressed(suppressions, raw.code, pos.line - 1, pos.endLine - 1)) continue;
        findings.push(toFinding(raw, level, fileName, lines));
      }
    }
    findings.sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
    return { file: fileName, findings, models: result.models, errors: result.errors };
  }

  /**
   * The front ends a file goes through. A cheap text test first: a file that never names a
   * framework is not parsed at all (most files of a workspace scan).
   */
  private frontEnd(
    language: Exclude<LanguageId, 'notebook'>,
    text: string,
    fileName: string,
    cacheKey: string | undefined,
  ): { result?: FrontEndResult; tree?: SyntaxTree } {
    switch (language) {
      case 'python': {
        if (!/\b(?:keras|torch|tensorflow|tf_keras|flax)\b/.test(text)) return {};
        const tree = this.parsers.parse('python', text, cacheKey);
        // A file may use several (a Keras port of a PyTorch model): each front end judges its own.
        const imports = collectImports(tree.rootNode, text);
        const results = [KerasFrontEnd, TorchFrontEnd, FlaxFrontEnd].map((F) => new F(tree, text, imports).run());
        return { result: guardRewrites({ models: results.flatMap((r) => r.models), errors: [...new Set(results.flatMap((r) => r.errors))] }, tree), tree };
      }
      case 'javascript': {
        if (!text.includes('@tensorflow/tfjs')) return {};
        const tree = this.parsers.parse(grammarFor(fileName), text, cacheKey);
        return { result: guardRewrites(analyzeTfjs(tree, text), tree), tree };
      }
      case 'json':
        return { result: analyzeKerasConfig(text) };
    }
  }
}

/**
 * A layer's `rewrite` reads the syntax tree when it is called, which may be long after the lint
 * (the simulator's "apply"). Once a newer lint of the same file has taken the tree's statements
 * over, its offsets describe other text: the rewrite then offers nothing rather than a wrong edit.
 */
function guardRewrites(result: FrontEndResult, tree: SyntaxTree): FrontEndResult {
  // Once per layer: one applied 12,000 times in a loop stands in its model as often, and was
  // wrapped as often (a fix then ran out of stack unwrapping it).
  const guarded = new Set<Layer>();
  for (const model of result.models) {
    for (const layer of model.layers) {
      if (guarded.has(layer)) continue;
      guarded.add(layer);
      const rewrite = layer.rewrite;
      layer.rewrite = (to) => (tree.superseded ? undefined : rewrite.call(layer, to));
    }
  }
  return result;
}

function grammarFor(fileName: string): 'javascript' | 'typescript' | 'tsx' {
  const ext = fileName.slice(fileName.lastIndexOf('.')).toLowerCase();
  if (ext === '.tsx') return 'tsx';
  return ext === '.ts' || ext === '.mts' || ext === '.cts' ? 'typescript' : 'javascript';
}

function toPosition(lines: LineIndex, span: Span): Position {
  const s = lines.position(span.start);
  const e = lines.position(span.end);
  return { line: s.line + 1, column: s.column + 1, endLine: e.line + 1, endColumn: e.column + 1 };
}

function toFinding(raw: RawFinding, severity: Severity, file: string, lines: LineIndex): Finding {
  const finding: Finding = {
    file,
    ...toPosition(lines, raw.span),
    code: raw.code,
    severity,
    message: raw.message,
    model: raw.model,
    layer: raw.layer,
    start: raw.span.start,
    end: raw.span.end,
    related: raw.related.map((r) => ({ ...toPosition(lines, r.span), message: r.message, start: r.span.start, end: r.span.end })),
  };
  // The fix is built when first read (a code action, --fix, JSON output), not for every lint.
  if ('fix' in raw) {
    defineLazy(finding, 'fix', () => {
      const fix = raw.fix;
      return (
        fix && {
          title: fix.title,
          edits: fix.edits.map((e) => ({ ...toPosition(lines, e), newText: e.newText, start: e.start, end: e.end })),
        }
      );
    });
  }
  return finding;
}

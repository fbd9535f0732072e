/**
 * The built CLI (dist/cli.js) as CI runs it: output formats, exit codes, --fix, configuration,
 * folder walking, and unreadable files reported without stopping the run.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as url from 'node:url';
import { FIXTURES, ROOT } from './helpers';
import { RULES } from '../../src/engine/rules';
import { collectFiles } from '../../src/cli/walk';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const CLI = path.join(ROOT, 'dist', 'cli.js');

/**
 * Runs the CLI. A CLI child once stayed blocked at 0 % CPU in a futex wait, twice in a row in CI:
 * Node's platform deadlock when the event loop runs dry (nodejs/node#54918), which the CLI now
 * avoids (main.ts, exitWhenWritten). A run past 60 s is still killed and tried once more, with a
 * warning, so that a stuck child cannot hold the suite for CI's whole time limit.
 */
function cli(args: string[], cwd: string, extraEnv: Record<string, string> = {}, input?: string) {
  // The child gets a plain environment: not the test runner's NODE_TEST_CONTEXT.
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.NODE_TEST_CONTEXT;
  const once = () => spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', input });
  let r = once();
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    console.warn(`initlint ${args.join(' ')} did not finish in 60 s; trying once more`);
    r = once();
  }
  assert.equal(r.error, undefined, `initlint ${args.join(' ')}: ${r.error?.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workspace(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'initlint-cli-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, 'keras', name), 'utf8');

before(() => {
  assert.ok(fs.existsSync(CLI), 'dist/cli.js is built (npm run build)');
});

describe('initlint CLI', () => {
  test('text output: one line a finding, exit 1 on warnings', () => {
    const dir = workspace({ 'models/mlp.py': fixture('sequential.py') });
    const r = cli(['models'], dir);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^models\/mlp\.py:9:9: IL001 relu-init-mismatch: glorot_uniform \(Keras default\) under relu keeps 0\.75 /);
    assert.match(r.stderr, /3 problems in 1 file, 3 fixable with --fix/);
    const two = workspace({ 'a.py': fixture('sequential.py'), 'b.py': 'import keras\n' });
    assert.match(cli(['.'], two).stderr, /3 problems in 1 of 2 files, 3 fixable with --fix/);
  });

  test('json output follows the spec, with fixes attached', () => {
    const dir = workspace({ 'models/mlp.py': fixture('sequential.py') });
    const r = cli(['lint', '--format', 'json', '.'], dir);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.version, 1);
    assert.equal(out.files, 1);
    assert.deepEqual(out.errors, []);
    const f = out.findings[1];
    assert.deepEqual(Object.keys(f).sort(), ['code', 'column', 'endColumn', 'endLine', 'file', 'fix', 'layer', 'line', 'message', 'model', 'severity']);
    assert.deepEqual(
      { file: f.file, line: f.line, column: f.column, code: f.code, model: f.model, layer: f.layer },
      { file: 'models/mlp.py', line: 10, column: 65, code: 'IL001', model: 'build_mlp', layer: 'Dense(128)' },
    );
    assert.deepEqual(f.fix, { title: 'Use HeNormal', edits: [{ line: 10, column: 65, endLine: 10, endColumn: 81, newText: '"he_normal"' }] });
  });

  test('sarif output: 2.1.0 with rule metadata, help and docs links', () => {
    const dir = workspace({ 'a.py': fixture('output_layers.py') });
    const r = cli(['--format', 'sarif', 'a.py'], dir);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'initlint');
    assert.equal(run.tool.driver.rules.length, RULES.length);
    for (const rule of run.tool.driver.rules) {
      assert.match(rule.helpUri, /docs\/rules\.md#il00\d$/);
      assert.ok(rule.help.text && rule.shortDescription.text);
    }
    assert.equal(run.results.length, 2);
    assert.equal(run.results[0].level, 'error');
    assert.equal(run.results[0].locations[0].physicalLocation.artifactLocation.uri, 'a.py');
    assert.equal(run.results[0].locations[0].physicalLocation.region.startLine, 12);
    assert.ok(run.results[0].fixes[0].artifactChanges[0].replacements[0].insertedContent.text);
  });

  test("the README's CI step: its SARIF is valid against the SARIF 2.1.0 schema, with every rule, finding, fix and error", () => {
    // The step as the README writes it: `npx initlint <args> > initlint.sarif || true`.
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const step = /- run: npx initlint (.+?) > initlint\.sarif \|\| true\n\s*- uses: github\/codeql-action\/upload-sarif@v\d+/.exec(readme);
    assert.ok(step, 'the README has the CI step');
    const dir = workspace({
      'keras/mlp.py': fixture('sequential.py'),
      'keras/output.py': fixture('output_layers.py'),
      'notebooks/mlp.ipynb': fs.readFileSync(path.join(ROOT, 'examples', 'notebooks', 'mlp.ipynb'), 'utf8'),
      'configs/model.json': fs.readFileSync(path.join(FIXTURES, 'kerasjson', 'keras2_sequential.json'), 'utf8'),
      'broken.py': 'def f(:\n',
      'bin/weights.py': Buffer.from([0x66, 0x00, 0x01]),
    });
    const r = cli(step[1].split(' '), dir);
    const log = JSON.parse(r.stdout) as {
      runs: Array<{ results: Array<{ fixes?: unknown[] }>; invocations?: Array<{ toolExecutionNotifications?: unknown[] }> }>;
    };
    // The schema's language pattern is not valid with the u flag: checked as JavaScript reads it without.
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')));
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 1));
    const run = log.runs[0];
    assert.ok(run.results.length >= 5, `${run.results.length} results`);
    assert.ok(
      run.results.some((x) => x.fixes?.length),
      'fixes included',
    );
    assert.ok((run.invocations?.[0]?.toolExecutionNotifications?.length ?? 0) >= 1, 'the unreadable file reported');
  });

  test('sarif: two alike layers keep two fingerprints; paths are percent-encoded URIs', () => {
    const dense = 'layers.Dense(64, activation="relu", kernel_initializer="lecun_normal")(x)';
    const model = `from tensorflow.keras import layers\n\n\ndef build(x):\n    x = ${dense}\n    x = ${dense}\n    return layers.Dense(1)(x)\n`;
    const dir = workspace({ 'sp ace/m.py': model });
    const log = JSON.parse(cli(['--format', 'sarif', '.'], dir).stdout);
    const run = log.runs[0];
    const il001 = run.results.filter((r: { ruleId: string }) => r.ruleId === 'IL001');
    assert.equal(il001.length, 2);
    assert.deepEqual(
      il001.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints['initlint/v1']),
      ['IL001:build:Dense(64)', 'IL001:build:Dense(64):2'],
    );
    assert.equal(il001[0].locations[0].physicalLocation.artifactLocation.uri, 'sp%20ace/m.py');
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, `${url.pathToFileURL(dir).href}/`);
    assert.doesNotMatch(run.originalUriBaseIds['%SRCROOT%'].uri, / /);
  });

  test('settings that cannot work are named: globs outside the folder or invalid, a --config without [tool.initlint]', () => {
    const dir = workspace({
      'pyproject.toml': '[tool.initlint]\nexclude = ["../other/**", "/abs/**", "{a,b", "legacy/**"]\nper-file-ignores = { "[tests/*.py" = ["IL001"] }\n',
      'legacy/old.py': fixture('output_layers.py'),
      'other.toml': '[project]\nname = "x"\n',
      'm.py': fixture('sequential.py'),
    });
    const r = cli(['m.py', 'legacy'], dir);
    assert.match(r.stderr, /exclude: "\.\.\/other\/\*\*" reaches outside the folder of the config, so it matches nothing \(ignored\)/);
    assert.match(r.stderr, /exclude: "\/abs\/\*\*" is an absolute path/);
    assert.match(r.stderr, /exclude: "\{a,b" is not a valid glob/);
    assert.match(r.stderr, /per-file-ignores: "\[tests\/\*\.py" has a \[ that is never closed/);
    // The valid glob still works: legacy/ is excluded (named as a folder, it is walked, its files excluded).
    assert.doesNotMatch(r.stdout, /legacy\/old\.py/);
    const noTable = cli(['--config', 'other.toml', 'm.py'], dir);
    assert.match(noTable.stderr, /other\.toml has no \[tool\.initlint\] table: running with the default settings/);
    assert.equal(noTable.code, 1);
  });

  test('a folder that cannot be read is an error of the run, not a silent skip', () => {
    const dir = workspace({ 'a/m.py': fixture('sequential.py'), 'b/n.py': fixture('sequential.py') });
    const { files, errors } = collectFiles([dir], { exclude: [], base: dir }, (d) => {
      if (d.endsWith(`${path.sep}b`)) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return fs.readdirSync(d, { withFileTypes: true });
    });
    assert.deepEqual(
      files.map((f) => path.relative(dir, f)),
      [path.join('a', 'm.py')],
    );
    assert.deepEqual(errors, [{ dir: path.join(dir, 'b'), message: 'folder not read (permission denied): its files are not linted' }]);
  });

  test('a .keras whose config is above maxFileSize is reported, not "0 problems"', async () => {
    const { zipSync, strToU8 } = await import('fflate');
    const big = JSON.stringify({ class_name: 'Sequential', config: { name: 's', layers: [] }, padding: 'x'.repeat(3 * 1048576) });
    const dir = workspace({ 'big.keras': Buffer.from(zipSync({ 'config.json': strToU8(big) })) });
    const r = JSON.parse(cli(['--format', 'json', 'big.keras'], dir).stdout);
    assert.deepEqual(r.errors, [{ file: 'big.keras', message: 'big.keras/config.json is 3.0 MB, above maxFileSize (2.0 MB): not linted' }]);
  });

  test('standard input: - with --stdin-filename, its settings and language; --fix prints the fixed text', () => {
    const dir = workspace({ 'pyproject.toml': '[tool.initlint]\nrules = { IL001 = "error" }\n', 'models/.keep': '' });
    const model = fixture('sequential.py');
    const r = cli(['-', '--stdin-filename', 'models/mlp.py'], dir, {}, model);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^models\/mlp\.py:9:9: IL001 relu-init-mismatch: /);
    const json = JSON.parse(cli(['--format', 'json', '-', '--stdin-filename', 'models/mlp.py'], dir, {}, model).stdout);
    assert.deepEqual([...new Set(json.findings.map((f: { severity: string }) => f.severity))], ['error'], 'the pyproject.toml above the name applies');
    const fixed = cli(['--fix', '-'], dir, {}, model);
    assert.equal(
      fixed.stdout,
      model
        .replace(
          'layers.Dense(256, activation="relu", input_shape=(input_dim,)),',
          'layers.Dense(256, activation="relu", input_shape=(input_dim,), kernel_initializer="he_normal"),',
        )
        .replace('activation="relu", kernel_initializer="glorot_uniform"', 'activation="relu", kernel_initializer="he_normal"')
        .replace(
          'activation=tf.nn.relu,\n                           name="hidden"))',
          'activation=tf.nn.relu,\n                           name="hidden",\n                           kernel_initializer="he_normal"))',
        ),
    );
    assert.match(fixed.stderr, /^3 fixed, 0 problems left\.$/m);
    assert.equal(fs.readdirSync(dir).sort().join(','), 'models,pyproject.toml', 'nothing written');
    const js = cli(
      ['--format', 'json', '-', '--stdin-filename', 'net.js'],
      dir,
      {},
      "import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential({layers: [tf.layers.dense({units: 8, inputShape: [4], kernelInitializer: 'zeros', activation: 'relu'}), tf.layers.dense({units: 1})]});\n",
    );
    assert.ok(JSON.parse(js.stdout).findings.length > 0, 'linted as TF.js by its name');
    assert.equal(cli(['-', 'a.py'], dir, {}, '').code, 2);
  });

  test('--watch: lints again when a file changes, until interrupted; the cache writing its folder is not a change', async () => {
    const dir = workspace({ 'm.py': fixture('sequential.py') });
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, [CLI, '--watch', '--cache', '.'], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const until = async (what: string, ok: () => boolean) => {
      for (let waited = 0; !ok(); waited += 50) {
        if (waited > 30_000) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await until('the first run', () => /Watching for file changes/.test(stderr));
      assert.equal(stdout.trim().split('\n').length, 3);
      fs.writeFileSync(path.join(dir, 'm.py'), fixture('sequential.py').replace(/, kernel_initializer="glorot_uniform"/, ', kernel_initializer="he_normal"'));
      await until('the second run', () => (stderr.match(/Watching for file changes/g) ?? []).length >= 2);
      assert.match(stderr, /A file changed: linting again\./);
      assert.equal(stdout.trim().split('\n').length, 3 + 2, 'the second run reports the two problems left');
      // The second run wrote the cache (JSON, a linted extension) inside the watched folder: no third run.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((stderr.match(/A file changed/g) ?? []).length, 1, stderr);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('odd file names: a backslash stays in the SARIF URI (percent-encoded); a newline cannot split a text line', () => {
    const dir = workspace({ 'back\\slash.py': fixture('output_layers.py'), 'new\nline.py': fixture('output_layers.py') });
    const log = JSON.parse(cli(['--format', 'sarif', 'back\\slash.py'], dir).stdout);
    assert.deepEqual([...new Set(log.runs[0].results.map((r: any) => r.locations[0].physicalLocation.artifactLocation.uri))], ['back%5Cslash.py']);
    const text = cli(['new\nline.py'], dir).stdout.trim().split('\n');
    assert.ok(text.length > 0 && text.every((l) => l.startsWith('new\\nline.py:')), text.join(' | '));
  });

  test('a linked file is linted under its name, once with its target; a linked folder is not entered', () => {
    const dir = workspace({ 'real/m.py': fixture('output_layers.py'), 'other/k.py': fixture('output_layers.py') });
    fs.symlinkSync(path.join(dir, 'real', 'm.py'), path.join(dir, 'link.py'));
    fs.symlinkSync(path.join(dir, 'other', 'k.py'), path.join(dir, 'real', 'k-link.py'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'loop'));
    const byFile = (args: string[]) =>
      [...new Set(JSON.parse(cli(['--format', 'json', ...args], dir).stdout).findings.map((f: { file: string }) => f.file))].sort();
    assert.deepEqual(byFile(['real']), ['real/k-link.py', 'real/m.py']);
    // link.py and real/m.py are one file, other/k.py and real/k-link.py another (first found
    // in name order wins); loop/ is not entered.
    assert.deepEqual(byFile(['.']), ['link.py', 'other/k.py']);
  });

  test('the editor-only keys (run, lintWorkspace) are accepted in initlint.json', () => {
    const dir = workspace({
      'a.py': fixture('output_layers.py'),
      'initlint.json': JSON.stringify({ run: 'onSave', lintWorkspace: true, rules: { IL003: 'off' } }),
    });
    const r = cli(['a.py'], dir);
    assert.doesNotMatch(r.stderr + r.stdout, /unknown setting/);
    assert.equal(r.code, 0);
  });

  test('the config is found from the linted path, and its exclude globs are relative to it', () => {
    const dir = workspace({
      'proj/pyproject.toml': '[tool.initlint]\nexclude = ["src/skip_*.py"]\n',
      'proj/src/keep.py': fixture('output_layers.py'),
      'proj/src/skip_me.py': fixture('output_layers.py'),
    });
    const files = (cwd: string, args: string[]) => [
      ...new Set(JSON.parse(cli(['--format', 'json', ...args], cwd).stdout).findings.map((f: { file: string }) => path.basename(f.file))),
    ];
    assert.deepEqual(files(path.join(dir, 'proj'), ['src']), ['keep.py']);
    assert.deepEqual(files(path.join(dir, 'proj', 'src'), ['.']), ['keep.py']);
    assert.deepEqual(files(dir, ['proj/src']), ['keep.py']);
    assert.deepEqual(files(path.join(dir, 'proj'), ['src/skip_me.py']), ['skip_me.py'], 'a file named on the command line');
  });

  test('exit 0 with only info findings or none', () => {
    // deep_chain.py's LeCun-under-ReLU layer is IL001 (a warning) as well; the project makes it information.
    const dir = workspace({
      'ok.py': fixture('he_relu.py'),
      'deep.py': fixture('deep_chain.py'),
      'pyproject.toml': '[tool.initlint]\nrules = { IL001 = "info" }\n',
    });
    const r = cli(['.'], dir);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /deep\.py:12:\d+: IL007/);
  });

  test('exit 2 on a usage error or a missing path', () => {
    const dir = workspace({});
    assert.equal(cli(['nope'], dir).code, 2);
    assert.equal(cli(['--format', 'xml', '.'], dir).code, 2);
    assert.equal(cli(['--select', 'IL999', '.'], dir).code, 2);
    assert.equal(cli([], dir).code, 2);
    assert.match(cli(['--bogus', '.'], dir).stderr, /Unknown option/);
  });

  test('--fix rewrites files atomically and a second run finds nothing fixable', () => {
    const dir = workspace({ 'm.py': fixture('sequential.py'), 's.py': fixture('saturating.py') });
    const r = cli(['--fix', '.'], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /5 fixed/);
    const m = fs.readFileSync(path.join(dir, 'm.py'), 'utf8');
    assert.match(m, /layers\.Dense\(128, activation="relu", kernel_initializer="he_normal"\)/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['m.py', 's.py'], 'no temporary files left');
    const again = cli(['--format', 'json', '.'], dir);
    assert.equal(JSON.parse(again.stdout).findings.length, 0);
  });

  test('--statistics, --output-format github, --diff and --exit-zero, as Ruff users reach for them', () => {
    const dir = workspace({ 'm.py': fixture('sequential.py'), 's.py': fixture('scales.py') });
    const stats = cli(['--statistics', '.'], dir);
    assert.equal(stats.code, 1);
    assert.deepEqual(stats.stdout.trim().split('\n'), ['3\tIL001\trelu-init-mismatch [*]', '1\tIL004\tvanishing-scale [*]', '1\tIL005\texploding-scale [*]']);
    const gh = cli(['--output-format', 'github', '.'], dir).stdout.trim().split('\n');
    assert.equal(gh.length, 5);
    assert.match(gh[0], /^::warning file=m\.py,line=9,col=\d+,endLine=9,endColumn=\d+,title=initlint IL001::IL001 relu-init-mismatch: /);
    const before = fs.readFileSync(path.join(dir, 'm.py'), 'utf8');
    const diff = cli(['--diff', 'm.py'], dir);
    assert.equal(diff.code, 1);
    assert.match(diff.stdout, /^--- a\/m\.py$/m);
    assert.match(diff.stdout, /^\+ {8}layers\.Dense\(128, activation="relu", kernel_initializer="he_normal"\),/m);
    assert.equal(fs.readFileSync(path.join(dir, 'm.py'), 'utf8'), before, '--diff writes nothing');
    assert.match(diff.stderr, /1 file would be changed by --fix/);
    assert.equal(cli(['--exit-zero', '.'], dir).code, 0);
    assert.equal(cli(['--fix', '--diff', '.'], dir).code, 2);
  });

  test('--select and --ignore', () => {
    const dir = workspace({ 'a.py': fixture('output_layers.py'), 'b.py': fixture('sequential.py') });
    const sel = JSON.parse(cli(['--format', 'json', '--select', 'IL003', '.'], dir).stdout);
    assert.deepEqual([...new Set(sel.findings.map((f: { code: string }) => f.code))], ['IL003']);
    const ign = JSON.parse(cli(['--format', 'json', '--ignore', 'IL003,IL001', '.'], dir).stdout);
    assert.equal(ign.findings.length, 0);
  });

  test('[tool.initlint] in pyproject.toml and initlint.json are read', () => {
    const dir = workspace({
      'pyproject.toml': '[project]\nname = "x"\n\n[tool.initlint]\nrules = { IL001 = "off" }\nexclude = ["legacy/**"]\n',
      'm.py': fixture('sequential.py'),
      'legacy/old.py': fixture('output_layers.py'),
    });
    const r = cli(['--format', 'json', '.'], dir);
    assert.equal(JSON.parse(r.stdout).findings.length, 0);
    assert.equal(r.code, 0);
    // With a byte order mark too (Windows editors write one): it stopped the run (exit 2).
    for (const bom of ['', '\ufeff']) {
      const dir2 = workspace({ 'initlint.json': bom + JSON.stringify({ rules: { IL001: 'error' } }), 'm.py': fixture('sequential.py') });
      const out = JSON.parse(cli(['--format', 'json', '.'], dir2).stdout);
      assert.deepEqual([...new Set(out.findings.map((f: { severity: string }) => f.severity))], ['error']);
    }
  });

  test('per-file-ignores in [tool.initlint]: codes off in the files its globs match, relative to the config', () => {
    const dir = workspace({
      'pyproject.toml': '[tool.initlint]\nper-file-ignores = { "tests/**" = ["IL001"], "legacy_*.py" = ["IL004", "IL005"] }\n',
      'tests/test_model.py': fixture('sequential.py'),
      'legacy_scales.py': fixture('scales.py'),
      'src/model.py': fixture('sequential.py'),
    });
    const out = JSON.parse(cli(['--format', 'json', '.'], dir).stdout);
    const byFile = (f: string) => out.findings.filter((x: { file: string }) => x.file === f).map((x: { code: string }) => x.code);
    assert.deepEqual(byFile('tests/test_model.py'), []);
    assert.deepEqual(byFile('legacy_scales.py'), []);
    assert.deepEqual([...new Set(byFile('src/model.py'))], ['IL001']);
    // Run from elsewhere: the globs stay relative to the pyproject.toml.
    const fromAbove = JSON.parse(cli(['--format', 'json', path.join(dir, 'tests')], path.dirname(dir)).stdout);
    assert.equal(fromAbove.findings.length, 0);
    const bad = cli(['.'], workspace({ 'pyproject.toml': '[tool.initlint]\nper-file-ignores = { "a/**" = ["IL999"] }\n', 'm.py': 'import keras\n' }));
    assert.match(bad.stderr, /per-file-ignores\.a\/\*\*: unknown rule code "IL999"/);
  });

  test('.gitignore, node_modules and virtual environments are not walked', () => {
    const dir = workspace({
      '.gitignore': 'build/\n*.gen.py\n',
      'build/a.py': fixture('sequential.py'),
      'x.gen.py': fixture('sequential.py'),
      'node_modules/pkg/m.py': fixture('sequential.py'),
      'env/pyvenv.cfg': 'home = /usr\n',
      'env/lib/m.py': fixture('sequential.py'),
      'src/m.py': fixture('saturating.py'),
    });
    const out = JSON.parse(cli(['--format', 'json', '.'], dir).stdout);
    assert.equal(out.files, 1);
    assert.deepEqual([...new Set(out.findings.map((f: { file: string }) => f.file))], ['src/m.py']);
  });

  test('unreadable files are reported and the rest still linted', () => {
    const dir = workspace({
      'latin1.py': Buffer.from('import keras\n# caf\xe9\n', 'latin1'),
      'blob.py': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]),
      'broken.py': 'import keras\ndef f(:\n',
      'big.py': `import keras\n${'x = 1\n'.repeat(900_000)}`,
      'm.py': fixture('saturating.py'),
    });
    const r = cli(['--format', 'json', '.'], dir);
    const out = JSON.parse(r.stdout);
    const errors = Object.fromEntries(out.errors.map((e: { file: string; message: string }) => [e.file, e.message]));
    assert.equal(errors['latin1.py'], 'not valid UTF-8, and no PEP 263 coding line says what it is: not linted');
    assert.match(errors['blob.py'], /binary/);
    assert.match(errors['broken.py'], /syntax error at line 2/);
    assert.match(errors['big.py'], /maxFileSize/);
    assert.equal(out.findings.length, 2);
    assert.equal(r.code, 1);
  });

  test('encodings: UTF-16 and PEP 263 Latin-1 files are linted and fixed in their own encoding; others read, or refused with the reason', () => {
    const model = fixture('sequential.py');
    const latin = `# -*- coding: latin-1 -*-\n# caf\xe9 au lait\n${model}`;
    const dir = workspace({
      'u16le.py': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(model, 'utf16le')]),
      'u16be.py': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(model, 'utf16le')]).swap16(),
      'latin.py': Buffer.from(latin, 'latin1'),
      'cp1252.py': Buffer.from(`# coding: cp1252\n# \x80 euro\n${model}`, 'latin1'),
      'klingon.py': Buffer.from(`# coding: klingon\n# \xff\n${model}`, 'latin1'),
    });
    const out = JSON.parse(cli(['--format', 'json', '.'], dir).stdout);
    const count = (file: string) => out.findings.filter((f: { file: string }) => f.file === file).length;
    assert.deepEqual(['u16le.py', 'u16be.py', 'latin.py', 'cp1252.py'].map(count), [3, 3, 3, 3]);
    assert.deepEqual(out.errors, [{ file: 'klingon.py', message: 'written in klingon (its coding line), which initlint cannot decode: not linted' }]);
    const fixed = cli(['--fix', '.'], dir);
    assert.match(fixed.stdout, /^cp1252\.py: error: not fixed: the file is written in cp1252, which initlint reads but does not write/m);
    assert.match(fixed.stderr, /9 fixed/);
    const le = fs.readFileSync(path.join(dir, 'u16le.py'));
    assert.deepEqual([...le.subarray(0, 2)], [0xff, 0xfe]);
    assert.match(le.subarray(2).toString('utf16le'), /kernel_initializer="he_normal"/);
    const be = Buffer.from(fs.readFileSync(path.join(dir, 'u16be.py'))).swap16();
    assert.match(be.subarray(2).toString('utf16le'), /kernel_initializer="he_normal"/);
    const latinAfter = fs.readFileSync(path.join(dir, 'latin.py'));
    assert.equal(latinAfter.toString('latin1').split('\n')[1], '# caf\xe9 au lait', 'é is still one Latin-1 byte');
    assert.match(latinAfter.toString('latin1'), /kernel_initializer="he_normal"/);
  });

  test('--fix on real file systems: through a symlink to its target (the link kept); read-only and hard-linked files refused with a message; owner and mode kept', () => {
    const dir = workspace({ 'real.py': fixture('sequential.py'), 'ro.py': fixture('sequential.py'), 'linked.py': fixture('sequential.py') });
    fs.symlinkSync(path.join(dir, 'real.py'), path.join(dir, 'via_link.py'));
    fs.chmodSync(path.join(dir, 'ro.py'), 0o444);
    fs.chmodSync(path.join(dir, 'real.py'), 0o640);
    fs.linkSync(path.join(dir, 'linked.py'), path.join(dir, 'hard.py'));
    const r = cli(['--format', 'json', '--fix', 'via_link.py', 'ro.py', 'linked.py'], dir);
    const out = JSON.parse(r.stdout);
    assert.ok(fs.lstatSync(path.join(dir, 'via_link.py')).isSymbolicLink(), 'the link stays a link');
    assert.match(fs.readFileSync(path.join(dir, 'real.py'), 'utf8'), /kernel_initializer="he_normal"/, 'its target is fixed');
    assert.equal(fs.statSync(path.join(dir, 'real.py')).mode & 0o777, 0o640, 'mode kept');
    const errors = Object.fromEntries(out.errors.map((e: { file: string; message: string }) => [e.file, e.message]));
    assert.match(errors['ro.py'], /read-only/);
    assert.match(errors['linked.py'], /2 hard links/);
    assert.equal(fs.readFileSync(path.join(dir, 'ro.py'), 'utf8'), fixture('sequential.py'));
    assert.equal(fs.readFileSync(path.join(dir, 'hard.py'), 'utf8'), fixture('sequential.py'));
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.includes('initlint')),
      [],
      'no temporary files left',
    );
  });

  test('FIFOs, devices and directories where a file is expected are refused, never read or waited on', () => {
    const dir = workspace({ 'm.py': fixture('saturating.py') });
    spawnSync('mkfifo', [path.join(dir, 'pipe.py')]);
    fs.mkdirSync(path.join(dir, '.gitignore'));
    const r = cli(['--format', 'json', '.', 'pipe.py', '/dev/zero'], dir);
    const out = JSON.parse(r.stdout);
    const errors = Object.fromEntries(out.errors.map((e: { file: string; message: string }) => [e.file, e.message]));
    assert.match(errors['pipe.py'], /FIFO/);
    assert.match(Object.entries(errors).find(([f]) => f.endsWith('dev/zero'))![1] as string, /device/);
    assert.equal(out.findings.length, 2, 'the rest is linted');
    fs.rmSync(path.join(dir, '.gitignore'), { recursive: true });
    spawnSync('mkfifo', [path.join(dir, 'pyproject.toml')]);
    const cfg = cli(['.'], dir);
    assert.equal(cfg.code, 2);
    assert.match(cfg.stderr, /pyproject\.toml: a FIFO/);
  });

  test('many files are linted on worker threads with the same output, fixes included, as in one thread', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`pkg${i % 3}/m${i}.py`] = fixture(i % 2 ? 'sequential.py' : 'saturating.py');
    const dir = workspace(files);
    const runWith = (workers: string, args: string[]) => cli(args, dir, { INITLINT_WORKERS: workers });
    const one = runWith('1', ['--format', 'json', '.']);
    const two = runWith('2', ['--format', 'json', '.']);
    assert.equal(two.code, one.code);
    assert.deepEqual(JSON.parse(two.stdout), JSON.parse(one.stdout));
    assert.ok(JSON.parse(one.stdout).findings.length >= 60);
    const fixed = runWith('2', ['--fix', '.']);
    assert.match(fixed.stderr, /fixed/);
    assert.equal(JSON.parse(runWith('2', ['--format', 'json', '.']).stdout).findings.filter((f: { fix?: unknown }) => f.fix).length, 0);
  });

  test('--cache: an unchanged file is reported from the cache, not linted; an edit, other settings or --fix lint it again', () => {
    const dir = workspace({ 'a.py': fixture('sequential.py'), 'b.py': fixture('saturating.py'), 'pkg/c.py': 'import keras\n' });
    const first = cli(['--cache', '--format', 'json', '.'], dir);
    assert.equal(
      fs
        .readFileSync(path.join(dir, '.initlint_cache', '.gitignore'), 'utf8')
        .split('\n')
        .at(-2),
      '*',
      'never committed',
    );
    const [kept] = fs.readdirSync(path.join(dir, '.initlint_cache')).filter((f) => f.endsWith('.json'));
    assert.ok(kept, 'one cache file for this configuration');
    assert.deepEqual(JSON.parse(cli(['--cache', '--format', 'json', '.'], dir).stdout), JSON.parse(first.stdout), 'the same report, fixes included');
    assert.deepEqual(JSON.parse(cli(['--format', 'json', '.'], dir).stdout), JSON.parse(first.stdout), 'as a run without the cache');
    // Proof that the second run read the cache: a report changed in it is what is printed.
    const cacheFile = path.join(dir, '.initlint_cache', kept);
    const stored = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
    stored.files[path.join(fs.realpathSync(dir), 'a.py')].report.findings[0].message = 'from the cache';
    fs.writeFileSync(cacheFile, JSON.stringify(stored));
    const messages = (args: string[]) => JSON.parse(cli([...args, '--format', 'json', '.'], dir).stdout).findings.map((f: { message: string }) => f.message);
    assert.ok(messages(['--cache']).includes('from the cache'));
    assert.ok(!messages([]).includes('from the cache'), 'without --cache, nothing is read from it');
    assert.ok(!messages(['--cache', '--select', 'IL001']).includes('from the cache'), 'other settings: another cache');
    // An edit: linted again.
    fs.appendFileSync(path.join(dir, 'a.py'), '\n# edited\n');
    assert.ok(!messages(['--cache']).includes('from the cache'));
    // --fix lints a file whose kept report has a fix, and fixes it; the next run finds it clean.
    const fix = cli(['--cache', '--fix', '.'], dir);
    assert.match(fix.stderr, /fixed/);
    const after = JSON.parse(cli(['--cache', '--format', 'json', '.'], dir).stdout).findings;
    assert.equal(after.filter((f: { fix?: unknown }) => f.fix).length, 0);
    // The folder is never walked for model files, and --cache-dir puts it elsewhere.
    assert.ok(!JSON.stringify(after).includes('.initlint_cache'));
    cli(['--cache-dir', 'elsewhere', '.'], dir);
    assert.ok(fs.readdirSync(path.join(dir, 'elsewhere')).some((f) => f.endsWith('.json')));
  });

  test('--cache: a file above 64 x maxFileSize is not hashed or kept (a weights file is not read whole)', () => {
    const big = `${fixture('sequential.py')}\n${'# padding\n'.repeat(1000)}`;
    const dir = workspace({ 'initlint.json': JSON.stringify({ maxFileSize: 100 }), 'big.py': big, 'small.py': 'import keras\n' });
    cli(['--cache', '.'], dir);
    const [kept] = fs.readdirSync(path.join(dir, '.initlint_cache')).filter((f) => f.endsWith('.json'));
    const files = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, '.initlint_cache', kept), 'utf8')).files).map((f) => path.basename(f));
    assert.ok(files.includes('small.py'), files.join(', '));
    assert.ok(!files.includes('big.py'), `${big.length} bytes > 6,400: not kept`);
  });

  test('--cache: a broken cache is started afresh with a note; one that cannot be written leaves the report whole', () => {
    const dir = workspace({ 'a.py': fixture('sequential.py') });
    const plain = cli(['--format', 'json', '.'], dir);
    cli(['--cache', '.'], dir);
    const cacheDir = path.join(dir, '.initlint_cache');
    for (const f of fs.readdirSync(cacheDir).filter((n) => n.endsWith('.json'))) fs.writeFileSync(path.join(cacheDir, f), '{"format": 1, "files": ');
    const broken = cli(['--cache', '--format', 'json', '.'], dir);
    assert.match(broken.stderr, /the cache .* could not be read .*: starting afresh/);
    assert.deepEqual(JSON.parse(broken.stdout), JSON.parse(plain.stdout));
    assert.equal(cli(['--cache', '.'], dir).stderr.includes('could not be read'), false, 'rewritten whole');
    // A file where the folder should be.
    fs.writeFileSync(path.join(dir, 'blocked'), '');
    const unwritable = cli(['--cache-dir', 'blocked', '--format', 'json', '.'], dir);
    assert.match(unwritable.stderr, /the cache could not be written to .*blocked/);
    assert.deepEqual(JSON.parse(unwritable.stdout), JSON.parse(plain.stdout));
    assert.equal(unwritable.code, plain.code);
  });

  test('--cache: an entry damaged by hand (a finding null, a number, without fields; an error null) is linted again', () => {
    const dir = workspace({ 'a.py': fixture('sequential.py') });
    const plain = cli(['--format', 'json', '.'], dir);
    const cacheDir = path.join(dir, '.initlint_cache');
    for (const damage of [[null], [5], [{}], [{ ...JSON.parse(plain.stdout).findings[0], related: [null] }]]) {
      cli(['--cache', '.'], dir);
      for (const f of fs.readdirSync(cacheDir).filter((n) => n.endsWith('.json'))) {
        const stored = JSON.parse(fs.readFileSync(path.join(cacheDir, f), 'utf8'));
        for (const e of Object.values<any>(stored.files)) e.report.findings = damage;
        fs.writeFileSync(path.join(cacheDir, f), JSON.stringify(stored));
      }
      const again = cli(['--cache', '--format', 'json', '.'], dir);
      assert.deepEqual([again.code, JSON.parse(again.stdout)], [plain.code, JSON.parse(plain.stdout)], JSON.stringify(damage).slice(0, 40));
    }
  });

  test('a file changed on disk during --fix is left alone', async () => {
    // Simulated by the writer's own check: the bytes read differ from the bytes on disk.
    const { writeAtomic, readSource } = await import('../../src/cli/files');
    const dir = workspace({ 'm.py': 'import keras\n' });
    const file = path.join(dir, 'm.py');
    const src = readSource(file, 1e6);
    assert.equal(src.kind, 'text');
    fs.writeFileSync(file, 'import keras  # edited meanwhile\n');
    const res = writeAtomic(file, src as Extract<typeof src, { kind: 'text' }>, 'changed');
    assert.equal(res.ok, false);
    assert.equal(fs.readFileSync(file, 'utf8'), 'import keras  # edited meanwhile\n');
  });
});

describe('engine API (dist/engine.js)', () => {
  test('createLinter then synchronous lint returns the JSON findings', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const engine = require(path.join(ROOT, 'dist', 'engine.js'));
    const linter = await engine.createLinter({ ignore: ['IL007'] });
    const findings = linter.lint(fixture('sequential.py'), 'models/mlp.py');
    assert.equal(findings.length, 3);
    assert.equal(findings[0].file, 'models/mlp.py');
    assert.equal(findings[0].code, 'IL001');
    assert.equal(typeof findings[0].line, 'number');
  });
});

describe('.keras archives', () => {
  test('the archive config.json is judged and reported on the archive, without fixes; a bad archive is an error', async () => {
    const { zipSync, strToU8 } = await import('fflate');
    const config = fs.readFileSync(path.join(FIXTURES, 'kerasjson', 'keras3_config.json'), 'utf8');
    const zip = zipSync({ 'metadata.json': strToU8('{"keras_version": "3.6.0"}'), 'config.json': strToU8(config), 'model.weights.h5': new Uint8Array(64) });
    const dir = workspace({ 'model.keras': Buffer.from(zip), 'broken.keras': 'not a zip at all, just text' });
    const r = cli(['--format', 'json', '--fix', '.'], dir);
    const out = JSON.parse(r.stdout);
    const direct = JSON.parse(cli(['--format', 'json', path.join(FIXTURES, 'kerasjson', 'keras3_config.json')], dir).stdout);
    assert.ok(direct.findings.length > 0, 'the fixture has findings');
    assert.deepEqual(
      out.findings.map((f: { code: string; line: number }) => `${f.code}:${f.line}`),
      direct.findings.map((f: { code: string; line: number }) => `${f.code}:${f.line}`),
    );
    assert.ok(out.findings.every((f: { file: string; fix?: unknown }) => f.file === 'model.keras' && f.fix === undefined));
    assert.deepEqual(out.errors, [{ file: 'broken.keras', message: 'not a zip archive' }]);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'model.keras')), Buffer.from(zip), '--fix leaves archives alone');
  });
});

describe('.h5 saved models', () => {
  test('the root model_config is judged and reported on the .h5 file; weights-only files are skipped; a non-HDF5 .h5 is an error', async () => {
    // The .h5 files are generated here from a JSON fixture with h5wasm (HDF5's own library, as
    // WebAssembly), the way Keras 2 writes them: the config as a root attribute beside a weights group.
    const { default: h5wasm } = await import('h5wasm/node');
    await h5wasm.ready;
    const config = fs.readFileSync(path.join(FIXTURES, 'kerasjson', 'keras2_sequential.json'), 'utf8');
    const dir = workspace({ 'broken.h5': 'not HDF5 at all, just text' });
    const model = new h5wasm.File(path.join(dir, 'model.h5'), 'w');
    model.create_attribute('keras_version', '2.15.0');
    model.create_attribute('backend', 'tensorflow');
    model.create_attribute('model_config', config);
    model.create_group('model_weights').create_dataset({ name: 'kernel', data: new Float32Array(1024).fill(0.5), shape: [32, 32] });
    model.close();
    const weights = new h5wasm.File(path.join(dir, 'weights.h5'), 'w');
    weights.create_group('dense').create_dataset({ name: 'kernel', data: new Float32Array(16), shape: [4, 4] });
    weights.close();
    const before = fs.readFileSync(path.join(dir, 'model.h5'));
    const out = JSON.parse(cli(['--format', 'json', '--fix', '.'], dir).stdout);
    const direct = JSON.parse(cli(['--format', 'json', path.join(FIXTURES, 'kerasjson', 'keras2_sequential.json')], dir).stdout);
    assert.ok(direct.findings.length > 0, 'the fixture has findings');
    assert.deepEqual(
      out.findings.map((f: { code: string; layer: string }) => `${f.code} ${f.layer}`),
      direct.findings.map((f: { code: string; layer: string }) => `${f.code} ${f.layer}`),
    );
    assert.ok(out.findings.every((f: { file: string; fix?: unknown }) => f.file === 'model.h5' && f.fix === undefined));
    assert.deepEqual(out.errors, [{ file: 'broken.h5', message: 'not an HDF5 file' }]);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'model.h5')), before, '--fix leaves .h5 files alone');
  });
});

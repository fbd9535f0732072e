/**
 * The pre-commit hook (.pre-commit-hooks.yaml) as a user meets it: pre-commit from pip, in a
 * virtual environment under .cache/pre-commit/, runs `try-repo` of this repository (its working
 * tree, uncommitted changes included) on a temporary git repository with a model file staged.
 * pre-commit installs the package the way it installs every `language: node` hook (npm install
 * of the git repository: its prepare script builds dist/, .npmignore keeps dist/ in the package),
 * then the hook writes the fixes and fails the commit, as a formatter hook does.
 *
 * Skipped, with the reason, where `python3 -m venv` or pip's index is not available. It takes a
 * minute or two: the npm install of a git repository installs its dev dependencies to build it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, ROOT } from './helpers';

const CACHE = path.join(ROOT, '.cache', 'pre-commit');
const VENV = path.join(CACHE, 'venv');
const PRE_COMMIT = path.join(VENV, 'bin', 'pre-commit');

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeout = 300_000) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, killSignal: 'SIGKILL' });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}

/** pre-commit in its own virtual environment: why not, where it cannot be had. */
function preCommit(): string | undefined {
  if (fs.existsSync(PRE_COMMIT)) return undefined;
  fs.mkdirSync(CACHE, { recursive: true });
  const venv = sh('python3', ['-m', 'venv', VENV], ROOT);
  if (venv.code !== 0) return `python3 -m venv is not available: ${venv.error?.message ?? venv.out.trim().split('\n').pop()}`;
  const pip = sh(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', 'pre-commit>=3.8'], ROOT);
  if (pip.code !== 0 || !fs.existsSync(PRE_COMMIT)) {
    fs.rmSync(VENV, { recursive: true, force: true });
    return `pre-commit could not be installed from pip's index: ${pip.out.trim().split('\n').pop()}`;
  }
  return undefined;
}

test('the pre-commit hook: installed by pre-commit as a node hook, it writes the fixes into the staged file and stops the commit', (t) => {
  const missing = preCommit();
  if (missing) {
    t.skip(missing);
    return;
  }
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'initlint-pre-commit-'));
  const git = (...args: string[]) => assert.equal(sh('git', args, repo).code, 0, `git ${args.join(' ')}`);
  git('init', '-q');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
  const model = fs.readFileSync(path.join(FIXTURES, 'keras', 'sequential.py'), 'utf8');
  fs.writeFileSync(path.join(repo, 'model.py'), model);
  fs.writeFileSync(path.join(repo, 'notes.txt'), 'not a model\n');
  git('add', '.');

  // The hook environments are cached between runs; the test's git repository is not.
  // A user's shell: not `npm test`'s npm_* variables, nor the test runner's context.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_TEST_CONTEXT'));
  env.PRE_COMMIT_HOME = path.join(CACHE, 'home');
  const run = sh(PRE_COMMIT, ['try-repo', ROOT, 'initlint', '--all-files'], repo, env, 600_000);
  assert.equal(run.error, undefined, run.error?.message);
  assert.equal(run.code, 1, run.out);
  assert.match(run.out, /initlint\.+Failed/);
  assert.match(run.out, /files were modified by this hook/);
  const fixed = fs.readFileSync(path.join(repo, 'model.py'), 'utf8');
  const count = (text: string) => (text.match(/kernel_initializer="he_normal"/g) ?? []).length;
  assert.equal(count(fixed), count(model) + 3, fixed);
  assert.equal(fs.readFileSync(path.join(repo, 'notes.txt'), 'utf8'), 'not a model\n');
});

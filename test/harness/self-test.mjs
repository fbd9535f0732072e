#!/usr/bin/env node
// Proves the integration-test harness both ways: a passing suite passes, and a failing suite or an
// extension that cannot activate fails with a reason, with nothing left running afterwards.
//
//   node test/harness/self-test.mjs [--verbose]
//
// Installs code-server first if needed (install-code-server.mjs; instant when already installed),
// then runs run-integration.mjs three times on the fixtures in test/harness/fixtures (about 20 s
// each). Prints `N passed, N failed` last and exits 1 if any expectation does not hold.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, 'fixtures');
const VERBOSE = process.argv.includes('--verbose');

const CASES = [
  {
    name: 'passing suite',
    extension: 'sample-extension',
    tests: 'suite-pass',
    exitCode: 0,
    summary: '1 passed, 0 failed',
  },
  {
    name: 'failing suite',
    extension: 'sample-extension',
    tests: 'suite-fail',
    exitCode: 1,
    summary: '1 passed, 1 failed',
    reason: /FAILED: 1 test\(s\) failed; first: .*an assertion that does not hold.*deliberate failure/,
  },
  {
    name: 'extension whose activate() throws',
    extension: 'broken-extension',
    tests: 'suite-pass',
    exitCode: 1,
    summary: '0 passed, 1 failed',
    reason: /FAILED: extension initlint-fixtures\.sample failed to activate: .*activation failed on purpose/,
  },
];

function run(command, args, { timeoutMs }) {
  return new Promise((resolveRun) => {
    const started = Date.now();
    const child = spawn(process.execPath, [command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (VERBOSE) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (VERBOSE) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? signal, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** Processes still running with the run folder in their environment (code-server, its children, Chromium). */
function leftoverProcesses(runDir) {
  const left = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`=${runDir}/`)) {
        left.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 120)}`);
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return left;
}

async function check(testCase, artifactsRoot) {
  const artifacts = join(artifactsRoot, testCase.tests + '-' + testCase.extension);
  const result = await run(
    join(HERE, 'run-integration.mjs'),
    [
      '--extension', join(FIXTURES, testCase.extension),
      '--tests', join(FIXTURES, testCase.tests),
      '--workspace', join(FIXTURES, 'workspace'),
      '--timeout-ms', '90000',
      '--screenshot-dir', artifacts,
    ],
    { timeoutMs: 150_000 },
  );
  const problems = [];
  const lastLine = result.stdout.trimEnd().split('\n').at(-1);
  if (result.code !== testCase.exitCode) problems.push(`exit code ${result.code}, expected ${testCase.exitCode}`);
  if (lastLine !== testCase.summary) problems.push(`last line ${JSON.stringify(lastLine)}, expected ${JSON.stringify(testCase.summary)}`);
  if (testCase.reason && !testCase.reason.test(result.stderr)) problems.push(`no reason matching ${testCase.reason} on stderr`);
  if (testCase.exitCode !== 0) {
    const saved = existsSync(artifacts) ? readdirSync(artifacts) : [];
    const shot = saved.length === 1 && existsSync(join(artifacts, saved[0], 'screenshot.png'));
    if (!shot) problems.push(`no screenshot saved under ${artifacts}`);
  }
  const runDir = /run dir (\S+)/.exec(result.stdout)?.[1];
  if (!runDir) problems.push('run-integration did not print its run dir');
  else {
    if (existsSync(runDir)) problems.push(`run dir ${runDir} was not removed`);
    const left = leftoverProcesses(runDir);
    if (left.length) problems.push(`processes left running:\n      ${left.join('\n      ')}`);
  }
  const reason = result.stderr.split('\n').find((line) => /FAILED|HARNESS ERROR/.test(line));
  return { ...result, problems, reason };
}

async function main() {
  const install = await run(join(HERE, 'install-code-server.mjs'), [], { timeoutMs: 15 * 60_000 });
  if (install.code !== 0) {
    console.error(install.stdout + install.stderr);
    console.error('self-test: could not install code-server');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const artifactsRoot = mkdtempSync(join(tmpdir(), 'initlint-self-test-'));
  let passed = 0;
  let failed = 0;
  try {
    for (const testCase of CASES) {
      const result = await check(testCase, artifactsRoot);
      const detail = `exit ${result.code}, "${result.stdout.trimEnd().split('\n').at(-1)}"`;
      if (result.problems.length === 0) {
        passed++;
        console.log(`ok   ${testCase.name}: ${detail} (${result.seconds.toFixed(1)} s)`);
        if (result.reason) console.log(`     reason: ${result.reason.replace(/^\[run-integration\] /, '')}`);
      } else {
        failed++;
        console.log(`FAIL ${testCase.name}: ${detail} (${result.seconds.toFixed(1)} s)`);
        for (const problem of result.problems) console.log(`   - ${problem}`);
        if (!VERBOSE) console.log(`   --- output ---\n${result.stdout}${result.stderr}`);
      }
    }
  } finally {
    rmSync(artifactsRoot, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main();

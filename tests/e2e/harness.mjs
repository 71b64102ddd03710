// Shared by the browser tests: start and stop `samling serve` (or the mock) with a temporary
// config, load playwright-core from web/node_modules, launch Debian's chromium, and watch a
// page for errors.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const START_DEADLINE = 20_000; // ms, for the server's "listening on" line
const STOP_GRACE = 5_000; // ms between SIGTERM and SIGKILL

export class TestFailure extends Error {}

export function check(condition, message) {
  if (!condition) throw new TestFailure(message);
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A regular expression matching exactly `s`, surrounding white space allowed. */
export const exactly = (s) => new RegExp(`^\\s*${escapeRegExp(s)}\\s*$`);

/** Content text in `lang`, falling back to Swedish, then to any language: as the app does. */
export function pick(text, lang) {
  if (!text) return '';
  return text[lang] || text.sv || Object.values(text).find(Boolean) || '';
}

/**
 * Checks the environment and makes a temp dir with a samling.toml serving web/dist and the demo
 * event. `extra` lines are appended (e.g. an [auth] section).
 */
export function setUp(ctx, extra = []) {
  const src = resolve(process.env.SAMLING_SOURCE_DIR ?? '');
  const bin = process.env.SAMLING_BIN;
  check(process.env.SAMLING_SOURCE_DIR, 'SAMLING_SOURCE_DIR is not set');
  check(bin && existsSync(bin), `SAMLING_BIN is not set or does not exist: ${bin}`);
  const webRoot = join(src, 'web', 'dist');
  check(existsSync(join(webRoot, 'index.html')), `${webRoot}/index.html is missing: run "npm ci && npm run build" in web/`);
  const demo = join(src, 'config', 'demo', 'stockholm-tillsammans.json');

  let chromium;
  try {
    chromium = createRequire(join(src, 'web', 'package.json'))('playwright-core').chromium;
  } catch (e) {
    throw new TestFailure(`cannot load playwright-core from web/node_modules (run "npm ci" in web/): ${e.message}`);
  }

  ctx.tmp = mkdtempSync(join(tmpdir(), 'samling-e2e-'));
  const configPath = join(ctx.tmp, 'samling.toml');
  const q = (s) => JSON.stringify(s); // a TOML basic string
  writeFileSync(
    configPath,
    [
      '[server]',
      'listen = "127.0.0.1"',
      'port = 0',
      `web_root = ${q(webRoot)}`,
      '[store]',
      `path = ${q(join(ctx.tmp, 'samling.db'))}`,
      '[demo]',
      'seed = true',
      `file = ${q(demo)}`,
      '[log]',
      'access_log = false',
      ...extra,
      '',
    ].join('\n'),
  );
  return { src, bin, configPath, chromium };
}

// Starts `samling serve` and resolves its base URL from the "listening on http://…" line (on
// stdout; stderr is scanned too, as a logger may write there).
export function startServer(bin, configPath) {
  const child = spawn(bin, ['serve', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));

  const url = new Promise((resolveUrl, rejectUrl) => {
    let found = false;
    const timer = setTimeout(() => {
      if (!found) rejectUrl(new TestFailure(`the server printed no "listening on" line within ${START_DEADLINE / 1000} s`));
    }, START_DEADLINE);
    for (const key of ['stdout', 'stderr']) {
      let pending = '';
      child[key].setEncoding('utf8');
      // Keeps reading after the match, so the server never blocks on a full pipe.
      child[key].on('data', (chunk) => {
        output[key] = (output[key] + chunk).slice(-64 * 1024); // the tail is enough for diagnostics
        if (found) return;
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop();
        for (const line of lines) {
          const m = line.match(/listening on (http:\/\/\S+)/);
          if (m) {
            found = true;
            clearTimeout(timer);
            resolveUrl(m[1].replace(/[/.,;)"']+$/, ''));
            return;
          }
        }
      });
    }
    child.once('error', (e) => {
      clearTimeout(timer);
      rejectUrl(new TestFailure(`cannot start ${bin}: ${e.message}`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!found) rejectUrl(new TestFailure(`the server exited (code ${code}, signal ${signal}) before listening`));
    });
  });
  return { child, url, exited, output };
}

export async function stopServer(server, log) {
  const { child, exited } = server;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  let timer;
  const timedOut = new Promise((r) => {
    timer = setTimeout(() => r('timeout'), STOP_GRACE);
  });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    log(`the server did not stop within ${STOP_GRACE / 1000} s of SIGTERM; sending SIGKILL`);
    child.kill('SIGKILL');
    await exited;
  }
}

export function launchBrowser(chromium) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

export async function getJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  check(response.ok, `GET ${url}: HTTP ${response.status}`);
  return response.json();
}

// Collects uncaught page errors, console errors and failed requests of our own origin.
export function watchPage(page, origin, problems, name = '') {
  const prefix = name ? `${name}: ` : '';
  page.on('pageerror', (e) => problems.push(`${prefix}page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${prefix}console error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.url().startsWith(origin) && r.status() >= 400) problems.push(`${prefix}HTTP ${r.status()} for ${r.url()}`);
  });
}

// --- accessibility: axe-core on every page state --------------------------------------------------

/** The WCAG 2.0 and 2.1 rules, levels A and AA: all of them, none switched off. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const a11yViolations = []; // { state, text } of every violation found in this test run
let axeSource = null;

function loadAxe() {
  if (axeSource) return axeSource;
  const file = join(resolve(process.env.SAMLING_SOURCE_DIR ?? ''), 'web', 'node_modules', 'axe-core', 'axe.min.js');
  check(existsSync(file), `${file} is missing: axe-core must be installed in web/ ("npm ci" in web/)`);
  axeSource = readFileSync(file, 'utf8');
  return axeSource;
}

/** One violation as people read it: rule, impact, where, what. */
function describeViolation(v) {
  const nodes = v.nodes.slice(0, 5).map((n) => {
    const html = n.html.replace(/\s+/g, ' ').slice(0, 160);
    const why = (n.failureSummary ?? '')
      .replace(/^Fix (any|all) of the following:\s*/, '')
      .replace(/\n\s*/g, '; ')
      .slice(0, 240);
    return `      at ${n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' | ')}\n        ${html}${why ? `\n        (${why})` : ''}`;
  });
  const more = v.nodes.length > 5 ? `\n      … and ${v.nodes.length - 5} more` : '';
  return `    ${v.id} [${v.impact}] ${v.help} (${v.nodes.length}×)\n${nodes.join('\n')}${more}`;
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA) on the whole page as it is now. Every violation is logged
 * at once, written to $E2E_AXE_LOG (appended, with the time) when that is set, and makes the
 * test fail when it ends (main() below), so that one run lists the violations of every state the
 * test visits. `state` names the page state in the messages ("sv, signed in as moderator").
 */
export async function checkA11y(page, state, log = console.log) {
  const source = loadAxe();
  // Evaluated through the DevTools protocol: no <script> tag, so the page's CSP does not apply.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(source);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  const where = `${process.argv[1]?.split('/').pop() ?? 'test'}: ${state}`;
  if (result.violations.length === 0) {
    log(`axe: no violation (${where})`);
    return;
  }
  const text = result.violations.map(describeViolation).join('\n');
  a11yViolations.push({ state: where, text });
  log(`axe: ${result.violations.length} violation(s) (${where}):\n${text}`);
  if (process.env.E2E_AXE_LOG) {
    try {
      appendFileSync(process.env.E2E_AXE_LOG, `${new Date().toISOString()} ${where} (${page.url()})\n${text}\n\n`);
    } catch {
      // the log is for people; the test fails anyway
    }
  }
}

/** Runs `run(ctx)`, always closes the browser and stops the server, prints the closing line. */
export async function main(name, run, log) {
  const ctx = {};
  let failure = null;
  try {
    await run(ctx);
    if (a11yViolations.length) {
      throw new TestFailure(
        `axe-core found WCAG A/AA violations in ${a11yViolations.length} page state(s):\n` +
          a11yViolations.map((v) => `  ${v.state}\n${v.text}`).join('\n'),
      );
    }
  } catch (e) {
    failure = e;
    if (!(e instanceof TestFailure && e.message.startsWith('axe-core found')) && a11yViolations.length) {
      console.error(`axe-core also found violations before that, in: ${a11yViolations.map((v) => v.state).join('; ')}`);
    }
  } finally {
    if (ctx.browser) await ctx.browser.close().catch((e) => log(`closing the browser: ${e.message}`));
    if (ctx.server) await stopServer(ctx.server, log).catch((e) => log(`stopping the server: ${e.message}`));
    if (ctx.tmp) {
      const { rmSync } = await import('node:fs');
      rmSync(ctx.tmp, { recursive: true, force: true });
    }
  }
  if (failure) {
    console.error(`FAIL ${name}: ${failure instanceof TestFailure ? failure.message : (failure.stack ?? failure)}`);
    if (ctx.server) {
      if (ctx.server.output.stderr) console.error(`--- server stderr ---\n${ctx.server.output.stderr}`);
      if (ctx.server.output.stdout) console.error(`--- server stdout ---\n${ctx.server.output.stdout}`);
    }
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log('1 passed, 0 failed');
  process.exit(0);
}

/** Copies a screenshot from the test's temp dir to build/e2e-screenshots/ for people to look at. */
export function saveScreenshot(src, tmp, name, log = console.log) {
  try {
    const dir = join(src, 'build', 'e2e-screenshots');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(tmp, name), join(dir, name));
    log(`screenshot: ${join(dir, name)}`);
  } catch {
    // a read-only tree is fine; screenshots are only for people
  }
}

/** Awaits `promise`; a rejection becomes a TestFailure that says `what` was expected. */
export async function expect(what, promise) {
  try {
    return await promise;
  } catch (e) {
    throw new TestFailure(`${what}: ${e.message.split('\n')[0]}`);
  }
}

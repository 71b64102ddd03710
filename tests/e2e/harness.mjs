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
      `series_file = ${q(join(src, 'config', 'demo', 'sverige-tillsammans-2016.json'))}`,
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
 * Runs axe-core (WCAG 2.0/2.1 A and AA) on the whole page as it is now, and checks the form
 * fields' boundaries (WCAG 1.4.11, which axe does not test). Every violation is logged
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
  const texts = result.violations.map(describeViolation);
  // Form field boundaries (WCAG 1.4.11), which axe does not test.
  const fields = await fieldBorderProblems(page);
  if (fields.length) {
    texts.push(
      `    field-border-contrast [serious] WCAG 1.4.11: a form field's boundary must contrast at least 3:1 (${fields.length}×)\n` +
        fields.map((f) => `      at ${f.target}\n        ${f.html.replace(/\s+/g, ' ')}\n        (${f.why})`).join('\n'),
    );
  }
  if (texts.length === 0) {
    log(`axe: no violation (${where})`);
    return;
  }
  recordA11y(page, where, texts.join('\n'), log);
}

// WCAG 1.4.11 (non-text contrast, AA), which axe-core does not test: a form field's boundary and the
// keyboard focus ring must contrast at least 3:1 with the colours next to them. Runs in the page.
// Colours are resolved through a canvas (any CSS colour syntax), backgrounds composited up the tree;
// an element over a background image (a gradient) is skipped, as its backdrop is not one colour.
const NON_TEXT_HELPERS = String.raw`
  const ctx2d = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  const rgba = (css) => {
    ctx2d.clearRect(0, 0, 1, 1);
    ctx2d.fillStyle = '#000';
    ctx2d.fillStyle = css;
    ctx2d.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx2d.getImageData(0, 0, 1, 1).data;
    return { r, g, b, a: a / 255 };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  // The colour behind el (el's own background included when self is true); null over an image.
  const backdrop = (el, self) => {
    const layers = [];
    for (let e = self ? el : el.parentElement; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.backgroundImage && cs.backgroundImage !== 'none') return null;
      const c = rgba(cs.backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    let color = { r: 255, g: 255, b: 255, a: 1 };
    for (const c of layers.reverse()) color = over(c, color);
    return color;
  };
  const lum = (c) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const hex = (c) => '#' + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const selector = (el) => {
    const id = el.getAttribute('data-testid');
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (id ? '[data-testid="' + id + '"]' : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
`;

// Defined in the page through the DevTools protocol (the page's CSP forbids eval, not this).
async function injectNonText(page) {
  if (await page.evaluate(() => typeof window.__samlingNonText === 'object')) return;
  await page.evaluate(`window.__samlingNonText = (() => { ${NON_TEXT_HELPERS}; return { rgba, over, backdrop, ratio, hex, selector, visible }; })()`);
}

/** Form fields whose boundary (border, or fill) contrasts less than 3:1 with what surrounds them. */
async function fieldBorderProblems(page) {
  await injectNonText(page);
  return page.evaluate(() => {
    const h = window.__samlingNonText;
    const out = [];
    const fields = document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=range]):not([type=file]):not([type=color]), select, textarea');
    for (const el of fields) {
      if (el.disabled || !h.visible(el)) continue;
      const outside = h.backdrop(el, false);
      const fill = h.backdrop(el, true);
      if (!outside || !fill) continue;
      const cs = getComputedStyle(el);
      const sides = ['Top', 'Right', 'Bottom', 'Left'].filter((s) => parseFloat(cs[`border${s}Width`]) >= 1 && cs[`border${s}Style`] !== 'none');
      const border = sides.length ? h.over(h.rgba(cs[`border${sides[0]}Color`]), outside) : null;
      const byBorder = border ? h.ratio(border, outside) : 0;
      const byFill = h.ratio(fill, outside);
      if (Math.max(byBorder, byFill) < 3) {
        out.push({
          target: h.selector(el),
          html: el.outerHTML.slice(0, 160),
          why: `border ${border ? h.hex(border) : 'none'} on ${h.hex(outside)} is ${byBorder.toFixed(2)}:1 and the field's fill ${h.hex(fill)} is ${byFill.toFixed(2)}:1; one of them must be at least 3:1`,
        });
      }
    }
    return out;
  });
}

/** The focused element's focus indicator (outline or box-shadow) against the colour behind it. */
async function focusRingProblem(page) {
  await injectNonText(page);
  return page.evaluate(() => {
    const h = window.__samlingNonText;
    const el = document.activeElement;
    if (!el || el === document.body || !h.visible(el)) return null;
    // A <video controls>: the focus is on its native controls, which draw their own ring inside.
    if ((el.tagName === 'VIDEO' || el.tagName === 'AUDIO') && el.controls) return { skipped: h.selector(el) };
    const cs = getComputedStyle(el);
    const outside = h.backdrop(el, false);
    if (!outside) return { skipped: h.selector(el) };
    const candidates = [];
    if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1) candidates.push(['outline', cs.outlineColor]);
    if (cs.boxShadow && cs.boxShadow !== 'none') {
      for (const m of cs.boxShadow.matchAll(/(rgba?\([^)]*\)|color\([^)]*\)|oklch\([^)]*\)|#[0-9a-f]{3,8})/gi)) candidates.push(['box-shadow', m[1]]);
    }
    const results = candidates.map(([kind, css]) => {
      const c = h.over(h.rgba(css), outside);
      return { kind, color: h.hex(c), ratio: h.ratio(c, outside) };
    });
    const best = results.reduce((a, b) => (b.ratio > (a?.ratio ?? 0) ? b : a), null);
    if (best && best.ratio >= 3) return { ok: h.selector(el), best: `${best.kind} ${best.color} ${best.ratio.toFixed(2)}:1` };
    return {
      target: h.selector(el),
      html: el.outerHTML.slice(0, 160),
      why: results.length
        ? `focus ring ${results.map((r) => `${r.kind} ${r.color} ${r.ratio.toFixed(2)}:1`).join(', ')} on ${h.hex(outside)}; at least 3:1 needed`
        : `no focus ring (no outline, no box-shadow) on ${h.hex(outside)}`,
    };
  });
}

function recordA11y(page, where, text, log) {
  a11yViolations.push({ state: where, text });
  log(`a11y: violation(s) (${where}):\n${text}`);
  if (process.env.E2E_AXE_LOG) {
    try {
      appendFileSync(process.env.E2E_AXE_LOG, `${new Date().toISOString()} ${where} (${page.url()})\n${text}\n\n`);
    } catch {
      // the log is for people; the test fails anyway
    }
  }
}

/**
 * Walks the keyboard focus `steps` times with Tab from where it is and checks each focused
 * element's focus ring (WCAG 1.4.11: at least 3:1 against the colour behind it). Moves the focus
 * (and may scroll): call it where the test does not depend on either.
 */
export async function checkFocusRings(page, state, log = console.log, steps = 12) {
  const where = `${process.argv[1]?.split('/').pop() ?? 'test'}: ${state}`;
  const problems = new Map();
  let checked = 0;
  for (let i = 0; i < steps; i++) {
    await page.keyboard.press('Tab');
    const r = await focusRingProblem(page);
    if (!r || r.skipped) continue;
    checked++;
    if (!r.ok && !problems.has(r.target)) problems.set(r.target, r);
  }
  if (problems.size === 0) {
    log(`focus rings: ${checked} focused elements, each ring at least 3:1 (${where})`);
    return;
  }
  const text = `    focus-ring-contrast [serious] WCAG 1.4.11: the focus ring must contrast at least 3:1 (${problems.size}×)\n${[...problems.values()]
    .map((p) => `      at ${p.target}\n        ${p.html.replace(/\s+/g, ' ')}\n        (${p.why})`)
    .join('\n')}`;
  recordA11y(page, where, text, log);
}

/** Runs `run(ctx)`, always closes the browser and stops the server, prints the closing line. */
export async function main(name, run, log) {
  const ctx = {};
  let failure = null;
  try {
    await run(ctx);
    if (a11yViolations.length) {
      // The details were logged where they were found; here the rules per state.
      throw new TestFailure(
        `accessibility (axe-core WCAG 2.0/2.1 A+AA, and 1.4.11) violations in ${a11yViolations.length} page state(s), details above:\n` +
          a11yViolations.map((v) => `  ${v.state}\n${v.text.split('\n').filter((l) => /^ {4}\S/.test(l)).join('\n')}`).join('\n'),
      );
    }
  } catch (e) {
    failure = e;
    if (!(e instanceof TestFailure && e.message.startsWith('accessibility (axe-core')) && a11yViolations.length) {
      console.error(`accessibility violations were also found before that, in: ${a11yViolations.map((v) => v.state).join('; ')}`);
    }
  } finally {
    if (ctx.browser) await ctx.browser.close().catch((e) => log(`closing the browser: ${e.message}`));
    if (ctx.server) await stopServer(ctx.server, log).catch((e) => log(`stopping the server: ${e.message}`));
    if (ctx.sink) await stopProcess(ctx.sink.child).catch((e) => log(`stopping the SMTP sink: ${e.message}`));
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

// --- staff accounts and e-mail for the real-server tests --------------------------------------------

/**
 * `samling account add` on the test's database before the server starts (as an operator makes
 * the first organizer), the password through --password-stdin. Resolves the command's output.
 */
export async function addAccount(bin, configPath, { email, name, password, role = 'organizer', event = '*' }) {
  const child = spawn(bin, ['account', 'add', '--config', configPath, '--email', email, '--name', name, '--role', role, '--event', event, '--password-stdin'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  child.stdin.end(`${password}\n`);
  const code = await new Promise((r) => child.once('exit', r));
  check(code === 0, `samling account add ${email}: exit ${code}: ${out}`);
  return out;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; released before it is returned). */
async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts tests/support/smtp_sink.py on 127.0.0.1 (a real SMTP server writing each message as an
 * .eml into `dir`); resolves { child, port, dir } once it prints its "listening on" line.
 * Stop it with stopProcess(). The [mail] lines for the server's config: smtpConfig(sink).
 */
export async function startSmtpSink(src, dir) {
  const port = await freePort();
  const child = spawn('/usr/bin/python3', [join(src, 'tests', 'support', 'smtp_sink.py'), '--port', String(port), '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  await new Promise((resolveUp, reject) => {
    const timer = setTimeout(() => reject(new TestFailure(`smtp_sink printed no "listening on" line within ${START_DEADLINE / 1000} s: ${seen}`)), START_DEADLINE);
    const onData = (c) => {
      seen += c;
      if (seen.includes('listening on')) {
        clearTimeout(timer);
        resolveUp();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new TestFailure(`smtp_sink exited (${code}) before listening: ${seen}`));
    });
  });
  return { child, port, dir };
}

export const smtpConfig = (sink, from = 'noreply@example.org') => ['[mail]', `smtp_url = "smtp://127.0.0.1:${sink.port}"`, 'starttls = "off"', `from = "${from}"`];

/** SIGTERM to a child this test started (then SIGKILL after a grace period). */
export async function stopProcess(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  let timer;
  const late = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('timeout'), STOP_GRACE)))]);
  clearTimeout(timer);
  if (late === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Decodes quoted-printable (RFC 2045) to the UTF-8 text it encodes. */
export function decodeQuotedPrintable(body) {
  const bytes = [];
  const text = body.replace(/=\r?\n/g, ''); // soft line breaks
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The parts of an .eml as the server writes them (docs/api.md, "The message on the wire"):
 * { headers (lower-case names, first occurrence, unfolded), text (the text/plain part, decoded),
 * html }.
 */
export function parseEml(raw) {
  const split = (s) => {
    const i = s.search(/\r?\n\r?\n/);
    const head = i < 0 ? s : s.slice(0, i);
    const body = i < 0 ? '' : s.slice(i).replace(/^\r?\n\r?\n/, '');
    const headers = {};
    for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
      const m = line.match(/^([^:]+):\s*(.*)$/);
      if (m && !(m[1].toLowerCase() in headers)) headers[m[1].toLowerCase()] = m[2];
    }
    return { headers, body };
  };
  const decode = (part) => {
    const enc = (part.headers['content-transfer-encoding'] ?? '').toLowerCase();
    if (enc === 'quoted-printable') return decodeQuotedPrintable(part.body);
    if (enc === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
    return part.body;
  };
  const top = split(raw);
  const type = top.headers['content-type'] ?? 'text/plain';
  const out = { headers: top.headers, text: '', html: '' };
  const boundary = type.match(/boundary="?([^";]+)"?/i)?.[1];
  const parts = boundary
    ? top.body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--')).map((p) => split(p.replace(/^\r?\n/, '')))
    : [top];
  for (const p of parts) {
    const t = (p.headers['content-type'] ?? 'text/plain').toLowerCase();
    if (t.startsWith('text/plain') && !out.text) out.text = decode(p);
    else if (t.startsWith('text/html') && !out.html) out.html = decode(p);
  }
  return out;
}

/** Polls `dir` (every 50 ms, until `deadline` ms) for an .eml whose parse satisfies `match`. */
export async function waitForMail(dir, match, deadline = 15_000) {
  const { readdirSync } = await import('node:fs');
  const until = Date.now() + deadline;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).sort() : [];
    for (const f of files) {
      const mail = parseEml(readFileSync(join(dir, f), 'latin1').toString());
      if (match(mail)) return mail;
    }
    if (Date.now() > until) throw new TestFailure(`no matching e-mail in ${dir} within ${deadline / 1000} s (${files.length} received)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

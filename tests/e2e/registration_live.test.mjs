// Browser test of registration against the REAL server (issue 16, second "Done when"): the
// server runs with a real SMTP server on 127.0.0.1 (tests/support/smtp_sink.py) as `[mail]` and
// dev tokens on (the organizer's Bearer token for setting up through the API).
//   1. The organizer opens registration (hall and remote) with a deadline a few minutes ahead.
//   2. R (sv-SE, the browser in New York's zone): the form shows the deadline in the event's zone;
//      empty fields are refused; then R registers → the confirmation.
//   3. The confirmation e-mail arrives at the SMTP sink (the .eml parsed, quoted-printable
//      decoded); the outbox has it as sent. Its personal join link, opened in a fresh browser
//      context, gets the attendee into the rooms (signed in by name, posts in the chat).
//   4. The manage link from the same e-mail: the data shown, downloaded as JSON, cancelled, deleted.
//   5. D (en-GB, New York's zone) has the form filled in when the organizer moves the deadline into
//      the past (PUT closes_at): the registration is refused with a message naming the closing
//      time in the event's zone (Europe/Stockholm), not the browser's.
//   6. The last-seat race at the API level: capacity N, N-1 taken, 20 concurrent POSTs → exactly
//      one registered, 19 waitlisted, none lost or doubled; the outbox has exactly one
//      confirmation (or waitlist mail) per registration.
//   7. The console's Registration tab, signed in as an organizer account: the settings in the
//      event's zone (a save keeps the times), the counts per mode, the list, the CSV export.
//   8. The states not_open, full_waitlist and full in the browser; a consent text changed (new
//      consent_version) under an open form is asked for again; axe-core on every state and on
//      the manage page. Screenshots of the form in sv, fi and en at 1440×900 and 390×844
//      (build/e2e-screenshots/reg-real-*.png).
//
// Run as `node tests/e2e/registration_live.test.mjs` with SAMLING_BIN and SAMLING_SOURCE_DIR (web/
// installed and built). Prints `1 passed, 0 failed` last; exits 0 or 1.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { check, checkA11y, expect, getJson, launchBrowser, main, saveScreenshot, setUp, startServer, TestFailure, watchPage } from './harness.mjs';

const WAIT = 15_000; // ms, for each expectation on the page
const MAIL_WAIT = 30_000; // ms, for a message to reach the SMTP sink
const SINK_START = 10_000; // ms, for the sink's "listening" line
const RACERS = 20;
const SEATS = 5; // capacity N of the race: N-1 taken first
const ZONE = 'Europe/Stockholm'; // the demo event's zone
const BROWSER_ZONE = 'America/New_York'; // the browsers' own zone: what the page must NOT use

// UI strings the test expects (web/src/i18n/org-*.ts).
const UI = {
  sv: { required: 'Obligatoriskt.', consentRequired: 'Ditt godkännande behövs för att anmäla dig.', cancelled: 'Avanmäld', deleted: 'Dina uppgifter är raderade.' },
  sv2: { consentChanged: 'Samtyckestexten har ändrats sedan formuläret öppnades. Läs den igen och kryssa i rutan.' },
  en: { closed: 'Registration closed', noLonger: 'It is no longer possible to register.' },
};

function log(message) {
  console.log(`[registration_live.test] ${message}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value or `ms` pass; the value, or a TestFailure saying `what`. */
async function until(what, probe, ms = WAIT, every = 100) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new TestFailure(`${what}: not within ${ms / 1000} s`);
    await sleep(every);
  }
}

function freePort() {
  return new Promise((resolvePort, rejectPort) => {
    const s = createServer();
    s.once('error', rejectPort);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

/** Starts tests/support/smtp_sink.py; resolves when it accepts connections. */
function startSink(src, port, dir) {
  const child = spawn('/usr/bin/python3', [join(src, 'tests', 'support', 'smtp_sink.py'), '--port', String(port), '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-8192)));
  const ready = new Promise((resolveReady, rejectReady) => {
    const timer = setTimeout(() => rejectReady(new TestFailure(`smtp_sink printed no "listening" line within ${SINK_START / 1000} s: ${stderr}`)), SINK_START);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('smtp_sink: listening on')) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rejectReady(new TestFailure(`smtp_sink exited (code ${code}) before listening: ${stderr}`));
    });
  });
  return { child, ready, exited: new Promise((r) => child.once('exit', r)) };
}

async function stopSink(sink) {
  if (!sink || sink.child.exitCode !== null || sink.child.signalCode !== null) return;
  sink.child.kill('SIGTERM'); // by its pid: the process this test started
  const timer = setTimeout(() => sink.child.kill('SIGKILL'), 5_000);
  await sink.exited;
  clearTimeout(timer);
}

// --- e-mail: just enough MIME to read what arrived ------------------------------------------------

/** Quoted-printable (RFC 2045) to text: soft line breaks out, =XX to bytes, the bytes as UTF-8. */
export function decodeQuotedPrintable(s) {
  const bytes = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Headers (lower-cased names, unfolded) and body of one message or MIME part. */
function splitMessage(raw) {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = line.match(/^([^:]+):\s*(.*)$/);
    if (m) headers[m[1].toLowerCase()] = m[2];
  }
  return { headers, body };
}

/** The text/plain part of a message, decoded. */
function plainText(raw) {
  const msg = splitMessage(raw);
  const type = msg.headers['content-type'] ?? 'text/plain';
  const boundary = type.match(/boundary="?([^";]+)"?/)?.[1];
  const parts = boundary ? msg.body.split(`--${boundary}`).slice(1, -1).map((p) => splitMessage(p.replace(/^\r?\n/, ''))) : [msg];
  const plain = parts.find((p) => (p.headers['content-type'] ?? 'text/plain').startsWith('text/plain'));
  check(plain, `no text/plain part in the message (${type})`);
  const cte = (plain.headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (cte === 'quoted-printable') return decodeQuotedPrintable(plain.body);
  if (cte === 'base64') return Buffer.from(plain.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return plain.body;
}

/** The messages in the sink's folder (parsed), in order of arrival. */
function received(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => {
      const raw = readFileSync(join(dir, f), 'utf8');
      return { file: f, raw, headers: splitMessage(raw).headers };
    });
}

// --- the API --------------------------------------------------------------------------------------

async function api(base, method, path, body, token) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: r.status, json, text };
}

/** A whole-minute UTC instant `ms` from now (rounded down), as RFC 3339 with Z. */
function minuteFromNow(ms) {
  return new Date(Math.floor((Date.now() + ms) / 60_000) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "HH:MM" of a UTC instant in `zone`. */
function hhmm(utc, zone) {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(new Date(utc));
}

/** `samling account add … --password-stdin`: an organizer of `event`. */
function accountAdd(bin, configPath, event, email, name, password) {
  const args = ['account', 'add', '--config', configPath, '--email', email, '--name', name, '--role', 'organizer', '--event', event, '--password-stdin'];
  return new Promise((resolveAdd, rejectAdd) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.stdout.resume();
    child.once('exit', (code) => (code === 0 ? resolveAdd() : rejectAdd(new TestFailure(`samling ${args.join(' ')} exited ${code}: ${err}`))));
    child.stdin.end(`${password}\n`);
  });
}

async function run(ctx) {
  const smtpPort = await freePort();
  const { src, bin, configPath, chromium } = setUp(ctx, [
    '[auth]',
    'dev_tokens = true',
    '[mail]',
    `smtp_url = "smtp://127.0.0.1:${smtpPort}"`,
    'starttls = "off"',
    'from = "noreply@samling.test"',
    'from_name = "Samling e2e"',
  ]);
  const mailDir = join(ctx.tmp, 'mail');
  const sink = startSink(src, smtpPort, mailDir);
  try {
    await sink.ready;
    log(`smtp_sink on 127.0.0.1:${smtpPort}`);
    await scenario(ctx, { src, bin, configPath, chromium, mailDir });
  } finally {
    await stopSink(sink);
  }
}

async function scenario(ctx, { src, bin, configPath, chromium, mailDir }) {
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  log(`server at ${base}`);
  const { events } = await getJson(`${base}/api/v1/events`);
  const event = events[0];
  const E = event.id;
  check(event.timezone === ZONE, `the demo event's zone is ${event.timezone}, the test expects ${ZONE}`);

  // The organizer: a Bearer token from the dev endpoint.
  const dev = await api(base, 'POST', '/api/v1/dev/token', { event: E, name: 'Olga Organizer', role: 'organizer' });
  check(dev.status === 200 && dev.json?.token, `POST /api/v1/dev/token: HTTP ${dev.status} ${dev.text}`);
  const org = dev.json.token;
  const put = async (settings, what) => {
    const r = await api(base, 'PUT', `/api/v1/events/${E}/registration`, settings, org);
    check(r.status === 200, `${what}: PUT registration answered HTTP ${r.status} ${r.text}`);
    return r.json;
  };
  const outbox = async () => {
    const r = await api(base, 'GET', `/api/v1/events/${E}/outbox`, undefined, org);
    check(r.status === 200, `GET outbox: HTTP ${r.status} ${r.text}`);
    return r.json.messages;
  };
  const list = async () => {
    const r = await api(base, 'GET', `/api/v1/events/${E}/registrations`, undefined, org);
    check(r.status === 200, `GET registrations: HTTP ${r.status} ${r.text}`);
    return r.json;
  };

  // --- 1. registration opens, the deadline a few minutes ahead ----------------------------------------
  const closesAt = minuteFromNow(4 * 60_000); // 3–4 minutes ahead: the steps before the deadline take under a minute
  const opened = await put({ opens_at: minuteFromNow(-3600_000), closes_at: closesAt, capacity: 100, remote_capacity: 0, waitlist: true, modes: ['hall', 'remote'], consent_version: 'e2e-1' }, 'open');
  check(opened.state === 'open', `after opening, the state is ${opened.state}`);
  check(opened.closes_at === closesAt, `closes_at came back as ${opened.closes_at}, sent ${closesAt}`);
  log(`registration open until ${opened.closes_at_text}`);

  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const expected = []; // failed requests the test provokes on purpose (regexps over the problem text)
  const newPage = async (name, locale, viewport = { width: 1440, height: 900 }) => {
    const c = await ctx.browser.newContext({ locale, timezoneId: BROWSER_ZONE, viewport, acceptDownloads: true });
    const p = await c.newPage();
    watchPage(p, base, problems, name);
    p.on('dialog', (d) => d.accept()); // the manage page's confirm()s
    return p;
  };

  // --- 2. R registers before the deadline ---------------------------------------------------------------
  const r = await newPage('R', 'sv-SE');
  await r.goto(`${base}/#event=${E}`, { waitUntil: 'domcontentloaded' });
  const panel = r.getByTestId('registration');
  await expect('R: the registration panel, open', r.locator('[data-testid="registration"][data-state="open"]').waitFor({ timeout: WAIT }));
  const closesText = (await r.getByTestId('registration-closes').innerText()).trim();
  check(closesText.includes(hhmm(closesAt, ZONE)), `R: the deadline "${closesText}" does not show ${hhmm(closesAt, ZONE)} (the event's zone)`);
  if (hhmm(closesAt, ZONE) !== hhmm(closesAt, BROWSER_ZONE))
    check(!closesText.includes(hhmm(closesAt, BROWSER_ZONE)), `R: the deadline "${closesText}" is in the browser's zone`);
  await checkA11y(r, 'R (sv): registration open', log);
  await r.getByTestId('registration-open').click();
  await r.getByTestId('reg-submit').click();
  await expect('R: the name is required', r.getByTestId('reg-name-error').filter({ hasText: UI.sv.required }).waitFor({ timeout: WAIT }));
  await expect('R: consent is required', r.getByTestId('reg-consent-error').filter({ hasText: UI.sv.consentRequired }).waitFor({ timeout: WAIT }));
  check(await r.getByTestId('reg-name').evaluate((el) => el === document.activeElement), 'R: the focus is not on the first field in error');
  await checkA11y(r, 'R (sv): the form with errors', log);
  const who = { name: 'Rut Registrerad', email: 'rut@example.org' };
  await r.getByTestId('reg-name').fill(who.name);
  await r.getByTestId('reg-email').fill(who.email);
  await r.getByTestId('reg-organization').fill('Länsstyrelsen');
  await r.getByTestId('reg-accessibility').fill('Hörslinga');
  await r.getByTestId('reg-mode-remote').check();
  await r.getByTestId('reg-consent').check();
  const posted = r.waitForResponse((res) => res.url().endsWith(`/api/v1/events/${E}/registrations`) && res.request().method() === 'POST');
  await r.getByTestId('reg-submit').click();
  const answer = await posted;
  check(answer.status() === 201, `R: POST registrations answered HTTP ${answer.status()}`);
  const sentBody = JSON.parse(answer.request().postData() ?? '{}');
  check(sentBody.consent_version === 'e2e-1' && sentBody.accessibility_needs === 'Hörslinga' && sentBody.mode === 'remote' && sentBody.language === 'sv', `R: the form sent ${JSON.stringify(sentBody)}`);
  const done = r.locator('[data-testid="registration-done"][data-status="registered"]');
  await expect('R: the confirmation', done.waitFor({ timeout: WAIT }));
  check((await done.innerText()).includes(who.email), 'R: the confirmation does not name the address the mail goes to');
  await checkA11y(r, 'R (sv): registered', log);
  log('R registered in the browser before the deadline');

  // --- 3. the e-mail, and its join link into the rooms ----------------------------------------------
  const mail = await until('the confirmation at the SMTP sink', () => received(mailDir).find((m) => (m.headers.to ?? '').includes(who.email)), MAIL_WAIT);
  const text = plainText(mail.raw);
  check(text.includes(who.name.split(' ')[0]), `the confirmation does not greet ${who.name}:\n${text.slice(0, 400)}`);
  const joinLink = text.match(/https?:\/\/\S+#event=[^\s&]+&join=[A-Za-z0-9._~-]+/)?.[0];
  const manageLink = text.match(/https?:\/\/\S+#event=[^\s&]+&registration=[A-Za-z0-9_-]+/)?.[0];
  check(joinLink, `no join link in the confirmation:\n${text}`);
  check(manageLink, `no manage link in the confirmation:\n${text}`);
  check(joinLink.startsWith(`${base}/#event=${E}&join=`), `the join link ${joinLink.slice(0, 80)}… is not of ${base} and ${E}`);
  const sentMessages = await until('the outbox says the confirmation was sent', async () => {
    const msgs = (await outbox()).filter((m) => m.to === who.email && m.kind === 'registration_confirmed');
    return msgs.length === 1 && msgs[0].state === 'sent' ? msgs : null;
  });
  check(sentMessages.length === 1, 'one confirmation in the outbox');
  log(`the confirmation arrived (${mail.file}, ${mail.headers.subject}); join and manage links in it`);

  const a = await newPage('A', 'sv-SE');
  await a.goto(joinLink, { waitUntil: 'domcontentloaded' });
  await a
    .locator('[data-testid="connection-state"][data-state="connected"]')
    .waitFor({ timeout: WAIT })
    .catch(async () => {
      const err = (await a.getByTestId('chat-signin-error').count()) ? (await a.getByTestId('chat-signin-error').innerText()).trim() : '(none)';
      throw new TestFailure(`A: not connected with the e-mailed join link within ${WAIT / 1000} s (sign-in error: ${err})`);
    });
  const identity = (await a.getByTestId('chat-identity-name').innerText()).trim();
  check(identity.includes(who.name), `A: the chat header says "${identity}", expected ${who.name}`);
  check(!a.url().includes('join='), `A: the token is still in the address bar: ${a.url()}`);
  const hello = `Hej från distans ${Date.now().toString(36)}`;
  await a.getByTestId('composer-input').fill(hello, { timeout: WAIT });
  await a.getByTestId('composer-input').press('Enter', { timeout: WAIT });
  await expect('A: the chat message is confirmed', a.locator('[data-testid="chat-message"]:not([data-pending])').filter({ hasText: hello }).waitFor({ timeout: WAIT }));
  log(`A: in the rooms as "${identity}" by the e-mailed link, posted in the chat`);

  // --- 4. the manage link: the data, the download, cancel, delete ----------------------------------
  const m = await newPage('M', 'sv-SE');
  await m.goto(manageLink, { waitUntil: 'domcontentloaded' });
  const data = m.getByTestId('manage-data');
  await expect('M: the stored data', data.waitFor({ timeout: WAIT }));
  const shown = await data.innerText();
  for (const v of [who.name, who.email, 'Länsstyrelsen', 'Hörslinga']) check(shown.includes(v), `M: the manage page does not show "${v}": ${shown}`);
  await expect('M: the event named', m.getByTestId('manage-event').waitFor({ timeout: WAIT }));
  await checkA11y(m, 'M (sv): manage my registration', log);
  const [download] = await Promise.all([m.waitForEvent('download', { timeout: WAIT }), m.getByTestId('manage-download').click()]);
  const downloaded = JSON.parse(readFileSync(await download.path(), 'utf8'));
  check(downloaded.registration?.email === who.email && downloaded.registration?.consent?.version === 'e2e-1', `M: the download: ${JSON.stringify(downloaded).slice(0, 300)}`);
  await m.getByTestId('manage-cancel').click();
  await expect('M: cancelled', m.getByTestId('manage-status-value').filter({ hasText: UI.sv.cancelled }).waitFor({ timeout: WAIT }));
  await checkA11y(m, 'M (sv): cancelled', log);
  await m.getByTestId('manage-delete').click();
  await expect('M: deleted', m.getByTestId('manage-status').filter({ hasText: UI.sv.deleted }).waitFor({ timeout: WAIT }));
  const gone = await api(base, 'GET', `/api/v1/registrations/mine?token=${new URL(manageLink).hash.split('registration=')[1]}`);
  check(gone.status === 404, `after delete, the manage link answers HTTP ${gone.status}`);
  expected.push(/^M2: HTTP 404 for .*registrations\/mine/, /^M2: console error: .*status of 404/);
  const m2 = await newPage('M2', 'sv-SE');
  await m2.goto(manageLink, { waitUntil: 'domcontentloaded' });
  await expect('M2: the deleted link says so', m2.getByTestId('manage-invalid').waitFor({ timeout: WAIT }));
  await checkA11y(m2, 'M2 (sv): a deleted registration’s link', log);
  log('M: the manage page showed, downloaded, cancelled and deleted the registration');

  // --- 5. the deadline passes with D's form filled in -------------------------------------------------
  const d = await newPage('D', 'en-GB');
  await d.goto(`${base}/#event=${E}`, { waitUntil: 'domcontentloaded' });
  await expect('D: registration open', d.locator('[data-testid="registration"][data-state="open"]').waitFor({ timeout: WAIT }));
  await d.getByTestId('registration-open').click();
  await d.getByTestId('reg-name').fill('Dag Deadline');
  await d.getByTestId('reg-email').fill('dag@example.org');
  await d.getByTestId('reg-consent').check();
  const closedAt = minuteFromNow(-60_000);
  const closed = await put({ closes_at: closedAt }, 'deadline into the past');
  check(closed.state === 'closed', `after moving the deadline, the state is ${closed.state}`);
  expected.push(/^D: HTTP 403 for .*\/registrations$/, /^D: console error: .*status of 403/);
  const refusedPost = d.waitForResponse((res) => res.url().endsWith(`/api/v1/events/${E}/registrations`) && res.request().method() === 'POST');
  await d.getByTestId('reg-submit').click();
  const refusedAnswer = await refusedPost;
  check(refusedAnswer.status() === 403 && (await refusedAnswer.json()).error?.code === 'registration_closed', `D: the late POST answered HTTP ${refusedAnswer.status()}`);
  const refusal = d.getByTestId('registration-refused');
  await expect('D: the refusal message', refusal.waitFor({ timeout: WAIT }));
  const said = (await refusal.innerText()).trim();
  check(said.startsWith(UI.en.closed) && said.includes(UI.en.noLonger), `D: the refusal says "${said}"`);
  check(said.includes(hhmm(closedAt, ZONE)), `D: the refusal "${said}" does not name the closing time ${hhmm(closedAt, ZONE)} in ${ZONE}`);
  if (hhmm(closedAt, ZONE) !== hhmm(closedAt, BROWSER_ZONE)) check(!said.includes(hhmm(closedAt, BROWSER_ZONE)), `D: the refusal "${said}" is in the browser's zone`);
  check((await refusal.getAttribute('role')) === 'alert', 'D: the refusal is not role=alert');
  check(await refusal.evaluate((el) => el === document.activeElement), 'D: the focus did not move to the refusal');
  check((await d.getByTestId('registration-form').count()) === 0, 'D: the form is still offered after the deadline');
  await checkA11y(d, 'D (en): refused after the deadline', log);
  await d.locator('[data-testid="registration"]').screenshot({ path: join(ctx.tmp, 'reg-real-closed-en.png') });
  saveScreenshot(src, ctx.tmp, 'reg-real-closed-en.png', log);
  const late = await api(base, 'POST', `/api/v1/events/${E}/registrations`, { name: 'Late', email: 'late@example.org', mode: 'hall', consent: true });
  check(late.status === 403 && late.json?.error?.code === 'registration_closed', `a late POST: HTTP ${late.status} ${late.text}`);
  log(`D: refused after the deadline: "${said}"`);

  // --- 6. the last-seat race (API) ------------------------------------------------------------------
  const before = await list();
  const taken = before.counts.hall.registered;
  await put({ opens_at: minuteFromNow(-3600_000), closes_at: minuteFromNow(3 * 86400_000), capacity: taken + SEATS, modes: ['hall'], waitlist: true }, 'race settings');
  const reg = (email, name) => api(base, 'POST', `/api/v1/events/${E}/registrations`, { name, email, mode: 'hall', consent: true, consent_version: 'e2e-1', language: 'en' });
  for (let i = 1; i < SEATS; i++) {
    const one = await reg(`seat${i}@example.org`, `Seat ${i}`);
    check(one.status === 201 && one.json.registration.status === 'registered', `seat ${i}: HTTP ${one.status} ${one.text}`);
  }
  const racers = Array.from({ length: RACERS }, (_, i) => `racer${i}@example.org`);
  const results = await Promise.all(racers.map((email, i) => reg(email, `Racer ${i}`)));
  for (const [i, res] of results.entries()) check(res.status === 201, `racer ${i}: HTTP ${res.status} ${res.text}`);
  const won = results.filter((res) => res.json.registration.status === 'registered');
  const waiting = results.filter((res) => res.json.registration.status === 'waitlisted');
  check(won.length === 1 && waiting.length === RACERS - 1, `the race for the last seat: ${won.length} registered, ${waiting.length} waitlisted`);
  const after = await list();
  check(after.counts.hall.registered === taken + SEATS, `after the race ${after.counts.hall.registered} registered in the hall, capacity ${taken + SEATS}`);
  for (const email of racers) {
    const rows = after.registrations.filter((x) => x.email === email);
    check(rows.length === 1, `${email} has ${rows.length} registrations (lost or doubled)`);
  }
  const ids = new Set(results.map((res) => res.json.registration.id));
  check(ids.size === RACERS, `the racers got ${ids.size} distinct ids`);
  const mails = await outbox();
  for (const email of [...racers, ...Array.from({ length: SEATS - 1 }, (_, i) => `seat${i + 1}@example.org`)]) {
    const mine = mails.filter((x) => x.to === email);
    const row = after.registrations.find((x) => x.email === email);
    const kind = row.status === 'registered' ? 'registration_confirmed' : 'registration_waitlisted';
    check(mine.length === 1 && mine[0].kind === kind, `${email} (${row.status}) has ${mine.length} messages in the outbox (${mine.map((x) => x.kind).join(', ')}), expected one ${kind}`);
  }
  log(`the last seat: 1 of ${RACERS} racers registered (${won[0].json.registration.id}), ${RACERS - 1} waitlisted; one mail each`);

  // --- 7. the console's Registration tab -------------------------------------------------------------
  const password = 'e2e-organizer-password-1';
  await accountAdd(bin, configPath, E, 'olga@example.org', 'Olga Organizer', password);
  const o = await newPage('O', 'sv-SE');
  await o.goto(`${base}/#sign-in`, { waitUntil: 'domcontentloaded' });
  await o.getByTestId('sign-in-email').fill('olga@example.org', { timeout: WAIT });
  await o.getByTestId('sign-in-password').fill(password);
  await o.getByTestId('sign-in-submit').click();
  await until('O: signed in (the hash leaves #sign-in)', async () => !o.url().includes('#sign-in'));
  await o.goto(`${base}/#console/${E}/registration`, { waitUntil: 'domcontentloaded' });
  const settingsForm = o.getByTestId('registration-settings');
  await expect('O: the registration settings', settingsForm.waitFor({ timeout: WAIT }));
  const current = await getJson(`${base}/api/v1/events/${E}/registration`);
  check((await o.getByTestId('reg-opens').inputValue()) === current.opens_at_local, `O: opens shows ${await o.getByTestId('reg-opens').inputValue()}, the event's local ${current.opens_at_local}`);
  check((await o.getByTestId('reg-closes').inputValue()) === current.closes_at_local, `O: closes shows ${await o.getByTestId('reg-closes').inputValue()}, the event's local ${current.closes_at_local}`);
  const counts = o.getByTestId('registration-counts');
  await expect('O: the counts', counts.waitFor({ timeout: WAIT }));
  const hallLine = (await counts.locator('[data-mode="hall"]').innerText()).trim();
  check(hallLine.includes(`${after.counts.hall.registered} anmälda`) && hallLine.includes(`${after.counts.hall.waitlisted} på reservlistan`), `O: the hall's counts say "${hallLine}"`);
  const rows = await o.locator('[data-testid="registrations-table"] tbody tr').count();
  check(rows === after.registrations.length, `O: the list has ${rows} rows, the server ${after.registrations.length}`);
  await checkA11y(o, 'O (sv): console, Registration tab', log);
  await o.screenshot({ path: join(ctx.tmp, 'reg-real-console-sv-1440x900.png'), fullPage: false });
  saveScreenshot(src, ctx.tmp, 'reg-real-console-sv-1440x900.png', log);
  const csvHref = await o.getByTestId('registrations-csv').getAttribute('href');
  const csv = await o.context().request.get(new URL(csvHref, base).toString());
  check(csv.status() === 200 && (csv.headers()['content-type'] ?? '').startsWith('text/csv'), `O: the CSV link answers HTTP ${csv.status()} ${csv.headers()['content-type']}`);
  const csvText = await csv.text();
  check(csvText.includes('id,status,mode,name,email') && csvText.includes('racer0@example.org'), `O: the CSV: ${csvText.slice(0, 200)}`);
  await o.getByTestId('reg-capacity').fill(String(taken + SEATS + 1));
  await o.getByTestId('reg-save').click();
  await expect('O: saved', settingsForm.locator('[role="status"].form-ok').filter({ hasText: /\S/ }).waitFor({ timeout: WAIT }));
  const saved = await getJson(`${base}/api/v1/events/${E}/registration`);
  check(saved.capacity === taken + SEATS + 1, `O: the capacity saved is ${saved.capacity}`);
  check(saved.opens_at === current.opens_at && saved.closes_at === current.closes_at, `O: saving moved the times: ${current.opens_at}–${current.closes_at} → ${saved.opens_at}–${saved.closes_at}`);
  log(`O: the console's Registration tab: times in ${ZONE}, counts, ${rows} rows, CSV; a save kept the times`);

  // --- 8. the other states, and the screenshots -----------------------------------------------------
  const state = async (p, s, what) => {
    await p.reload({ waitUntil: 'domcontentloaded' });
    await expect(`${what}: state ${s}`, p.locator(`[data-testid="registration"][data-state="${s}"]`).waitFor({ timeout: WAIT }));
    await checkA11y(p, what, log);
    await p.getByTestId('registration').screenshot({ path: join(ctx.tmp, `reg-real-state-${s}-sv.png`) });
    saveScreenshot(src, ctx.tmp, `reg-real-state-${s}-sv.png`, log);
  };
  await state(r, 'full_waitlist', 'R (sv): full, with a waiting list');
  await put({ waitlist: false }, 'no waiting list');
  await state(r, 'full', 'R (sv): full, no waiting list');
  check((await r.getByTestId('registration-open').count()) === 0, 'R: a full event without a waiting list offers the form');
  const opensAt = minuteFromNow(2 * 86400_000);
  await put({ opens_at: opensAt, closes_at: minuteFromNow(5 * 86400_000), capacity: 0, modes: ['hall', 'remote'], waitlist: true }, 'not open yet');
  await state(r, 'not_open', 'R (sv): not open yet');
  const opensText = (await r.getByTestId('registration-opens').innerText()).trim();
  check(opensText.includes(hhmm(opensAt, ZONE)), `R: "${opensText}" does not show the opening time ${hhmm(opensAt, ZONE)} in ${ZONE}`);

  await put({ opens_at: minuteFromNow(-3600_000), closes_at: minuteFromNow(7 * 86400_000), capacity: 120, remote_capacity: 0, modes: ['hall', 'remote'] }, 'open for the screenshots');
  // The consent text's version changes while a form is open: asked again, then accepted under the new one.
  const c = await newPage('C', 'sv-SE');
  await c.goto(`${base}/#event=${E}`, { waitUntil: 'domcontentloaded' });
  await expect('C: registration open', c.locator('[data-testid="registration"][data-state="open"]').waitFor({ timeout: WAIT }));
  await c.getByTestId('registration-open').click();
  await c.getByTestId('reg-name').fill('Cecilia Consent');
  await c.getByTestId('reg-email').fill('cecilia@example.org');
  await c.getByTestId('reg-consent').check();
  await put({ consent_version: 'e2e-2' }, 'a new consent version');
  expected.push(/^C: HTTP 422 for .*\/registrations$/, /^C: console error: .*status of 422/);
  await c.getByTestId('reg-submit').click();
  await expect('C: asked to consent again', c.getByTestId('reg-consent-error').filter({ hasText: UI.sv2.consentChanged }).waitFor({ timeout: WAIT }));
  check(!(await c.getByTestId('reg-consent').isChecked()), 'C: the consent box is still ticked after the text changed');
  await checkA11y(c, 'C (sv): the consent text changed', log);
  await c.getByTestId('reg-consent').check();
  await c.getByTestId('reg-submit').click();
  await expect('C: registered under the new version', c.locator('[data-testid="registration-done"][data-status="registered"]').waitFor({ timeout: WAIT }));
  const cecilia = (await list()).registrations.find((x) => x.email === 'cecilia@example.org');
  check(cecilia?.consent?.version === 'e2e-2', `C: the consent stored is ${JSON.stringify(cecilia?.consent)}`);
  log('C: a changed consent text was asked for again, then stored under its new version');

  for (const [lang, locale] of [['sv', 'sv-SE'], ['fi', 'fi-FI'], ['en', 'en-GB']]) {
    for (const [label, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
      const p = await newPage(`S-${lang}-${label}`, locale, viewport);
      await p.goto(`${base}/#event=${E}`, { waitUntil: 'domcontentloaded' });
      await expect(`${lang} ${label}: registration open`, p.locator('[data-testid="registration"][data-state="open"]').waitFor({ timeout: WAIT }));
      await p.getByTestId('registration-open').click();
      await p.getByTestId('reg-name').waitFor({ timeout: WAIT });
      if (label === 'desktop') await checkA11y(p, `${lang}: the registration form`, log);
      await p.getByTestId('registration').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      const name = `reg-real-${lang}-${viewport.width}x${viewport.height}.png`;
      await p.screenshot({ path: join(ctx.tmp, name) });
      saveScreenshot(src, ctx.tmp, name, log);
      await p.context().close();
    }
  }

  const unexpected = problems.filter((p) => !expected.some((re) => re.test(p)));
  check(unexpected.length === 0, `problems on the pages:\n  ${unexpected.join('\n  ')}`);
}

await main('registration_live', run, log);

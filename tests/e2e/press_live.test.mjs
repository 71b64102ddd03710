// Browser test of press accreditation against the REAL server (issue 18, first "Done when"): the
// server runs with a real SMTP server on 127.0.0.1 (tests/support/smtp_sink.py) as [mail], a
// produced test-input stage with visibility "press" in the press room, and a press officer
// account (`samling account add --role press_officer`).
//   1. J (sv-SE) fills the form on #accredit/E → "we have your request"; the received-mail
//      (accreditation_received) arrives at the sink.
//   2. O signs in as the press officer, opens #press-office/E and approves J's request, valid from
//      an hour ago until tomorrow (the demo event's own day is in 2027).
//   3. The approval e-mail's link (#press=G) opens the press page in a fresh context: the gated
//      stream plays (video.currentTime advances, as stage_playback.test.mjs checks).
//   4. J asks for an interview with a speaker; O creates the speaker's link with an e-mail; the
//      speaker opens the link from that e-mail and accepts; J's page shows "accepted" (refresh
//      within 15 s).
//   5. A second browser plays too; a third is refused (device_limit) with its message; the console
//      shows the two live devices and the refusal.
//   6. The officer revokes: the chat closes with 4012 ("revoked") and the player stops with its
//      message.
// axe-core on each page state. Run as `node tests/e2e/press_live.test.mjs` with SAMLING_BIN and
// SAMLING_SOURCE_DIR (web/ installed and built). Prints `1 passed, 0 failed` last; exits 0 or 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  addAccount,
  check,
  checkA11y,
  expect,
  getJson,
  launchBrowser,
  main,
  setUp,
  smtpConfig,
  startServer,
  startSmtpSink,
  TestFailure,
  waitForMail,
  watchPage,
} from './harness.mjs';
import { expectVideoAdvancing, testStage } from './media.mjs';

const WAIT = 15_000;
const MAIL_WAIT = 30_000;
const PLAY_WAIT = 40_000; // the stage's first segments, then the player
const OFFICER = { email: 'pia@example.org', name: 'Pia Press', password: 'press officer password 1' };
const JOURNALIST = { name: 'Eva Ek', outlet: 'Dagens Nyheter', email: 'eva@dn.example' };

function log(message) {
  console.log(`[press_live.test] ${message}`);
}

async function until(what, probe, ms = WAIT) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new TestFailure(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The first link in a mail's text whose fragment starts with `prefix` (e.g. "#press="). */
function linkIn(mail, prefix) {
  const m = mail.text.match(new RegExp(`https?://\\S+/${prefix.replace(/[#=]/g, (c) => `\\${c}`)}[A-Za-z0-9._~%-]+`));
  check(m, `no ${prefix} link in the e-mail:\n${mail.text}`);
  return m[0];
}

await main('press_live', async (ctx) => {
  // The sink writes into a directory of its own (setUp makes the server's temp dir afterwards,
  // with the sink's port in its [mail] section); removed when the process exits.
  const mailDir = mkdtempSync(join(tmpdir(), 'samling-press-mail-'));
  process.on('exit', () => rmSync(mailDir, { recursive: true, force: true }));
  ctx.sink = await startSmtpSink(resolve(process.env.SAMLING_SOURCE_DIR ?? ''), mailDir);
  const { bin, configPath, chromium } = setUp(ctx, [
    ...smtpConfig(ctx.sink),
    ...testStage({ id: 'press', room: 'press', name: '{ sv = "Pressträffen", en = "Press briefing", fi = "Mediatilaisuus" }' }),
    'visibility = "press"',
  ]);
  log(`mail to ${mailDir}`);
  const { events } = await (async () => {
    // On every event ("*"), as the other live tests make their staff (the demo event is seeded
    // only when the server starts).
    await addAccount(bin, configPath, { ...OFFICER, role: 'press_officer', event: '*' });
    ctx.server = startServer(bin, configPath);
    const base = await ctx.server.url;
    ctx.base = base;
    return getJson(`${base}/api/v1/events`);
  })();
  const base = ctx.base;
  const E = events[0].id;
  log(`server at ${base}, event ${E}`);
  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const open = async (locale) => {
    const context = await ctx.browser.newContext({ viewport: { width: 1440, height: 900 }, locale });
    const page = await context.newPage();
    watchPage(page, base, []); // HTTP 4xx are expected on refusals; page errors are collected below
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return { context, page };
  };

  // 1. The form.
  const J = await open('sv-SE');
  await J.page.goto(`${base}/#accredit/${E}`);
  await expect('the form', J.page.getByTestId('accredit-form').waitFor({ timeout: WAIT }));
  await J.page.getByTestId('acc-name').fill(JOURNALIST.name);
  await J.page.getByTestId('acc-outlet').fill(JOURNALIST.outlet);
  await J.page.getByTestId('acc-email').fill(JOURNALIST.email);
  await J.page.getByTestId('acc-phone').fill('+46 70 123 45 67');
  await J.page.getByTestId('acc-attendance-remote').check();
  const firstDay = J.page.getByTestId('acc-day').first();
  if (!(await firstDay.isChecked())) await firstDay.check();
  await J.page.getByTestId('acc-submit').click();
  await expect('the confirmation', J.page.getByTestId('accredit-done').waitFor({ timeout: WAIT }));
  await checkA11y(J.page, 'form done (real server)', log);
  await waitForMail(mailDir, (m) => (m.headers.to ?? '').includes(JOURNALIST.email) && m.text.includes('#accreditation='), MAIL_WAIT);
  log('the received-mail arrived');

  // 2. The press officer approves.
  const O = await open('sv-SE');
  await O.page.goto(`${base}/#sign-in`);
  await O.page.getByTestId('sign-in-email').fill(OFFICER.email, { timeout: WAIT });
  await O.page.getByTestId('sign-in-password').fill(OFFICER.password);
  await O.page.getByTestId('sign-in-submit').click();
  await expect('signed in', O.page.getByTestId('account-name').waitFor({ timeout: WAIT }));
  await O.page.goto(`${base}/#press-office/${E}`);
  const card = O.page.getByTestId('request-card').filter({ hasText: JOURNALIST.name });
  await card.waitFor({ timeout: WAIT }).catch(async (e) => {
    log(`me: ${await O.page.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.text())).catch(() => '?')}`);
    throw new TestFailure(`the request in the queue: ${e.message.split('\n')[0]}; the page says: ${(await O.page.locator('main').innerText().catch(() => '?')).slice(0, 600)}`);
  });
  await checkA11y(O.page, 'console queue (real server)', log);
  // The demo's day is in 2027: the default validity (the event's days) would not be valid now,
  // so the officer approves with other dates: from an hour ago until tomorrow (local time).
  await card.getByTestId('request-approve-options').click();
  const local = (ms) => O.page.evaluate((t) => {
    const d = new Date(t);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }, ms);
  await card.getByTestId('approve-from').fill(await local(Date.now() - 3_600_000));
  await card.getByTestId('approve-until').fill(await local(Date.now() + 86_400_000));
  await checkA11y(O.page, 'console approve with dates (real server)', log);
  await card.getByTestId('request-approve-confirm').click();
  await expect('the link to copy', O.page.getByTestId('approved-link').waitFor({ timeout: WAIT }));

  // 3. The approval mail's link opens the press page; the gated stream plays.
  const approved = await waitForMail(mailDir, (m) => (m.headers.to ?? '').includes(JOURNALIST.email) && m.text.includes('#press='), MAIL_WAIT);
  const pressLink = linkIn(approved, '#press=');
  log(`press link from the e-mail: ${pressLink.slice(0, 60)}…`);
  const P = await open('sv-SE');
  await P.page.goto(pressLink.replace(/^https?:\/\/[^/#]+/, base));
  await expect('the press page', P.page.getByTestId('press-page').waitFor({ timeout: WAIT }));
  await P.page.locator('[data-testid="stage-player"][data-stage-id="press"]').waitFor({ timeout: WAIT }).catch(async (e) => {
    const token = decodeURIComponent(pressLink.split('#press=')[1] ?? '');
    const me = await fetch(`${base}/api/v1/press/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text()).catch((x) => String(x));
    throw new TestFailure(`the press stage's player: ${e.message.split('\n')[0]}; /press/me: ${me.slice(0, 1500)}`);
  });
  await until('the player plays', async () => (await P.page.getByTestId('stage-player').getAttribute('data-player')) === 'playing', PLAY_WAIT);
  await expectVideoAdvancing(P.page, 'the gated press stream', { advance: 2, wait: 15_000 });
  await checkA11y(P.page, 'press page playing (real server)', log);

  // 4. An interview: J asks, O makes the speaker's link, the speaker accepts from the mail.
  const speaker = await P.page.getByTestId('interview-speaker').locator('option').nth(1).getAttribute('value');
  await P.page.getByTestId('interview-speaker').selectOption(speaker);
  await P.page.getByTestId('interview-wanted').fill('I lunchpausen');
  await P.page.getByTestId('interview-submit').click();
  await expect('the request listed', P.page.locator('[data-testid="interview"][data-state="requested"]').waitFor({ timeout: WAIT }));
  await O.page.getByTestId('office-tab-interviews').click();
  const iv = O.page.getByTestId('office-interview').first();
  await expect('the request in the console', iv.waitFor({ timeout: WAIT }));
  await iv.getByTestId('speaker-link-email').fill('speaker@example.org');
  await iv.getByTestId('speaker-link-make').click();
  await expect('the speaker link', iv.getByTestId('speaker-link-value').waitFor({ timeout: WAIT }));
  const speakerMail = await waitForMail(mailDir, (m) => (m.headers.to ?? '').includes('speaker@example.org') && m.text.includes('#interview='), MAIL_WAIT);
  const S = await open('en-GB');
  await S.page.goto(linkIn(speakerMail, '#interview=').replace(/^https?:\/\/[^/#]+/, base));
  await expect('the speaker page', S.page.getByTestId('speaker-page').waitFor({ timeout: WAIT }));
  check((await S.page.getByTestId('speaker-intro').textContent()).includes(JOURNALIST.name), 'the speaker sees who asks');
  await checkA11y(S.page, 'speaker page (real server)', log);
  await S.page.getByTestId('answer-accept').check();
  await S.page.getByTestId('answer-send').click();
  await expect('the speaker accepted', S.page.locator('[data-testid="speaker-result"][data-state="accepted"]').waitFor({ timeout: WAIT }));
  await expect('the journalist sees "accepted"', P.page.locator('[data-testid="interview"][data-state="accepted"]').waitFor({ timeout: 25_000 }));
  await checkA11y(P.page, 'press page, interview accepted (real server)', log);

  // 5. The device cap (2): a second browser plays, a third is refused with its message, and the
  //    console shows both live devices and the refusal.
  const P2 = await open('en-GB');
  await P2.page.goto(pressLink.replace(/^https?:\/\/[^/#]+/, base));
  await until('the second device plays', async () => (await P2.page.getByTestId('stage-player').getAttribute('data-player').catch(() => null)) === 'playing', PLAY_WAIT);
  const P3 = await open('fi-FI');
  await P3.page.goto(pressLink.replace(/^https?:\/\/[^/#]+/, base));
  await expect('the third device is refused', P3.page.locator('[data-testid="stage-refused"][data-code="device_limit"]').waitFor({ timeout: 30_000 }));
  await checkA11y(P3.page, 'press page, device_limit (real server)', log);
  await O.page.getByTestId('office-tab-grants').click();
  const grantCard = O.page.getByTestId('grant-card').filter({ hasText: JOURNALIST.name });
  await until('two live devices and a refusal in the console', async () => (await grantCard.getByTestId('grant-viewer').count()) >= 2 && (await grantCard.getByTestId('grant-refusal').count()) >= 1, 15_000);
  await checkA11y(O.page, 'console grants (real server)', log);

  // 6. Revoked while playing: the player stops with "revoked" and the chat closes (4012).
  await grantCard.getByTestId('grant-revoke').click();
  await grantCard.getByTestId('grant-revoke-reason').fill('Test');
  await grantCard.getByTestId('grant-revoke-confirm').click();
  const revokedAt = Date.now();
  await until('revoked in the console', async () => (await grantCard.getAttribute('data-state')) === 'revoked');
  await expect('the chat closed (4012)', P.page.locator('[data-testid="press-chat-ended"][data-code="grant_revoked"]').waitFor({ timeout: WAIT }));
  await until('the player says revoked', async () =>
    (await P.page.locator('[data-testid="stage-refused"][data-code="grant_revoked"]').count()) > 0 ||
    (await P.page.locator('[data-testid="press-refused"][data-code="grant_revoked"]').count()) > 0, 40_000);
  log(`revoked → the page says so after ${((Date.now() - revokedAt) / 1000).toFixed(1)} s`);
  check(problems.length === 0, `page errors:\n${problems.join('\n')}`);
}, log);

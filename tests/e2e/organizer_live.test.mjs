// Browser test of the organizer's side against the REAL server (issue 16, the first "Done when"):
//   1. an organizer account is made with `samling account add --password-stdin` on the test's
//      database before the server starts (as an operator does); the organizer signs in (sv-SE)
//      and lands in the console;
//   2. the organizer invites a moderator from the console's Staff tab; the invitation reaches a
//      real SMTP server (tests/support/smtp_sink.py on 127.0.0.1); the link from that e-mail,
//      opened in a second browser, lets the moderator set a password, signs them in and shows
//      the moderator's views (the broadcast tab, the chat connected by the session cookie);
//   3. an attendee (fi-FI, third browser) has the event page open, connected; the organizer
//      moves a session in the console's program editor; the attendee's page marks it moved with
//      the old time struck through, without a reload; the session's iCalendar link from the page
//      gives the new DTSTART and a higher SEQUENCE;
//   4. the console's other tabs (e-mail outbox, audit log, versions) show what happened; sign-out
//      everywhere ends the session;
//   5. screenshots of the console's Program tab and of the attendee program with now/next in sv,
//      fi and en at 1440×900 and 390×844 (build/e2e-screenshots/org-real-*.png).
// checkA11y on the sign-in page, the console's tabs and the invitation page. No sleeps: each
// wait is a Playwright wait or a poll with a deadline.
import { join } from 'node:path';
import {
  addAccount,
  check,
  checkA11y,
  expect,
  launchBrowser,
  main,
  saveScreenshot,
  setUp,
  smtpConfig,
  startServer,
  startSmtpSink,
  waitForMail,
  watchPage,
} from './harness.mjs';

const WAIT = 15_000;
const EVENT = 'stockholm-tillsammans-2027';
const ORGANIZER = { email: 'olivia.arrangor@example.org', name: 'Olivia Arrangör', password: 'correct horse battery staple' };
const MODERATOR = { email: 'moa.moderator@example.org', name: 'Moa Moderator', password: 'lingon hjortron blåbär' };
const MOVED = 'seminar-housing'; // 13:00–14:30 in the demo, moved to 16:15–17:00

function log(message) {
  console.log(`[organizer_live.test] ${message}`);
}

/** Drops the problems a step caused on purpose (a refusal's status and the browser's console line about it). */
function expected(problems, status, path) {
  for (let i = problems.length - 1; i >= 0; i--) {
    const p = problems[i];
    if (p.includes(`HTTP ${status} for`) ? p.includes(path) : p.includes(`status of ${status}`)) problems.splice(i, 1);
  }
}

/** The VEVENT fields of a calendar as { NAME: value } (property parameters kept in the name). */
function vevent(ics) {
  const unfolded = ics.replace(/\r\n[ \t]/g, '');
  const body = unfolded.split('BEGIN:VEVENT')[1]?.split('END:VEVENT')[0] ?? '';
  const out = {};
  for (const line of body.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

async function run(ctx) {
  const pre = setUp(ctx);
  ctx.sink = await startSmtpSink(pre.src, join(ctx.tmp, 'mail'));
  // setUp again in the same temp dir would make another: append the [auth] and [mail] lines instead.
  const { appendFileSync } = await import('node:fs');
  appendFileSync(pre.configPath, ['[auth]', 'dev_tokens = true', ...smtpConfig(ctx.sink), ''].join('\n'));
  const { src, bin, configPath, chromium } = pre;

  // --- 1. the first organizer, made on the server; sign-in ------------------------------------------------
  await addAccount(bin, configPath, { ...ORGANIZER, role: 'organizer', event: '*' });
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  log(`server at ${base}, SMTP sink on 127.0.0.1:${ctx.sink.port}`);
  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const shot = async (page, name) => {
    await page.screenshot({ path: join(ctx.tmp, name), fullPage: false });
    saveScreenshot(src, ctx.tmp, name, log);
  };

  const orgCtx = await ctx.browser.newContext({ locale: 'sv-SE', viewport: { width: 1440, height: 900 } });
  const org = await orgCtx.newPage();
  watchPage(org, base, problems, 'organizer');
  await org.goto(base);
  await org.getByTestId('staff-sign-in-link').click({ timeout: WAIT });
  await expect('the sign-in page', org.getByTestId('sign-in-page').waitFor({ timeout: WAIT }));
  await checkA11y(org, 'sign-in (sv, real server)', log);
  await org.getByTestId('sign-in-email').fill(ORGANIZER.email);
  await org.getByTestId('sign-in-password').fill('not the password at all');
  await org.getByTestId('sign-in-submit').click();
  await expect('the refusal', org.getByTestId('sign-in-error').filter({ hasText: 'E-postadressen eller lösenordet stämmer inte.' }).waitFor({ timeout: WAIT }));
  expected(problems, 401, '/auth/sign-in');
  await org.getByTestId('sign-in-password').fill(ORGANIZER.password);
  await org.getByTestId('sign-in-submit').click();
  await expect('the console after sign-in', org.getByTestId('console-events').waitFor({ timeout: WAIT }));
  check((await org.getByTestId('account-name').textContent()).includes(ORGANIZER.name), 'the header names the organizer');
  await checkA11y(org, 'console overview (sv, real server)', log);
  // The demo series (seeded from its CSV): the county columns as the server names them.
  await org.getByTestId('console-series-link').first().click();
  await expect('the series table', org.getByTestId('series-events').waitFor({ timeout: WAIT }));
  const malmo = org.locator('[data-testid="series-events"] tbody tr').filter({ hasText: 'Malmö' }).first();
  check((await malmo.locator('td').nth(2).textContent()) === 'Blekinge', `the co-hosting county: ${await malmo.textContent()}`);
  check((await org.locator('[data-testid="series-events"] tbody tr').count()) === 17, 'the seventeen conferences of 2016');
  await checkA11y(org, 'console series (sv, real server)', log);
  await org.goto(`${base}/#console`);
  await org.getByTestId('console-events').waitFor({ timeout: WAIT });
  await org.locator(`[data-testid="console-event"][data-event-id="${EVENT}"]`).click();
  await expect('the program tab', org.getByTestId('sessions-table').first().waitFor({ timeout: WAIT }));
  await checkA11y(org, 'console program (sv, real server)', log);

  // --- 2. invite a moderator; the e-mail arrives over SMTP; the moderator accepts -----------------------------
  await org.getByTestId('console-tab-staff').click();
  await expect('the staff table', org.getByTestId('staff-row').filter({ hasText: ORGANIZER.email }).waitFor({ timeout: WAIT }));
  await org.getByTestId('inv-email').fill(MODERATOR.email);
  await org.getByTestId('inv-name').fill(MODERATOR.name);
  await org.getByTestId('inv-role').selectOption('moderator');
  await org.getByTestId('inv-send').click();
  await expect('the invitation listed', org.getByTestId('invitation-row').filter({ hasText: MODERATOR.email }).waitFor({ timeout: WAIT }));
  await checkA11y(org, 'console staff (sv, real server)', log);
  const mail = await waitForMail(ctx.sink.dir, (m) => (m.headers.to ?? '').includes(MODERATOR.email), WAIT);
  const link = mail.text.match(/https?:\/\/\S+#invite=[A-Za-z0-9_-]+/)?.[0];
  check(link, `a link in the invitation e-mail's text part: ${mail.text}`);
  check(link.startsWith(`${base}/`), `the link points at this server: ${link}`);
  check(mail.text.includes(ORGANIZER.name), `the e-mail names who invites (decoded quoted-printable): ${mail.text}`);
  check(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Europe\/Stockholm\)/.test(mail.text),
        `the link's expiry is in the event's zone, named: ${mail.text}`);
  log(`invitation e-mail: "${mail.headers.subject}", link ${link.replace(/invite=.*/, 'invite=…')}`);

  const modCtx = await ctx.browser.newContext({ locale: 'sv-SE', viewport: { width: 1440, height: 900 } });
  const mod = await modCtx.newPage();
  watchPage(mod, base, problems, 'moderator');
  await mod.goto(link);
  await expect('the invitation page', mod.getByTestId('invite-page').waitFor({ timeout: WAIT }));
  check((await mod.getByTestId('invite-email').textContent()) === MODERATOR.email, 'the invited e-mail');
  check((await mod.getByTestId('invite-role').textContent()) === 'moderator', 'the role');
  await checkA11y(mod, 'invitation (sv, real server)', log);
  await mod.getByTestId('invite-password').fill(MODERATOR.password);
  await mod.getByTestId('invite-again').fill(MODERATOR.password);
  await mod.getByTestId('invite-accept').click();
  await expect('the moderator on the event page', mod.getByTestId('event').waitFor({ timeout: WAIT }));
  await expect('the chat connected by the session cookie', mod.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: WAIT }));
  await expect("the moderator's broadcast tab", mod.getByTestId('view-tab-stages').waitFor({ timeout: WAIT }));
  await expect("the moderator's member list", mod.getByTestId('member-list').first().waitFor({ timeout: WAIT }));
  check((await mod.getByTestId('account-name').textContent()).includes(MODERATOR.name), 'the header names the moderator');
  check((await mod.getByTestId('console-link').count()) === 0, 'no console for a moderator');
  await checkA11y(mod, 'moderator signed in (sv, real server)', log);
  // The organizer's staff list now has the moderator, the invitation accepted.
  await org.getByTestId('console-tab-program').click();
  await org.getByTestId('console-tab-staff').click();
  await expect('the moderator in the staff list', org.getByTestId('staff-row').filter({ hasText: MODERATOR.email }).waitFor({ timeout: WAIT }));
  await expect('the invitation accepted', org.getByTestId('invitation-row').filter({ hasText: 'Accepterad' }).waitFor({ timeout: WAIT }));
  // The organizer's own role is on every event: not removable here, and said so.
  const own = org.getByTestId('staff-row').filter({ hasText: ORGANIZER.email });
  check((await own.getByTestId('remove-role').count()) === 0, "no × for the organizer's role on every event");
  check((await org.getByTestId('staff-row').filter({ hasText: MODERATOR.email }).getByTestId('remove-role').count()) === 1, "the moderator's role has its ×");
  await shot(org, 'org-real-console-staff-sv.png');

  // --- 3. the organizer moves a session; the attendee's open page follows -------------------------------------
  const attCtx = await ctx.browser.newContext({ locale: 'fi-FI', viewport: { width: 1440, height: 900 } });
  const att = await attCtx.newPage();
  watchPage(att, base, problems, 'attendee');
  await att.goto(`${base}/#event=${EVENT}`);
  await att.getByTestId('chat-name').fill('Aino Osallistuja', { timeout: WAIT });
  await att.getByTestId('chat-role').selectOption('attendee', { timeout: WAIT });
  await att.getByTestId('chat-join').click();
  await expect('the attendee connected', att.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: WAIT }));
  await att.evaluate(() => {
    window.__samePage = true; // gone after a reload
  });
  const card = att.locator(`[data-testid="session-card"][data-session-id="${MOVED}"]`);
  check((await card.getAttribute('data-change')) === null, 'no mark before the move');
  const icsHref = await card.getByTestId('session-calendar').getAttribute('href');
  check(icsHref, "the session's calendar link");
  const icsBefore = vevent(await (await fetch(new URL(icsHref, base))).text());
  check(icsBefore['DTSTART;TZID=Europe/Stockholm'] === '20270209T130000', `DTSTART before: ${JSON.stringify(icsBefore)}`);
  const sequenceBefore = Number(icsBefore.SEQUENCE);

  await org.getByTestId('console-tab-program').click();
  await org.locator(`[data-testid="session-row"][data-session-id="${MOVED}"] [data-testid="edit-session"]`).click();
  await org.getByTestId('sf-start').fill('16:15');
  await org.getByTestId('sf-end').fill('17:00');
  await checkA11y(org, 'console session form (sv, real server)', log);
  await org.getByTestId('sf-save').click();
  await expect('saved', org.getByTestId('program-status').filter({ hasText: 'Sparat och publicerat.' }).waitFor({ timeout: WAIT }));
  await expect('moved on the attendee page', card.and(att.locator('[data-change="moved"]')).waitFor({ timeout: WAIT }));
  const was = (await card.getByTestId('session-was').textContent()) ?? '';
  check(/13[.:]00/.test(was) && /14[.:]30/.test(was), `the old time struck through: "${was}"`);
  check((await card.getByTestId('session-was').evaluate((e) => e.tagName)) === 'DEL', 'the old time is a <del>');
  check((await card.getByTestId('session-change').textContent()).trim() === 'Siirretty', 'the Finnish mark "Siirretty"');
  check(await att.evaluate(() => window.__samePage === true), 'no reload');
  const icsAfter = vevent(await (await fetch(new URL(icsHref, base))).text());
  check(icsAfter['DTSTART;TZID=Europe/Stockholm'] === '20270209T161500', `DTSTART after: ${icsAfter['DTSTART;TZID=Europe/Stockholm']}`);
  check(icsAfter['DTEND;TZID=Europe/Stockholm'] === '20270209T170000', `DTEND after: ${icsAfter['DTEND;TZID=Europe/Stockholm']}`);
  // Checked at the end, so that one run shows everything else too.
  if (!(Number(icsAfter.SEQUENCE) > sequenceBefore)) problems.push(`the .ics SEQUENCE did not rise with the move: ${sequenceBefore} -> ${icsAfter.SEQUENCE}`);
  check(icsAfter.UID === icsBefore.UID, 'the same UID');
  await checkA11y(att, 'program with a moved session (fi, real server)', log);
  await card.scrollIntoViewIfNeeded();
  await shot(att, 'org-real-program-moved-fi.png');
  // The console lists the new version, by the organizer, with the move.
  await expect('version 2 in the console', org.locator('[data-testid="version"][data-version="2"]').filter({ hasText: ORGANIZER.name }).waitFor({ timeout: WAIT }));
  check((await org.getByTestId('program-version').textContent()).includes('2'), 'the published version shown');

  // --- 4. the other tabs; sign-out everywhere ---------------------------------------------------------------
  await org.getByTestId('console-tab-email').click();
  const row = org.getByTestId('outbox-row').filter({ hasText: MODERATOR.email });
  await expect('the invitation in the outbox', row.waitFor({ timeout: WAIT }));
  // The SMTP sink has it, so the worker marked it sent; the tab shows it (or after a refresh,
  // when the tab loaded between the delivery and the state's update).
  const sent = row.locator('.mail-state--sent');
  if ((await sent.count()) === 0) await org.getByTestId('outbox-refresh').click();
  await expect('sent (the state from the worker)', sent.waitFor({ timeout: WAIT }));
  check(/\d/.test(await row.locator('td.nowrap').textContent()), 'the outbox shows when it was made');
  await row.getByTestId('outbox-open').click();
  check((await org.getByTestId('outbox-text').textContent()).includes('#invite='), 'the console shows the message text');
  await checkA11y(org, 'console e-mail (sv, real server)', log);
  await shot(org, 'org-real-console-email-sv.png');
  await org.getByTestId('console-tab-audit').click();
  await expect('the audit log', org.getByTestId('audit-row').filter({ hasText: 'staff.invitation_accepted' }).waitFor({ timeout: WAIT }));
  await checkA11y(org, 'console audit (sv, real server)', log);
  await shot(org, 'org-real-console-audit-sv.png');
  await org.getByTestId('console-tab-import').click();
  await expect('the export links', org.getByTestId('exports').waitFor({ timeout: WAIT }));
  // A CSV with problems is refused whole, each problem with its line (a dry run: nothing stored anyway).
  const broken = 'day;starts_at;ends_at;room;kind;title_sv\n2027-02-09;09:00;09:30;main;plenary;Öppning\n2027-02-10;10:00;11:00;main;plenary;Fel dag\n2027-02-09;12:00;13:00;nowhere;seminar;Ingenstans\n';
  await org.getByTestId('program-import-file').setInputFiles({ name: 'program.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
  await org.getByTestId('program-import-dry-run').check();
  await org.getByTestId('program-import-submit').click();
  await expect('the problems table', org.getByTestId('program-import-problems').waitFor({ timeout: WAIT }));
  expected(problems, 422, '/program/import');
  const rows = await org.getByTestId('import-problem').allTextContents();
  check(rows.some((r) => r.startsWith('3') && r.includes('day')), `line 3's day: ${JSON.stringify(rows)}`);
  check(rows.some((r) => r.startsWith('4') && r.includes('room')), `line 4's room: ${JSON.stringify(rows)}`);
  await checkA11y(org, 'console import problems (sv, real server)', log);

  // Sign-out everywhere: this browser and the API say signed out.
  const other = await ctx.browser.newContext();
  const signIn2 = await other.request.post(`${base}/api/v1/auth/sign-in`, { data: { email: ORGANIZER.email, password: ORGANIZER.password } });
  check(signIn2.ok(), `a second session: HTTP ${signIn2.status()}`);
  await org.getByTestId('sign-out-everywhere').click();
  await expect('signed out', org.getByTestId('staff-sign-in-link').waitFor({ timeout: WAIT }));
  const me = await other.request.get(`${base}/api/v1/auth/me`);
  check(me.status() === 401, `the other session ended too: HTTP ${me.status()}`);
  await other.close();

  // --- 5. screenshots: the console's Program tab and the attendee program with now/next ------------------------
  for (const [lang, locale] of [['sv', 'sv-SE'], ['fi', 'fi-FI'], ['en', 'en-GB']]) {
    for (const [size, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
      const c = await ctx.browser.newContext({ locale, viewport });
      const p = await c.newPage();
      watchPage(p, base, problems, `${lang}-${size}`);
      const r = await p.request.post(`${base}/api/v1/auth/sign-in`, { data: { email: ORGANIZER.email, password: ORGANIZER.password } });
      check(r.ok(), `sign-in for the screenshots: HTTP ${r.status()}`);
      await p.goto(`${base}/#console/${EVENT}`);
      await expect(`console ${lang} ${size}`, p.getByTestId('sessions-table').first().waitFor({ timeout: WAIT }));
      await expect(`versions ${lang} ${size}`, p.getByTestId('versions').waitFor({ timeout: WAIT }));
      await checkA11y(p, `console program (${lang}, ${size}, real server)`, log);
      await shot(p, `org-real-console-${lang}-${size}.png`);
      // Another browser's view: the attendee's (no cookie, no "signed in here" flag).
      await c.clearCookies();
      await p.evaluate(() => localStorage.removeItem('samling.staff'));
      await p.goto(`${base}/#event=${EVENT}`);
      await p.reload();
      await expect(`now/next ${lang} ${size}`, p.getByTestId('now-next').waitFor({ timeout: WAIT }));
      await p.getByTestId('now-next').scrollIntoViewIfNeeded();
      await checkA11y(p, `program with now/next (${lang}, ${size}, real server)`, log);
      await shot(p, `org-real-program-now-next-${lang}-${size}.png`);
      await c.close();
    }
  }

  check(problems.length === 0, `page problems:\n  ${problems.join('\n  ')}`);
}

main('organizer_live', run, log);

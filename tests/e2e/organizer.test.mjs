// Browser test of the organizer's side (issue 16, docs/web.md "Organizer side") against the
// MOCK server's in-memory version of the contract (tests/e2e/mock-org.mjs); the real-server
// tests of the same pages come with the server's slices. It runs:
//   1. staff sign-in (sv-SE): a wrong password shows the server's refusal in Swedish; the right
//      one lands in the console; the header shows the account.
//   2. the console's program: an attendee (fi-FI) has the event page open and signed into the
//      chat; the organizer moves a seminar and cancels a press interview in the console; the
//      attendee's page marks them "Siirretty" (with the old time struck through) and "Peruttu"
//      without a reload, and a change made behind the page's back (a mock `program` event)
//      shows as well; the console's version list grows; now/next per room updates from a pushed
//      `now_next` event.
//   3. staff: the organizer invites a moderator; the link from the (mock) outbox opens the
//      invitation page; a short password is refused with the rule; a good one signs the
//      moderator in on the event page with the moderator's views (the broadcast tab, the chat
//      as moderator, by the session cookie, no token).
//   4. registration: open (field errors, then registered, then the same e-mail again: nothing
//      changed), full (waiting list), closed, not yet open (when, in the event's zone), and the
//      manage link from the confirmation e-mail (cancel, delete).
//   5. screenshots of the console, the program with now/next and the registration form in sv,
//      fi and en at 1440×900 and 390×844 (build/e2e-screenshots/org-*.png).
// Every page state passes checkA11y (axe-core WCAG 2.x A/AA + field borders); focus rings are
// checked on the sign-in page and the console. No sleeps: every wait is a Playwright wait.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, checkA11y, checkFocusRings, expect, launchBrowser, main, saveScreenshot, setUp, startServer, watchPage } from './harness.mjs';

const WAIT = 15_000;
const EVENT = 'stockholm-tillsammans-2027';
const ORGANIZER = { email: 'arrangor@example.org', password: 'correct horse battery staple' };

function log(message) {
  console.log(`[organizer.test] ${message}`);
}

async function post(base, path, body) {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  check(response.ok, `POST ${path}: HTTP ${response.status}`);
  return response.json();
}

async function outbox(base) {
  const response = await fetch(`${base}/__mock/outbox`);
  check(response.ok, `GET /__mock/outbox: HTTP ${response.status}`);
  return (await response.json()).messages;
}

/** Signs the page's context in through the API (the cookie lands in the context). */
async function apiSignIn(page, base) {
  const r = await page.request.post(`${base}/api/v1/auth/sign-in`, { data: ORGANIZER });
  check(r.ok(), `sign-in through the API: HTTP ${r.status()}`);
}

async function chatSignIn(page, name, role) {
  await page.getByTestId('chat-name').fill(name, { timeout: WAIT });
  await page.getByTestId('chat-role').selectOption(role, { timeout: WAIT });
  await page.getByTestId('chat-join').click();
  await expect(`${name}: connected`, page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: WAIT }));
}

/** Drops the problems a step caused on purpose (a refusal's status and the browser's console line about it). */
function expected(problems, status, path) {
  for (let i = problems.length - 1; i >= 0; i--) {
    const p = problems[i];
    if (p.includes(`HTTP ${status} for`) ? p.includes(path) : p.includes(`status of ${status}`)) problems.splice(i, 1);
  }
}

async function run(ctx) {
  process.env.SAMLING_BIN = fileURLToPath(new URL('./mock-server.mjs', import.meta.url));
  const { src, bin, configPath, chromium } = setUp(ctx, ['[auth]', 'dev_tokens = true', '[mock]', 'now = "2027-02-09T13:20"']);
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  log(`mock server at ${base}`);
  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const shot = async (page, name) => {
    await page.screenshot({ path: join(ctx.tmp, name), fullPage: false });
    saveScreenshot(src, ctx.tmp, name, log);
  };

  // --- 1. sign-in -----------------------------------------------------------------------------------
  const orgCtx = await ctx.browser.newContext({ locale: 'sv-SE', viewport: { width: 1440, height: 900 } });
  const org = await orgCtx.newPage();
  watchPage(org, base, problems, 'organizer');
  await org.goto(base);
  await org.getByTestId('staff-sign-in-link').click({ timeout: WAIT });
  await expect('the sign-in page', org.getByTestId('sign-in-page').waitFor({ timeout: WAIT }));
  await checkA11y(org, 'sign-in (sv)', log);
  await checkFocusRings(org, 'sign-in (sv)', log, 8);
  // Ten failures lock an address: the page says how long to wait.
  for (let i = 0; i < 10; i++) {
    const r = await fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'someone@example.org', password: `guess ${i}` }) });
    check(r.status === 401, `failure ${i + 1}: HTTP ${r.status}`);
  }
  await org.getByTestId('sign-in-email').fill('someone@example.org');
  await org.getByTestId('sign-in-password').fill('guess 11');
  await org.getByTestId('sign-in-submit').click();
  await expect('the lock-out', org.getByTestId('sign-in-error').filter({ hasText: 'Försök igen om 15 minuter.' }).waitFor({ timeout: WAIT }));
  expected(problems, 429, '/auth/sign-in');
  await org.getByTestId('sign-in-email').fill(ORGANIZER.email);
  await org.getByTestId('sign-in-password').fill('wrong password here');
  await org.getByTestId('sign-in-submit').click();
  await expect('the refusal', org.getByTestId('sign-in-error').filter({ hasText: 'E-postadressen eller lösenordet stämmer inte.' }).waitFor({ timeout: WAIT }));
  expected(problems, 401, '/auth/sign-in');
  await checkA11y(org, 'sign-in refused (sv)', log);
  await org.getByTestId('sign-in-password').fill(ORGANIZER.password);
  await org.getByTestId('sign-in-submit').click();
  await expect('the console after sign-in', org.getByTestId('console-events').waitFor({ timeout: WAIT }));
  check(org.url().endsWith('#console'), `the console's address: ${org.url()}`);
  check((await org.getByTestId('account-name').textContent()).includes('Olivia Arrangör'), 'the header names the account');
  await checkA11y(org, 'console overview (sv)', log);
  // A series: its events table and a CSV import refused by line.
  await org.getByTestId('console-series-link').first().click();
  await expect('the series table', org.getByTestId('series-events').waitFor({ timeout: WAIT }));
  check((await org.locator('[data-testid="series-events"] tbody tr').count()) === 4, 'four events in the series');
  await org.getByTestId('series-import-file').setInputFiles({ name: 'series.csv', mimeType: 'text/csv', buffer: Buffer.from('date;responsible_county;co_hosting_county;city\n2027-13-01;Skåne län;Blekinge län;Lund\n') });
  await org.getByTestId('series-import-submit').click();
  await expect('the series problems', org.getByTestId('import-problem').filter({ hasText: '2027-13-01' }).waitFor({ timeout: WAIT }));
  expected(problems, 422, '/import');
  await checkA11y(org, 'console series (sv)', log);
  // A new event, then its first session.
  await org.goto(`${base}/#console`);
  await org.getByTestId('new-event').click();
  await org.getByTestId('new-event-id').fill('testdag-2027');
  await org.getByTestId('new-event-sv').fill('Testdagen');
  await org.getByTestId('new-event-first').fill('2027-05-04');
  await org.getByTestId('new-event-last').fill('2027-05-05');
  await checkA11y(org, 'console new event form (sv)', log);
  await org.locator('[data-testid="new-event-form"] button[type="submit"]').click();
  await expect('the new event console', org.locator('[data-testid="console"][data-event-id="testdag-2027"]').waitFor({ timeout: WAIT }));
  await org.getByTestId('new-session').click();
  await org.getByTestId('sf-day').selectOption('2027-05-05');
  await org.getByTestId('sf-start').fill('10:00');
  await org.getByTestId('sf-end').fill('11:00');
  await org.getByTestId('sf-title-sv').fill('Första punkten');
  await org.getByTestId('sf-save').click();
  await expect('the new session', org.locator('[data-testid="sessions-table"][data-day="2027-05-05"] [data-testid="session-row"]').filter({ hasText: 'Första punkten' }).waitFor({ timeout: WAIT }));
  await org.goto(`${base}/#console`);
  await org.getByTestId('console-events').waitFor({ timeout: WAIT });
  await org.locator(`[data-testid="console-event"][data-event-id="${EVENT}"]`).click();
  await expect('the program tab', org.getByTestId('sessions-table').first().waitFor({ timeout: WAIT }));
  await checkA11y(org, 'console program (sv)', log);
  await checkFocusRings(org, 'console program (sv)', log, 14);

  // --- 2. live program ----------------------------------------------------------------------------------
  const attCtx = await ctx.browser.newContext({ locale: 'fi-FI', viewport: { width: 1440, height: 900 } });
  const att = await attCtx.newPage();
  watchPage(att, base, problems, 'attendee');
  await att.goto(`${base}/#event=${EVENT}`);
  await chatSignIn(att, 'Aino Osallistuja', 'attendee');
  await att.evaluate(() => {
    window.__samePage = true; // gone after a reload
  });
  const card = (id) => att.locator(`[data-testid="session-card"][data-session-id="${id}"]`);
  check((await card('seminar-housing').getAttribute('data-change')) === null, 'no mark before the change');

  // Move the housing seminar to 16:15–17:00.
  await org.locator('[data-testid="session-row"][data-session-id="seminar-housing"] [data-testid="edit-session"]').click();
  await org.getByTestId('sf-start').fill('16:15');
  await org.getByTestId('sf-end').fill('17:00');
  await checkA11y(org, 'console session form (sv)', log);
  await org.getByTestId('sf-save').click();
  await expect('saved', org.getByTestId('program-status').filter({ hasText: 'Sparat och publicerat.' }).waitFor({ timeout: WAIT }));
  await expect('moved on the attendee page', card('seminar-housing').and(att.locator('[data-change="moved"]')).waitFor({ timeout: WAIT }));
  const was = (await card('seminar-housing').getByTestId('session-was').textContent()) ?? '';
  check(/13[.:]00/.test(was) && /14[.:]30/.test(was), `the old time struck through: "${was}"`);
  check((await card('seminar-housing').getByTestId('session-change').textContent()).trim() === 'Siirretty', 'the Finnish mark "Siirretty"');
  check(await att.evaluate(() => window.__samePage === true), 'no reload');

  // Cancel the press interviews.
  await org.locator('[data-testid="session-row"][data-session-id="press-interviews"] [data-testid="cancel-session"]').click();
  await expect('cancelled on the attendee page', card('press-interviews').and(att.locator('[data-change="cancelled"]')).waitFor({ timeout: WAIT }));
  check((await card('press-interviews').getByTestId('session-change').textContent()).trim() === 'Peruttu', 'the Finnish mark "Peruttu"');
  // A change behind the page's back (another organizer): the pushed event alone brings it.
  await post(base, '/__mock/program/closing', { title: { sv: 'Avslutning och nästa steg', en: 'Closing and next steps', fi: 'Päätös ja seuraavat askeleet' } });
  await expect('renamed on the attendee page', card('closing').and(att.locator('[data-change="renamed"]')).waitFor({ timeout: WAIT }));
  check(await att.evaluate(() => window.__samePage === true), 'still no reload');
  await expect('versions in the console', org.locator('[data-testid="version"]').nth(2).waitFor({ timeout: WAIT }));
  const versions = await org.locator('[data-testid="version"]').count();
  check(versions >= 3, `versions listed: ${versions}`);

  // now/next from GET now (the mock's clock: 13:20), then a pushed now_next.
  await expect('now/next', att.getByTestId('now-next').waitFor({ timeout: WAIT }));
  const seminarNow = att.locator('[data-testid="now-next-room"][data-room-id="seminar-health"] [data-testid="now-next-now"]');
  check((await seminarNow.textContent()).includes('Terveys') || (await seminarNow.textContent()).length > 5, 'a seminar is on now');
  await post(base, '/__mock/now', { rooms: [{ room: 'main', now: null, next: { id: 'closing-panel', room_id: 'main', day: '2027-02-09', starts_at: '14:50', ends_at: '15:45', kind: 'plenary', title: { sv: 'Slutpanel', en: 'Closing panel', fi: 'Loppupaneeli' } } }] });
  await expect('the pushed now/next', att.locator('[data-testid="now-next-room"]').filter({ hasText: 'Loppupaneeli' }).waitFor({ timeout: WAIT }));
  check((await att.locator('[data-testid="now-next-room"]').count()) === 1, 'the pushed now/next replaced the rooms');
  await checkA11y(att, 'program with marks and now/next (fi)', log);
  await card('seminar-housing').scrollIntoViewIfNeeded();
  await shot(att, 'org-program-marks-fi.png');

  // Import: a broken CSV is refused whole, with its problems by line; a good one passes the check.
  await org.getByTestId('console-tab-import').click();
  const broken = 'day;starts_at;ends_at;room;kind;title_sv\n2027-02-09;09:00;09:30;main;plenary;Öppning\n2027-02-10;10:00;11:00;main;plenary;Fel dag\n2027-02-09;12:00;11:00;nowhere;seminar;"Två\nrader"\n';
  await org.getByTestId('program-import-file').setInputFiles({ name: 'program.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${broken}`) });
  await org.getByTestId('program-import-submit').click();
  await expect('the problems table', org.getByTestId('program-import-problems').waitFor({ timeout: WAIT }));
  expected(problems, 422, '/program/import');
  const rows = await org.getByTestId('import-problem').allTextContents();
  check(rows.some((r) => r.startsWith('3') && r.includes('day')), `line 3's day: ${JSON.stringify(rows)}`);
  check(rows.some((r) => r.startsWith('4') && r.includes('room')), `line 4's room: ${JSON.stringify(rows)}`);
  await checkA11y(org, 'console import problems (sv)', log);
  const good = 'day,starts_at,ends_at,room,kind,title_sv\n2027-02-09,09:00,09:30,main,plenary,Öppning\n';
  await org.getByTestId('program-import-file').setInputFiles({ name: 'program.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await org.getByTestId('program-import-dry-run').check();
  await org.getByTestId('program-import-submit').click();
  await expect('the check passed', org.getByTestId('program-import-result').filter({ hasText: 'Filen är i ordning' }).waitFor({ timeout: WAIT }));
  check((await card('seminar-work').count()) === 1, 'a dry run changed nothing on the attendee page');

  // Registration settings from the console.
  await org.getByTestId('console-tab-registration').click();
  await org.getByTestId('reg-capacity').fill('250');
  await org.getByTestId('reg-save').click();
  await expect('settings saved', org.locator('[data-testid="registration-settings"] [role="status"]').filter({ hasText: 'Sparat.' }).waitFor({ timeout: WAIT }));
  check((await (await fetch(`${base}/api/v1/events/${EVENT}/registration`)).json()).capacity === 250, 'the capacity reached the server');

  // --- 3. staff: invite a moderator ----------------------------------------------------------------------
  await org.getByTestId('console-tab-staff').click();
  await org.getByTestId('inv-email').fill('moa.moderator@example.org');
  await org.getByTestId('inv-name').fill('Moa Moderator');
  await org.getByTestId('inv-role').selectOption('moderator');
  await org.getByTestId('inv-send').click();
  await expect('the invitation listed', org.getByTestId('invitation-row').filter({ hasText: 'moa.moderator@example.org' }).waitFor({ timeout: WAIT }));
  await checkA11y(org, 'console staff (sv)', log);
  const invitation = (await outbox(base)).find((m) => m.msg.kind === 'invitation' && m.msg.to === 'moa.moderator@example.org');
  check(invitation, 'the invitation is in the outbox');
  const link = invitation.msg.text.match(/https?:\/\/\S+#invite=\S+/)?.[0];
  check(link, `a link in the invitation: ${invitation.msg.text}`);
  await org.getByTestId('console-tab-email').click();
  await org.getByTestId('outbox-row').first().waitFor({ timeout: WAIT });
  await org.getByTestId('outbox-open').first().click();
  check((await org.getByTestId('outbox-text').textContent()).includes('#invite='), 'the console shows the message text');
  await checkA11y(org, 'console e-mail (sv)', log);
  await org.getByTestId('console-tab-audit').click();
  await expect('the audit log', org.getByTestId('audit-row').filter({ hasText: 'staff.invited' }).waitFor({ timeout: WAIT }));
  await checkA11y(org, 'console audit (sv)', log);

  const modCtx = await ctx.browser.newContext({ locale: 'sv-SE', viewport: { width: 1440, height: 900 } });
  const mod = await modCtx.newPage();
  watchPage(mod, base, problems, 'moderator');
  await mod.goto(link);
  await expect('the invitation page', mod.getByTestId('invite-page').waitFor({ timeout: WAIT }));
  check((await mod.getByTestId('invite-email').textContent()) === 'moa.moderator@example.org', 'the invited e-mail');
  check((await mod.getByTestId('invite-role').textContent()) === 'moderator', 'the role');
  await checkA11y(mod, 'invitation (sv)', log);
  await mod.getByTestId('invite-password').fill('too short');
  await mod.getByTestId('invite-again').fill('too short');
  await mod.getByTestId('invite-accept').click();
  await expect('the password rule', mod.getByTestId('invite-rule').filter({ hasText: 'minst 12 tecken' }).waitFor({ timeout: WAIT }));
  await mod.getByTestId('invite-password').fill('lingon hjortron blåbär');
  await mod.getByTestId('invite-again').fill('lingon hjortron blåbär');
  await mod.getByTestId('invite-accept').click();
  await expect('the moderator on the event page', mod.getByTestId('event').waitFor({ timeout: WAIT }));
  await expect('the chat connected by the session', mod.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: WAIT }));
  await expect("the moderator's broadcast tab", mod.getByTestId('view-tab-stages').waitFor({ timeout: WAIT }));
  check((await mod.getByTestId('account-name').textContent()).includes('Moa Moderator'), 'the header names the moderator');
  check((await mod.getByTestId('console-link').count()) === 0, 'no console for a moderator');
  await checkA11y(mod, 'moderator signed in (sv)', log);

  // --- 4. registration -------------------------------------------------------------------------------------
  const reg = await (await ctx.browser.newContext({ locale: 'sv-SE', viewport: { width: 1440, height: 900 } })).newPage();
  watchPage(reg, base, problems, 'registrant');
  await reg.goto(`${base}/#event=${EVENT}`);
  const panel = reg.getByTestId('registration');
  await expect('registration open', panel.and(reg.locator('[data-state="open"]')).waitFor({ timeout: WAIT }));
  await reg.getByTestId('registration-open').click();
  await reg.getByTestId('reg-submit').click();
  await expect('field errors', reg.getByTestId('reg-email-error').waitFor({ timeout: WAIT }));
  check((await reg.getByTestId('reg-consent-error').count()) === 1, 'consent is required');
  await checkA11y(reg, 'registration form with errors (sv)', log);
  await reg.getByTestId('reg-name').fill('Rut Registrerad');
  await reg.getByTestId('reg-email').fill('rut@example.org');
  await reg.getByTestId('reg-organization').fill('Region Stockholm');
  await reg.getByTestId('reg-mode-hall').check();
  await reg.getByTestId('reg-consent').check();
  await reg.getByTestId('reg-submit').click();
  await expect('registered', reg.locator('[data-testid="registration-done"][data-status="registered"]').waitFor({ timeout: WAIT }));
  await checkA11y(reg, 'registration confirmed (sv)', log);
  // The same e-mail again: 200, nothing changed.
  await reg.reload();
  await reg.getByTestId('registration-open').click();
  await reg.getByTestId('reg-name').fill('Rut Registrerad');
  await reg.getByTestId('reg-email').fill('RUT@example.org');
  await reg.getByTestId('reg-consent').check();
  await reg.getByTestId('reg-submit').click();
  await expect('idempotent', reg.getByTestId('registration-existing').waitFor({ timeout: WAIT }));
  const confirmation = (await outbox(base)).filter((m) => m.msg.kind === 'registration_confirmed' && m.msg.to === 'rut@example.org');
  check(confirmation.length === 1, `one confirmation for one registration: ${confirmation.length}`);
  const manage = confirmation[0].msg.text.match(/https?:\/\/\S+registration=\S+/)?.[0];
  check(manage && /#event=.+&join=/.test(confirmation[0].msg.text), 'the confirmation has a join link and a manage link');

  // Full: one seat (hall only, as on the real server a hybrid event's remote places are
  // unlimited by default), already taken -> the waiting list.
  await post(base, '/__mock/registration', { capacity: 1, modes: ['hall'] });
  await reg.reload();
  await expect('full', panel.and(reg.locator('[data-state="full_waitlist"]')).waitFor({ timeout: WAIT }));
  await reg.getByTestId('registration-open').click();
  await reg.getByTestId('reg-name').fill('Ville Väntelista');
  await reg.getByTestId('reg-email').fill('ville@example.org');
  await reg.getByTestId('reg-consent').check();
  await reg.getByTestId('reg-submit').click();
  await expect('waitlisted', reg.locator('[data-testid="registration-done"][data-status="waitlisted"]').waitFor({ timeout: WAIT }));

  // Closed.
  await post(base, '/__mock/registration', { closes_at: new Date(Date.now() - 60_000).toISOString() });
  await reg.reload();
  await expect('closed', panel.and(reg.locator('[data-state="closed"]')).waitFor({ timeout: WAIT }));
  check((await reg.getByTestId('registration-open').count()) === 0, 'no form when closed');
  await checkA11y(reg, 'registration closed (sv)', log);
  // Not yet open: when, in the event's zone (Stockholm, CET in February... the mock's date is now + 2 days).
  const opens = new Date(Date.now() + 2 * 86400_000);
  await post(base, '/__mock/registration', { opens_at: opens.toISOString(), closes_at: new Date(Date.now() + 9 * 86400_000).toISOString(), capacity: 100 });
  await reg.reload();
  await expect('not yet open', panel.and(reg.locator('[data-state="not_open"]')).waitFor({ timeout: WAIT }));
  const opensText = await reg.getByTestId('registration-opens').textContent();
  const expectedTime = new Intl.DateTimeFormat('sv-SE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Stockholm' }).format(opens);
  check(opensText.includes(expectedTime), `opens "${opensText}" shows the Stockholm time ${expectedTime}`);
  await checkA11y(reg, 'registration not yet open (sv)', log);

  // The manage link: see, cancel (the waiting list's first gets the seat), delete.
  await reg.goto(manage);
  await expect('the manage page', reg.getByTestId('manage-data').waitFor({ timeout: WAIT }));
  check((await reg.getByTestId('manage-data').textContent()).includes('rut@example.org'), 'the data shown');
  await checkA11y(reg, 'manage registration (sv)', log);
  reg.on('dialog', (d) => d.accept());
  await reg.getByTestId('manage-cancel').click();
  await expect('cancelled', reg.getByTestId('manage-status-value').filter({ hasText: 'Avanmäld' }).waitFor({ timeout: WAIT }));
  check((await outbox(base)).some((m) => m.msg.kind === 'registration_promoted' && m.msg.to === 'ville@example.org'), 'the waiting list moved up');
  await reg.getByTestId('manage-delete').click();
  await expect('deleted', reg.getByTestId('manage-status').filter({ hasText: 'Dina uppgifter är raderade.' }).waitFor({ timeout: WAIT }));

  // --- 5. screenshots: console, program with now/next, registration form; sv, fi, en; desktop and phone ---
  await post(base, '/__mock/now', { rooms: null });
  await post(base, '/__mock/registration', { opens_at: new Date(Date.now() - 86400_000).toISOString(), modes: ['hall', 'remote'] });
  for (const [lang, locale] of [['sv', 'sv-SE'], ['fi', 'fi-FI'], ['en', 'en-GB']]) {
    for (const [size, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
      const c = await ctx.browser.newContext({ locale, viewport });
      const p = await c.newPage();
      watchPage(p, base, problems, `${lang}-${size}`);
      await apiSignIn(p, base);
      await p.goto(`${base}/#console/${EVENT}`);
      await expect(`console ${lang} ${size}`, p.getByTestId('sessions-table').first().waitFor({ timeout: WAIT }));
      await checkA11y(p, `console program (${lang}, ${size})`, log);
      await shot(p, `org-console-${lang}-${size}.png`);
      await p.getByTestId('console-tab-registration').click();
      await expect('registration settings', p.getByTestId('registration-settings').waitFor({ timeout: WAIT }));
      await checkA11y(p, `console registration (${lang}, ${size})`, log);
      if (size === 'desktop') await shot(p, `org-console-registration-${lang}.png`);
      // Signed out: the attendee's view (another browser: no cookie, no "signed in here" flag).
      await c.clearCookies();
      await p.evaluate(() => localStorage.removeItem('samling.staff'));
      await p.goto(`${base}/#event=${EVENT}`);
      await p.reload();
      await expect('now/next', p.getByTestId('now-next').waitFor({ timeout: WAIT }));
      await p.getByTestId('now-next').scrollIntoViewIfNeeded();
      await checkA11y(p, `program with now/next (${lang}, ${size})`, log);
      await shot(p, `org-program-now-next-${lang}-${size}.png`);
      await p.getByTestId('registration-open').click();
      await p.getByTestId('registration-form').scrollIntoViewIfNeeded();
      await checkA11y(p, `registration form (${lang}, ${size})`, log);
      await shot(p, `org-registration-${lang}-${size}.png`);
      await c.close();
    }
  }

  check(problems.length === 0, `page problems:\n  ${problems.join('\n  ')}`);
}

main('organizer', run, log);

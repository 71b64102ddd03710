// Browser test of the press pages (issue 18) against the mock server (mock-server.mjs +
// mock-press.mjs, the contract of docs/api.md "Press"):
//   1. The accreditation form (#accredit/E, sv, 390×844): empty fields refused before sending;
//      a phone number the server refuses (422 fields) shown beside the phone field with every
//      other field kept; fixed → "we have your request".
//   2. The press officer's console (#press-office/E&token=…, sv, 1440×900): the request in the
//      queue, ask for more (the journalist answers on #accreditation=T), approve (the link to
//      copy), another request rejected with a reason (the journalist's page shows it).
//   3. The press page (#press=G, fi): the streams (the playlist carries grant and device),
//      contacts, the press room's chat (hello with the grant), an interview request; a third
//      device refused (device_limit) shows its message, and the console lists the live devices
//      and the refusal; the officer creates the speaker's link, the speaker proposes another time
//      on #interview=T, the journalist accepts it.
//   4. Revoked while open: the chat closes (4012) with "revoked"; each refusal of /press/me
//      (expired, revoked, tampered, unknown key) and a not-yet-valid grant get their page.
// axe-core on every state; screenshots (1440×900 and 390×844, sv and fi) of the form, the console
// and the press page to docs/screenshots/i18-*.png when PRESS_SHOTS=1, else build/e2e-screenshots/.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, checkA11y, checkFocusRings, expect, getJson, launchBrowser, main, setUp, startServer, TestFailure } from './harness.mjs';
import { MOCK_OFFICER } from './mock-press.mjs';

const WAIT = 10_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };

function log(message) {
  console.log(`[press_pages.test] ${message}`);
}

async function until(what, probe, ms = WAIT) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new TestFailure(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

await main('press_pages', async (ctx) => {
  process.env.SAMLING_BIN = fileURLToPath(new URL('./mock-server.mjs', import.meta.url));
  const { src, bin, configPath, chromium } = setUp(ctx, ['[auth]', 'dev_tokens = true']);
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  const { events } = await getJson(`${base}/api/v1/events`);
  const E = events[0].id;
  log(`mock server at ${base}, event ${E}`);
  ctx.browser = await launchBrowser(chromium);
  const shotDir = process.env.PRESS_SHOTS === '1' ? join(src, 'docs', 'screenshots') : join(src, 'build', 'e2e-screenshots');
  mkdirSync(shotDir, { recursive: true });
  const shot = async (page, name) => {
    const file = join(ctx.tmp, name);
    await page.screenshot({ path: file, fullPage: false });
    copyFileSync(file, join(shotDir, name));
    log(`screenshot ${join(shotDir, name)}`);
  };
  const problems = [];
  const open = async (lang, viewport) => {
    const context = await ctx.browser.newContext({ viewport, locale: lang === 'sv' ? 'sv-SE' : lang === 'fi' ? 'fi-FI' : 'en-GB' });
    await context.addInitScript((l) => localStorage.setItem('samling.lang', l), lang);
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return { context, page };
  };
  const state = () => getJson(`${base}/__mock/press/state`);

  // --- 1. the form ------------------------------------------------------------------------------------
  const J = await open('sv', PHONE);
  await J.page.goto(`${base}/#event=${E}`);
  await expect('the event page links to the form', J.page.getByTestId('press-accredit-link').waitFor({ timeout: WAIT }));
  await J.page.getByTestId('press-accredit-link').click();
  await expect('the form', J.page.getByTestId('accredit-form').waitFor({ timeout: WAIT }));
  await checkA11y(J.page, 'form, sv, phone', log);
  await J.page.getByTestId('acc-submit').click();
  await expect('the name is required', J.page.getByTestId('acc-name-error').waitFor({ timeout: WAIT }));
  check(await J.page.getByTestId('acc-outlet-error').isVisible(), 'the outlet is required too');
  await checkA11y(J.page, 'form with field errors', log);
  await J.page.getByTestId('acc-name').fill('Eva Ek');
  await J.page.getByTestId('acc-outlet').fill('Dagens Nyheter');
  await J.page.getByTestId('acc-email').fill('eva@dn.example');
  await J.page.getByTestId('acc-phone').fill('07x-abc');
  await J.page.getByTestId('acc-press_card').fill('SE-1234');
  await J.page.getByTestId('acc-note').fill('Vill intervjua Tomas Öberg.');
  await J.page.getByTestId('acc-attendance-remote').check();
  await J.page.getByTestId('acc-submit').click();
  await expect('the server refuses the phone (422 fields)', J.page.getByTestId('acc-phone-error').waitFor({ timeout: WAIT }));
  check((await J.page.getByTestId('acc-phone-error').textContent()).includes('siffror'), 'the server\'s message beside the phone field');
  check((await J.page.getByTestId('acc-name').inputValue()) === 'Eva Ek' && (await J.page.getByTestId('acc-note').inputValue()).includes('Öberg'), 'what was typed is kept');
  check(await J.page.getByTestId('acc-phone').evaluate((el) => el === document.activeElement), 'the refused field has the focus');
  await J.page.getByTestId('acc-phone').fill('+46 70 123 45 67');
  await J.page.getByTestId('acc-submit').click();
  await expect('the confirmation', J.page.getByTestId('accredit-done').waitFor({ timeout: WAIT }));
  check((await J.page.getByTestId('accredit-done').textContent()).includes('eva@dn.example'), 'the confirmation names the address');
  await checkA11y(J.page, 'form done', log);
  // A second journalist, to be rejected.
  await J.page.goto(`${base}/?again=1#accredit/${E}`);
  await J.page.getByTestId('acc-name').waitFor({ timeout: WAIT });
  await J.page.getByTestId('acc-name').fill('Rolf Rask');
  await J.page.getByTestId('acc-outlet').fill('Bloggen');
  await J.page.getByTestId('acc-email').fill('rolf@blogg.example');
  await J.page.getByTestId('acc-submit').click();
  await J.page.getByTestId('accredit-done').waitFor({ timeout: WAIT });

  // --- 2. the console -----------------------------------------------------------------------------------
  const O = await open('sv', DESKTOP);
  await O.page.goto(`${base}/#press-office/${E}&token=${MOCK_OFFICER}`);
  await expect('the console', O.page.getByTestId('press-office').waitFor({ timeout: WAIT }));
  check(!O.page.url().includes(MOCK_OFFICER), 'the token is taken out of the address bar');
  const eva = O.page.getByTestId('request-card').filter({ hasText: 'Eva Ek' });
  await expect('Eva in the queue', eva.waitFor({ timeout: WAIT }));
  check((await eva.textContent()).includes('SE-1234'), 'the details show the press card');
  await checkA11y(O.page, 'console queue', log);
  await eva.getByTestId('request-ask').click();
  await eva.getByTestId('request-ask-text').fill('Vilken avdelning skriver du för?');
  await eva.getByTestId('request-ask-confirm').click();
  await until('Eva asked', async () => (await eva.getAttribute('data-state')) === 'info_requested');
  // The journalist answers on the manage page.
  const manage = (await state()).accreditations.find((a) => a.name === 'Eva Ek').manage;
  await J.page.goto(`${base}/#accreditation=${manage}`);
  await expect('the question on the journalist page', J.page.getByTestId('request-question').waitFor({ timeout: WAIT }));
  await checkA11y(J.page, 'journalist page with a question', log);
  await J.page.getByTestId('request-answer').fill('Kultur.');
  await J.page.getByTestId('request-answer-send').click();
  await until('the answer sent', async () => (await J.page.getByTestId('request-page').getAttribute('data-state')) === 'pending');
  check((await J.page.getByTestId('request-answer-status').textContent()).length > 0, 'the answer is confirmed');
  // Reject Rolf, approve Eva.
  await O.page.reload();
  const rolf = O.page.getByTestId('request-card').filter({ hasText: 'Rolf Rask' });
  await rolf.waitFor({ timeout: WAIT });
  await rolf.getByTestId('request-reject').click();
  await rolf.getByTestId('request-reject-confirm').click();
  await expect('a reason is required', rolf.getByTestId('request-error').waitFor({ timeout: WAIT }));
  await rolf.getByTestId('request-reject-text').fill('Inte en redaktion.');
  await rolf.getByTestId('request-reject-confirm').click();
  await until('Rolf rejected', async () => (await O.page.getByTestId('queue-status').textContent().catch(() => '')).includes('Rolf'));
  const eva2 = O.page.getByTestId('request-card').filter({ hasText: 'Eva Ek' });
  check((await eva2.getByTestId('request-card-note').textContent()).includes('Kultur.'), 'the answer is in the note');
  // Approved with other dates and a device cap of 3 (local times in the form, UTC to the server).
  await eva2.getByTestId('request-approve-options').click();
  await eva2.getByTestId('approve-from').fill('2026-01-01T08:00');
  await eva2.getByTestId('approve-until').fill('2030-06-30T18:00');
  await eva2.getByTestId('approve-cap').fill('3');
  // Limited to the press briefing and the press room: the gated stages and the rooms are offered
  // ("all" checked at first), the public stage is not.
  await expect('the stage choices', eva2.getByTestId('coverage-stages-option').first().waitFor({ timeout: WAIT }));
  {
    const offered = await eva2.getByTestId('coverage-stages-option').evaluateAll((els) => els.map((e) => e.dataset.id));
    check(JSON.stringify(offered) === JSON.stringify(['press', 'embargo']), `the gated stages are offered, not the public one: ${offered}`);
    check(await eva2.getByTestId('coverage-stages-all').isChecked(), '"all streams" is the default');
  }
  await eva2.locator('[data-testid="coverage-stages-option"][data-id="press"]').check();
  await eva2.locator('[data-testid="coverage-rooms-option"][data-id="press"]').check();
  check(!(await eva2.getByTestId('coverage-stages-all').isChecked()), '"all streams" is unchecked once one is chosen');
  await checkA11y(O.page, 'console approve with dates', log);
  await eva2.getByTestId('request-approve-confirm').click();
  await expect('the approved link to copy', O.page.getByTestId('approved-link').waitFor({ timeout: WAIT }));
  {
    const g = (await state()).grants.find((x) => x.name === 'Eva Ek');
    const want = await O.page.evaluate(() => [Date.parse('2026-01-01T08:00') / 1000, Date.parse('2030-06-30T18:00') / 1000]);
    check(g.device_cap === 3 && g.valid_from === want[0] && g.valid_until === want[1], `approved with the chosen dates and cap: ${JSON.stringify(g)}`);
    check(JSON.stringify(g.stages) === '["press"]' && JSON.stringify(g.rooms) === '["press"]', `approved for the chosen stage and room only: ${JSON.stringify(g)}`);
  }
  const pressLink = await O.page.getByTestId('approved-link-value').inputValue();
  check(pressLink.includes('#press=g1.'), `the link is a press link: ${pressLink}`);
  await checkA11y(O.page, 'console approved', log);
  const rolfManage = (await state()).accreditations.find((a) => a.name === 'Rolf Rask').manage;
  await J.page.goto(`${base}/#accreditation=${rolfManage}`);
  await expect('the rejection on the journalist page', J.page.getByTestId('request-reason').waitFor({ timeout: WAIT }));
  check((await J.page.getByTestId('request-reason').textContent()).includes('Inte en redaktion.'), 'the reason is shown');
  await checkA11y(J.page, 'journalist page rejected', log);

  // --- 3. the press page --------------------------------------------------------------------------------
  const P = await open('fi', DESKTOP);
  const playlists = [];
  P.page.on('request', (r) => {
    if (r.url().includes('/live/')) playlists.push(r.url());
  });
  await P.page.goto(pressLink.replace(/^https?:\/\/[^/]+/, base));
  await expect('the press page', P.page.getByTestId('press-page').waitFor({ timeout: WAIT }));
  await expect('the contacts', P.page.getByTestId('press-contact').first().waitFor({ timeout: WAIT }));
  await expect('the player', P.page.getByTestId('stage-player').waitFor({ timeout: WAIT }));
  await until('the playlist asked with grant and device', async () => playlists.some((u) => /grant=g1\./.test(u) && /device=[A-Za-z0-9_-]{16,}/.test(u)));
  await expect('the chat connected with the grant', P.page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: WAIT }));
  await expect('in the press room', P.page.locator('[data-testid="room-tab"][data-room-id="press"][data-joined="joined"]').waitFor({ timeout: WAIT }));
  await checkA11y(P.page, 'press page, fi, desktop', log);
  // An interview request.
  const speaker = await P.page.getByTestId('interview-speaker').locator('option').nth(1).getAttribute('value');
  await P.page.getByTestId('interview-submit').click();
  await expect('the speaker is required', P.page.locator('#iv-speaker-error').waitFor({ timeout: WAIT }));
  await P.page.getByTestId('interview-speaker').selectOption(speaker);
  await P.page.getByTestId('interview-wanted').fill('Lounastauolla');
  await P.page.getByTestId('interview-submit').click();
  await expect('the request listed', P.page.locator('[data-testid="interview"][data-state="requested"]').waitFor({ timeout: WAIT }));
  // Two more devices: the third is refused.
  const grantId = (await state()).grants.find((g) => g.name === 'Eva Ek').id;
  await fetch(`${base}/__mock/press/grants/${grantId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ device_cap: 2 }) });
  const st = await state();
  const liveNow = st.grants.find((g) => g.id === grantId).live;
  await fetch(`${base}/__mock/press/grants/${grantId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ live: [...liveNow, { device: 'otherdevice-0000001', stage: 'press', address: '1.2.3.4', user_agent: 'Safari', first_at: Date.now() - 60_000, last_at: Date.now(), bytes: 12_345_678 }] }),
  });
  const P3 = await open('sv', PHONE);
  await P3.page.goto(pressLink.replace(/^https?:\/\/[^/]+/, base));
  await expect('the third device is refused', P3.page.locator('[data-testid="stage-refused"][data-code="device_limit"]').waitFor({ timeout: 20_000 }));
  await shot(P3.page, 'i18-press-refused-sv-390.png');
  await checkA11y(P3.page, 'press page, device_limit, phone', log);
  // The console sees the live devices and the refusal.
  await O.page.getByTestId('office-tab-grants').click();
  const card = O.page.locator(`[data-testid="grant-card"][data-id="${grantId}"]`);
  await expect('the grant card', card.waitFor({ timeout: WAIT }));
  await until('two live devices and a refusal (auto-refresh)', async () => (await card.getByTestId('grant-viewer').count()) >= 2 && (await card.getByTestId('grant-refusal').count()) >= 1, 12_000);
  check((await card.getByTestId('grant-refusal').first().textContent()).includes('127.0.0.1'), 'the refusal names the address');
  // Copy link: the server signs the grant again; the link is shown to copy by hand too.
  await card.getByTestId('grant-copy-link').click();
  await expect('the copied link', card.getByTestId('grant-link-value').waitFor({ timeout: WAIT }));
  {
    const again = await card.getByTestId('grant-link-value').inputValue();
    check(again === pressLink, `Copy link shows the grant's link: ${again} (approved: ${pressLink})`);
    check((await state()).linkRequests.includes(grantId), 'the link was asked of the server (POST …/grants/{id}/link)');
  }
  await checkA11y(O.page, 'console grants', log);
  // The officer makes the speaker's link; the speaker proposes another time.
  await O.page.getByTestId('office-tab-interviews').click();
  const ivCard = O.page.getByTestId('office-interview').first();
  await ivCard.waitFor({ timeout: WAIT });
  await ivCard.getByTestId('speaker-link-email').fill('speaker@example.org');
  await ivCard.getByTestId('speaker-link-make').click();
  await expect('the speaker link', ivCard.getByTestId('speaker-link-value').waitFor({ timeout: WAIT }));
  const speakerLink = await ivCard.getByTestId('speaker-link-value').inputValue();
  await checkA11y(O.page, 'console interviews', log);
  const S = await open('en', PHONE);
  await S.page.goto(speakerLink.replace(/^https?:\/\/[^/]+/, base));
  await expect('the speaker page', S.page.getByTestId('speaker-page').waitFor({ timeout: WAIT }));
  check((await S.page.getByTestId('speaker-intro').textContent()).includes('Eva Ek'), 'the speaker sees who asks');
  await checkA11y(S.page, 'speaker page', log);
  await S.page.getByTestId('answer-propose').check();
  await S.page.getByTestId('answer-send').click();
  await expect('a proposed time is required', S.page.getByTestId('answer-error').waitFor({ timeout: WAIT }));
  await S.page.getByTestId('answer-proposed').fill('15:10, foyer');
  await S.page.getByTestId('answer-send').click();
  await expect('the result', S.page.locator('[data-testid="speaker-result"][data-state="proposed"]').waitFor({ timeout: WAIT }));
  await checkA11y(S.page, 'speaker page answered', log);
  // The journalist sees the proposal (refresh within 15 s) and accepts it.
  const proposed = P.page.locator('[data-testid="interview"][data-state="proposed"]');
  await expect('the proposal on the press page', proposed.waitFor({ timeout: 20_000 }));
  check((await proposed.textContent()).includes('15:10, foyer'), 'the proposed time is shown');
  await proposed.getByTestId('interview-accept').click();
  await expect('accepted', P.page.locator('[data-testid="interview"][data-state="accepted"]').waitFor({ timeout: WAIT }));
  await checkA11y(P.page, 'press page, interview accepted', log);

  // --- 4. revoked, and the refusal pages --------------------------------------------------------------------
  await O.page.getByTestId('office-tab-grants').click();
  const card2 = O.page.locator(`[data-testid="grant-card"][data-id="${grantId}"]`);
  await card2.getByTestId('grant-revoke').click();
  await card2.getByTestId('grant-revoke-reason').fill('Länken delades vidare.');
  await card2.getByTestId('grant-revoke-confirm').click();
  await until('revoked in the console', async () => (await card2.getAttribute('data-state')) === 'revoked');
  check((await card2.getByTestId('grant-copy-link').count()) === 0 && (await card2.getByTestId('grant-link').count()) === 0, 'a revoked grant has no Copy link and no link shown');
  await expect('the chat says revoked (4012)', P.page.locator('[data-testid="press-chat-ended"][data-code="grant_revoked"]').waitFor({ timeout: WAIT }));
  await checkA11y(P.page, 'press page, revoked chat', log);
  const payload = Buffer.from(JSON.stringify({ id: 'pr-0000000000000000', ev: E, nm: 'Eva Ek' })).toString('base64url');
  for (const [kind, code] of [['expired', 'grant_expired'], ['revoked', 'grant_revoked'], ['tampered', 'grant_invalid'], ['unknownkey', 'grant_unknown_key']]) {
    const token = `g1.mock.${payload}.${kind}`;
    for (const who of [P, J]) {
      await who.page.goto(`${base}/#press=${token}`);
      await expect(`the ${code} page`, who.page.locator(`[data-testid="press-refused"][data-code="${code}"]`).waitFor({ timeout: WAIT }));
      // The contacts: /press/me names none; the page finds the event's from the token's payload.
      await expect(`${code}: the contacts are shown`, who.page.getByTestId('press-contact').first().waitFor({ timeout: WAIT }));
    }
    await checkA11y(J.page, `refusal page ${code}, sv phone`, log);
  }
  await shot(J.page, 'i18-press-refused-page-sv-390.png');
  await P.page.goto(`${base}/#press=g1.mock.notyet`);
  await expect('the not-yet-valid page', P.page.locator('[data-testid="press-page"][data-grant-state="not_yet_valid"]').waitFor({ timeout: WAIT }));
  check(/voimassa .* alkaen/.test(await P.page.getByTestId('press-validity').textContent()), 'it says when the link starts (fi)');
  await checkA11y(P.page, 'press page not yet valid', log);

  // --- accreditation closed while a form is open (403 accreditation_closed), by the Settings tab --------------
  await J.page.goto(`${base}/?closed=1#accredit/${E}`);
  await J.page.getByTestId('acc-name').waitFor({ timeout: WAIT });
  await O.page.getByTestId('office-tab-settings').click();
  await O.page.getByTestId('settings-open').waitFor({ timeout: WAIT });
  await checkA11y(O.page, 'console settings', log);
  await O.page.getByTestId('settings-open').uncheck();
  await O.page.getByTestId('settings-save').click();
  await until('settings saved', async () => ((await O.page.getByTestId('settings-status').textContent().catch(() => '')) ?? '').length > 0);
  check((await state()).accreditations.length >= 2 && (await getJson(`${base}/api/v1/events/${E}/accreditation`)).open === false, 'accreditation closed by the Settings tab');
  await J.page.getByTestId('acc-name').fill('Sen Ankomst');
  await J.page.getByTestId('acc-outlet').fill('Kvällsposten');
  await J.page.getByTestId('acc-email').fill('sen@kp.example');
  await J.page.getByTestId('acc-submit').click();
  await expect('the closed message (403 accreditation_closed)', J.page.getByTestId('accredit-closed').waitFor({ timeout: WAIT }));
  await checkA11y(J.page, 'form closed', log);
  await O.page.getByTestId('settings-open').check();
  await O.page.getByTestId('settings-save').click();
  await until('reopened', async () => (await getJson(`${base}/api/v1/events/${E}/accreditation`)).open === true);

  // --- screenshots: the form, the console and the press page, sv and fi, 1440×900 and 390×844 ------------
  const api = (method, path, body) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${MOCK_OFFICER}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).then((r) => r.json());
  await fetch(`${base}/api/v1/events/${E}/accreditations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Mikael Virtanen', outlet: 'Helsingin Sanomat', email: 'mikael@hs.example', phone: '+358 40 123 4567', press_card: 'FI-778', days: events[0].days, attendance: 'hall', note: 'Kuvaaja mukana.', language: 'fi' }),
  });
  const { link: shotLink } = await api('POST', `/api/v1/events/${E}/grants`, { name: 'Sara Svensson', outlet: 'Sveriges Radio', email: 'sara@sr.example', language: 'sv' });
  const shotGrant = (await state()).grants.find((g) => g.name === 'Sara Svensson');
  await fetch(`${base}/__mock/press/grants/${shotGrant.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ device_cap: 20, live: [{ device: 'Jf3k2LmQp9xY7wZa1bC4dE', stage: 'press', address: '192.0.2.14', user_agent: 'Firefox', first_at: Date.now() - 600_000, last_at: Date.now(), bytes: 48_000_000 }], refusals: [{ stage: 'press', device: 'Zz9y8x7w6v5u4t3s2r1q0p', address: '198.51.100.7', user_agent: 'Chrome', at: Date.now() - 120_000 }] }),
  });
  for (const lang of ['sv', 'fi']) {
    for (const [size, viewport] of [['1440', DESKTOP], ['390', PHONE]]) {
      const X = await open(lang, viewport);
      await X.page.goto(`${base}/#accredit/${E}`);
      await X.page.getByTestId('accredit-form').waitFor({ timeout: WAIT });
      await shot(X.page, `i18-form-${lang}-${size}.png`);
      await checkA11y(X.page, `form, ${lang}, ${size}`, log);
      await X.page.goto(`${base}/#press-office/${E}&token=${MOCK_OFFICER}`);
      await X.page.getByTestId('request-card').first().waitFor({ timeout: WAIT });
      await shot(X.page, `i18-console-${lang}-${size}.png`);
      await checkA11y(X.page, `console queue, ${lang}, ${size}`, log);
      await X.page.getByTestId('office-tab-grants').click();
      await X.page.locator(`[data-testid="grant-card"][data-id="${shotGrant.id}"]`).waitFor({ timeout: WAIT });
      await shot(X.page, `i18-console-grants-${lang}-${size}.png`);
      await checkA11y(X.page, `console grants, ${lang}, ${size}`, log);
      await X.page.goto(shotLink.replace(/^https?:\/\/[^/]+/, base));
      await X.page.getByTestId('press-page').waitFor({ timeout: WAIT });
      await X.page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: WAIT });
      await shot(X.page, `i18-press-${lang}-${size}.png`);
      await checkA11y(X.page, `press page, ${lang}, ${size}`, log);
      await X.context.close();
    }
  }
  // Dark mode and the keyboard's focus rings on the console and the press page.
  const D = await ctx.browser.newContext({ viewport: DESKTOP, locale: 'sv-SE', colorScheme: 'dark' });
  const dp = await D.newPage();
  await dp.goto(`${base}/#press-office/${E}&token=${MOCK_OFFICER}`);
  await dp.getByTestId('request-card').first().waitFor({ timeout: WAIT });
  await checkA11y(dp, 'console, dark', log);
  await checkFocusRings(dp, 'console, dark', log);
  await dp.goto(shotLink.replace(/^https?:\/\/[^/]+/, base));
  await dp.getByTestId('press-page').waitFor({ timeout: WAIT });
  await checkA11y(dp, 'press page, dark', log);
  await checkFocusRings(dp, 'press page, dark', log, 20);
  await D.close();
  check(problems.length === 0, `page errors:\n${problems.join('\n')}`);
}, log);

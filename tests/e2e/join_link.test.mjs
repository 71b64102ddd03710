// Browser test of personal join links (issue 15; docs/configuration.md, `samling token`): the real
// server runs with dev tokens off (the production default) and a fixed auth.secret, and
// `samling token … --link` mints a moderator's link. Chromium opens it:
//   M (sv-SE): signed in as the moderator (name and badge in the chat header), the token gone
//      from the address bar and kept in localStorage, the staff views shown (member list, the
//      press room, the broadcast tab); posts a message with a link and an <img> tag as text;
//      a reload stays signed in; "Logga ut" leaves, and a reload stays signed out.
//   G (en-GB), a guest: "mo moderator" is refused (name_taken), "Moderator" too (name_reserved),
//      each with its translated message and the typed name kept; then joins as "Gwen Guest",
//      sees the moderator's message with the badge, the link as a safe <a> and the tag as text.
//   X (fi-FI): an expired link and a damaged one each give a clear message and sign nobody in.
// axe-core runs on every page state.
//
// Run by CTest as `node tests/e2e/join_link.test.mjs` with SAMLING_BIN and SAMLING_SOURCE_DIR
// (web/ installed and built). Prints `1 passed, 0 failed` last; exits 0 or 1.
import { execFile } from 'node:child_process';
import { check, checkA11y, checkFocusRings, expect, getJson, launchBrowser, main, saveScreenshot, setUp, startServer, TestFailure, watchPage } from './harness.mjs';
import { join } from 'node:path';

const WAIT = 15_000; // ms, for each expectation on the page
const TOKEN_CLI_WAIT = 10_000; // ms, for `samling token`
const SECRET = 'e2e-join-link-secret-0123456789abcdef'; // ≥ 32 bytes: tokens survive nothing but this test

// UI strings the test expects (web/src/i18n/).
const UI = {
  sv: {
    moderator: 'Moderator',
    guest: 'Gäst',
    signOut: 'Logga ut',
    signedInAs: (n) => `Inloggad som ${n}`,
  },
  en: {
    moderator: 'Moderator',
    nameTaken: 'A signed-in participant of this event already uses that name. Choose another name.',
    nameReserved: 'That name is reserved for the organisers and speakers. Choose another name.',
    joinAsGuest: 'Join as a guest',
  },
  fi: {
    linkRefused: 'Henkilökohtainen linkkisi ei enää toimi (se on vanhentunut tai vioittunut). Pyydä järjestäjältä uusi linkki tai liity vieraana.',
  },
};

function log(message) {
  console.log(`[join_link.test] ${message}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `samling token … --link`; returns the one line it prints. */
function mintLink(bin, configPath, base, event, name, role, extra = []) {
  const args = ['token', '--event', event, '--name', name, '--role', role, '--link', '--base-url', base, '--config', configPath, ...extra];
  return new Promise((resolveLink, rejectLink) => {
    execFile(bin, args, { timeout: TOKEN_CLI_WAIT, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        rejectLink(new TestFailure(`samling ${args.join(' ')} failed (${error.code ?? error.signal}): ${stderr.trim() || error.message}`));
        return;
      }
      const lines = stdout.split('\n').filter((l) => l.trim());
      if (lines.length !== 1) {
        rejectLink(new TestFailure(`samling token --link printed ${lines.length} lines, expected one URL:\n${stdout}`));
        return;
      }
      resolveLink(lines[0].trim());
    });
  });
}

/** The payload of a v1.<key id>.<payload>.<signature> token. */
function tokenPayload(token) {
  const parts = token.split('.');
  check(parts.length === 4 && parts[0] === 'v1', `the link's token does not have the form v1.<key id>.<payload>.<signature>: ${token}`);
  return JSON.parse(Buffer.from(parts[2], 'base64url').toString('utf8'));
}

/** The token in a link `<base>/#event=E&join=T`, checked against the contract. */
function parseLink(link, base, event) {
  const prefix = `${base}/#`;
  check(link.startsWith(prefix), `the link "${link}" does not start with "${prefix}"`);
  const params = new URLSearchParams(link.slice(prefix.length));
  check(params.get('event') === event, `the link's event is ${JSON.stringify(params.get('event'))}, expected "${event}"`);
  const token = params.get('join');
  check(token, `the link has no join=<token>: ${link}`);
  check(encodeURIComponent(token) === token, `the link's token is not URL-safe: ${token}`);
  return token;
}

async function expectConnected(page, what) {
  await page
    .locator('[data-testid="connection-state"][data-state="connected"]')
    .waitFor({ timeout: WAIT })
    .catch(async () => {
      const state = await page.getByTestId('connection-state').getAttribute('data-state').catch(() => null);
      const form = (await page.getByTestId('chat-signin').count()) > 0;
      const error = (await page.getByTestId('chat-signin-error').count()) ? (await page.getByTestId('chat-signin-error').innerText()).trim() : null;
      throw new TestFailure(
        `${what}: not signed in within ${WAIT / 1000} s (connection ${JSON.stringify(state)}; ${form ? 'the sign-in form is shown' : 'no sign-in form'}${error ? `, saying "${error}"` : ''}; address ${page.url().replace(/join=[^&]+/, 'join=…')})`,
      );
    });
}

/** The sign-in form is shown with `text` as its error (role=alert), and the page is not connected. */
async function expectRefused(page, text, what) {
  const error = page.getByTestId('chat-signin-error');
  await error
    .filter({ hasText: text })
    .waitFor({ timeout: WAIT })
    .catch(async () => {
      const shown = (await error.count()) ? (await error.first().innerText()).trim() : '(no error shown)';
      const signedIn = (await page.getByTestId('chat-identity-name').count()) ? (await page.getByTestId('chat-identity-name').innerText()).trim() : null;
      throw new TestFailure(`${what}: expected the message "${text}"; the page shows ${JSON.stringify(shown)}${signedIn ? `, signed in: "${signedIn}"` : ''}`);
    });
  check((await error.getAttribute('role')) === 'alert', `${what}: the message has no role=alert`);
  check((await page.getByTestId('chat-identity-name').count()) === 0, `${what}: the page shows someone signed in`);
  check((await page.getByTestId('chat-signin').count()) === 1, `${what}: the sign-in form is not shown`);
}

/** Fills the guest's name and joins: the first try learns the server has no dev tokens (404). */
async function tryGuest(page, name) {
  await page.getByTestId('chat-name').fill(name, { timeout: WAIT });
  if ((await page.getByTestId('guest-mode').count()) === 0) {
    await page.getByTestId('chat-join').click({ timeout: WAIT });
    await expect('G: the form offers to join as a guest (no dev tokens)', page.getByTestId('guest-mode').waitFor({ timeout: WAIT }));
    check((await page.getByTestId('chat-join').innerText()).trim() === UI.en.joinAsGuest, 'G: the button does not say "Join as a guest"');
  }
  await page.getByTestId('chat-join').click({ timeout: WAIT });
}

async function run(ctx) {
  const { src, bin, configPath, chromium } = setUp(ctx, ['[auth]', 'dev_tokens = false', `secret = ${JSON.stringify(SECRET)}`]);
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  log(`server at ${base}`);

  const { events } = await getJson(`${base}/api/v1/events`);
  check(Array.isArray(events) && events.length > 0, 'GET /api/v1/events returned no events');
  const eventId = events[0].id;
  const event = await getJson(`${base}/api/v1/events/${encodeURIComponent(eventId)}`);
  const press = event.rooms.find((r) => r.kind === 'press');
  check(press, 'the demo event has no press room');
  const devToken = await fetch(`${base}/api/v1/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  check(devToken.status === 404, `dev tokens are off, yet POST /api/v1/dev/token answers HTTP ${devToken.status}`);

  // --- the link -------------------------------------------------------------------------------------
  const modName = 'Mo Moderator';
  const link = await mintLink(bin, configPath, base, eventId, modName, 'moderator');
  const token = parseLink(link, base, eventId);
  const claims = tokenPayload(token);
  check(claims.name === modName && claims.role === 'moderator' && claims.event === eventId, `the token's claims: ${JSON.stringify(claims)}`);
  log(`samling token --link printed ${link.slice(0, base.length + 40)}…`);

  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const requested = []; // every URL the pages request: the token must be in none
  const viewport = { width: 1280, height: 900 };

  // --- M: the moderator opens the link ----------------------------------------------------------------
  const mCtx = await ctx.browser.newContext({ locale: 'sv-SE', viewport });
  const m = await mCtx.newPage();
  watchPage(m, base, problems, 'M');
  m.on('request', (r) => requested.push(r.url()));
  await m.goto(link, { waitUntil: 'domcontentloaded' });
  await expectConnected(m, 'M opens the link');
  const identity = m.getByTestId('chat-identity-name');
  await expect('M: the signed-in name in the chat header', identity.waitFor({ timeout: WAIT }));
  const shownName = (await identity.innerText()).trim();
  check(shownName === UI.sv.signedInAs(modName), `M: the chat header says "${shownName}", expected "${UI.sv.signedInAs(modName)}"`);
  const badgeNear = identity.locator('xpath=..').getByTestId('role-badge'); // "<name> · <badge>"
  check((await badgeNear.innerText()).trim() === UI.sv.moderator, `M: the chat header has no "${UI.sv.moderator}" badge`);
  const url = m.url();
  check(!url.includes('join=') && !url.includes(token.slice(0, 20)), `M: the token is still in the address bar: ${url}`);
  check(new URL(url).hash.includes(`event=${eventId}`), `M: the address bar lost event=: ${url}`);
  const kept = await m.evaluate((key) => localStorage.getItem(key), `samling.join.${eventId}`);
  check(kept === token, `M: localStorage["samling.join.${eventId}"] is ${JSON.stringify(kept?.slice(0, 20))}, expected the link's token`);
  // Staff views: the member list, the press room, the broadcast tab.
  await expect('M: the member list (staff only)', m.getByTestId('member-list').waitFor({ timeout: WAIT }));
  await expect('M: the press room tab (staff only)', m.locator(`[data-testid="room-tab"][data-room-id="${press.id}"]`).waitFor({ timeout: WAIT }));
  await expect('M: the broadcast tab (staff only)', m.getByTestId('view-tab-stages').waitFor({ timeout: WAIT }));
  await checkA11y(m, 'M (sv): signed in by the join link as moderator', log);
  await m.getByTestId('chat-sign-out').focus();
  await checkFocusRings(m, 'M (sv): Tab from "Logga ut" through the chat', log, 8);
  await m.getByTestId('chat-panel').screenshot({ path: join(ctx.tmp, 'join-link-moderator-sv.png') });
  saveScreenshot(src, ctx.tmp, 'join-link-moderator-sv.png', log);
  log('M: signed in as moderator by the link; the token left the address bar; staff views shown');

  // M posts: a link and an HTML tag, both as text.
  const run = Date.now().toString(36);
  const href = `https://example.org/program?day=1&run=${run}`;
  const tag = '<img src=x onerror="window.__samlingXss=1">';
  const text = `Programmet: ${href} ${tag} javascript:alert(1) ${run}`;
  const input = m.getByTestId('composer-input');
  await input.fill(text, { timeout: WAIT });
  await input.press('Enter', { timeout: WAIT });
  const mine = m.locator('[data-testid="chat-message"]:not([data-pending])').filter({ hasText: run });
  await expect('M: the message is confirmed', mine.waitFor({ timeout: WAIT }));

  // --- G: a guest (no dev tokens), dark mode ------------------------------------------------------------------
  const gCtx = await ctx.browser.newContext({ locale: 'en-GB', viewport, colorScheme: 'dark' }); // dark mode's colours get axe too
  const g = await gCtx.newPage();
  watchPage(g, base, problems, 'G');
  g.on('request', (r) => requested.push(r.url()));
  await g.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  await expect('G: the sign-in form', g.getByTestId('chat-signin').waitFor({ timeout: WAIT }));
  await checkA11y(g, 'G (en, dark): the sign-in form, not signed in', log);
  await g.getByTestId('chat-name').focus();
  await checkFocusRings(g, 'G (en, dark): Tab through the sign-in form', log, 3);

  await tryGuest(g, 'mo   moderator ');
  await expectRefused(g, UI.en.nameTaken, 'G as "mo   moderator " (the moderator’s name)');
  check((await g.getByTestId('chat-name').inputValue()).includes('moderator'), 'G: the refused name is not kept in the field');
  await checkA11y(g, 'G (en, dark): name_taken shown', log);
  await g.getByTestId('chat-signin').screenshot({ path: join(ctx.tmp, 'join-link-name-taken-en.png') });
  saveScreenshot(src, ctx.tmp, 'join-link-name-taken-en.png', log);

  await tryGuest(g, 'Moderator');
  await expectRefused(g, UI.en.nameReserved, 'G as "Moderator"');
  check((await g.getByTestId('chat-name').inputValue()) === 'Moderator', 'G: the refused name is not kept in the field');
  await checkA11y(g, 'G (en, dark): name_reserved shown', log);
  log('G: the moderator’s name is taken, "Moderator" is reserved; each said in English');

  const guestName = 'Gwen Guest';
  await tryGuest(g, guestName);
  await expectConnected(g, 'G as a guest');
  const seen = g.locator('[data-testid="chat-message"]').filter({ hasText: run });
  await expect('G: sees the moderator’s message', seen.waitFor({ timeout: WAIT }));
  check((await seen.getByTestId('message-author').innerText()).trim() === modName, 'G: the author of the moderator’s message');
  const gBadge = seen.getByTestId('role-badge');
  check((await gBadge.count()) === 1 && (await gBadge.innerText()).trim() === UI.en.moderator, `G: the moderator’s message has no "${UI.en.moderator}" badge`);
  // The link: an <a> to the URL, opening elsewhere, without opener, referrer or endorsement.
  const a = seen.locator('[data-testid="message-text"] a');
  check((await a.count()) === 1, `G: expected one link in the message, found ${await a.count()}`);
  const attrs = await a.evaluate((el) => ({ href: el.href, text: el.textContent, target: el.target, rel: el.rel }));
  check(attrs.href === href && attrs.text === href, `G: the link is ${JSON.stringify(attrs)}, expected href and text ${href}`);
  check(attrs.target === '_blank', `G: the link's target is "${attrs.target}", expected _blank`);
  const rel = attrs.rel.split(/\s+/);
  for (const r of ['noopener', 'noreferrer', 'nofollow']) check(rel.includes(r), `G: the link's rel "${attrs.rel}" lacks ${r}`);
  // The tag and the other scheme: text, nothing more.
  const shownText = await seen.getByTestId('message-text').evaluate((el) => ({ text: el.textContent, imgs: el.querySelectorAll('img').length, elements: el.querySelectorAll('*').length }));
  check(shownText.imgs === 0 && shownText.elements === 1, `G: the message made ${shownText.elements} elements (${shownText.imgs} img), expected just the one link`);
  check(shownText.text.includes(tag) && shownText.text.includes('javascript:alert(1)'), `G: the message text is not shown as typed: ${JSON.stringify(shownText.text)}`);
  check((await g.evaluate(() => window.__samlingXss)) === undefined, 'G: the <img onerror> in the message ran');
  await checkA11y(g, 'G (en, dark, guest): the moderator’s message with badge and link', log);

  // M sees the guest marked as a guest.
  const fromGuest = `Hello from the hall ${run}`;
  await g.getByTestId('composer-input').fill(fromGuest, { timeout: WAIT });
  await g.getByTestId('composer-input').press('Enter', { timeout: WAIT });
  const guestMsg = m.locator('[data-testid="chat-message"]').filter({ hasText: fromGuest });
  await expect('M: sees the guest’s message', guestMsg.waitFor({ timeout: WAIT }));
  const guestBadge = guestMsg.getByTestId('role-badge');
  check((await guestBadge.count()) === 1 && (await guestBadge.innerText()).trim() === UI.sv.guest, `M: the guest’s message is not marked "${UI.sv.guest}"`);
  check((await m.evaluate(() => window.__samlingXss)) === undefined, 'M: the <img onerror> in the message ran');
  await checkA11y(m, 'M (sv): the guest’s message marked as a guest', log);
  await m.screenshot({ path: join(ctx.tmp, 'join-link-chat-sv.png') });
  saveScreenshot(src, ctx.tmp, 'join-link-chat-sv.png', log);
  log('G: the badge, a safe link, the tag as text; M: the guest marked as a guest');

  // --- M: reload stays signed in; sign out stays out -------------------------------------------------
  await m.reload({ waitUntil: 'domcontentloaded' });
  await expectConnected(m, 'M after a reload');
  check((await m.getByTestId('chat-identity-name').innerText()).trim() === UI.sv.signedInAs(modName), 'M: not signed in as the moderator after a reload');
  // A new tab of the same browser: signed in too (localStorage, not sessionStorage).
  const m2 = await mCtx.newPage();
  watchPage(m2, base, problems, 'M2');
  await m2.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  await expectConnected(m2, 'M in a new tab');
  check((await m2.getByTestId('chat-identity-name').innerText()).trim() === UI.sv.signedInAs(modName), 'M: a new tab is not signed in as the moderator');
  await m2.close();
  log('M: a reload and a new tab stay signed in');

  const signOut = m.getByTestId('chat-sign-out');
  check((await signOut.innerText()).trim() === UI.sv.signOut, `M: the sign-out control reads "${(await signOut.innerText()).trim()}", expected "${UI.sv.signOut}"`);
  await signOut.click({ timeout: WAIT });
  await expect('M: the sign-in form after signing out', m.getByTestId('chat-signin').waitFor({ timeout: WAIT }));
  check((await m.getByTestId('chat-identity-name').count()) === 0, 'M: still shown as signed in after signing out');
  check((await m.evaluate((key) => localStorage.getItem(key), `samling.join.${eventId}`)) === null, 'M: the token is still in localStorage after signing out');
  check((await m.getByTestId('view-tab-stages').count()) === 0, 'M: the broadcast tab stays after signing out');
  await checkA11y(m, 'M (sv): signed out', log);
  await m.reload({ waitUntil: 'domcontentloaded' });
  await expect('M: the sign-in form after a reload', m.getByTestId('chat-signin').waitFor({ timeout: WAIT }));
  await sleep(500); // a sign-in from a forgotten token would show by now
  check((await m.getByTestId('chat-identity-name').count()) === 0, 'M: signed in again after signing out and reloading');
  log('M: signed out, and stays so after a reload');

  // --- X: an expired link and a damaged one ----------------------------------------------------------
  const shortLink = await mintLink(bin, configPath, base, eventId, 'Kim Kortlivad', 'speaker', ['--ttl', '1']);
  const shortClaims = tokenPayload(parseLink(shortLink, base, eventId));
  const waitMs = shortClaims.exp * 1000 + 300 - Date.now();
  if (waitMs > 0) await sleep(Math.min(waitMs, 3_000));
  const xCtx = await ctx.browser.newContext({ locale: 'fi-FI', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const x = await xCtx.newPage();
  watchPage(x, base, problems, 'X');
  await x.goto(shortLink, { waitUntil: 'domcontentloaded' });
  await x.getByTestId('view-tab-chat').click({ timeout: WAIT }).catch(() => {}); // the chat is a tab on a phone
  await expectRefused(x, UI.fi.linkRefused, 'X with an expired link');
  check(!x.url().includes('join='), `X: the expired token is still in the address bar: ${x.url()}`);
  check((await x.evaluate((key) => localStorage.getItem(key), `samling.join.${eventId}`)) === null, 'X: the expired token was kept');
  await checkA11y(x, 'X (fi, phone): an expired join link', log);
  await x.screenshot({ path: join(ctx.tmp, 'join-link-expired-fi.png') });
  saveScreenshot(src, ctx.tmp, 'join-link-expired-fi.png', log);

  // Damaged: one character of the signature changed (the payload still reads well).
  const parts = token.split('.');
  const sig = parts[3];
  parts[3] = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  const damaged = `${base}/#event=${eventId}&join=${parts.join('.')}`;
  await x.goto('about:blank');
  await x.goto(damaged, { waitUntil: 'domcontentloaded' });
  await x.getByTestId('view-tab-chat').click({ timeout: WAIT }).catch(() => {});
  await expectRefused(x, UI.fi.linkRefused, 'X with a damaged link');
  check((await x.evaluate((key) => localStorage.getItem(key), `samling.join.${eventId}`)) === null, 'X: the damaged token was kept');
  // And garbage where the token should be.
  await x.goto('about:blank');
  await x.goto(`${base}/#event=${eventId}&join=not-a-token`, { waitUntil: 'domcontentloaded' });
  await x.getByTestId('view-tab-chat').click({ timeout: WAIT }).catch(() => {});
  await expectRefused(x, UI.fi.linkRefused, 'X with join=not-a-token');
  log('X: expired, damaged and garbage links each say so in Finnish and sign nobody in');

  // --- the token never went to the server ------------------------------------------------------------
  const leaked = requested.filter((u) => u.includes(token.slice(-24)));
  check(leaked.length === 0, `the token was sent in a request URL: ${leaked[0]}`);

  // Expected: G's POST /api/v1/dev/token (404, dev tokens off) and Chromium's console line for it,
  // once per try of a new guest form.
  const unexpected = problems.filter(
    (p) => !(p.startsWith('G: HTTP 404') && p.includes('/api/v1/dev/token')) && !(p.startsWith('G: console error: Failed to load resource') && p.includes('404')),
  );
  check(unexpected.length === 0, `problems in the pages:\n  ${unexpected.join('\n  ')}`);
  await mCtx.close();
  await gCtx.close();
  await xCtx.close();
}

await main('join_link', run, log);

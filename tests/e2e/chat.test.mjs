// Browser test of the real-time rooms (docs/protocol.md) through the web app: two people, a
// Swedish and a Finnish browser, sign in with dev tokens, chat on the main stage, and the Finnish
// one goes offline and comes back: nothing lost, nothing doubled, order kept.
//
// Run by CTest as `node tests/e2e/chat.test.mjs` with
//   SAMLING_BIN         the built server binary
//   SAMLING_SOURCE_DIR  the repository root (web/ must be installed and built: npm ci && npm run build)
// Prints `1 passed, 0 failed` or `0 passed, 1 failed` last; exits 0 or 1.
import { join } from 'node:path';
import { check, checkA11y, checkFocusRings, expect, getJson, launchBrowser, main, pick, saveScreenshot, setUp, startServer, TestFailure, watchPage } from './harness.mjs';

const WAIT = 15_000; // ms, for each expectation on the page
const RECONNECT_WAIT = 30_000; // ms, for a reconnect (the backoff may have grown)

// UI strings the test expects (web/src/i18n/).
const UI = {
  sv: {
    connection: { connected: 'Ansluten', reconnecting: 'Återansluter…', offline: 'Offline' },
    moderator: 'Moderator',
    queued: 'Skickas när anslutningen är tillbaka',
  },
  en: {
    connection: { connected: 'Connected', reconnecting: 'Reconnecting…', offline: 'Offline' },
  },
  fi: {
    connection: { connected: 'Yhdistetty', reconnecting: 'Yhdistetään uudelleen…', offline: 'Ei verkkoyhteyttä' },
    moderator: 'Moderaattori',
    queued: 'Lähetetään, kun yhteys palaa',
  },
};

function log(message) {
  console.log(`[chat.test] ${message}`);
}

// --- page helpers ---------------------------------------------------------------------------------

/** Texts of the messages shown in the open room, in order, with their state. */
function shownMessages(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="chat-room"] [data-testid="chat-message"]')].map((li) => ({
      text: li.querySelector('[data-testid="message-text"]')?.textContent?.trim() ?? '',
      author: li.querySelector('[data-testid="message-author"]')?.textContent?.trim() ?? '',
      seq: li.getAttribute('data-seq'),
      pending: li.getAttribute('data-pending'),
    })),
  );
}

const describe = (list) => JSON.stringify(list.map((m) => (m.pending ? `${m.text} [${m.pending}]` : `${m.seq}:${m.text}`)));

/**
 * Waits until the open room shows `text` exactly `n` times (confirmed ones only, unless
 * `pending` names the pending state wanted).
 */
async function expectMessage(page, text, what, { n = 1, pending = null, timeout = WAIT } = {}) {
  await page
    .waitForFunction(
      ([text, n, pending]) => {
        const items = [...document.querySelectorAll('[data-testid="chat-room"] [data-testid="chat-message"]')];
        return (
          items.filter((li) => {
            const shown = li.querySelector('[data-testid="message-text"]')?.textContent?.trim();
            const state = li.getAttribute('data-pending');
            return shown === text && (pending ? state === pending : state === null);
          }).length === n
        );
      },
      [text, n, pending],
      { timeout, polling: 100 },
    )
    .catch(async () => {
      throw new TestFailure(`${what}: expected "${text}" ${n}× ${pending ?? 'confirmed'}; the room shows ${describe(await shownMessages(page))}`);
    });
}

/** Each of `texts` appears exactly once in the room (pending or not), in this order. */
async function expectOnceInOrder(page, texts, what) {
  const shown = await shownMessages(page);
  const positions = [];
  for (const text of texts) {
    const at = shown.flatMap((m, i) => (m.text === text ? [i] : []));
    check(at.length === 1, `${what}: "${text}" is shown ${at.length}×, expected once; the room shows ${describe(shown)}`);
    check(shown[at[0]].pending === null, `${what}: "${text}" is still pending (${shown[at[0]].pending})`);
    positions.push(at[0]);
  }
  for (let i = 1; i < positions.length; i++) {
    check(positions[i] > positions[i - 1], `${what}: "${texts[i]}" is shown before "${texts[i - 1]}": ${describe(shown)}`);
  }
  // Confirmed messages are in seq order, each seq once.
  const numbers = shown.filter((m) => m.seq !== null).map((m) => Number(m.seq));
  check(new Set(numbers).size === numbers.length, `${what}: a seq is shown twice: ${describe(shown)}`);
  for (let i = 1; i < numbers.length; i++) check(numbers[i] > numbers[i - 1], `${what}: messages out of seq order: ${describe(shown)}`);
}

async function expectConnection(page, states, lang, what, timeout = WAIT) {
  const status = page.getByTestId('connection-state');
  await page
    .waitForFunction(
      (states) => states.includes(document.querySelector('[data-testid="connection-state"]')?.getAttribute('data-state')),
      states,
      { timeout, polling: 100 },
    )
    .catch(async () => {
      const actual = await status.getAttribute('data-state').catch(() => null);
      throw new TestFailure(`${what}: connection state is ${JSON.stringify(actual)}, expected one of ${JSON.stringify(states)}`);
    });
  const state = await status.getAttribute('data-state');
  const text = (await page.getByTestId('connection-text').innerText()).trim();
  check(text === UI[lang].connection[state], `${what}: the state "${state}" reads "${text}", expected "${UI[lang].connection[state]}"`);
  check((await status.getAttribute('role')) === 'status', `${what}: the connection state has no role=status`);
  return state;
}

async function signIn(page, base, name, role, lang, shot) {
  await page.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  await page.getByTestId('chat-name').fill(name, { timeout: WAIT });
  await page.getByTestId('chat-role').selectOption(role, { timeout: WAIT });
  if (shot) await shot();
  await page.getByTestId('chat-join').click({ timeout: WAIT });
  await expectConnection(page, ['connected'], lang, `${name} signs in`);
}

async function expectRoomJoined(page, roomRef, what) {
  await page
    .locator(`[data-testid="chat-room"][data-room="${roomRef}"][data-status="joined"]`)
    .waitFor({ state: 'visible', timeout: WAIT })
    .catch(async () => {
      const room = page.getByTestId('chat-room');
      const actual = (await room.count()) ? [await room.getAttribute('data-room'), await room.getAttribute('data-status')] : null;
      throw new TestFailure(`${what}: room ${roomRef} is not open and joined (open: ${JSON.stringify(actual)})`);
    });
}

async function post(page, text) {
  const input = page.getByTestId('composer-input');
  await input.fill(text, { timeout: WAIT });
  await input.press('Enter', { timeout: WAIT });
}

async function expectAttr(locator, name, value, what) {
  await locator
    .and(locator.page().locator(`[${name}="${value}"]`))
    .first()
    .waitFor({ state: 'attached', timeout: WAIT })
    .catch(async () => {
      const actual = await locator.first().getAttribute(name).catch(() => null);
      throw new TestFailure(`${what}: ${name} is ${JSON.stringify(actual)}, expected "${value}"`);
    });
}


// --- the test -------------------------------------------------------------------------------------

async function run(ctx) {
  const { src, bin, configPath, chromium } = setUp(ctx, ['[auth]', 'dev_tokens = true']);
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  log(`server at ${base}`);

  const { events } = await getJson(`${base}/api/v1/events`);
  check(Array.isArray(events) && events.length > 0, 'GET /api/v1/events returned no events');
  const event = await getJson(`${base}/api/v1/events/${encodeURIComponent(events[0].id)}`);
  const rooms = [...event.rooms].sort((a, b) => a.position - b.position);
  const main = rooms.find((r) => r.kind === 'main_stage');
  const seminar = rooms.find((r) => r.kind === 'seminar');
  const press = rooms.find((r) => r.kind === 'press');
  check(main && seminar && press, 'the demo event needs a main stage, a seminar room and a press room');
  const mainRef = `${event.id}/${main.id}`;
  const seminarRef = `${event.id}/${seminar.id}`;

  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const viewport = { width: 1280, height: 900 };
  const run = Date.now().toString(36);

  // A: Swedish, a moderator. B: Finnish, an attendee.
  const ctxA = await ctx.browser.newContext({ locale: 'sv-SE', viewport });
  const ctxB = await ctx.browser.newContext({ locale: 'fi-FI', viewport });
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  watchPage(a, base, problems, 'A');
  watchPage(b, base, problems, 'B');
  const nameA = 'Anna Moderator';
  const nameB = 'Matti Virtanen';
  await signIn(a, base, nameA, 'moderator', 'sv', async () => {
    await checkA11y(a, 'A (sv): the sign-in form, filled in', log);
    await a.getByTestId('chat-panel').screenshot({ path: join(ctx.tmp, 'chat-signin-sv.png') });
    saveScreenshot(src, ctx.tmp, 'chat-signin-sv.png', log);
  });
  await signIn(b, base, nameB, 'attendee', 'fi');
  await expectRoomJoined(a, mainRef, 'A after sign-in');
  await expectRoomJoined(b, mainRef, 'B after sign-in');
  log('both signed in (dev tokens) and on the main stage');

  // Room tabs in each language; the press room only for the moderator.
  const tab = (page, room) => page.locator(`[data-testid="room-tab"][data-room-id="${room.id}"]`);
  await tab(a, press).waitFor({ state: 'visible', timeout: WAIT });
  check((await tab(b, press).count()) === 0, 'the attendee sees a tab for the press room');
  check((await tab(a, main).innerText()).includes(pick(main.name, 'sv')), 'A: the main stage tab is not in Swedish');
  check((await tab(b, main).innerText()).includes(pick(main.name, 'fi')), 'B: the main stage tab is not in Finnish');

  // Presence: two on the main stage; the moderator sees who.
  await expectAttr(a.getByTestId('member-count'), 'data-count', '2', 'A: members on the main stage');
  await expectAttr(b.getByTestId('member-count'), 'data-count', '2', 'B: members on the main stage');
  await a.getByTestId('member-list').locator('summary').click({ timeout: WAIT });
  await a.getByTestId('member').filter({ hasText: nameB }).waitFor({ state: 'visible', timeout: WAIT }).catch(() => {
    throw new TestFailure(`A (moderator) does not see ${nameB} in the member list`);
  });
  check((await b.getByTestId('member-list').count()) === 0, 'the attendee sees a member list');
  log('presence counts and the moderator member list shown');
  await checkA11y(a, 'A (sv, moderator): main stage, member list open', log);
  await tab(a, main).focus();
  await checkFocusRings(a, 'A (sv, moderator): Tab from the room tabs through the room', log, 8);
  await checkA11y(b, 'B (fi, attendee): main stage, signed in', log);

  // Chat both ways: each sees the other's message once.
  const hello = `Hej från Anna ${run}`;
  const reply = `Moi Anna, terveisiä ${run}`;
  await post(a, hello);
  await expectMessage(a, hello, 'A sees her own message');
  await expectMessage(b, hello, 'B sees A’s message');
  await post(b, reply);
  await expectMessage(b, reply, 'B sees his own message');
  await expectMessage(a, reply, 'A sees B’s message');
  await expectOnceInOrder(a, [hello, reply], 'A after the first exchange');
  await expectOnceInOrder(b, [hello, reply], 'B after the first exchange');
  // Author, role badge (in B's language) and a time for A's message, as B sees it.
  const msgInB = b.getByTestId('chat-message').filter({ has: b.getByTestId('message-text').filter({ hasText: hello }) });
  check((await msgInB.getByTestId('message-author').innerText()).trim() === nameA, 'B: the author of A’s message is not shown');
  check((await msgInB.getByTestId('role-badge').innerText()).trim() === UI.fi.moderator, 'B: A’s message has no moderator badge in Finnish');
  check(/^\d{1,2}[.:]\d{2}$/.test((await msgInB.getByTestId('message-time').innerText()).trim()), 'B: A’s message has no time');
  log('chat both ways, each message once, with author, badge and time');
  await checkA11y(b, 'B (fi): messages with author, moderator badge and time', log);

  // Unread counters: A opens a seminar room (the main stage stays joined); B writes on the main stage.
  await tab(a, seminar).click({ timeout: WAIT });
  await expectRoomJoined(a, seminarRef, 'A opens a seminar room');
  const unreadText = `Huomio Pääsalissa ${run}`;
  await post(b, unreadText);
  await expectMessage(b, unreadText, 'B sees his message');
  await expectAttr(tab(a, main).getByTestId('unread'), 'data-count', '1', 'A: unread counter of the main stage');
  await tab(a, main).click({ timeout: WAIT });
  await expectRoomJoined(a, mainRef, 'A back on the main stage');
  await expectMessage(a, unreadText, 'A sees the message that was unread');
  // The counter goes once the room is on screen (the page may clear it a frame after showing the message).
  await expect('A: the unread counter goes after opening the room', tab(a, main).getByTestId('unread').waitFor({ state: 'detached', timeout: 5_000 }));
  check((await tab(a, seminar).getAttribute('data-joined')) === 'joined', 'A: the seminar room was left when switching');
  await checkA11y(a, 'A (sv): back on the main stage, a seminar room joined too', log);
  log('several rooms at once; unread counter on the main stage tab');

  // B goes offline.
  await ctxB.setOffline(true);
  const offlineState = await expectConnection(b, ['offline', 'reconnecting'], 'fi', 'B offline');
  log(`B offline: the page says "${UI.fi.connection[offlineState]}"`);

  // Meanwhile A posts five messages, and B writes two that must wait.
  const fromA = [1, 2, 3, 4, 5].map((i) => `Viesti ${i} Annalta ${run}`);
  for (const text of fromA) await post(a, text);
  for (const text of fromA) await expectMessage(a, text, 'A’s message while B is offline');
  const fromB = [`Matin ensimmäinen offline ${run}`, `Matin toinen offline ${run}`];
  for (const text of fromB) await post(b, text);
  for (const text of fromB) await expectMessage(b, text, 'B’s message written offline', { pending: 'queued' });
  check(
    (await b.getByTestId('message-status').first().innerText()).trim() === UI.fi.queued,
    'B: a queued message does not say it waits for the connection',
  );
  await b.getByTestId('chat-panel').screenshot({ path: join(ctx.tmp, 'chat-offline-fi.png') });
  saveScreenshot(src, ctx.tmp, 'chat-offline-fi.png', log);
  const seenOffline = (await shownMessages(b)).filter((m) => fromA.includes(m.text));
  check(seenOffline.length === 0, `B received A’s messages while offline: ${describe(seenOffline)}`);
  log('A posted 5 messages; B queued 2 while offline');
  await checkA11y(b, 'B (fi): offline, two messages queued', log);

  // B comes back: connected again, everything exactly once and in order.
  await ctxB.setOffline(false);
  await expectConnection(b, ['connected'], 'fi', 'B back online', RECONNECT_WAIT);
  for (const text of fromA) await expectMessage(b, text, 'B sees A’s message after the reconnect');
  for (const text of fromB) await expectMessage(b, text, 'B’s queued message is confirmed');
  for (const text of fromB) await expectMessage(a, text, 'A sees B’s queued message');
  // Barriers: a last message each way; whatever was doubled would have arrived before it.
  const lastA = `Tervetuloa takaisin ${run}`;
  const lastB = `Kiitos ${run}`;
  await post(a, lastA);
  await post(b, lastB);
  await expectMessage(b, lastA, 'B sees A’s last message');
  await expectMessage(a, lastB, 'A sees B’s last message');
  await expectMessage(a, lastA, 'A sees her last message');
  await expectMessage(b, lastB, 'B sees his last message');
  await expectOnceInOrder(b, [hello, reply, unreadText, ...fromA, lastA], 'B: A’s messages after the reconnect');
  await expectOnceInOrder(b, [...fromB, lastB], 'B: his own messages after the reconnect');
  await expectOnceInOrder(a, [hello, reply, unreadText, ...fromA, lastA], 'A: her own messages');
  await expectOnceInOrder(a, [...fromB, lastB], 'A: B’s messages after the reconnect');
  log('after the reconnect: A’s 5 messages once and in order for B, B’s 2 queued ones once for A');
  await checkA11y(b, 'B (fi): reconnected, history caught up', log);

  // A desktop screenshot of A (Swedish).
  await a.screenshot({ path: join(ctx.tmp, 'chat-desktop-sv.png') });
  saveScreenshot(src, ctx.tmp, 'chat-desktop-sv.png', log);

  // A reload keeps B signed in, in the same room, with the history.
  await b.reload({ waitUntil: 'domcontentloaded' });
  await expectConnection(b, ['connected'], 'fi', 'B after a reload');
  await expectRoomJoined(b, mainRef, 'B after a reload');
  await expectMessage(b, lastB, 'B’s history after a reload');
  check((await b.getByTestId('chat-signin').count()) === 0, 'B: the sign-in form is shown after a reload');
  log('a reload stays signed in');

  // Narrow screen: the chat is a tab beside the program.
  await b.setViewportSize({ width: 390, height: 844 });
  await b.getByTestId('view-tab-chat').click({ timeout: WAIT });
  await b.getByTestId('composer-input').waitFor({ state: 'visible', timeout: WAIT });
  check(!(await b.locator('#program').isVisible()), 'B (narrow): the program is visible beside the chat tab');
  await checkA11y(b, 'B (fi, 390×844): the chat tab', log);
  await b.screenshot({ path: join(ctx.tmp, 'chat-mobile-fi.png') });
  saveScreenshot(src, ctx.tmp, 'chat-mobile-fi.png', log);
  await b.getByTestId('view-tab-program').click({ timeout: WAIT });
  await b.locator('#program').waitFor({ state: 'visible', timeout: WAIT });
  await checkA11y(b, 'B (fi, 390×844): the program tab', log);
  log('narrow layout: program and chat tabs');

  // Guest mode: where the server hands out no dev tokens (404), the form offers to join as a
  // guest, and a guest sees only the rooms open to guests. (Here the 404 is faked in the browser.)
  const ctxC = await ctx.browser.newContext({ locale: 'en-GB', viewport });
  const c = await ctxC.newPage();
  watchPage(c, base, problems, 'C');
  await c.route('**/api/v1/dev/token', (route) =>
    route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"not_found","message":"no dev tokens"}}' }),
  );
  await c.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  await c.getByTestId('chat-name').fill('Gwen Guest', { timeout: WAIT });
  await c.getByTestId('chat-join').click({ timeout: WAIT });
  await c.getByTestId('guest-mode').waitFor({ state: 'visible', timeout: WAIT });
  check((await c.getByTestId('chat-role').count()) === 0, 'C: the role select stays in guest mode');
  check((await c.getByTestId('chat-join').innerText()).trim() === 'Join as a guest', 'C: the button does not offer to join as a guest');
  await checkA11y(c, 'C (en): the form offers to join as a guest', log);
  await c.getByTestId('chat-join').click({ timeout: WAIT });
  await expectConnection(c, ['connected'], 'en', 'C joins as a guest');
  await expectRoomJoined(c, mainRef, 'C (guest) on the main stage');
  await expectMessage(c, lastB, 'C (guest) sees the history');
  const guestRooms = rooms.filter((r) => r.guests === true).map((r) => r.id).sort();
  const shownRooms = (await c.getByTestId('room-tab').evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-room-id')))).sort();
  check(JSON.stringify(shownRooms) === JSON.stringify(guestRooms), `C (guest): room tabs ${JSON.stringify(shownRooms)}, expected the guest rooms ${JSON.stringify(guestRooms)}`);
  const fromGuest = `Hello from a guest ${run}`;
  await post(c, fromGuest);
  await expectMessage(c, fromGuest, 'C sees the guest’s message');
  await expectMessage(a, fromGuest, 'A sees the guest’s message');
  await checkA11y(c, 'C (en, guest): main stage, own message shown', log);
  // A burst over the rate limit (burst 5, then 1/s): the post waits with the translated reason
  // and the wait, goes out on its own, and everything arrives once and in order.
  const burst = [1, 2, 3, 4, 5, 6, 7].map((i) => `Burst ${i} ${run}`);
  for (const text of burst) await post(c, text);
  await c
    .waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid="chat-message"][data-pending="waiting"] [data-testid="message-status"]')].some((el) =>
          /^You are sending messages too quickly\. Your message will be sent in \d+ s\.$/.test(el.textContent.trim()),
        ),
      null,
      { timeout: WAIT, polling: 50 },
    )
    .catch(async () => {
      throw new TestFailure(`C: no rate-limited post with its wait shown; the room shows ${describe(await shownMessages(c))}`);
    });
  await checkA11y(c, 'C (en, guest): a post waits for the rate limit', log);
  for (const text of burst) await expectMessage(c, text, 'C’s burst, confirmed');
  for (const text of burst) await expectMessage(a, text, 'A sees C’s burst');
  await expectOnceInOrder(c, [fromGuest, ...burst], 'C after the burst');
  await expectOnceInOrder(a, [fromGuest, ...burst], 'A after C’s burst');
  log('rate limit: the wait is shown, the posts go out by themselves, once and in order');

  // The faked 404 (and chromium's console line about it) is the only error expected from C.
  for (const expected of [
    (p) => p.startsWith('C: HTTP 404') && p.includes('/api/v1/dev/token'),
    (p) => p.startsWith('C: console error: Failed to load resource') && p.includes('404'),
  ]) {
    const i = problems.findIndex(expected);
    if (i >= 0) problems.splice(i, 1);
  }
  log('guest mode when the server has no dev tokens');

  await ctxA.close();
  await ctxB.close();
  await ctxC.close();
  check(problems.length === 0, `problems in the pages:\n  ${problems.join('\n  ')}`);
}

await main('chat', run, log);

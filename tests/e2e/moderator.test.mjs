// Browser test of the moderator console (#moderate/E/R) and the projector (#projector=ID) against
// a scripted protocol peer (qa-fake.mjs, behind context.routeWebSocket) and routed kiosk/export
// HTTP: every part of the console once — pre-moderation, approve, reject with a reason, edit,
// merge, pin, answered, archive, restore, a hall question, the press filter; a poll created,
// opened, voted, closed and revealed; chat delete, mute, ban, the held message released, slow
// mode, lock; kiosk link created and revoked (the projector then says so). At 1440×900 and
// 390×844 in Swedish and Finnish, and the projector at 1920×1080: axe on each state, screenshots
// to /tmp/i17/shots/ and build/e2e-screenshots/. The real server's side: qa_live.test.mjs.
//
// Run as `node tests/e2e/moderator.test.mjs` with SAMLING_BIN (the server, or
// tests/e2e/mock-server.mjs: only the event's HTTP is used) and SAMLING_SOURCE_DIR.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, checkA11y, checkFocusRings, expect, getJson, launchBrowser, main, saveScreenshot, setUp, startServer, TestFailure, watchPage } from './harness.mjs';
import { createQaFake } from './qa-fake.mjs';

const WAIT = 10_000;
const SHOTS = process.env.E2E_SHOTS_DIR ?? '/tmp/i17/shots';

function log(message) {
  console.log(`[moderator.test] ${message}`);
}

const USERS = {
  'tok-mod': { id: 'u-mod', name: 'Maja Moderator', role: 'moderator' },
  'tok-a': { id: 'u-anna', name: 'Anna Andersson', role: 'attendee' },
  'tok-b': { id: 'u-bertil', name: 'Bertil Berg', role: 'attendee' },
  'tok-p': { id: 'u-pia', name: 'Pia Press', role: 'press' },
};
const user = (token) => USERS[token];

async function shot(page, ctx, src, name) {
  const file = join(ctx.tmp, name);
  await page.evaluate(() => scrollTo(0, 0));
  await page.screenshot({ path: file });
  saveScreenshot(src, ctx.tmp, name, log);
  try {
    mkdirSync(SHOTS, { recursive: true });
    copyFileSync(file, join(SHOTS, name));
  } catch {
    // only for people
  }
}

/** Waits until `fn` (run in the page with `arg`) is truthy; the failure says `what`. */
async function until(page, what, fn, arg) {
  await expect(what, page.waitForFunction(fn, arg, { timeout: WAIT, polling: 100 }));
}

const item = (page, qid) => page.locator(`[data-testid="mod-queue"] [data-testid="qa-item"][data-qid="${qid}"]`).first();

async function section(page, name) {
  // On a phone every section has a tab; on a wide screen the questions are always shown.
  const tab = page.getByTestId(`mod-section-${name}`);
  if (await tab.count()) await tab.click();
}

main('moderator', async (ctx) => {
  const { src, bin, configPath, chromium } = setUp(ctx);
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  const events = await getJson(`${base}/api/v1/events`);
  const E = events.events[0].id;
  const ROOM = 'main';
  const fake = createQaFake({ event: E, rooms: [ROOM, 'seminar-housing'], users: USERS });
  const problems = [];
  ctx.browser = await launchBrowser(chromium);

  // HTTP of the projector and exports, as docs/api.md says (the fake holds the kiosk links).
  const links = [];
  async function routeHttp(context) {
    await context.route(/\/api\/v1\/(kiosk\/|events\/[^/]+\/(kiosk-links|rooms\/[^/]+\/(kiosk-links|qr\.svg|export)|moderation-log|qa-settings))/, async (route) => {
      const req = route.request();
      const url = new URL(req.url());
      const p = url.pathname;
      const jsonReply = (status, body) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
      let m;
      if (p.endsWith('/qr.svg')) {
        return route.fulfill({ status: 200, contentType: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29" shape-rendering="crispEdges"><rect width="29" height="29" fill="#fff"/><path d="M4 4h7v7H4zM18 4h7v7h-7zM4 18h7v7H4zM13 13h3v3h-3zM18 18h2v2h-2zM22 20h3v3h-3z" fill="#000"/></svg>' });
      }
      if ((m = p.match(/\/api\/v1\/kiosk\/([^/]+)$/))) {
        const k = links.find((l) => l.id === m[1]);
        if (!k) return jsonReply(404, { error: { code: 'kiosk_unknown', message: 'unknown' } });
        if (k.revoked) return jsonReply(410, { error: { code: 'kiosk_revoked', message: 'revoked' } });
        return jsonReply(200, { event: E, room: k.room, qa_url: `${base}/#event=${E}&room=${k.room}&qa=1`, qr: `/api/v1/events/${E}/rooms/${k.room}/qr.svg` });
      }
      if (p.endsWith('/kiosk-links') && req.method() === 'POST') {
        const room = p.split('/')[6];
        const id = `k${links.length + 1}abcdef0123456789`;
        const link = { id, url: `${base}/#projector=${id}`, event: E, room, created: Date.now(), revoked: null };
        links.push(link);
        fake.addKiosk(id, room);
        return jsonReply(201, link);
      }
      if (p.endsWith('/kiosk-links')) return jsonReply(200, { links });
      if ((m = p.match(/\/kiosk-links\/([^/]+)$/)) && req.method() === 'DELETE') {
        const k = links.find((l) => l.id === m[1]);
        if (!k) return jsonReply(404, { error: { code: 'kiosk_unknown', message: 'unknown' } });
        k.revoked = Date.now();
        fake.revokeKiosk(k.id);
        return route.fulfill({ status: 204 });
      }
      if (p.endsWith('/qa-settings')) return jsonReply(200, { names_to_moderators: false });
      return route.fulfill({ status: 200, contentType: 'text/csv', body: '\ufeffid,text\r\n' });
    });
    await context.routeWebSocket(/\/ws$/, (ws) => fake.connect(ws));
  }

  async function newPage(name, lang, viewport, token, colorScheme = 'light') {
    const context = await ctx.browser.newContext({ viewport, locale: lang === 'sv' ? 'sv-SE' : 'fi-FI', colorScheme });
    await routeHttp(context);
    await context.addInitScript(([E, lang, token, u]) => {
      localStorage.setItem('samling.lang', lang);
      if (token) sessionStorage.setItem(`samling.chat.identity.${E}`, JSON.stringify({ event: E, name: u.name, role: u.role, token }));
    }, [E, lang, token, token ? user(token) : null]);
    const page = await context.newPage();
    watchPage(page, base, problems, name);
    return { context, page };
  }

  // --- the moderator at 1440×900, Swedish -------------------------------------------------------------
  const mod = await newPage('moderator', 'sv', { width: 1440, height: 900 }, 'tok-mod');
  const M = mod.page;
  await M.goto(`${base}/#moderate/${E}/${ROOM}`, { waitUntil: 'domcontentloaded' });
  await expect('the console connects', M.locator('[data-testid="mod-connection"][data-state="connected"]').waitFor({ timeout: WAIT }));
  await expect('the queue shows', M.getByTestId('mod-queue').waitFor({ timeout: WAIT }));
  await checkA11y(M, 'console sv 1440, empty', log);

  // Pre-moderation on; an attendee's question waits; approve; pin.
  await M.getByTestId('mod-premoderation').click(); // controlled: it shows the server's setting once the event is back
  await until(M, 'pre-moderation is on', () => document.querySelector('[data-testid="mod-premoderation"]')?.checked === true);
  const q1 = fake.act(user('tok-a'), ROOM, { type: 'ask', text: 'Hur ska regionen klara bostadsbristen till 2030?', client_msg_id: 'c1' }).result.question.id;
  const q2 = fake.act(user('tok-b'), ROOM, { type: 'ask', text: 'Vad kostar det att bygga ut tunnelbanan?', client_msg_id: 'c2', anonymous: true }).result.question.id;
  const q3 = fake.act(user('tok-p'), ROOM, { type: 'ask', text: 'Hur ska regionen klara bostadsbristen?', client_msg_id: 'c3' }).result.question.id;
  const q4 = fake.act(user('tok-b'), ROOM, { type: 'ask', text: 'Spam spam spam', client_msg_id: 'c4' }).result.question.id;
  await M.getByTestId('mod-tab-pending').click();
  await expect('the pending question shows', item(M, q1).waitFor({ timeout: WAIT }));
  check((await item(M, q1).getAttribute('data-status')) === 'pending', 'q1 is pending');
  await item(M, q1).getByTestId('mod-approve').click();
  // The approved question leaves Pending with its button: the focus goes to the queue's heading.
  await until(M, 'the focus moves to the queue heading', () => document.activeElement?.id === 'mod-queue-heading');
  await item(M, q2).getByTestId('mod-approve').click();
  await item(M, q3).getByTestId('mod-approve').click();
  // Reject with a reason.
  await item(M, q4).getByTestId('mod-reject').click();
  await item(M, q4).getByTestId('mod-reject-reason').fill('Inte en fråga');
  await item(M, q4).getByTestId('mod-reject-confirm').click();
  await until(M, 'nothing is pending', () => document.querySelector('[data-testid="mod-queue-empty"]') !== null);
  check(fake.state.rooms.get(`${E}/${ROOM}`).questions.get(q4).reason === 'Inte en fråga', 'the reason reached the server');
  // Votes move the live list.
  fake.act(user('tok-a'), ROOM, { type: 'vote', question: q2, up: true });
  fake.act(user('tok-p'), ROOM, { type: 'vote', question: q2, up: true });
  await M.getByTestId('mod-tab-live').click();
  await until(M, 'q2 leads by votes', (id) => document.querySelector('[data-testid="mod-questions"] [data-testid="qa-item"]')?.getAttribute('data-qid') === id, q2);
  // Merge q3 into q1; edit q1; press filter shows only press questions.
  await item(M, q3).getByTestId('mod-merge').click();
  await item(M, q3).getByTestId('mod-merge-into').selectOption(q1);
  await item(M, q3).getByTestId('mod-merge-confirm').click();
  await until(M, 'q3 merged away from the live list', (id) => !document.querySelector(`[data-testid="mod-questions"] [data-qid="${id}"]`), q3);
  await item(M, q1).getByTestId('mod-edit').click();
  await item(M, q1).getByTestId('mod-edit-text').fill('Hur ska regionen klara bostadsbristen till år 2030?');
  await item(M, q1).getByTestId('mod-edit-save').click();
  await until(M, 'the edit shows', (id) => document.querySelector(`[data-qid="${id}"] [data-testid="qa-text"]`)?.textContent?.includes('år 2030'), q1);
  // Pin q1: "now answering".
  await item(M, q1).getByTestId('mod-pin').click();
  await until(M, 'q1 is pinned', (id) => document.querySelector(`[data-testid="mod-pinned"] [data-qid="${id}"]`) !== null, q1);
  // A question heard in the hall.
  await M.getByTestId('mod-hall-text').fill('Vem ansvarar för cykelvägarna?');
  await M.getByTestId('mod-hall-name').fill('Karin i salen');
  await M.getByTestId('mod-hall-submit').click();
  await until(M, 'the hall question is live', () => [...document.querySelectorAll('[data-testid="mod-questions"] [data-testid="qa-text"]')].some((e) => e.textContent.includes('cykelvägarna')));
  await checkA11y(M, 'console sv 1440, queue with pinned and live', log);

  // --- polls ------------------------------------------------------------------------------------------
  await M.getByTestId('mod-section-polls').click();
  await M.getByTestId('mod-poll-text').fill('Vilken fråga är viktigast för regionen?');
  const opts = M.getByTestId('mod-poll-option');
  await opts.nth(0).fill('Bostäder');
  await opts.nth(1).fill('Klimat');
  await M.getByTestId('mod-poll-add-option').click();
  await opts.nth(2).fill('Trygghet');
  await M.getByTestId('mod-poll-create').click();
  const poll = M.locator('[data-testid="mod-poll"]').first();
  await expect('the draft poll shows', poll.waitFor({ timeout: WAIT }));
  check((await poll.getAttribute('data-state')) === 'draft', 'the new poll is a draft');
  await poll.getByTestId('mod-poll-open').click();
  await until(M, 'the poll is open', () => document.querySelector('[data-testid="mod-poll"]')?.getAttribute('data-state') === 'open');
  const pid = await poll.getAttribute('data-poll-id');
  fake.act(user('tok-a'), ROOM, { type: 'poll_vote', poll: pid, choices: [0] });
  fake.act(user('tok-b'), ROOM, { type: 'poll_vote', poll: pid, choices: [0] });
  fake.act(user('tok-p'), ROOM, { type: 'poll_vote', poll: pid, choices: [2] });
  await until(M, 'the live results show 3 voters', () => /3/.test(document.querySelector('[data-testid="mod-poll"] .mod-dim')?.textContent ?? ''));
  await checkA11y(M, 'console sv 1440, polls', log);

  // --- chat moderation --------------------------------------------------------------------------------
  await M.getByTestId('mod-section-chat').click();
  fake.act(user('tok-a'), ROOM, { type: 'post', text: 'Hej från Anna!', client_msg_id: 'm1' });
  fake.act(user('tok-b'), ROOM, { type: 'post', text: 'Detta är ett dumt inlägg', client_msg_id: 'm2' });
  const msg = (text) => M.locator('[data-testid="mod-chat"] [data-testid="mod-message"]', { hasText: text }).first();
  await expect('the chat shows the posts', msg('dumt inlägg').waitFor({ timeout: WAIT }));
  await msg('dumt inlägg').getByTestId('mod-chat-delete').click();
  await msg('dumt inlägg').getByTestId('mod-delete-reason').fill('Otrevligt');
  await msg('dumt inlägg').getByTestId('mod-delete-confirm').click();
  await until(M, 'the deleted message is gone', () => ![...document.querySelectorAll('[data-testid="mod-chat"] [data-testid="mod-message"]')].some((e) => e.textContent.includes('dumt inlägg')));
  // The word list holds a message; release it.
  await M.getByTestId('mod-words').fill('bluff\nfusk');
  await M.getByTestId('mod-words-save').click();
  await expect('the words reach the server', (async () => {
    for (let i = 0; i < 50 && fake.state.words.length !== 2; i++) await new Promise((r) => setTimeout(r, 100));
    if (fake.state.words.length !== 2) throw new Error(`words: ${JSON.stringify(fake.state.words)}`);
  })());
  fake.act(user('tok-b'), ROOM, { type: 'post', text: 'Det här är bluff', client_msg_id: 'm3' });
  const held = M.locator('[data-testid="mod-held"] [data-testid="mod-message"]', { hasText: 'bluff' });
  await expect('the held message shows for review', held.waitFor({ timeout: WAIT }));
  await checkA11y(M, 'console sv 1440, chat with a held message', log);
  await shot(M, ctx, src, 'moderator-sv-1440x900.png');
  await held.getByTestId('mod-release').click();
  await until(M, 'the released message left the review list', () => !document.querySelector('[data-testid="mod-held"] [data-testid="mod-message"]'));
  // Mute Anna for 5 minutes, ban Bertil; unmute Anna.
  await msg('Hej från Anna').getByTestId('mod-mute').click();
  await msg('Hej från Anna').getByTestId('mod-mute-5').check();
  await msg('Hej från Anna').getByTestId('mod-mute-confirm').click();
  await expect('Anna is in the muted list', M.locator('[data-testid="mod-muted-list"] li[data-user-id="u-anna"]').waitFor({ timeout: WAIT }));
  check(fake.act(user('tok-a'), ROOM, { type: 'post', text: 'x', client_msg_id: 'm4' }).code === 'muted', 'a muted post is refused');
  await msg('bluff').getByTestId('mod-ban').click();
  await msg('bluff').getByTestId('mod-ban-reason').fill('Upprepade störningar');
  await msg('bluff').getByTestId('mod-ban-confirm').click();
  await expect('Bertil is in the banned list', M.locator('[data-testid="mod-banned-list"] li[data-user-id="u-bertil"]').waitFor({ timeout: WAIT }));
  await M.locator('[data-testid="mod-muted-list"] li[data-user-id="u-anna"]').getByTestId('mod-unmute').click();
  await until(M, 'Anna is not muted any more', () => !document.querySelector('[data-testid="mod-muted-list"] li[data-user-id="u-anna"]'));
  // Slow mode and lock.
  await M.getByTestId('mod-slow-mode').fill('30');
  await M.getByTestId('mod-slow-mode-set').click();
  await M.getByTestId('mod-lock').click();
  await expect('the chat shows as locked', M.getByTestId('mod-locked-state').waitFor({ timeout: WAIT }));
  check(fake.state.rooms.get(`${E}/${ROOM}`).settings.slow === 30, 'slow mode 30 s reached the server');
  await M.getByTestId('mod-lock').click();
  await until(M, 'unlocked', () => !document.querySelector('[data-testid="mod-locked-state"]'));
  await checkA11y(M, 'console sv 1440, muted and banned lists', log);

  // --- projector link and the projector ---------------------------------------------------------------
  await M.getByTestId('mod-section-projector').click();
  await M.getByTestId('mod-kiosk-create').click();
  const linkRow = M.getByTestId('mod-kiosk-link').first();
  await expect('the kiosk link is listed', linkRow.waitFor({ timeout: WAIT }));
  const kioskId = await linkRow.getAttribute('data-kiosk-id');
  await checkA11y(M, 'console sv 1440, projector and export', log);

  const proj = await newPage('projector', 'sv', { width: 1920, height: 1080 }, null);
  const Pj = proj.page;
  await Pj.goto(`${base}/#projector=${kioskId}`, { waitUntil: 'domcontentloaded' });
  await until(Pj, 'the projector shows the pinned question', (id) => document.querySelector('[data-testid="projector-current"]')?.getAttribute('data-qid') === id, q1);
  await expect('the projector shows the QR code', Pj.locator('[data-testid="projector-qr"] img').waitFor({ timeout: WAIT }));
  await expect('the projector shows the open poll', Pj.getByTestId('projector-poll').waitFor({ timeout: WAIT }));
  await checkA11y(Pj, 'projector sv 1920, pinned question and poll', log);
  await shot(Pj, ctx, src, 'projector-sv-1920x1080.png');
  // Close the poll: the projector shows the next questions instead.
  await M.getByTestId('mod-section-polls').click();
  await M.locator('[data-testid="mod-poll"]').first().getByTestId('mod-poll-close').click();
  await expect('the projector lists the next questions', Pj.getByTestId('projector-next').waitFor({ timeout: WAIT }));
  await shot(Pj, ctx, src, 'projector-sv-1920x1080-questions.png');

  // --- Finnish, and the phone -------------------------------------------------------------------------
  const fi = await newPage('moderator fi', 'fi', { width: 1440, height: 900 }, 'tok-mod');
  await fi.page.goto(`${base}/#moderate/${E}/${ROOM}`, { waitUntil: 'domcontentloaded' });
  await expect('fi: the queue shows', fi.page.getByTestId('mod-queue').waitFor({ timeout: WAIT }));
  await until(fi.page, 'fi: the pinned question shows', (id) => document.querySelector(`[data-testid="mod-pinned"] [data-qid="${id}"]`) !== null, q1);
  await checkA11y(fi.page, 'console fi 1440', log);
  await shot(fi.page, ctx, src, 'moderator-fi-1440x900.png');
  await checkFocusRings(fi.page, 'console fi 1440', log, 30);
  for (const lang of ['sv', 'fi']) {
    const phone = await newPage(`phone ${lang}`, lang, { width: 390, height: 844 }, 'tok-mod');
    await phone.page.goto(`${base}/#moderate/${E}/${ROOM}`, { waitUntil: 'domcontentloaded' });
    await expect(`${lang} phone: the queue shows`, phone.page.getByTestId('mod-queue').waitFor({ timeout: WAIT }));
    await until(phone.page, `${lang} phone: the pinned question shows`, (id) => document.querySelector(`[data-testid="mod-pinned"] [data-qid="${id}"]`) !== null, q1);
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    check(overflow <= 0, `${lang} phone: the console is ${overflow}px wider than the screen`);
    await checkA11y(phone.page, `console ${lang} 390`, log);
    await shot(phone.page, ctx, src, `moderator-${lang}-390x844.png`);
    await section(phone.page, 'chat');
    await expect(`${lang} phone: chat moderation shows`, phone.page.getByTestId('mod-banned-list').waitFor({ timeout: WAIT }));
    await checkA11y(phone.page, `console ${lang} 390, chat`, log);
    await shot(phone.page, ctx, src, `moderator-${lang}-390x844-chat.png`);
    for (const s of ['polls', 'projector']) {
      await section(phone.page, s);
      await expect(`${lang} phone: ${s}`, phone.page.getByTestId(s === 'polls' ? 'mod-polls' : 'mod-kiosk').waitFor({ timeout: WAIT }));
      const wider = await phone.page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      check(wider <= 0, `${lang} phone: the ${s} section is ${wider}px wider than the screen`);
      await checkA11y(phone.page, `console ${lang} 390, ${s}`, log);
      await shot(phone.page, ctx, src, `moderator-${lang}-390x844-${s}.png`);
    }
    await phone.context.close();
  }
  // Dark mode (a moderator's phone at night): every section passes axe.
  const dark = await newPage('dark', 'sv', { width: 390, height: 844 }, 'tok-mod', 'dark');
  await dark.page.goto(`${base}/#moderate/${E}/${ROOM}`, { waitUntil: 'domcontentloaded' });
  await expect('dark: the queue shows', dark.page.getByTestId('mod-queue').waitFor({ timeout: WAIT }));
  await until(dark.page, 'dark: the pinned question shows', (id) => document.querySelector(`[data-testid="mod-pinned"] [data-qid="${id}"]`) !== null, q1);
  for (const s of ['questions', 'polls', 'chat', 'projector']) {
    await section(dark.page, s);
    await checkA11y(dark.page, `console sv 390 dark, ${s}`, log);
  }
  await section(dark.page, 'questions');
  await shot(dark.page, ctx, src, 'moderator-sv-390x844-dark.png');
  await dark.context.close();

  const projFi = await newPage('projector fi', 'fi', { width: 1920, height: 1080 }, null);
  await projFi.page.goto(`${base}/#projector=${kioskId}`, { waitUntil: 'domcontentloaded' });
  await until(projFi.page, 'fi: the projector shows the pinned question', (id) => document.querySelector('[data-testid="projector-current"]')?.getAttribute('data-qid') === id, q1);
  await shot(projFi.page, ctx, src, 'projector-fi-1920x1080.png');

  // A 1280×720 beamer: the question, the QR code and the list all on screen.
  await projFi.page.setViewportSize({ width: 1280, height: 720 });
  const outside = await projFi.page.evaluate(() =>
    ['projector-current', 'projector-qr', 'projector-next']
      .map((id) => [id, document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect()])
      .filter(([, r]) => !r || r.bottom > innerHeight + 1 || r.right > innerWidth + 1)
      .map(([id]) => id),
  );
  check(outside.length === 0, `1280×720: not on screen: ${outside.join(', ')}`);
  await shot(projFi.page, ctx, src, 'projector-fi-1280x720.png');

  // Revoke: both projectors say so at once (close 4011).
  await M.getByTestId('mod-section-projector').click();
  await M.getByTestId('mod-kiosk-revoke').first().click();
  await expect('the projector says the link is revoked', Pj.getByTestId('projector-revoked').waitFor({ timeout: WAIT }));
  await expect('fi: the projector says the link is revoked', projFi.page.getByTestId('projector-revoked').waitFor({ timeout: WAIT }));
  await checkA11y(Pj, 'projector sv, revoked', log);
  await shot(Pj, ctx, src, 'projector-sv-revoked.png');

  // Errors the test caused on purpose: none expected.
  if (problems.length) throw new TestFailure(`problems in the pages:\n  ${problems.join('\n  ')}`);
}, log);

// Issue 17's "Done when", against the real server: three browser contexts — an attendee asks,
// the moderator approves and pins it, the projector (a kiosk link) shows it; a second attendee's
// vote moves a question in everyone's list (the attendee's, the moderator's, the projector's);
// the first attendee goes offline and back and sees the same state as the others. axe on each
// page; screenshots of the projector at 1920×1080 and of the moderator console at 1440×900 and
// 390×844, in Swedish and Finnish, to /tmp/i17/shots/ and build/e2e-screenshots/.
//
// Run by CTest as `node tests/e2e/qa_live.test.mjs` with SAMLING_BIN (the server) and
// SAMLING_SOURCE_DIR (web/ installed and built). The console's every action: moderator.test.mjs.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { addAccount, check, checkA11y, expect, getJson, launchBrowser, main, saveScreenshot, setUp, startServer, TestFailure, watchPage } from './harness.mjs';

const WAIT = 15_000; // ms, for each expectation on the page
const RECONNECT_WAIT = 30_000; // ms: the backoff may have grown while offline
const SHOTS = process.env.E2E_SHOTS_DIR ?? '/tmp/i17/shots';

function log(message) {
  console.log(`[qa_live.test] ${message}`);
}

async function shot(page, ctx, src, name) {
  await page.evaluate(() => scrollTo(0, 0));
  await page.screenshot({ path: join(ctx.tmp, name) });
  saveScreenshot(src, ctx.tmp, name, log);
  try {
    mkdirSync(SHOTS, { recursive: true });
    copyFileSync(join(ctx.tmp, name), join(SHOTS, name));
  } catch {
    // only for people
  }
}

async function devToken(base, event, name, role) {
  const r = await fetch(`${base}/api/v1/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event, name, role }) });
  check(r.ok, `POST /api/v1/dev/token (${role}): HTTP ${r.status}`);
  return r.json();
}

async function signIn(page, name) {
  await page.getByTestId('chat-name').fill(name, { timeout: WAIT });
  await page.getByTestId('chat-role').selectOption('attendee', { timeout: WAIT });
  await page.getByTestId('chat-join').click();
  await expect(`${name}: connected`, page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: WAIT }));
}

/** The question ids of a list, top to bottom. */
const ids = (page, list) => page.locator(`${list} [data-testid="qa-item"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-qid')));
const ATTENDEE_LIST = '[data-testid="qa-panel"]';
const MOD_LIVE = '[data-testid="mod-questions"]';

/** Waits until `a` comes before `b` in the page's list (`sel`). */
async function expectBefore(page, sel, a, b, what, timeout = WAIT) {
  await page
    .waitForFunction(
      ([sel, a, b, attr]) => {
        const order = [...document.querySelectorAll(`${sel} [${attr}]`)].map((e) => e.getAttribute(attr));
        return order.includes(a) && order.includes(b) && order.indexOf(a) < order.indexOf(b);
      },
      [sel, a, b, 'data-qid'],
      { timeout, polling: 100 },
    )
    .catch(async () => {
      throw new TestFailure(`${what}: expected ${a} before ${b}; the list shows ${JSON.stringify(await page.locator(`${sel} [data-qid]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-qid'))))}`);
    });
}

main('qa_live', async (ctx) => {
  const { src, bin, configPath, chromium } = setUp(ctx, ['[auth]', 'dev_tokens = true']);
  const ORGANIZER = { email: 'olga@example.org', name: 'Olga Organisatör', password: 'ett långt lösenord för testet' };
  await addAccount(bin, configPath, { ...ORGANIZER, role: 'organizer', event: '*' });
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  const E = (await getJson(`${base}/api/v1/events`)).events[0].id;
  const ROOM = 'main';
  const REF = `${E}/${ROOM}`;
  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const mod = await devToken(base, E, 'Maja Moderator', 'moderator');

  async function open(name, lang, viewport, asModerator) {
    const context = await ctx.browser.newContext({ viewport, locale: lang === 'sv' ? 'sv-SE' : 'fi-FI', colorScheme: 'light' });
    await context.addInitScript(([E, lang, t]) => {
      localStorage.setItem('samling.lang', lang);
      if (t) sessionStorage.setItem(`samling.chat.identity.${E}`, JSON.stringify({ event: E, name: t.user.name, role: t.user.role, token: t.token }));
    }, [E, lang, asModerator ? mod : null]);
    const page = await context.newPage();
    watchPage(page, base, problems, name);
    return { context, page };
  }

  // The moderator (sv, 1440×900): pre-moderation on, and a question heard in the hall.
  const mCtx = await open('moderator', 'sv', { width: 1440, height: 900 }, true);
  const M = mCtx.page;
  await M.goto(`${base}/#moderate/${E}/${ROOM}`, { waitUntil: 'domcontentloaded' });
  await expect('the console connects', M.locator('[data-testid="mod-connection"][data-state="connected"]').waitFor({ timeout: WAIT }));
  await expect('the console has the queue', M.getByTestId('mod-queue').waitFor({ timeout: WAIT }));
  await M.getByTestId('mod-premoderation').click();
  await expect('pre-moderation on', M.waitForFunction(() => document.querySelector('[data-testid="mod-premoderation"]')?.checked === true, null, { timeout: WAIT }));
  await M.getByTestId('mod-hall-text').fill('Vem ansvarar för cykelvägarna i regionen?');
  await M.getByTestId('mod-hall-name').fill('Karin i salen');
  await M.getByTestId('mod-hall-submit').click();
  await M.getByTestId('mod-tab-live').click();
  const hall = M.locator(`${MOD_LIVE} [data-testid="qa-item"]`).first();
  await expect('the hall question is live at once', hall.waitFor({ timeout: WAIT }));
  const qHall = await hall.getAttribute('data-qid');

  // Attendee A (sv, 1440×900) comes by the QR code's address and asks.
  const A = await open('attendee A', 'sv', { width: 1440, height: 900 }, false);
  await A.page.goto(`${base}/#event=${E}&room=${ROOM}&qa=1`, { waitUntil: 'domcontentloaded' });
  await expect('A: asked to join', A.page.getByTestId('qa-signin').waitFor({ timeout: WAIT }));
  await A.page.getByTestId('qa-signin-button').click();
  await signIn(A.page, 'Anna Andersson');
  await expect('A: the Q&A panel', A.page.locator('[data-testid="qa-panel"][data-ready="true"]').waitFor({ timeout: WAIT }));
  const ask = async (text) => {
    const before = await ids(A.page, ATTENDEE_LIST);
    await A.page.getByTestId('qa-ask-input').fill(text);
    await A.page.getByTestId('qa-ask-submit').click();
    await expect(`A: "${text}" listed`, A.page.waitForFunction(([sel, n]) => document.querySelectorAll(`${sel} [data-testid="qa-item"]`).length > n, [ATTENDEE_LIST, before.length], { timeout: WAIT }));
    return (await ids(A.page, ATTENDEE_LIST)).find((id) => !before.includes(id));
  };
  const q1 = await ask('Hur ska regionen klara bostadsbristen till 2030?');
  const q2 = await ask('Kommer det att finnas fler hyresrätter i förorterna?');
  log(`questions: hall ${qHall}, A's ${q1} and ${q2}`);

  // The moderator approves both and pins the first.
  await M.getByTestId('mod-tab-pending').click();
  for (const q of [q1, q2]) {
    const row = M.locator(`[data-testid="mod-queue"] [data-qid="${q}"]`).first();
    await expect(`the moderator sees ${q} waiting`, row.waitFor({ timeout: WAIT }));
    check((await row.getAttribute('data-status')) === 'pending', `${q} waits for review`);
    await row.getByTestId('mod-approve').click();
    await expect(`${q} approved`, M.locator(`[data-testid="mod-questions"] [data-qid="${q}"]`).waitFor({ state: 'detached', timeout: WAIT }));
  }
  await M.getByTestId('mod-tab-live').click();
  await M.locator(`${MOD_LIVE} [data-qid="${q1}"]`).getByTestId('mod-pin').click();
  await expect('the moderator sees it pinned', M.locator(`[data-testid="mod-pinned"] [data-qid="${q1}"]`).waitFor({ timeout: WAIT }));
  await expect('A sees it pinned on top', A.page.waitForFunction((id) => {
    const first = document.querySelector('[data-testid="qa-panel"] [data-testid="qa-item"]');
    return first?.getAttribute('data-qid') === id && first.getAttribute('data-pinned') === 'true';
  }, q1, { timeout: WAIT }));
  await checkA11y(M, 'moderator (sv, 1440): pinned, live list', log);
  await shot(M, ctx, src, 'live-moderator-sv-1440x900.png');

  // The projector, by a kiosk link the moderator makes.
  await M.getByTestId('mod-section-projector').click();
  await M.getByTestId('mod-kiosk-create').click();
  const link = M.getByTestId('mod-kiosk-link').first();
  await expect('the kiosk link is listed', link.waitFor({ timeout: WAIT }));
  const kioskUrl = (await link.locator('.mod-url').textContent()).trim();
  check(/#projector=/.test(kioskUrl), `a projector address: ${kioskUrl}`);
  const P = await open('projector', 'sv', { width: 1920, height: 1080 }, false);
  await P.page.goto(kioskUrl.replace(/^https?:\/\/[^/]+/, base), { waitUntil: 'domcontentloaded' });
  await expect('the projector shows the pinned question', P.page.locator(`[data-testid="projector-current"][data-qid="${q1}"]`).waitFor({ timeout: WAIT }));
  await expect('the projector shows the QR code', P.page.locator('[data-testid="projector-qr"] img').waitFor({ timeout: WAIT }));
  check(await P.page.locator('[data-testid="projector-qr"] img').evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code image loaded');
  await expectBefore(P.page, '[data-testid="projector-next"]', qHall, q2, 'projector: tie, the older (hall) question first');
  await checkA11y(P.page, 'projector (sv, 1920)', log);

  // Attendee B (sv, 390×844) votes for A's second question: it moves above the hall question everywhere.
  const B = await open('attendee B', 'sv', { width: 390, height: 844 }, false);
  await B.page.goto(`${base}/#event=${E}&room=${ROOM}&qa=1`, { waitUntil: 'domcontentloaded' });
  await B.page.getByTestId('qa-signin-button').click();
  await signIn(B.page, 'Bertil Berg');
  await B.page.getByTestId('view-tab-qa').click();
  await expect('B: A\'s question', B.page.locator(`[data-qid="${q2}"]`).waitFor({ timeout: WAIT }));
  await expectBefore(A.page, ATTENDEE_LIST, qHall, q2, 'A: before the vote, the hall question first');
  await B.page.locator(`[data-qid="${q2}"] [data-testid="qa-vote"]`).click();
  await expectBefore(A.page, ATTENDEE_LIST, q2, qHall, 'A: the voted question moved up');
  await expectBefore(B.page, ATTENDEE_LIST, q2, qHall, 'B: the voted question moved up');
  await expectBefore(M, MOD_LIVE, q2, qHall, 'moderator: the voted question moved up (the Live tab, by votes)');
  await expectBefore(P.page, '[data-testid="projector-next"]', q2, qHall, 'projector: the voted question moved up');
  await shot(P.page, ctx, src, 'live-projector-sv-1920x1080.png');

  // A goes offline; meanwhile B votes for the hall question and the moderator marks q1 answered.
  await A.context.setOffline(true);
  await expect('A: offline shown', A.page.locator('[data-testid="connection-state"]:not([data-state="connected"])').waitFor({ timeout: WAIT }));
  await B.page.locator(`[data-qid="${qHall}"] [data-testid="qa-vote"]`).click();
  await expect('B: voted for the hall question', B.page.locator(`[data-qid="${qHall}"] [data-testid="qa-vote"][aria-pressed="true"]`).waitFor({ timeout: WAIT }));
  await M.locator(`[data-testid="mod-pinned"] [data-qid="${q1}"]`).getByTestId('mod-answered').click();
  await expect('the projector drops the answered question', P.page.locator('[data-testid="projector-current"][data-qid=""]').waitFor({ timeout: WAIT }));
  await A.context.setOffline(false);
  await expect('A: back online', A.page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: RECONNECT_WAIT }));
  // The same state as B: the same questions in the same order with the same counts.
  const state = (page) =>
    page.locator(`${ATTENDEE_LIST} [data-testid="qa-item"]`).evaluateAll((els) =>
      els.map((e) => `${e.getAttribute('data-qid')}:${e.querySelector('[data-testid="qa-votes"]')?.getAttribute('data-count')}:${e.getAttribute('data-pinned')}`),
    );
  await expect('A sees what B sees after the reconnect', A.page.waitForFunction(
    ([sel, want]) => JSON.stringify([...document.querySelectorAll(`${sel} [data-testid="qa-item"]`)].map((e) => `${e.getAttribute('data-qid')}:${e.querySelector('[data-testid="qa-votes"]')?.getAttribute('data-count')}:${e.getAttribute('data-pinned')}`)) === want,
    [ATTENDEE_LIST, JSON.stringify(await state(B.page))],
    { timeout: WAIT },
  )).catch(async (e) => {
    throw new TestFailure(`${e.message}\n  A: ${JSON.stringify(await state(A.page))}\n  B: ${JSON.stringify(await state(B.page))}`);
  });
  await checkA11y(A.page, 'attendee A (sv, 1440) after the reconnect', log);

  // The moderator goes offline too; while away A votes for the hall question; back, the
  // console shows the same queue as the server (the counts and the order of the live list).
  await mCtx.context.setOffline(true);
  await expect('moderator: offline shown', M.locator('[data-testid="mod-connection"]:not([data-state="connected"])').waitFor({ timeout: WAIT }));
  await A.page.locator(`[data-qid="${qHall}"] [data-testid="qa-vote"]`).click();
  await expect('A: voted for the hall question', A.page.locator(`[data-qid="${qHall}"] [data-testid="qa-vote"][aria-pressed="true"]`).waitFor({ timeout: WAIT }));
  await mCtx.context.setOffline(false);
  await expect('moderator: back online', M.locator('[data-testid="mod-connection"][data-state="connected"]').waitFor({ timeout: RECONNECT_WAIT }));
  await expectBefore(M, MOD_LIVE, qHall, q2, 'moderator after the reconnect: the hall question (2 votes) above q2 (1 vote)');
  const count = (sel, q) => M.locator(`${sel} [data-qid="${q}"] [data-testid="qa-votes"]`).first().textContent();
  check(/2/.test(await count(MOD_LIVE, qHall)) && /1/.test(await count(MOD_LIVE, q2)), `moderator after the reconnect: counts ${await count(MOD_LIVE, qHall)} / ${await count(MOD_LIVE, q2)}`);

  // The next question answered: the moderator pins q2, the projector follows.
  await M.locator(`${MOD_LIVE} [data-qid="${q2}"]`).getByTestId('mod-pin').click();
  await expect('the projector shows the newly pinned question', P.page.locator(`[data-testid="projector-current"][data-qid="${q2}"]`).waitFor({ timeout: WAIT }));

  // Screenshots: the console at 390×844 (sv, fi) and 1440×900 (fi), the projector in Finnish.
  for (const lang of ['sv', 'fi']) {
    const phone = await open(`moderator ${lang} phone`, lang, { width: 390, height: 844 }, true);
    await phone.page.goto(`${base}/#moderate/${E}/${ROOM}`, { waitUntil: 'domcontentloaded' });
    await expect(`${lang} phone: the queue`, phone.page.locator(`[data-testid="mod-queue"] [data-qid="${q2}"]`).first().waitFor({ timeout: WAIT }));
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    check(overflow <= 0, `${lang} phone: the console is ${overflow}px wider than the screen`);
    await checkA11y(phone.page, `moderator (${lang}, 390)`, log);
    await shot(phone.page, ctx, src, `live-moderator-${lang}-390x844.png`);
    await phone.context.close();
  }
  const fiWide = await open('moderator fi', 'fi', { width: 1440, height: 900 }, true);
  await fiWide.page.goto(`${base}/#moderate/${E}/${ROOM}`, { waitUntil: 'domcontentloaded' });
  await expect('fi: the queue', fiWide.page.locator(`[data-testid="mod-queue"] [data-qid="${q2}"]`).first().waitFor({ timeout: WAIT }));
  await checkA11y(fiWide.page, 'moderator (fi, 1440)', log);
  await shot(fiWide.page, ctx, src, 'live-moderator-fi-1440x900.png');
  const pFi = await open('projector fi', 'fi', { width: 1920, height: 1080 }, false);
  await pFi.page.goto(kioskUrl.replace(/^https?:\/\/[^/]+/, base), { waitUntil: 'domcontentloaded' });
  await expect('fi: the projector shows the pinned question', pFi.page.locator(`[data-testid="projector-current"][data-qid="${q2}"]`).waitFor({ timeout: WAIT }));
  await checkA11y(pFi.page, 'projector (fi, 1920)', log);
  await shot(pFi.page, ctx, src, 'live-projector-fi-1920x1080.png');

  // Chat moderation on the real server: the word list holds B's message, the moderator
  // releases it, mutes B (the muted list), deletes a message (gone for A); a poll opened shows
  // on the projector; an export downloads.
  await M.getByTestId('mod-section-chat').click();
  await M.getByTestId('mod-words').fill('bluff');
  await M.getByTestId('mod-words-save').click();
  await expect('the word list saved', M.waitForFunction(() => document.querySelector('[data-testid="mod-chat-status"]')?.textContent === '' && document.querySelector('[data-testid="mod-words"]')?.value === 'bluff', null, { timeout: WAIT }));
  await B.page.getByTestId('view-tab-chat').click();
  await B.page.getByTestId('composer-input').fill('Det här är bluff');
  await B.page.getByTestId('send').click();
  const heldMsg = M.locator('[data-testid="mod-held"] [data-testid="mod-message"]', { hasText: 'bluff' });
  await expect('the moderator sees the held message', heldMsg.waitFor({ timeout: WAIT }));
  await heldMsg.getByTestId('mod-release').click();
  await expect('A sees the released message', A.page.locator('[data-testid="chat-message"]', { hasText: 'Det här är bluff' }).waitFor({ timeout: WAIT }));
  await B.page.getByTestId('composer-input').fill('Ett inlägg att ta bort');
  await B.page.getByTestId('send').click();
  const doomed = M.locator('[data-testid="mod-chat"] [data-testid="mod-message"]', { hasText: 'Ett inlägg att ta bort' });
  await expect('the moderator sees the post', doomed.waitFor({ timeout: WAIT }));
  await expect('A sees the post', A.page.locator('[data-testid="chat-message"]', { hasText: 'Ett inlägg att ta bort' }).waitFor({ timeout: WAIT }));
  await doomed.getByTestId('mod-chat-delete').click();
  await doomed.getByTestId('mod-delete-reason').fill('Utanför ämnet');
  await doomed.getByTestId('mod-delete-confirm').click();
  await expect('the post is gone for A', A.page.locator('[data-testid="chat-message"]', { hasText: 'Ett inlägg att ta bort' }).waitFor({ state: 'detached', timeout: WAIT }));
  const bMsg = M.locator('[data-testid="mod-chat"] [data-testid="mod-message"]', { hasText: 'Det här är bluff' }).first();
  await bMsg.getByTestId('mod-mute').click();
  await bMsg.getByTestId('mod-mute-5').check();
  await bMsg.getByTestId('mod-mute-confirm').click();
  await expect('B in the muted list', M.locator('[data-testid="mod-muted-list"] li', { hasText: 'Bertil Berg' }).waitFor({ timeout: WAIT }));
  await checkA11y(M, 'moderator (sv, 1440): chat moderation on the real server', log);
  // Ban B: the banned list, and B's connection closes for good (4010).
  await bMsg.getByTestId('mod-ban').click();
  await bMsg.getByTestId('mod-ban-reason').fill('Upprepade störningar');
  await bMsg.getByTestId('mod-ban-confirm').click();
  await expect('B in the banned list', M.locator('[data-testid="mod-banned-list"] li', { hasText: 'Bertil Berg' }).waitFor({ timeout: WAIT }));
  // The chat signs B out and says why (chat-errors.ts).
  await B.page.getByTestId('view-tab-chat').click();
  await expect('B is signed out with the reason', B.page.getByTestId('chat-signin-error').waitFor({ timeout: WAIT }));
  log(`B after the ban: "${(await B.page.getByTestId('chat-signin-error').textContent()).trim()}"`);
  await M.getByTestId('mod-section-polls').click();
  await M.getByTestId('mod-poll-text').fill('Vilken fråga är viktigast?');
  await M.getByTestId('mod-poll-option').nth(0).fill('Bostäder');
  await M.getByTestId('mod-poll-option').nth(1).fill('Klimat');
  await M.getByTestId('mod-poll-create').click();
  const poll = M.getByTestId('mod-poll').first();
  await expect('the draft poll', poll.waitFor({ timeout: WAIT }));
  await poll.getByTestId('mod-poll-open').click();
  await expect('the projector shows the open poll', P.page.getByTestId('projector-poll').waitFor({ timeout: WAIT }));
  await M.getByTestId('mod-section-projector').click();
  const download = M.waitForEvent('download', { timeout: WAIT });
  await M.getByTestId('mod-export-json').click();
  check((await expect('the JSON export downloads', download)).suggestedFilename().endsWith('.json'), 'a .json file');

  // Revoking the link closes the projectors (4011): they say so.
  await M.getByTestId('mod-kiosk-revoke').first().click();
  await expect('the projector says the link is revoked', P.page.getByTestId('projector-revoked').waitFor({ timeout: WAIT }));

  // A signed-in organizer (the staff cookie, CSRF on HTTP) reaches the console from the event
  // page's link, sees the same queue, makes a kiosk link and changes the Q&A setting.
  const O = (await open('organizer', 'sv', { width: 1440, height: 900 }, false)).page;
  await O.goto(`${base}/#sign-in`, { waitUntil: 'domcontentloaded' });
  await O.getByTestId('sign-in-email').fill(ORGANIZER.email, { timeout: WAIT });
  await O.getByTestId('sign-in-password').fill(ORGANIZER.password);
  await O.getByTestId('sign-in-submit').click();
  await expect('the organizer is signed in', O.getByTestId('console-events').waitFor({ timeout: WAIT }));
  await O.goto(`${base}/#event=${E}`);
  await expect('the event page links the consoles', O.locator(`[data-testid="moderate-link"][data-room-id="${ROOM}"]`).waitFor({ timeout: WAIT }));
  await checkA11y(O, 'organizer (sv, 1440): the event page with the moderate links', log);
  await shot(O, ctx, src, 'live-event-moderate-links-sv.png');
  await O.locator(`[data-testid="moderate-link"][data-room-id="${ROOM}"]`).click({ timeout: WAIT });
  await expect('the organizer\'s console connects (cookie hello)', O.locator('[data-testid="mod-connection"][data-state="connected"]').waitFor({ timeout: WAIT }));
  await expect('the organizer sees the pinned question', O.locator(`[data-testid="mod-pinned"] [data-qid="${q2}"]`).waitFor({ timeout: WAIT }));
  await O.getByTestId('mod-section-projector').click();
  const before = await O.getByTestId('mod-kiosk-link').count();
  await O.getByTestId('mod-kiosk-create').click();
  await expect('a kiosk link made with the cookie', O.waitForFunction((n) => document.querySelectorAll('[data-testid="mod-kiosk-link"]').length > n, before, { timeout: WAIT }));
  await O.getByTestId('mod-names-to-moderators').click();
  await expect('names_to_moderators set', O.waitForFunction(() => document.querySelector('[data-testid="mod-names-to-moderators"]')?.checked === true, null, { timeout: WAIT }));
  check((await getJson(`${base}/api/v1/events/${E}/qa-settings?token=${encodeURIComponent(mod.token)}`)).names_to_moderators === true, 'the server has the setting');
  await checkA11y(O, 'organizer (sv, 1440): projector and export', log);

  const expected = [(p) => /^(attendee A|moderator): /.test(p) && /ERR_INTERNET_DISCONNECTED|net::/.test(p)];
  const left = problems.filter((p) => !expected.some((f) => f(p)));
  if (left.length) throw new TestFailure(`problems in the pages:\n  ${left.join('\n  ')}`);
}, log);

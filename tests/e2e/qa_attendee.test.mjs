// Browser test of the attendee's Q&A and polls (issue 17) against the mock server
// (tests/e2e/mock-server.mjs + mock-qa.mjs): Anna (sv, 1440×900) opens the QR code's address
// #event=E&room=main&qa=1, is asked to join, asks an anonymous question; Bertil (sv, a phone,
// 390×844) sees it without her name, votes for it and takes the vote back (Anna sees the count
// move), asks his own; a moderator (a WebSocket of her own) pins Anna's question (on top for
// both, "now answering"), opens a poll (Bertil votes, changes his vote; the bars show on both),
// turns on slow mode (a notice in both composers), mutes Bertil (his post is refused in words),
// holds Anna's post by the word list (released: Bertil sees it; deleted: gone for both),
// and with pre-moderation on Anna's new question is pending, then rejected with a reason that
// only she sees; offline and back; a reload; Finnish; banned (4010). axe-core at each state; screenshots in /tmp/i17/shots/ (and build/e2e-screenshots/).
//
// It runs the mock (CTest passes SAMLING_SOURCE_DIR; web/ must be built); with
// QA_E2E_SERVER=real it runs against SAMLING_BIN, the real server, instead.
// Prints `1 passed, 0 failed` last; exits 0 or 1.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, checkA11y, checkFocusRings, expect, launchBrowser, main, saveScreenshot, setUp, startServer, watchPage } from './harness.mjs';

const WAIT = 15_000; // ms, for each expectation on the page
const EVENT = 'stockholm-tillsammans-2027';
const ROOM = `${EVENT}/main`;
const SHOTS = '/tmp/i17/shots';

// UI strings the test expects (web/src/i18n/qa-sv.ts).
const UI = {
  anonymous: 'Anonym',
  nowAnswering: 'Besvaras nu',
  pending: 'Väntar på granskning',
  rejected: 'Inte publicerad',
  slowMode: 'Långsamt läge: ett meddelande var 30:e sekund.',
  mutedPrefix: 'Du kan inte skriva i chatten förrän',
  mutedError: 'Du kan inte skriva i chatten just nu.',
  charsLeft: '10 tecken kvar',
  heldNote: 'Väntar på granskning – syns bara för dig och moderatorerna.',
  questionsTab: 'Frågor',
  pollsTab: 'Omröstningar',
  bannedFi: 'Sinut on suljettu tämän tapahtuman keskustelusta.',
};

function log(message) {
  console.log(`[qa_attendee.test] ${message}`);
}

/**
 * A moderator's connection, opened from a page of the server's origin (Node 18 has no
 * WebSocket): a dev token, hello, join; `send(request)` resolves the ack's result. The same
 * against the mock and the real server.
 */
async function moderatorSocket(browser, base) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/api/v1/events`);
  const ok = await page.evaluate(async ({ event, room }) => {
    const r = await fetch('/api/v1/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event, name: 'Mona Moderator', role: 'moderator' }) });
    const { token } = await r.json();
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws`, 'samling.v1');
    const waiting = new Map();
    let next = 1;
    ws.onmessage = (e) => {
      const f = JSON.parse(e.data);
      const w = waiting.get(f.id);
      if (!w || (f.type !== 'ack' && f.type !== 'error')) return;
      waiting.delete(f.id);
      w(f);
    };
    window.modSend = (body) => new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, ...body }));
    });
    await new Promise((resolve) => (ws.onopen = resolve));
    const hello = await window.modSend({ type: 'hello', event, token });
    const join = await window.modSend({ type: 'join', room });
    return hello.type === 'ack' && join.type === 'ack';
  }, { event: EVENT, room: ROOM });
  check(ok, 'the moderator\'s connection');
  return async (request) => {
    const f = await page.evaluate((body) => window.modSend(body), { room: ROOM, ...request });
    check(f.type === 'ack', `moderator ${JSON.stringify(request)}: ${JSON.stringify(f)}`);
    return f.result;
  };
}

async function signIn(page, name) {
  await page.getByTestId('chat-name').fill(name, { timeout: WAIT });
  await page.getByTestId('chat-role').selectOption('attendee', { timeout: WAIT });
  await page.getByTestId('chat-join').click();
  await expect(`${name}: connected`, page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: WAIT }));
}

const item = (page, id) => page.locator(`[data-testid="qa-item"][data-qid="${id}"]`);

/** The ids of the questions shown, top to bottom. */
const shownIds = (page) => page.locator('[data-testid="qa-panel"] [data-testid="qa-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-qid')));

async function shot(page, src, tmp, name, fullPage = false) {
  await page.screenshot({ path: join(tmp, name), fullPage });
  saveScreenshot(src, tmp, name, log);
  try {
    mkdirSync(SHOTS, { recursive: true });
    copyFileSync(join(tmp, name), join(SHOTS, name));
  } catch {
    // only for people to look at
  }
}

async function run(ctx) {
  // QA_E2E_SERVER=real runs the same against SAMLING_BIN (the real server); else the mock.
  if (process.env.QA_E2E_SERVER !== 'real') process.env.SAMLING_BIN = fileURLToPath(new URL('./mock-server.mjs', import.meta.url));
  const { src, bin, configPath, chromium } = setUp(ctx, ['[auth]', 'dev_tokens = true']);
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  log(`${process.env.QA_E2E_SERVER === 'real' ? 'server' : 'mock server'} at ${base}`);
  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const send = await moderatorSocket(ctx.browser, base);
  const moderator = (_base, request) => send(request);

  // --- Anna, wide, from the QR code -----------------------------------------------------------------
  const anna = await (await ctx.browser.newContext({ locale: 'sv-SE', viewport: { width: 1440, height: 900 } })).newPage();
  watchPage(anna, base, problems, 'anna');
  await anna.goto(`${base}/#event=${EVENT}&room=main&qa=1`);
  await expect('anna: the Q&A view asks her to join', anna.getByTestId('qa-signin').waitFor({ timeout: WAIT }));
  check((await anna.getByTestId('view-tab-qa').getAttribute('aria-selected')) === 'true', 'the QR address opens the Q&A view');
  await anna.getByTestId('qa-signin-button').click();
  await expect('the join button focuses the name field', anna.locator('#chat-name:focus').waitFor({ timeout: WAIT }));
  await signIn(anna, 'Anna Andersson');
  const annaPanel = anna.getByTestId('qa-panel');
  await expect('anna: the Q&A panel', anna.locator('[data-testid="qa-panel"][data-ready="true"]').waitFor({ timeout: WAIT }));
  check((await anna.locator('[data-testid="qa-area-both"]').getAttribute('data-room')) === ROOM, 'the QR code\'s room');
  check((await anna.locator('[data-testid="chat-room"]').getAttribute('data-room')) === ROOM, 'the chat shows the same room');
  await expect('anna: polls beside the questions', anna.getByTestId('poll-panel').waitFor({ timeout: WAIT }));
  await checkA11y(anna, 'anna (sv, 1440): empty Q&A', log);

  // The counter near the limit (300).
  const input = anna.getByTestId('qa-ask-input');
  await input.fill('x'.repeat(290));
  check((await anna.getByTestId('qa-char-count').textContent()).trim() === UI.charsLeft, `the counter: "${await anna.getByTestId('qa-char-count').textContent()}"`);
  await input.fill('Hur ska regionen klara bostadsbristen till 2030?');
  await anna.getByTestId('qa-anonymous').check();
  await anna.getByTestId('qa-ask-submit').click();
  const annaQ = annaPanel.locator('[data-testid="qa-item"]').first();
  await expect('anna: her question', annaQ.waitFor({ timeout: WAIT }).catch(async (e) => {
    const shown = await anna.getByTestId('qa-error').textContent({ timeout: 1000 }).catch(() => null);
    throw new Error(shown ? `the page says "${shown}"` : e.message);
  }));
  const annaId = await annaQ.getAttribute('data-qid');
  check((await input.inputValue()) === '', 'the field is emptied');
  check((await annaQ.textContent()).includes('Anna Andersson'), 'she sees her own name on it');
  check((await annaQ.textContent()).includes('Anonym för publiken'), 'and that the audience does not');

  // --- Bertil, on a phone ---------------------------------------------------------------------------
  const bertil = await (await ctx.browser.newContext({ locale: 'sv-SE', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, reducedMotion: 'reduce' })).newPage();
  watchPage(bertil, base, problems, 'bertil');
  await bertil.goto(`${base}/#event=${EVENT}`);
  await bertil.getByTestId('view-tab-chat').click();
  await signIn(bertil, 'Bertil Berg');
  // A chat message tells his user id (for the mute below).
  await bertil.getByTestId('composer-input').fill('Hej från mobilen');
  await bertil.getByTestId('send').click();
  const bertilMsg = bertil.locator('[data-testid="chat-message"][data-own="true"]').first();
  await expect('bertil: his message', bertilMsg.waitFor({ timeout: WAIT }));
  const bertilId = await bertilMsg.getAttribute('data-user-id');
  check((await bertil.getByTestId('view-tab-qa').textContent()).trim() === UI.questionsTab, 'the phone\'s Questions tab');
  check((await bertil.getByTestId('view-tab-polls').textContent()).trim() === UI.pollsTab, 'the phone\'s Polls tab');
  await bertil.getByTestId('view-tab-qa').click();
  const bQ = item(bertil, annaId);
  await expect('bertil: Anna\'s question', bQ.waitFor({ timeout: WAIT }));
  const bText = await bQ.textContent();
  check(bText.includes(UI.anonymous) && !bText.includes('Anna'), `anonymous toward the audience: "${bText}"`);

  // Vote, and take it back: the count moves for Anna too.
  const vote = bQ.getByTestId('qa-vote');
  check((await vote.getAttribute('aria-pressed')) === 'false', 'not voted yet');
  await vote.click();
  await expect('bertil: voted', bertil.locator(`[data-qid="${annaId}"] [data-testid="qa-vote"][aria-pressed="true"]`).waitFor({ timeout: WAIT }));
  await expect('bertil: 1 vote', bertil.locator(`[data-qid="${annaId}"] [data-testid="qa-votes"][data-count="1"]`).waitFor({ timeout: WAIT }));
  await expect('anna: 1 vote (votes event)', anna.locator(`[data-qid="${annaId}"] [data-testid="qa-votes"][data-count="1"]`).waitFor({ timeout: WAIT }));
  await checkA11y(bertil, 'bertil (sv, 390): Q&A tab, voted', log);
  await vote.click();
  await expect('bertil: vote taken back', bertil.locator(`[data-qid="${annaId}"] [data-testid="qa-vote"][aria-pressed="false"]`).waitFor({ timeout: WAIT }));
  await expect('anna: 0 votes', anna.locator(`[data-qid="${annaId}"] [data-testid="qa-votes"][data-count="0"]`).waitFor({ timeout: WAIT }));

  // Bertil's question, with two votes (his and Anna's): first by votes.
  await bertil.getByTestId('qa-ask-input').fill('Kommer det finnas fler hyresrätter i förorterna?');
  await bertil.getByTestId('qa-ask-submit').click();
  await expect('bertil: his question', bertil.locator('[data-testid="qa-item"]').nth(1).waitFor({ timeout: WAIT }));
  const bertilQId = (await shownIds(bertil)).find((id) => id !== annaId);
  await expect('anna: Bertil\'s question', item(anna, bertilQId).waitFor({ timeout: WAIT }));
  check((await item(anna, bertilQId).textContent()).includes('Bertil Berg'), 'a named question shows the name');
  await item(bertil, bertilQId).getByTestId('qa-vote').click();
  await item(anna, bertilQId).getByTestId('qa-vote').click();
  await expect('anna: 2 votes on Bertil\'s', anna.locator(`[data-qid="${bertilQId}"] [data-testid="qa-votes"][data-count="2"]`).waitFor({ timeout: WAIT }));
  await expect('by votes: Bertil\'s first', anna.waitForFunction(([a, b]) => {
    const ids = [...document.querySelectorAll('[data-testid="qa-panel"] [data-testid="qa-item"]')].map((e) => e.getAttribute('data-qid'));
    return ids.indexOf(b) >= 0 && ids.indexOf(b) < ids.indexOf(a);
  }, [annaId, bertilQId], { timeout: WAIT }));
  // By time: the newest (Bertil's) first too; so check that sorting by time with Anna's pinned below.
  await anna.getByTestId('qa-sort-time').check();
  check((await shownIds(anna))[0] === bertilQId, 'by time: the newest first');
  await anna.getByTestId('qa-sort-votes').check();

  // --- pinned: Anna's question on top, "now answering" --------------------------------------------------
  await moderator(base, { type: 'question', question: annaId, action: 'pin' });
  for (const [who, page] of [['anna', anna], ['bertil', bertil]]) {
    await expect(`${who}: pinned on top`, page.waitForFunction((id) => {
      const first = document.querySelector('[data-testid="qa-panel"] [data-testid="qa-item"]');
      return first?.getAttribute('data-qid') === id && first.getAttribute('data-pinned') === 'true';
    }, annaId, { timeout: WAIT }));
  }
  check((await bertil.locator('.qa-pinned').textContent()).includes(UI.nowAnswering), 'the pinned one says "now answering"');
  await checkA11y(anna, 'anna (sv, 1440): pinned question', log);
  await anna.getByTestId('qa-ask-input').focus();
  await checkFocusRings(anna, 'anna (sv, 1440): Tab through the Q&A panel', log, 10);

  // --- a poll: Bertil votes and changes his vote; the bars show for both -------------------------------
  const poll = (await moderator(base, { type: 'poll_create', text: 'Vilken fråga är viktigast för regionen?', kind: 'single', options: ['Bostäder', 'Jobb', 'Klimat'] })).poll;
  await moderator(base, { type: 'poll', poll: poll.id, action: 'open' });
  // On the phone the Polls tab counts the open poll he has not seen; seen, the count goes.
  await expect('bertil: 1 new poll on the tab', bertil.locator('[data-testid="view-tab-polls"] [data-testid="new-polls"][data-count="1"]').waitFor({ timeout: WAIT }));
  await bertil.getByTestId('view-tab-polls').click();
  await expect('bertil: the count goes once seen', bertil.getByTestId('new-polls').waitFor({ state: 'detached', timeout: WAIT }));
  const bPoll = bertil.locator(`[data-testid="poll"][data-poll-id="${poll.id}"]`);
  await expect('bertil: the open poll', bPoll.waitFor({ timeout: WAIT }));
  check((await bPoll.locator('input[type="radio"]').count()) === 3, 'single choice: radio buttons');
  await bPoll.getByTestId('poll-option').nth(1).click();
  await bPoll.getByTestId('poll-submit').click();
  await expect('bertil: voted in the poll', bertil.locator(`[data-poll-id="${poll.id}"] [data-testid="poll-voters"][data-count="1"]`).waitFor({ timeout: WAIT }));
  await expect('anna: the poll result', anna.locator(`[data-poll-id="${poll.id}"] [data-testid="poll-voters"][data-count="1"]`).waitFor({ timeout: WAIT }));
  check((await anna.locator(`[data-poll-id="${poll.id}"] [data-testid="poll-pct"]`).nth(1).textContent()).trim() === '100 %', 'Jobb 100 %');
  await bPoll.getByTestId('poll-option').nth(2).click();
  await bPoll.getByTestId('poll-submit').click();
  await expect('anna: the changed vote', anna.waitForFunction((id) => {
    const pct = [...document.querySelectorAll(`[data-poll-id="${id}"] [data-testid="poll-pct"]`)].map((e) => e.textContent.trim());
    return pct[1] === '0 %' && pct[2] === '100 %';
  }, poll.id, { timeout: WAIT }));
  await checkA11y(bertil, 'bertil (sv, 390): poll voted', log);
  await shot(bertil, src, ctx.tmp, 'qa-poll-phone-sv.png');

  // --- moderation: slow mode for everyone, a mute for Bertil --------------------------------------------
  await moderator(base, { type: 'moderate', action: 'slow_mode', seconds: 30 });
  await expect('anna: slow mode notice', anna.locator('[data-testid="chat-notice"][data-kind="slow_mode"]').waitFor({ timeout: WAIT }));
  check((await anna.locator('[data-testid="chat-notice"][data-kind="slow_mode"]').textContent()).trim() === UI.slowMode, 'the slow mode text');
  await moderator(base, { type: 'moderate', action: 'mute', user: bertilId, name: 'Bertil Berg', seconds: 600, reason: 'Lugna ner dig' });
  await bertil.getByTestId('view-tab-chat').click();
  const muted = bertil.locator('[data-testid="chat-notice"][data-kind="muted"]');
  await expect('bertil: muted notice', muted.waitFor({ timeout: WAIT }));
  check((await muted.textContent()).startsWith(UI.mutedPrefix), `the mute notice: "${await muted.textContent()}"`);
  check((await anna.locator('[data-testid="chat-notice"][data-kind="muted"]').count()) === 0, 'Anna is not told about Bertil\'s mute');
  await bertil.getByTestId('composer-input').fill('Får jag skriva?');
  await bertil.getByTestId('send').click();
  const refused = bertil.locator('[data-testid="chat-message"][data-pending="failed"] [data-testid="message-status"]');
  await expect('bertil: his post is refused', refused.waitFor({ timeout: WAIT }));
  check((await refused.textContent()).trim() === UI.mutedError, `the refusal: "${await refused.textContent()}"`);
  await checkA11y(bertil, 'bertil (sv, 390): muted in the chat', log);
  await shot(bertil, src, ctx.tmp, 'qa-chat-muted-phone-sv.png');

  // --- the word list holds Anna's post for review; released, Bertil sees it; deleted, it goes ---------
  await moderator(base, { type: 'moderate', action: 'words', words: ['idiot'] });
  await moderator(base, { type: 'moderate', action: 'unmute', user: bertilId });
  await expect('bertil: the mute is lifted', muted.waitFor({ state: 'detached', timeout: WAIT }));
  await anna.getByTestId('composer-input').fill('Vilken idiot som planerade busslinjerna');
  await anna.getByTestId('send').click();
  const held = anna.locator('[data-testid="chat-message"][data-own="true"] [data-testid="message-held"]');
  await expect('anna: her post waits for review', held.waitFor({ timeout: WAIT }));
  check((await held.textContent()).trim() === UI.heldNote, `the held note: "${await held.textContent()}"`);
  const heldSeq = await anna.locator('[data-testid="chat-message"][data-own="true"]').filter({ has: anna.getByTestId('message-held') }).getAttribute('data-seq');
  const bertilSees = (seq) => bertil.locator(`[data-testid="chat-message"][data-seq="${seq}"]`);
  check((await bertilSees(heldSeq).count()) === 0, 'Bertil does not see a held post');
  await moderator(base, { type: 'moderate', action: 'release_message', seq: Number(heldSeq) });
  await expect('bertil: the released post', bertilSees(heldSeq).waitFor({ timeout: WAIT }));
  await expect('anna: no longer held', held.waitFor({ state: 'detached', timeout: WAIT }));
  await moderator(base, { type: 'moderate', action: 'delete_message', seq: Number(heldSeq), reason: 'Otrevligt' });
  await expect('bertil: the deleted post disappears', bertilSees(heldSeq).waitFor({ state: 'detached', timeout: WAIT }));
  await expect('anna: hers too', anna.locator(`[data-testid="chat-message"][data-seq="${heldSeq}"]`).waitFor({ state: 'detached', timeout: WAIT }));

  // --- pre-moderation: Anna's question waits, then is rejected with a reason only she sees -----------
  await moderator(base, { type: 'moderate', action: 'premoderation', on: true });
  await expect('anna: the pre-moderation note', anna.getByTestId('qa-premoderated').waitFor({ timeout: WAIT }));
  await input.fill('Varför är kollektivtrafiken så dyr?');
  await anna.getByTestId('qa-ask-submit').click();
  const pending = anna.locator('[data-testid="qa-item"][data-status="pending"]');
  await expect('anna: her pending question', pending.waitFor({ timeout: WAIT }));
  check((await pending.getByTestId('qa-state').textContent()).trim() === UI.pending, 'marked as waiting for review');
  const pendingId = await pending.getAttribute('data-qid');
  await bertil.getByTestId('view-tab-qa').click();
  await expect('bertil: the Q&A tab', bertil.locator('[data-testid="qa-panel"][data-ready="true"]').waitFor({ timeout: WAIT }));
  check((await item(bertil, pendingId).count()) === 0, 'Bertil does not see a pending question');
  await moderator(base, { type: 'question', question: pendingId, action: 'reject', reason: 'Hör inte till ämnet' });
  await expect('anna: rejected', anna.locator(`[data-qid="${pendingId}"][data-status="rejected"]`).waitFor({ timeout: WAIT }));
  check((await item(anna, pendingId).getByTestId('qa-reason').textContent()).includes('Hör inte till ämnet'), 'the reason is shown to her');
  check((await item(bertil, pendingId).count()) === 0, 'Bertil never sees it');
  await checkA11y(anna, 'anna (sv, 1440): pending and rejected', log);
  await anna.emulateMedia({ colorScheme: 'dark' });
  await checkA11y(anna, 'anna (sv, 1440, dark): pending and rejected', log);
  await shot(anna, src, ctx.tmp, 'qa-wide-dark-sv.png');
  await anna.emulateMedia({ colorScheme: 'light' });

  // Screenshots: the wide page and the phone's Q&A tab.
  await anna.evaluate(() => window.scrollTo(0, 0));
  await anna.getByTestId('qa-panel').scrollIntoViewIfNeeded();
  await shot(anna, src, ctx.tmp, 'qa-wide-sv.png');
  await bertil.evaluate(() => window.scrollTo(0, 0));
  await shot(bertil, src, ctx.tmp, 'qa-phone-sv.png', true);

  // Offline: what happens meanwhile comes with the resuming join (events since, then the snapshot).
  await bertil.getByTestId('view-tab-qa').click();
  await bertil.context().setOffline(true);
  await expect('bertil: offline', bertil.locator('[data-testid="connection-state"]:is([data-state="offline"], [data-state="reconnecting"])').waitFor({ state: 'attached', timeout: WAIT }));
  await moderator(base, { type: 'question', question: annaId, action: 'answered' });
  await moderator(base, { type: 'moderate', action: 'slow_mode', seconds: 0 });
  await bertil.context().setOffline(false);
  await expect('bertil: back online', bertil.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ state: 'attached', timeout: 30_000 }));
  await expect('bertil: answered, no longer pinned', bertil.locator(`[data-testid="qa-item"][data-qid="${annaId}"][data-status="answered"]:not([data-pinned])`).waitFor({ timeout: WAIT }));
  check((await item(bertil, annaId).getByTestId('qa-answered').count()) === 1, 'marked answered');
  check((await bertil.locator('.qa-pinned').count()) === 0, 'nothing pinned');
  await bertil.getByTestId('view-tab-chat').click();
  check((await bertil.locator('[data-testid="chat-notice"][data-kind="slow_mode"]').count()) === 0, 'slow mode is off');

  // A reload: the join's snapshot brings back the answered mark, his vote and his poll vote.
  await bertil.reload();
  await bertil.getByTestId('view-tab-qa').click();
  await expect('bertil after reload: answered', bertil.locator(`[data-testid="qa-item"][data-qid="${annaId}"][data-status="answered"]`).waitFor({ timeout: WAIT }));
  check((await item(bertil, bertilQId).getByTestId('qa-vote').getAttribute('aria-pressed')) === 'true', 'his vote is remembered');
  await bertil.getByTestId('view-tab-polls').click();
  await expect('bertil after reload: his poll vote', bertil.locator(`[data-poll-id="${poll.id}"] [data-testid="poll-option"][data-index="2"][data-checked="true"]`).waitFor({ timeout: WAIT }));

  // Finnish on the phone: the view tabs are all on screen (on two rows if they must).
  await bertil.getByTestId('lang-fi').click();
  await bertil.getByTestId('view-tab-qa').click();
  await expect('bertil (fi): the Q&A tab', bertil.locator('[data-testid="qa-panel"][data-ready="true"]').waitFor({ timeout: WAIT }));
  const outside = await bertil.locator('[data-testid="view-tabs"] [role="tab"]').evaluateAll((tabs) =>
    tabs.filter((t) => t.getBoundingClientRect().right > innerWidth + 0.5 || t.getBoundingClientRect().left < -0.5).map((t) => t.textContent),
  );
  check(outside.length === 0, `view tabs outside the screen at 390 px in Finnish: ${outside.join(', ')}`);
  await checkA11y(bertil, 'bertil (fi, 390): Q&A tab', log);
  await bertil.evaluate(() => window.scrollTo(0, 0));
  await shot(bertil, src, ctx.tmp, 'qa-phone-fi.png');

  // Banned: the connection closes with 4010 and the page signs out, saying why (in Finnish now).
  await moderator(base, { type: 'moderate', action: 'ban', user: bertilId, name: 'Bertil Berg', reason: 'Spam' });
  const bannedText = bertil.getByTestId('chat-signin-error');
  await expect('bertil: signed out as banned', bannedText.waitFor({ state: 'attached', timeout: WAIT }));
  check((await bannedText.textContent()).trim() === UI.bannedFi, `the ban, in words: "${await bannedText.textContent()}"`);

  check(problems.length === 0, `page problems:\n  ${problems.join('\n  ')}`);
}

await main('qa_attendee', run, log);

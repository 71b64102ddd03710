// Browser test of watching any room (issue 15): the real server runs two stages with the test
// input, "main" for the room main and "seminar-housing" for the seminar room of that id
// (docs/configuration.md, Stages). Chromium:
//   D (sv-SE, desktop, signed in with a dev token): the player shows the main stage; choosing the
//      seminar room in the chat plays the seminar's own stage (its HLS, and the video's time
//      advances); a session card's "Titta" and "Gå till rummet" work by keyboard (Tab, Enter,
//      Space): the first plays that room's stage, the second opens that room in the chat.
//   P (fi-FI, 390×844, a phone): the video is in the first screen; with the chat open, its
//      history scrolled and the composer focused, the video stays within the viewport (sticky),
//      also with the on-screen keyboard open (the viewport 340 px shorter).
// axe-core runs on every page state. Screenshots go to the test's temp dir, build/e2e-screenshots/
// and /tmp/i15-shots/ (for people to look at).
//
// Run by CTest as `node tests/e2e/watch_room.test.mjs` with SAMLING_BIN (the built server, with
// the media engine) and SAMLING_SOURCE_DIR (web/ installed and built). Every wait is bounded.
// Prints `1 passed, 0 failed` last; exits 0 or 1.
import { appendFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, checkA11y, checkFocusRings, expect, getJson, launchBrowser, main, saveScreenshot, setUp, startServer, TestFailure, watchPage } from './harness.mjs';
import { expectVideoAdvancing, playerAttributes, testStage, videoState } from './media.mjs';

const WAIT = 15_000; // ms, for each expectation on the page
const LIVE_WAIT = 20_000; // ms, for both stages' first playlists after the server listens
const PLAY_WAIT = 20_000; // ms, from choosing a room to its video playing
const ADVANCE = 1.5; // s of video that must play …
const ADVANCE_WAIT = 15_000; // ms, … within this
const SHOTS = '/tmp/i15-shots';

const UI = {
  sv: { watch: 'Titta', goToRoom: 'Gå till rummet' },
  fi: {},
};

// Two small stages (320×180, 10 fps, 1 s segments): cheap on a shared 2-core machine.
const stage = (id, room, name) => testStage({ id, room, name, fps: 10, kbps: 200 });
const MAIN = 'main';
const SEMINAR = 'seminar-housing';

function log(message) {
  console.log(`[watch_room.test] ${message}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function shot(src, tmp, name) {
  saveScreenshot(src, tmp, name, log);
  try {
    mkdirSync(SHOTS, { recursive: true });
    copyFileSync(join(tmp, name), join(SHOTS, name));
    log(`screenshot: ${join(SHOTS, name)}`);
  } catch {
    // for people only
  }
}

/** Waits until both stages are live and each serves a playlist with a segment. */
async function waitForStages(base) {
  const deadline = Date.now() + LIVE_WAIT;
  let last = '';
  while (Date.now() < deadline) {
    const states = [];
    for (const id of [MAIN, SEMINAR]) {
      try {
        const r = await fetch(`${base}/live/${id}/index.m3u8`);
        const body = await r.text();
        states.push(r.ok && /\.ts\s*$/m.test(body) ? 'ok' : `HTTP ${r.status}`);
      } catch (e) {
        states.push(e.message);
      }
    }
    last = states.join(', ');
    if (states.every((s) => s === 'ok')) return;
    await sleep(250);
  }
  throw new TestFailure(`the stages' playlists (/live/${MAIN}/, /live/${SEMINAR}/) have no segment within ${LIVE_WAIT / 1000} s: ${last}`);
}


/**
 * The player shows stage `id`, plays it from /live/<id>/ (the video's source natively; the
 * requests hls.js makes otherwise) and its time advances.
 */
async function expectPlayingStage(page, id, hlsRequests, what) {
  const player = page.getByTestId('stage-player');
  await player
    .and(page.locator(`[data-stage-id="${id}"][data-player="playing"]`))
    .waitFor({ timeout: PLAY_WAIT })
    .catch(async () => {
      throw new TestFailure(`${what}: the player does not play stage "${id}" within ${PLAY_WAIT / 1000} s: ${JSON.stringify(await playerAttributes(page))}, video ${JSON.stringify(await videoState(page).catch(() => null))}`);
    });
  const from = hlsRequests.length;
  const { start, now } = await expectVideoAdvancing(page, what, { advance: ADVANCE, wait: ADVANCE_WAIT });
  // Where the video comes from: the stage's own HLS.
  const recent = hlsRequests.slice(from);
  const own = recent.filter((u) => u.includes(`/live/${id}/`));
  const other = recent.filter((u) => !u.includes(`/live/${id}/`));
  const nativeOwn = now.currentSrc.includes(`/live/${id}/`);
  check(nativeOwn || own.length > 0, `${what}: the video plays from neither /live/${id}/ (currentSrc ${now.currentSrc}) nor requests it (requests while playing: ${JSON.stringify(recent.slice(-5))})`);
  check(other.length === 0, `${what}: while playing "${id}" the page fetched another stage's HLS: ${JSON.stringify(other.slice(0, 3))}`);
  log(`${what}: stage "${id}" plays (${nativeOwn ? `native, ${now.currentSrc.replace(/^https?:\/\/[^/]+/, '')}` : `${own.length} requests to /live/${id}/`}), currentTime ${start.currentTime.toFixed(2)} → ${now.currentTime.toFixed(2)}`);
}

async function signIn(page, base, name, what) {
  await page.getByTestId('chat-name').fill(name, { timeout: WAIT });
  await page.getByTestId('chat-role').selectOption('attendee', { timeout: WAIT });
  await page.getByTestId('chat-join').click({ timeout: WAIT });
  await expect(`${what}: connected`, page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: WAIT }));
}

const activeTestId = (page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);

async function run(ctx) {
  const { src, bin, configPath, chromium } = setUp(ctx, ['[auth]', 'dev_tokens = true']);
  appendFileSync(
    configPath,
    [
      '[media]',
      'enabled = true',
      `dir = ${JSON.stringify(join(ctx.tmp, 'media'))}`,
      ...stage(MAIN, 'main', '{ sv = "Stora salen", en = "Main hall", fi = "Pääsali" }'),
      ...stage(SEMINAR, 'seminar-housing', '{ sv = "Sal A – Bosättning", en = "Room A – Housing", fi = "Sali A – Asuminen" }'),
      '',
    ].join('\n'),
  );
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  log(`server at ${base}`);
  const { stages } = await getJson(`${base}/api/v1/stages`);
  const ids = (stages ?? []).map((s) => `${s.id}→${s.room}`).sort();
  check(JSON.stringify(ids) === JSON.stringify([`${MAIN}→main`, `${SEMINAR}→seminar-housing`]), `GET /api/v1/stages: ${JSON.stringify(ids)}, expected main→main and seminar-housing→seminar-housing`);
  await waitForStages(base);
  const { events } = await getJson(`${base}/api/v1/events`);
  const event = await getJson(`${base}/api/v1/events/${encodeURIComponent(events[0].id)}`);
  const seminarSession = event.sessions.find((s) => s.room_id === 'seminar-housing');
  const mainSession = event.sessions.find((s) => s.room_id === 'main' && s.kind !== 'break') ?? event.sessions.find((s) => s.room_id === 'main');
  check(seminarSession && mainSession, 'the demo event needs a session in the main room and one in seminar-housing');

  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const hls = []; // URLs of /live/ requests, per page
  const trackHls = (page, list) => page.on('request', (r) => r.url().includes('/live/') && list.push(r.url()));

  // --- D: desktop, Swedish -----------------------------------------------------------------------------
  const dCtx = await ctx.browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  const d = await dCtx.newPage();
  watchPage(d, base, problems, 'D');
  trackHls(d, hls);
  await d.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  await expectPlayingStage(d, MAIN, hls, 'D on load');
  await signIn(d, base, 'Dora Deltagare', 'D');
  await checkA11y(d, 'D (sv): signed in, the main stage playing', log);
  // The unmute button comes before the player's own controls in the tab order.
  const unmute = d.getByTestId('stage-unmute');
  await expect('D: the unmute button (the video autoplays muted)', unmute.waitFor({ timeout: WAIT }));
  await unmute.focus();
  await d.keyboard.press('Tab');
  check((await activeTestId(d)) === 'stage-video', `D: Tab from the unmute button goes to ${await activeTestId(d)}, expected the video's controls (the unmute button must come first)`);
  await d.keyboard.press('Shift+Tab');
  check((await activeTestId(d)) === 'stage-unmute', `D: Shift+Tab from the video goes to ${await activeTestId(d)}, expected the unmute button`);
  await d.evaluate(() => document.activeElement?.blur());
  await checkFocusRings(d, 'D (sv): Tab from the top through the player and the chat', log, 14);
  await d.evaluate(() => document.activeElement?.blur());
  await d.evaluate(() => window.scrollTo(0, 0)); // Tab scrolled the page; the player is at the top

  // Choosing the seminar room in the chat plays its stage.
  const seminarTab = d.locator('[data-testid="room-tab"][data-room-id="seminar-housing"]');
  await seminarTab.click({ timeout: WAIT });
  await expect('D: the seminar room opens', d.locator('[data-testid="chat-room"][data-room$="/seminar-housing"]').waitFor({ timeout: WAIT }));
  await expectPlayingStage(d, SEMINAR, hls, 'D after choosing the seminar room');
  await checkA11y(d, 'D (sv): the seminar room chosen, its stage playing', log);
  await d.screenshot({ path: join(ctx.tmp, 'watch-room-seminar-sv.png') });
  shot(src, ctx.tmp, 'watch-room-seminar-sv.png');
  await d.getByTestId('stage-player').screenshot({ path: join(ctx.tmp, 'watch-room-seminar-player-sv.png') }); // with its caption
  shot(src, ctx.tmp, 'watch-room-seminar-player-sv.png');

  // The session cards' actions, by keyboard.
  const card = (s) => d.locator(`[data-testid="session-card"][data-session-id="${s.id}"]`);
  const mainWatch = card(mainSession).getByTestId('session-watch');
  await expect(`D: a "${UI.sv.watch}" button on the card of "${mainSession.id}" (room main, which has a stage)`, mainWatch.waitFor({ timeout: WAIT }));
  check((await mainWatch.innerText()).trim() === UI.sv.watch, `D: the watch button reads "${(await mainWatch.innerText()).trim()}", expected "${UI.sv.watch}"`);
  await mainWatch.focus();
  // Tab from it reaches the card's "go to the room"; Shift+Tab comes back: both are in the tab order.
  await d.keyboard.press('Tab');
  check((await activeTestId(d)) === 'session-go-to-room', `D: Tab from "${UI.sv.watch}" goes to ${await activeTestId(d)}, expected the card's "${UI.sv.goToRoom}"`);
  await d.keyboard.press('Shift+Tab');
  check((await activeTestId(d)) === 'session-watch', `D: Shift+Tab goes to ${await activeTestId(d)}, expected "${UI.sv.watch}"`);
  await d.keyboard.press('Enter');
  await expectPlayingStage(d, MAIN, hls, `D after Enter on "${UI.sv.watch}" (room main)`);
  check((await mainWatch.getAttribute('aria-pressed')) === 'true', 'D: the watch button of the playing room is not aria-pressed');

  const seminarGo = card(seminarSession).getByTestId('session-go-to-room');
  await expect(`D: a "${UI.sv.goToRoom}" button on the card of "${seminarSession.id}"`, seminarGo.waitFor({ timeout: WAIT }));
  check((await seminarGo.innerText()).trim() === UI.sv.goToRoom, `D: the button reads "${(await seminarGo.innerText()).trim()}", expected "${UI.sv.goToRoom}"`);
  // First back to the main room in the chat, so that "go to the room" has something to change.
  await d.locator('[data-testid="room-tab"][data-room-id="main"]').click({ timeout: WAIT });
  await expect('D: the main room opens', d.locator('[data-testid="chat-room"][data-room$="/main"]').waitFor({ timeout: WAIT }));
  await seminarGo.focus();
  await d.keyboard.press('Space');
  await expect(
    `D: Space on "${UI.sv.goToRoom}" opens the seminar room in the chat`,
    d.locator('[data-testid="chat-room"][data-room$="/seminar-housing"][data-status="joined"]').waitFor({ timeout: WAIT }),
  );
  await expectPlayingStage(d, SEMINAR, hls, `D after "${UI.sv.goToRoom}" (seminar-housing)`);
  await checkA11y(d, 'D (sv): after "go to the room" on a seminar card', log);
  log('D: the cards’ "watch" and "go to the room" work by keyboard');

  // A few long messages in the main room, for the phone's chat to scroll.
  await d.locator('[data-testid="room-tab"][data-room-id="main"]').click({ timeout: WAIT });
  await expect('D: the main room opens', d.locator('[data-testid="chat-room"][data-room$="/main"][data-status="joined"]').waitFor({ timeout: WAIT }));
  const run = Date.now().toString(36);
  const texts = [1, 2, 3, 4, 5].map(
    (i) => `Inlägg ${i} (${run}): en längre kommentar om bostadsfrågan, som tar flera rader på en telefon, så att chatten måste rulla medan videon ska synas hela tiden.`,
  );
  for (const text of texts) {
    await d.getByTestId('composer-input').fill(text, { timeout: WAIT });
    await d.getByTestId('composer-input').press('Enter', { timeout: WAIT });
  }
  await expect('D: its messages confirmed', d.locator('[data-testid="chat-message"]:not([data-pending])').filter({ hasText: `Inlägg 5 (${run})` }).waitFor({ timeout: WAIT }));

  // --- P: a phone, Finnish -------------------------------------------------------------------------------
  const pCtx = await ctx.browser.newContext({ locale: 'fi-FI', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const p = await pCtx.newPage();
  const pHls = [];
  watchPage(p, base, problems, 'P');
  trackHls(p, pHls);
  await p.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  await expectPlayingStage(p, MAIN, pHls, 'P on load');
  // The hero does not push the video below the fold.
  const onLoad = await p.getByTestId('stage-video').evaluate((v) => {
    const r = v.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, height: r.height, innerHeight };
  });
  check(onLoad.height > 0 && onLoad.bottom <= onLoad.innerHeight, `P: on load the video is not within the first screen (top ${onLoad.top}, bottom ${onLoad.bottom}, viewport ${onLoad.innerHeight})`);
  await checkA11y(p, 'P (fi, 390×844): on load, the main stage playing', log);
  await p.screenshot({ path: join(ctx.tmp, 'watch-room-phone-load-fi.png') });
  shot(src, ctx.tmp, 'watch-room-phone-load-fi.png');

  await p.getByTestId('view-tab-chat').click({ timeout: WAIT });
  await signIn(p, base, 'Pekka Puhelin', 'P');
  await expect('P: the main room’s history', p.locator('[data-testid="chat-message"]').filter({ hasText: `Inlägg 5 (${run})` }).waitFor({ timeout: WAIT }));
  for (const i of [1, 2, 3]) {
    await p.getByTestId('composer-input').fill(`Viesti ${i} puhelimesta (${run}): kuva pysyy näkyvissä, kun keskustelu vierii.`, { timeout: WAIT });
    await p.getByTestId('composer-input').press('Enter', { timeout: WAIT });
  }
  await expect('P: its messages confirmed', p.locator('[data-testid="chat-message"]:not([data-pending])').filter({ hasText: `Viesti 3 puhelimesta (${run})` }).waitFor({ timeout: WAIT }));
  // Focus the composer, then scroll the way a thumb does: over the chat's history, up to older
  // messages and back down past the newest (the wheel scrolls the history first, then the page),
  // and finally to the page's very end. Each time the video and the composer stay in view.
  const composer = p.getByTestId('composer-input');
  await composer.focus();
  await sleep(200);
  const list = p.getByTestId('message-list');
  const box = await list.boundingBox();
  check(box, 'P: the message list has no layout box');
  await p.mouse.move(box.x + box.width / 2, Math.max(box.y + 10, Math.min(box.y + box.height / 2, 800)));
  const steps = [
    ['the history scrolled up', async () => p.mouse.wheel(0, -1500)],
    ['the history scrolled down past the newest', async () => p.mouse.wheel(0, 3000)],
    ['the page at its end', async () => p.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))],
    // The on-screen keyboard (index.html asks for interactive-widget=resizes-content): the layout
    // viewport shrinks by the keyboard's height, here 340 px of the 844.
    ['the on-screen keyboard open (viewport 390×504)', async () => {
      await p.setViewportSize({ width: 390, height: 504 });
      await p.evaluate(() => document.querySelector('[data-testid="composer-input"]')?.scrollIntoView({ block: 'nearest' }));
    }],
  ];
  for (const [n, [what, scroll]] of steps.entries()) {
    await scroll();
    await sleep(400); // the wheel scrolls smoothly; then layout
    const view = await p.evaluate(() => {
      const rect = (el) => {
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return { top: Math.round(r.top), bottom: Math.round(r.bottom), height: Math.round(r.height) };
      };
      const l = document.querySelector('[data-testid="message-list"]');
      return {
        video: rect(document.querySelector('[data-testid="stage-video"]')),
        composer: rect(document.querySelector('[data-testid="composer-input"]')),
        focused: document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName,
        innerHeight,
        visual: window.visualViewport ? Math.round(window.visualViewport.height) : innerHeight,
        scrollY: Math.round(window.scrollY),
        pageHeight: document.documentElement.scrollHeight,
        list: l ? { scrollTop: Math.round(l.scrollTop), scrollHeight: l.scrollHeight, clientHeight: l.clientHeight } : null,
      };
    });
    log(`P, ${what}: ${JSON.stringify(view)}`);
    const name = `watch-room-phone-chat-${n + 1}-fi.png`;
    await p.screenshot({ path: join(ctx.tmp, name) });
    shot(src, ctx.tmp, name); // before the checks: a failure is to be looked at too
    check(view.focused === 'composer-input', `P, ${what}: the composer lost the focus (focused: ${view.focused})`);
    const h = Math.min(view.innerHeight, view.visual);
    check(
      view.video && view.video.height > 0 && view.video.top >= 0 && view.video.bottom <= h,
      `P, ${what}, the composer focused: the video is not within the viewport: video ${JSON.stringify(view.video)}, viewport height ${h}, page scrolled to ${view.scrollY} of ${view.pageHeight}`,
    );
    check(view.composer && view.composer.top >= 0 && view.composer.bottom <= h, `P, ${what}: the focused composer is not within the viewport: ${JSON.stringify(view.composer)}, viewport height ${h}`);
  }
  await checkA11y(p, 'P (fi, 390×844): the chat scrolled, the composer focused, the video in view', log);
  // Still playing while chatting.
  await expectPlayingStage(p, MAIN, pHls, 'P while chatting');
  log('P: the video stays in view while the chat scrolls and the composer has the focus');

  // Expected: nothing but HLS 404s of a stage the player asked for before its first playlist (none here).
  const unexpected = problems.filter((x) => !/\/live\/[^ ]+\.(m3u8|ts)/.test(x));
  check(unexpected.length === 0, `problems in the pages:\n  ${unexpected.join('\n  ')}`);
  await dCtx.close();
  await pCtx.close();
}

await main('watch_room', run, log);

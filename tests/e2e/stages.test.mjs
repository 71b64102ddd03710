// Browser test of the stages in the web app (docs/web.md, Stages) against the mock server's
// stages contract (tests/e2e/mock-server.mjs with `[mock] stages = true`): an organizer (sv-SE)
// opens the broadcast view, sees why the last SRT caller was refused (in plain words, then a
// new reason pushed over the WebSocket, then an unknown one as its code), since when the stage
// is in its state, and a destination retrying on an untrusted TLS certificate; adds a restream output (a bad URL first: the server's message shows;
// then a good one: it appears with its key masked, the key itself never in the page), sees a
// state the mock pushes over the WebSocket, stops, starts, retries after "failed" and removes
// it, and sees the recordings with download links. A moderator sees the same status without
// buttons. An attendee (fi-FI, a phone, not signed in: polling) sees the main stage's player
// with the "live" badge, which turns to "standby" when the mock changes the stage.
//
// It always runs the mock (the real server's stages get their own test with real HLS); CTest
// passes SAMLING_SOURCE_DIR (web/ must be built). Prints `1 passed, 0 failed` last; exits 0 or 1.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, checkA11y, checkFocusRings, expect, launchBrowser, main, saveScreenshot, setUp, startServer, TestFailure, watchPage } from './harness.mjs';

const WAIT = 15_000; // ms, for each expectation on the page
const POLL_WAIT = 20_000; // ms, for a change seen by polling (every 5 s)
const SECRET_KEY = 'abcd-efgh-ijkl-9876';

const UI = {
  sv: {
    live: 'Live', standby: 'Paus – vi är strax tillbaka', retrying: 'Försöker igen', refused: 'anslutningen nekades', failed: 'Misslyckades', keyRejected: 'strömnyckeln avvisades', retry: 'Försök igen', broadcast: 'Sändning',
    tlsUntrusted: 'plattformens TLS-certifikat är inte betrott', noPassphrase: 'Anslutningen saknade lösenfras – lägg till den i kodaren', wrongStreamId: 'Fel stream id', lastRejection: 'Senast ', since: 'sedan ',
  },
  fi: { live: 'Suorana', standby: 'Tauko – palaamme pian' },
};

function log(message) {
  console.log(`[stages.test] ${message}`);
}



async function signIn(page, base, name, role) {
  await page.goto(base);
  await page.getByTestId('chat-name').fill(name, { timeout: WAIT });
  await page.getByTestId('chat-role').selectOption(role, { timeout: WAIT });
  await page.getByTestId('chat-join').click();
  await expect(`${name}: connected`, page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ timeout: WAIT }));
}

/** Changes a stage (or one of its outputs) in the mock, which pushes it to the sockets. */
async function mockChange(base, path, fields) {
  const response = await fetch(`${base}/__mock/stages/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
  check(response.ok, `mock change ${path}: HTTP ${response.status}`);
}

async function run(ctx) {
  process.env.SAMLING_BIN = fileURLToPath(new URL('./mock-server.mjs', import.meta.url));
  const { src, bin, configPath, chromium } = setUp(ctx, ['[auth]', 'dev_tokens = true', '[mock]', 'stages = true']);
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  log(`mock server at ${base}`);

  ctx.browser = await launchBrowser(chromium);
  const problems = [];

  // --- the organizer ----------------------------------------------------------------------------
  const org = await (await ctx.browser.newContext({ locale: 'sv-SE', viewport: { width: 1440, height: 1000 } })).newPage();
  watchPage(org, base, problems, 'organizer');
  await signIn(org, base, 'Olivia Arrangör', 'organizer');
  // The attendee page first: the main stage's player, live.
  const player = org.getByTestId('stage-player');
  await expect('organizer: the player', player.and(org.locator('[data-state="live"]')).waitFor({ timeout: WAIT }));
  check((await org.locator('video').count()) === 1, 'one video element');
  await checkA11y(org, 'organizer (sv): the event page with the live player', log);
  await org.screenshot({ path: join(ctx.tmp, 'stages-attendee-sv.png') });
  saveScreenshot(src, ctx.tmp, 'stages-attendee-sv.png', log);

  const tab = org.getByTestId('view-tab-stages');
  check((await tab.textContent()).trim() === UI.sv.broadcast, `the tab is called "${UI.sv.broadcast}"`);
  await tab.click();
  const card = org.locator('[data-testid="stage-card"][data-stage-id="main"]');
  await expect('the main stage card', card.waitFor({ timeout: WAIT }));
  await expect('the WebSocket feed', org.locator('[data-testid="stage-feed"][data-live="true"]').waitFor({ timeout: WAIT }));
  check((await card.getByTestId('input-state').getAttribute('data-state')) === 'connected', 'input connected');

  // Since when the stage is live (the mock: 23 min before it started).
  const since = (await card.getByTestId('stage-since').textContent()).trim();
  check(since.startsWith(UI.sv.since) && /\(2\d min\)$/.test(since), `since when it is live: "${since}"`);

  // The refused callers: how many, why the last one was refused (with what to do) and when.
  const rejected = card.getByTestId('input-rejected');
  const rejection = rejected.getByTestId('input-rejection');
  check((await rejected.textContent()).trim().startsWith('2'), `two rejected callers: "${await rejected.textContent()}"`);
  check((await rejection.getAttribute('data-reason')) === 'no_passphrase', 'the reason code');
  check((await rejection.textContent()).includes(UI.sv.noPassphrase), `the no_passphrase reason in words: "${await rejection.textContent()}"`);
  check((await rejected.textContent()).includes(UI.sv.lastRejection), `when: "${await rejected.textContent()}"`);
  check(!(await rejected.textContent()).includes('ERROR:SECURITY'), 'the server\'s detail only for "other"');

  // The destination that does not trust the platform's certificate.
  const tlsRow = card.locator('[data-testid="output"][data-state="retrying"]');
  check((await tlsRow.getByTestId('output-reason').getAttribute('data-reason')) === 'tls_untrusted', 'a destination retrying on tls_untrusted');
  check((await tlsRow.getByTestId('output-reason').textContent()).includes(UI.sv.tlsUntrusted), `the tls_untrusted reason: "${await tlsRow.getByTestId('output-reason').textContent()}"`);
  await checkA11y(org, 'organizer (sv): the broadcast tab', log);
  await tab.focus();
  await checkFocusRings(org, 'organizer (sv): Tab from the broadcast tab through the stage card', log, 12);
  await card.screenshot({ path: join(ctx.tmp, 'stages-card-sv.png') });
  saveScreenshot(src, ctx.tmp, 'stages-card-sv.png', log);
  // The same card at a phone's width (from the page's top: the sticky tabs would cover the card's head).
  await org.setViewportSize({ width: 390, height: 844 });
  await org.evaluate(() => window.scrollTo(0, 0));
  const box = await card.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
  });
  await org.screenshot({ path: join(ctx.tmp, 'stages-card-phone-sv.png'), fullPage: true, clip: box });
  await checkA11y(org, 'organizer (sv, 390×844): the broadcast tab', log);
  saveScreenshot(src, ctx.tmp, 'stages-card-phone-sv.png', log);
  await org.setViewportSize({ width: 1440, height: 1000 });

  // A new refusal, pushed over the WebSocket; then a reason this page does not know: its code.
  await mockChange(base, 'main', { input: { rejected_callers: 3, last_rejection: { reason: 'wrong_stream_id', detail: 'the caller sent stream id "venue-b"', at_ms: Date.now() } } });
  await expect('the new rejection', rejection.and(org.locator('[data-reason="wrong_stream_id"]')).waitFor({ timeout: WAIT }));
  check((await rejection.textContent()).includes(UI.sv.wrongStreamId), `the wrong_stream_id reason: "${await rejection.textContent()}"`);
  check((await rejected.textContent()).trim().startsWith('3'), 'three rejected callers');
  await mockChange(base, 'main', { input: { rejected_callers: 4, last_rejection: { reason: 'too_many_callers', detail: 'only one caller at a time', at_ms: Date.now() } } });
  await expect('the unknown rejection', rejection.and(org.locator('[data-reason="too_many_callers"]')).waitFor({ timeout: WAIT }));
  check((await rejection.textContent()).trim() === 'too_many_callers', `an unknown reason shows as its code: "${await rejection.textContent()}"`);
  check((await rejected.textContent()).includes('only one caller at a time'), 'with the server\'s detail');

  // A bad URL: the server's message shows beside the form.
  const form = card.getByTestId('add-output');
  await form.getByTestId('output-name-input').fill('YouTube');
  await form.getByTestId('output-url-input').fill('http://a.rtmp.youtube.com/live2');
  await form.getByTestId('output-key-input').fill(SECRET_KEY);
  check((await form.getByTestId('output-key-input').getAttribute('type')) === 'password', 'the key field is a password field');
  await form.getByTestId('add-output-submit').click();
  const formError = form.getByTestId('add-output-error');
  await expect('the bad URL error', formError.waitFor({ timeout: WAIT }));
  check((await formError.textContent()).includes('url must be rtmp:// or rtmps://'), `the server's message shows: ${await formError.textContent()}`);
  check((await card.getByTestId('output').count()) === 2, 'nothing added for a bad URL');
  await checkA11y(org, 'organizer (sv): the add-output form with the server’s error', log);

  // A good one: it appears, masked, and goes live.
  await form.getByTestId('output-url-input').fill('rtmp://a.rtmp.youtube.com/live2');
  await form.getByTestId('add-output-submit').click();
  const row = card.getByTestId('output').filter({ has: org.getByTestId('output-name').getByText('YouTube', { exact: true }) });
  await expect('the new output', row.waitFor({ timeout: WAIT }));
  await expect('the form error goes', formError.waitFor({ state: 'detached', timeout: WAIT }));
  check((await row.getByTestId('output-key').textContent()).trim() === '••••9876', 'the key shows masked');
  const html = await org.evaluate(() => document.documentElement.outerHTML + [...document.querySelectorAll('input')].map((i) => i.value).join(' '));
  check(!html.includes(SECRET_KEY) && !html.includes('efgh'), 'the stream key is nowhere in the page');
  const outputId = await row.getAttribute('data-output-id');
  await expect('the output goes live', row.and(org.locator('[data-state="live"]')).waitFor({ timeout: WAIT }));

  // A change pushed over the WebSocket.
  await mockChange(base, `main/outputs/${outputId}`, { state: 'retrying', reason: 'refused', reconnects: 3, next_retry_ms: 4000 });
  await expect('retrying shows', row.and(org.locator('[data-state="retrying"]')).waitFor({ timeout: WAIT }));
  check((await row.getByTestId('output-state').textContent()).includes(UI.sv.retrying), 'the retrying text');
  check((await row.getByTestId('output-reason').textContent()).includes(UI.sv.refused), 'the reason');
  check((await row.getByTestId('output-reconnects').textContent()).trim() === '3', 'the reconnect count');
  await checkA11y(org, 'organizer (sv): a new output, retrying', log);

  // Stop, then start.
  await row.getByTestId('output-stop').click();
  await expect('stopped', row.and(org.locator('[data-state="stopped"]')).waitFor({ timeout: WAIT }));
  await row.getByTestId('output-start').click();
  await expect('live again', row.and(org.locator('[data-state="live"]')).waitFor({ timeout: WAIT }));

  // Failed (key rejected): retry.
  await mockChange(base, `main/outputs/${outputId}`, { state: 'failed', reason: 'key_rejected', last_error: 'NetStream.Publish.BadName' });
  await expect('failed shows', row.and(org.locator('[data-state="failed"]')).waitFor({ timeout: WAIT }));
  check((await row.getByTestId('output-reason').textContent()).includes(UI.sv.keyRejected), 'the key_rejected reason');
  const retry = row.getByTestId('output-start');
  check((await retry.textContent()).trim() === UI.sv.retry, 'a failed output offers "retry"');
  await checkA11y(org, 'organizer (sv): an output failed, with "retry"', log);
  await card.screenshot({ path: join(ctx.tmp, 'stages-organizer-sv.png') });
  saveScreenshot(src, ctx.tmp, 'stages-organizer-sv.png', log);
  await retry.click();
  await expect('live after the retry', row.and(org.locator('[data-state="live"]')).waitFor({ timeout: WAIT }));

  // Recordings: links with the token in the query.
  const links = card.getByTestId('recording-link');
  await expect('recordings', links.first().waitFor({ timeout: WAIT }));
  check((await links.count()) === 2, 'two recordings');
  const href = await links.first().getAttribute('href');
  check(/\/api\/v1\/stages\/main\/recordings\/.+\?token=/.test(href), `a download link with the token: ${href}`);
  const download = await fetch(new URL(href, base));
  check(download.ok, `the download link works: HTTP ${download.status}`);

  // Remove, with a confirmation.
  await row.getByTestId('output-remove').click();
  await expect('the remove confirmation', row.getByTestId('output-remove-confirm').waitFor({ timeout: WAIT }));
  await checkA11y(org, 'organizer (sv): removing an output, the confirmation', log);
  await row.getByTestId('output-remove-confirm').click();
  await expect('the output is removed', row.waitFor({ state: 'detached', timeout: WAIT }));

  // --- a moderator: the same status, no buttons -----------------------------------------------------
  const mod = await (await ctx.browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })).newPage();
  watchPage(mod, base, problems, 'moderator');
  await signIn(mod, base, 'Mo Derator', 'moderator');
  await mod.getByTestId('view-tab-stages').click();
  const modCard = mod.locator('[data-testid="stage-card"][data-stage-id="main"]');
  await expect('moderator: the stage card', modCard.waitFor({ timeout: WAIT }));
  await expect('moderator: the outputs', modCard.getByTestId('output').first().waitFor({ timeout: WAIT }));
  check((await modCard.locator('button').count()) === 0, 'moderator: no buttons');
  check((await modCard.getByTestId('add-output').count()) === 0, 'moderator: no form');
  await checkA11y(mod, 'moderator (en): the broadcast tab, read-only', log);

  // --- an attendee on a phone, not signed in: polling -------------------------------------------------
  const att = await (await ctx.browser.newContext({ locale: 'fi-FI', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
  watchPage(att, base, problems, 'attendee');
  await att.goto(base);
  const attPlayer = att.getByTestId('stage-player');
  await expect('attendee: the player', attPlayer.and(att.locator('[data-state="live"]')).waitFor({ timeout: WAIT }));
  check((await att.locator('video').count()) === 1, 'attendee: one video element');
  check((await attPlayer.getByTestId('stage-badge').textContent()).trim() === UI.fi.live, 'attendee: the live badge in Finnish');
  check((await att.getByTestId('view-tab-stages').count()) === 0, 'attendee: no broadcast tab');
  await checkA11y(att, 'attendee (fi, phone): the live player', log);
  await att.screenshot({ path: join(ctx.tmp, 'stages-mobile-fi.png') });
  saveScreenshot(src, ctx.tmp, 'stages-mobile-fi.png', log);

  await mockChange(base, 'main', { state: 'standby' });
  await expect('attendee: standby', attPlayer.and(att.locator('[data-state="standby"]')).waitFor({ timeout: POLL_WAIT }));
  check((await attPlayer.getByTestId('stage-badge').textContent()).trim() === UI.fi.standby, 'attendee: the standby badge');
  await checkA11y(att, 'attendee (fi, phone): the stage in standby', log);
  // The organizer's page (WebSocket) has it too, standby since just now.
  await expect('organizer: standby', card.and(org.locator('[data-state="standby"]')).waitFor({ timeout: WAIT }));
  const standbySince = (await card.getByTestId('stage-since').textContent()).trim();
  check(/\(\d+ s\)$/.test(standbySince), `standby since just now: "${standbySince}"`);

  // Expected: the bad URL's 400 (one request, and Chromium's console line for it), and the
  // playlist requests (the mock serves no HLS: they fail and are retried).
  const expected = [/HTTP 400 for .*\/api\/v1\/stages\/main\/outputs$/, /status of 400 \(Bad Request\)/];
  const unexpected = problems.filter((p) => {
    const i = expected.findIndex((re) => re.test(p));
    if (i >= 0) {
      expected.splice(i, 1);
      return false;
    }
    return !/\/live\/[^ ]+\.m3u8/.test(p) && !/status of 404 \(Not Found\)/.test(p);
  });
  check(unexpected.length === 0, `problems in the pages:\n  ${unexpected.join('\n  ')}`);
}

await main('stages', run, log);

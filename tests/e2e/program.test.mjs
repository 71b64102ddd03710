// Browser test of the attendee program page: the real `samling` binary serves the demo event
// and web/dist; playwright-core drives Debian's chromium through it in Swedish, Finnish and
// English.
//
// Run by CTest as `node tests/e2e/program.test.mjs` with
//   SAMLING_BIN         the built server binary
//   SAMLING_SOURCE_DIR  the repository root (web/ must be installed and built: npm ci && npm run build)
// Prints `1 passed, 0 failed` or `0 passed, 1 failed` last; exits 0 or 1.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, checkA11y, checkFocusRings, exactly, getJson, launchBrowser, main, pick, saveScreenshot, setUp, startServer, TestFailure, watchPage } from './harness.mjs';

const WAIT = 10_000; // ms, for each expectation on the page

// UI strings the test expects per language (the catalogs in web/src/i18n/). Content strings
// (titles, room names) are never hard-coded here: they come from the API.
const UI = {
  sv: { program: 'Program', language: 'Språk' },
  en: { program: 'Programme', language: 'Language' },
  fi: { program: 'Ohjelma', language: 'Kieli' },
};

function log(message) {
  console.log(`[program.test] ${message}`);
}

// --- page checks --------------------------------------------------------------------------

async function expectHtmlLang(page, lang) {
  await page
    .waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: WAIT })
    .catch(async () => {
      const actual = await page.evaluate(() => document.documentElement.lang);
      throw new TestFailure(`<html lang> is "${actual}", expected "${lang}"`);
    });
}

async function expectText(locator, text, what) {
  await locator
    .filter({ hasText: exactly(text) })
    .first()
    .waitFor({ state: 'visible', timeout: WAIT })
    .catch(async () => {
      const actual = await locator.allInnerTexts().catch(() => []);
      throw new TestFailure(`${what}: expected "${text}", found ${JSON.stringify(actual.slice(0, 6))}`);
    });
}

async function expectAttribute(locator, name, value, what) {
  await locator
    .and(locator.page().locator(`[${name}="${value}"]`))
    .waitFor({ state: 'attached', timeout: WAIT })
    .catch(async () => {
      const actual = await locator.getAttribute(name).catch(() => null);
      throw new TestFailure(`${what}: ${name} is ${JSON.stringify(actual)}, expected "${value}"`);
    });
}

// The UI chrome and the event header in `lang`.
async function expectLanguage(page, lang, event) {
  await expectHtmlLang(page, lang);
  await expectText(page.getByTestId('event-title'), pick(event.title, lang), `event title (${lang})`);
  await expectText(page.getByTestId('program-heading'), UI[lang].program, `program heading (${lang})`);
  await expectText(page.locator('#lang-label'), UI[lang].language, `language switcher label (${lang})`);
  await expectAttribute(page.getByTestId(`lang-${lang}`), 'aria-pressed', 'true', `switcher button ${lang}`);
}

// The parallel slot in `lang`: every session's title and room name, all side by side.
async function expectParallelSlot(page, slot, event, lang) {
  const rooms = new Map(event.rooms.map((r) => [r.id, r]));
  if (event.days.length > 1) {
    const tab = page.locator(`[data-testid="day-tab"][data-day="${slot.day}"]`);
    await tab.click({ timeout: WAIT });
    await expectAttribute(tab, 'aria-selected', 'true', `day tab ${slot.day}`);
  }
  const slotLocator = page.locator(
    `[data-testid="day-panel"][data-day="${slot.day}"] [data-testid="time-slot"][data-starts-at="${slot.startsAt}"]`,
  );
  await slotLocator.waitFor({ state: 'visible', timeout: WAIT }).catch(() => {
    throw new TestFailure(`no time slot ${slot.day} ${slot.startsAt} on the page`);
  });
  const cards = slotLocator.getByTestId('session-card');
  const count = await cards.count();
  check(count === slot.sessions.length, `slot ${slot.startsAt}: ${count} session cards, expected ${slot.sessions.length}`);

  const boxes = [];
  for (const s of slot.sessions) {
    const card = slotLocator.locator(`[data-testid="session-card"][data-session-id="${s.id}"]`);
    await expectText(card.getByTestId('session-title'), pick(s.title, lang), `title of session ${s.id} (${lang})`);
    await expectText(card.getByTestId('room-name'), pick(rooms.get(s.room_id)?.name, lang), `room of session ${s.id} (${lang})`);
    boxes.push({ id: s.id, box: await card.boundingBox() });
  }
  // Side by side: one row, left to right in room order, not overlapping.
  for (let i = 1; i < boxes.length; i++) {
    const a = boxes[i - 1];
    const b = boxes[i];
    check(a.box && b.box, `session ${a.id} or ${b.id} has no layout box`);
    check(Math.abs(a.box.y - b.box.y) < 2, `sessions ${a.id} and ${b.id} are not side by side (y ${a.box.y} vs ${b.box.y})`);
    check(b.box.x >= a.box.x + a.box.width - 1, `session ${b.id} is not right of ${a.id} (x ${a.box.x}+${a.box.width} vs ${b.box.x})`);
  }
}

// The afternoon slot with the most sessions running at once (the demo's parallel seminars).
function parallelSlot(event) {
  const slots = new Map();
  for (const s of event.sessions) {
    const key = `${s.day} ${s.starts_at}`;
    if (!slots.has(key)) slots.set(key, { day: s.day, startsAt: s.starts_at, sessions: [] });
    slots.get(key).sessions.push(s);
  }
  const position = new Map(event.rooms.map((r) => [r.id, r.position]));
  let best = null;
  for (const slot of slots.values()) {
    if (slot.startsAt < '12:00') continue;
    if (!best || slot.sessions.length > best.sessions.length) best = slot;
  }
  check(best && best.sessions.length >= 4, `the demo event has no afternoon slot with four parallel sessions`);
  best.sessions.sort((a, b) => position.get(a.room_id) - position.get(b.room_id) || a.id.localeCompare(b.id));
  return best;
}

// --- the test -------------------------------------------------------------------------------

async function run(ctx) {
  const { src, bin, configPath, chromium } = setUp(ctx);

  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  log(`server at ${base}`);

  const { events } = await getJson(`${base}/api/v1/events`);
  check(Array.isArray(events) && events.length > 0, 'GET /api/v1/events returned no events');
  const event = await getJson(`${base}/api/v1/events/${encodeURIComponent(events[0].id)}`);
  const slot = parallelSlot(event);
  log(`event "${event.id}": ${slot.sessions.length} parallel sessions at ${slot.day} ${slot.startsAt}`);

  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const viewport = { width: 1440, height: 1000 };

  // Swedish browser: Swedish first.
  const sv = await ctx.browser.newContext({ locale: 'sv-SE', viewport });
  const page = await sv.newPage();
  watchPage(page, base, problems);
  await page.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  await expectLanguage(page, 'sv', event);
  await expectParallelSlot(page, slot, event, 'sv');
  log('Swedish program rendered, parallel sessions side by side');
  await checkA11y(page, 'sv, program', log);
  await checkFocusRings(page, 'sv, program: Tab from the top', log, 15);

  // Switch to Finnish: UI and content change at once, and <html lang> follows.
  await page.getByTestId('lang-fi').click({ timeout: WAIT });
  await expectLanguage(page, 'fi', event);
  await expectParallelSlot(page, slot, event, 'fi');
  const shot = join(ctx.tmp, 'program-fi.png');
  await page.screenshot({ path: shot, fullPage: true });
  try {
    const dir = join(src, 'build', 'e2e-screenshots');
    mkdirSync(dir, { recursive: true });
    copyFileSync(shot, join(dir, 'program-fi.png'));
    log(`screenshot: ${join(dir, 'program-fi.png')}`);
  } catch {
    // a read-only tree is fine; the screenshot was only for people
  }
  log('Finnish program rendered after switching');
  await checkA11y(page, 'fi, program after switching', log);

  // The choice persists across a reload.
  await page.reload({ waitUntil: 'domcontentloaded' });
  await expectLanguage(page, 'fi', event);
  await expectParallelSlot(page, slot, event, 'fi');
  log('Finnish kept after reload');
  await sv.close();

  // English browser: English first.
  const en = await ctx.browser.newContext({ locale: 'en-US', viewport });
  const enPage = await en.newPage();
  watchPage(enPage, base, problems);
  await enPage.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  await expectLanguage(enPage, 'en', event);
  await expectParallelSlot(enPage, slot, event, 'en');
  log('English first for an en-US browser');
  await checkA11y(enPage, 'en, program', log);

  // Server unreachable: a translated message and a retry button that recovers.
  const before = problems.length;
  await enPage.route('**/api/v1/events', (route) => route.abort('connectionrefused'));
  await enPage.reload({ waitUntil: 'domcontentloaded' });
  await expectAttribute(enPage.getByTestId('error-message'), 'data-error-kind', 'unreachable', 'error state');
  await enPage.getByTestId('retry').waitFor({ state: 'visible', timeout: WAIT });
  await checkA11y(enPage, 'en, server unreachable (error and retry)', log);
  await enPage.unroute('**/api/v1/events');
  await enPage.getByTestId('retry').click({ timeout: WAIT });
  await expectText(enPage.getByTestId('event-title'), pick(event.title, 'en'), 'event title after retry');
  // The refused request is logged by chromium as a console error, by design: only that one is
  // expected; the page must be clean otherwise.
  const refused = problems.splice(before).filter((p) => !/ERR_CONNECTION_REFUSED/.test(p));
  problems.push(...refused);
  log('error state with retry works');
  // The same page in dark mode (prefers-color-scheme: dark has its own colours).
  await enPage.emulateMedia({ colorScheme: 'dark' });
  await expectParallelSlot(enPage, slot, event, 'en');
  await checkA11y(enPage, 'en, program, dark mode', log);
  await enPage.evaluate(() => document.activeElement?.blur());
  await checkFocusRings(enPage, 'en, program, dark mode: Tab from the top', log, 15);
  await enPage.screenshot({ path: join(ctx.tmp, 'program-dark-en.png') });
  saveScreenshot(src, ctx.tmp, 'program-dark-en.png', log);
  await en.close();

  check(problems.length === 0, `problems in the page:\n  ${problems.join('\n  ')}`);
}

await main('program', run, log);

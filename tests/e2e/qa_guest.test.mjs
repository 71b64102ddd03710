// Browser test of the room QR code's target for a guest (issue 17): a phone (sv, 390×844) opens
// #event=E&room=seminar-housing&qa=1 on a server without dev tokens; the Questions tab is in
// front and asks for a name; "Join" goes to the chat's name field (guest mode), and after
// joining as a guest the Questions tab shows that room's Q&A, where the guest asks a question
// and sees it. Runs on the mock server (tests/e2e/mock-server.mjs; QA_E2E_SERVER=real runs it
// against SAMLING_BIN). Prints `1 passed, 0 failed` last; exits 0 or 1.
import { fileURLToPath } from 'node:url';
import { check, checkA11y, expect, launchBrowser, main, setUp, startServer, watchPage } from './harness.mjs';

const WAIT = 15_000;
const EVENT = 'stockholm-tillsammans-2027';
const ROOM = `${EVENT}/seminar-housing`;

function log(message) {
  console.log(`[qa_guest.test] ${message}`);
}

async function run(ctx) {
  if (process.env.QA_E2E_SERVER !== 'real') process.env.SAMLING_BIN = fileURLToPath(new URL('./mock-server.mjs', import.meta.url));
  const { bin, configPath, chromium } = setUp(ctx); // no [auth] dev_tokens: guests only
  ctx.server = startServer(bin, configPath);
  const base = await ctx.server.url;
  log(`server at ${base}`);
  ctx.browser = await launchBrowser(chromium);
  const problems = [];
  const page = await (await ctx.browser.newContext({ locale: 'sv-SE', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
  watchPage(page, base, problems, 'guest');
  // POST /api/v1/dev/token answers 404 here: that is how the page learns to offer guest mode.
  const expected404 = (p) => /HTTP 404 for .*\/api\/v1\/dev\/token$/.test(p) || /Failed to load resource.*404/.test(p);

  await page.goto(`${base}/#event=${EVENT}&room=seminar-housing&qa=1`);
  await expect('the Questions tab in front, asking to join', page.getByTestId('qa-signin').waitFor({ timeout: WAIT }));
  check((await page.getByTestId('view-tab-qa').getAttribute('aria-selected')) === 'true', 'the Questions tab is selected');
  await checkA11y(page, 'guest (sv, 390): the QR address before joining', log);
  await page.getByTestId('qa-signin-button').click();
  await expect('the chat tab with the name field focused', page.locator('#chat-name:focus').waitFor({ timeout: WAIT }));
  await page.getByTestId('chat-name').fill('Gunnel Gäst');
  await page.getByTestId('chat-join').click();
  // Without dev tokens the first attempt switches the form to guest mode; join again as a guest.
  await expect('guest mode', page.getByTestId('guest-mode').waitFor({ timeout: WAIT }));
  await page.getByTestId('chat-join').click();
  await expect('connected as a guest', page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor({ state: 'attached', timeout: WAIT }));
  check((await page.locator('[data-testid="chat-room"]').getAttribute('data-room')) === ROOM, 'the chat opened the QR code\'s room');

  await page.getByTestId('view-tab-qa').click();
  await expect('the room\'s Q&A', page.locator(`[data-testid="qa-area-questions"][data-room="${ROOM}"] [data-testid="qa-panel"][data-ready="true"]`).waitFor({ timeout: WAIT }));
  await page.getByTestId('qa-ask-input').fill('Hur många nya bostäder byggs i år?');
  await page.getByTestId('qa-ask-submit').click();
  const mine = page.locator('[data-testid="qa-item"]').first();
  await expect('the guest\'s question', mine.waitFor({ timeout: WAIT }));
  check((await mine.textContent()).includes('Gunnel Gäst'), `her question with her name: "${await mine.textContent()}"`);
  await checkA11y(page, 'guest (sv, 390): asked a question', log);

  const unexpected = problems.filter((p) => !expected404(p));
  check(unexpected.length === 0, `page problems:\n  ${unexpected.join('\n  ')}`);
}

await main('qa_guest', run, log);

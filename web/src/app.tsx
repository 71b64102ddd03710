// The attendee app's first page: an event and its program, in Swedish, English or Finnish.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, getEvent, listEvents, type ConferenceEvent, type EventSummary } from './api';
import { catalogs, initialLang, localeFor, pick, saveLang, type Lang, type Messages } from './i18n';
import { initialIdentity, takeJoinLink } from './identity';
import { LanguageSwitcher } from './components/language-switcher';
import { EventView } from './components/event-view';
import { AccountBar } from './components/account-bar';
import { lazyPage } from './components/lazy';
import { currentRoute, type Route } from './route';
import { StaffContext, useStaffSession } from './staff';

// Staff and registration pages: separate chunks, fetched when the address names them.
const Console = lazyPage(() => import('./components/console/console').then((m) => m.Console));
const SignInPage = lazyPage(() => import('./components/sign-in').then((m) => m.SignInPage));
const InvitationPage = lazyPage(() => import('./components/invitation').then((m) => m.InvitationPage));
const ManageRegistration = lazyPage(() => import('./components/registration-manage').then((m) => m.ManageRegistration));
// Issue 17: the moderator console and the projector (moderate/, projector/).
const ModeratorConsole = lazyPage(() => import('./moderate/console').then((m) => m.ModeratorConsole));
const Projector = lazyPage(() => import('./projector/projector').then((m) => m.Projector));
// Issue 18: the press pages (press/), one chunk each.
const AccreditForm = lazyPage(() => import('./press/accredit-form').then((m) => m.AccreditForm));
const RequestPage = lazyPage(() => import('./press/request-page').then((m) => m.RequestPage));
const PressOffice = lazyPage(() => import('./press/office').then((m) => m.PressOffice));
const PressPage = lazyPage(() => import('./press/press-page').then((m) => m.PressPage));
const InterviewPage = lazyPage(() => import('./press/interview-page').then((m) => m.InterviewPage));

type LoadState =
  | { status: 'loading' }
  | { status: 'error'; error: ApiError }
  | { status: 'empty' }
  | { status: 'ready'; events: EventSummary[]; event: ConferenceEvent };

/**
 * A personal join link (#event=E&join=TOKEN) is taken out of the address bar before anything
 * reads it; the token is kept for its event (identity.ts). Returns whether there was one.
 */
function takeLink(): boolean {
  return takeJoinLink().status !== 'none';
}

/** The event named in the URL: ?event=ID or #event=ID. */
function requestedEventId(): string | null {
  const hash = new URLSearchParams(location.hash.replace(/^#/, '')).get('event');
  if (hash) return hash;
  return new URLSearchParams(location.search).get('event');
}

async function load(id: string | null, signal: AbortSignal) {
  if (id) {
    const [events, event] = await Promise.all([listEvents(signal), getEvent(id, signal)]);
    return { events, event };
  }
  const events = await listEvents(signal);
  const first = events[0];
  if (!first) return { events, event: null };
  return { events, event: await getEvent(first.id, signal) };
}

function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError('invalid', String(e));
}

function errorText(t: Messages, error: ApiError): string {
  switch (error.kind) {
    case 'unreachable':
      return t.errorUnreachable;
    case 'not_found':
      return t.errorNotFound;
    case 'server':
      return t.errorServer(error.status);
    case 'invalid':
      return t.errorInvalid;
  }
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  // `signIns` counts join links taken while the page is open: each one re-creates the event view.
  const [signIns, setSignIns] = useState(() => (takeLink() ? 1 : 0));
  const [eventId, setEventId] = useState(requestedEventId);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<LoadState>({ status: 'loading' });
  // The page the address names (route.ts): the event page, or a staff or registration page.
  const [route, setRoute] = useState<Route>(currentRoute);
  // The moderator console asks for the staff session unless a moderator token is kept for the event.
  const staff = useStaffSession(
    route.page === 'console' ||
      (route.page === 'moderate' && !initialIdentity(route.event)?.token) ||
      (route.page === 'press-office' && !route.token),
  );
  const t = catalogs[lang];

  const chooseLang = useCallback((l: Lang) => {
    setLang(l);
    saveLang(l);
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  useEffect(() => {
    const onHash = () => {
      if (takeLink()) setSignIns((n) => n + 1);
      setEventId(requestedEventId());
      setRoute(currentRoute());
      scrollTo(0, 0);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    load(eventId, controller.signal).then(
      ({ events, event }) => setState(event ? { status: 'ready', events, event } : { status: 'empty' }),
      (e: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', error: toApiError(e) });
      },
    );
    return () => controller.abort();
  }, [eventId, attempt]);

  const title =
    route.page === 'console' ? t.org.consoleTitle
    : route.page === 'sign-in' ? t.org.signInTitle
    : route.page === 'invite' ? t.org.inviteTitle
    : state.status === 'ready' ? pick(state.event.title, lang).text : '';
  useEffect(() => {
    // These pages name themselves.
    if (['moderate', 'projector', 'accredit', 'accreditation', 'press-office', 'press', 'interview'].includes(route.page)) return;
    document.title = title ? t.documentTitle(title) : t.appName;
  }, [title, t, route.page]);
  const locale = localeFor(lang);

  if (state.status === 'error') console.warn(state.error.message);

  // The projector fills the hall's screen: no top bar, no language switcher.
  if (route.page === 'projector') return <Projector key={route.kiosk} id={route.kiosk} lang={lang} t={t} />;

  return (
    <StaffContext.Provider value={staff}>
      {route.page === 'event' && state.status === 'ready' && (
        <a class="skip-link" href="#program" onClick={skipToProgram}>
          {t.skipToProgram}
        </a>
      )}
      <header class="topbar">
        <div class="topbar-inner">
          <span class="brand">
            <span class="brand-mark" aria-hidden="true" />
            {t.appName}
          </span>
          <AccountBar t={t} />
          <LanguageSwitcher lang={lang} onChange={chooseLang} />
        </div>
      </header>
      {route.page === 'sign-in' && <main id="main" class="page"><SignInPage t={t} /></main>}
      {route.page === 'invite' && <main id="main" class="page"><InvitationPage key={route.token} token={route.token} t={t} locale={locale} /></main>}
      {route.page === 'console' && (
        <main id="main" class="page page--console">
          <Console event={route.event} tab={route.tab} series={route.series} lang={lang} locale={locale} t={t} />
        </main>
      )}
      {route.page === 'moderate' && (
        <main id="main" class="page page--console">
          <ModeratorConsole key={`${route.event}/${route.room}`} event={route.event} room={route.room} lang={lang} locale={locale} t={t} />
        </main>
      )}
      {route.page === 'accredit' && <main id="main" class="page"><AccreditForm key={route.event} event={route.event} lang={lang} locale={locale} t={t} /></main>}
      {route.page === 'accreditation' && <main id="main" class="page"><RequestPage key={route.token} token={route.token} lang={lang} locale={locale} t={t} /></main>}
      {route.page === 'press-office' && (
        <main id="main" class="page page--console">
          <PressOffice key={route.event} event={route.event} token={route.token} lang={lang} locale={locale} t={t} />
        </main>
      )}
      {route.page === 'press' && <main id="main" class="page page--console"><PressPage key={route.grant} grant={route.grant} lang={lang} locale={locale} t={t} /></main>}
      {route.page === 'interview' && <main id="main" class="page"><InterviewPage key={route.token} token={route.token} lang={lang} locale={locale} t={t} /></main>}
      {route.page === 'manage' && <main id="main" class="page"><ManageRegistration key={route.token} event={route.event} token={route.token} t={t} /></main>}
      {route.page === 'event' && <main id="main" class="page" aria-busy={state.status === 'loading'}>
        {state.status === 'loading' && (
          <div class="state state--loading" role="status" data-testid="loading">
            <span class="spinner" aria-hidden="true" />
            <span>{t.loading}</span>
          </div>
        )}
        {state.status === 'error' && (
          <div class="state state--error" role="alert" data-testid="error">
            <h1 class="state-title">{t.errorTitle}</h1>
            <p data-testid="error-message" data-error-kind={state.error.kind}>
              {errorText(t, state.error)}
            </p>
            <button type="button" class="button" data-testid="retry" onClick={() => setAttempt((n) => n + 1)}>
              {t.retry}
            </button>
          </div>
        )}
        {state.status === 'empty' && (
          <div class="state" data-testid="no-events">
            <p>{t.noEvents}</p>
          </div>
        )}
        {state.status === 'ready' && <EventView key={`${state.event.id}:${signIns}`} event={state.event} events={state.events} lang={lang} t={t} />}
      </main>}
    </StaffContext.Provider>
  );
}

// Moves focus to the program heading without putting "#program" into the URL's hash, which
// names the event.
function skipToProgram(e: MouseEvent) {
  const target = document.getElementById('program-heading');
  if (!target) return;
  e.preventDefault();
  target.focus();
  target.scrollIntoView({ block: 'start' });
}

import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getEvent, type ConferenceEvent, type EventSummary } from '../api';
import { formatEventDates } from '../format';
import { initialIdentity, type Identity } from '../identity';
import { langIf, localeFor, pick, type Lang, type Messages } from '../i18n';
import { stageForRoom, useStages } from '../stages';
import { canModerate, type ChatClient, type Role } from '../ws';
import { Chat } from './chat';
import { roomAllowed, type RoomRequest } from './chat-session';
import { SessionActionsContext, type SessionActions } from './session-actions';
import { Program } from './program';
import { StagePlayer } from './stage-player';
import { StagesAdmin } from './stages-admin';
import { RegistrationPanel } from './registration-form';
import { StaffContext, staffRole } from '../staff';
import type { Account } from '../org-api';
import { ModerateLinks } from '../moderate/moderate-links';
import { PressLinks } from '../press/press-links';
import { QaArea } from '../qa/qa-area';
import { NewPollsBadge } from '../qa/new-polls';
import type { ComponentChild } from 'preact';
import { qaTarget } from '../route';

/** How often the program is re-read without a chat connection (which pushes `program` events). */
const PROGRAM_POLL_MS = 30_000;

/** The signed-in staff account's identity for this event's chat: hello without a token. */
function sessionIdentity(account: Account | null, event: string): Identity | null {
  const role = staffRole(account, event);
  return account && role ? { event, name: account.name, role, session: true } : null;
}

/** Wide enough for the program and the chat side by side (the same width as in styles.css). */
const WIDE = '(min-width: 64rem)';

function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const onChange = () => setMatches(list.matches);
    onChange();
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, [query]);
  return matches;
}

type View = 'program' | 'stages' | 'chat' | 'qa' | 'polls';

interface Props {
  event: ConferenceEvent;
  events: EventSummary[];
  lang: Lang;
  t: Messages;
}

export function EventView({ event: loaded, events, lang, t }: Props) {
  const locale = localeFor(lang);
  const staff = useContext(StaffContext);
  // The program as last read: a `program` event (or the poll without a chat connection) reads it again.
  const [event, setEvent] = useState<ConferenceEvent>(loaded);
  const [updated, setUpdated] = useState<number | null>(null);
  useEffect(() => setEvent(loaded), [loaded]);
  const title = pick(event.title, lang);
  const summary = pick(event.summary, lang);
  const place = [event.venue, event.city].filter(Boolean).join(', ');
  const wide = useMediaQuery(WIDE);
  // The QR code's address (#event=E&room=R&qa=1) opens room R's questions.
  const [target] = useState(() => {
    const q = qaTarget();
    return q && q.event === loaded.id ? q : null;
  });
  const [view, setView] = useState<View>(target ? 'qa' : 'program');
  const [unread, setUnread] = useState(0);
  // The chat's identity (EventView is keyed by the event) and its connection.
  // A personal join link kept for the event comes first (identity.ts).
  const [identity, setIdentity] = useState<Identity | null>(() => initialIdentity(event.id) ?? sessionIdentity(staff.account, event.id));
  // A staff session that arrives (GET me answered, signed in on another page) or ends.
  useEffect(() => {
    setIdentity((current) => {
      if (!current) return sessionIdentity(staff.account, event.id);
      if (current.session && !staff.account) return null;
      return current;
    });
  }, [staff.account, event.id]);
  const [client, setClient] = useState<ChatClient | null>(null);
  // Moderators and organizers see the broadcast view (organizers may act in it), whether they
  // signed in by a join link or a dev token: the role is the one the server accepted in hello
  // (a link's payload is not trusted before that: its signature may be bad or it may be expired).
  const [serverRole, setServerRole] = useState<Role | undefined>(undefined);
  useEffect(() => {
    if (!client) {
      setServerRole(undefined);
      return;
    }
    const update = () => setServerRole(client.user?.role);
    update();
    return client.subscribe(update);
  }, [client]);
  const role = identity?.link ? serverRole : (serverRole ?? identity?.role);
  // A token, or '' for the staff session (its requests authenticate by the cookie).
  const staffToken = identity && canModerate(role) && (identity.token || identity.session) ? (identity.token ?? '') : undefined;
  const organizer = staffToken !== undefined && role === 'organizer';

  // Live program: a `program` event with a newer version reads the event again; without a chat
  // connection the page polls. Sessions then carry their marks (moved, cancelled, new).
  const [pushes, setPushes] = useState(0);
  useEffect(() => {
    if (!client) return;
    let last = client.program?.version;
    return client.subscribe(() => {
      const v = client.program?.version;
      if (v !== undefined && v !== last) {
        last = v;
        setPushes((n) => n + 1);
      }
    });
  }, [client]);
  useEffect(() => {
    const controller = new AbortController();
    const refresh = () =>
      getEvent(event.id, controller.signal).then(
        (e) => {
          setEvent((current) => {
            if (JSON.stringify(current) === JSON.stringify(e)) return current;
            if (e.version !== undefined && e.version !== current.version) setUpdated(e.version);
            return e;
          });
        },
        () => undefined, // keep what is shown; the next push or poll tries again
      );
    if (pushes > 0) refresh();
    const timer = client ? undefined : setInterval(refresh, PROGRAM_POLL_MS);
    return () => {
      controller.abort();
      if (timer) clearInterval(timer);
    };
  }, [pushes, client, event.id]);
  const feed = useStages(client, staffToken);
  // The room whose stage plays: the last one the viewer chose (a chat room, a card's "Watch").
  const [watching, setWatching] = useState<string | null>(null);
  const mainRoom = event.rooms.find((r) => r.kind === 'main_stage')?.id;
  const stage = stageForRoom(feed.stages, watching, mainRoom);
  const [request, setRequest] = useState<RoomRequest | null>(target ? { room: target.room, n: 1 } : null);
  // The chat's room: its questions and polls are the ones shown.
  const [chatRoom, setChatRoom] = useState<string | null>(target?.room ?? null);
  useEffect(() => {
    const onHash = () => {
      const q = qaTarget();
      if (!q || q.event !== event.id) return;
      setView('qa');
      setRequest((r) => ({ room: q.room, n: (r?.n ?? 0) + 1 }));
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [event.id]);
  const sticky = useRef<HTMLDivElement>(null);
  const [stickyHeight, setStickyHeight] = useState(0);

  const views: [View, string][] = [['program', t.program]];
  if (wide) views.push(['qa', t.qa.qaAndPolls]);
  if (staffToken !== undefined) views.push(['stages', t.broadcast]);
  if (!wide) views.push(['chat', t.chat], ['qa', t.qa.questions], ['polls', t.qa.polls]);
  const shown: View = views.some(([v]) => v === view) ? view : 'program';
  const chatVisible = wide || shown === 'chat';
  // On a narrow screen, a switch brings the tabs (or the player above them) to the top: the
  // chosen view fills the screen.
  const chooseView = (v: View) => {
    setView(v);
    if (wide) return;
    requestAnimationFrame(() => {
      const top = document.getElementById(stage ? 'stage-top' : 'event-body');
      if (top && Math.abs(top.getBoundingClientRect().top) > 1) scrollToTop(top);
    });
  };
  // Open polls not seen yet: on the Polls tab (phone) or the Q&A tab (wide).
  const pollsView: View = wide ? 'qa' : 'polls';
  const pollsBadge = (
    <NewPollsBadge client={client} refId={chatRoom ? `${event.id}/${chatRoom}` : null} seeing={shown === pollsView} t={t} />
  );
  const tabs = views.length > 1 && (
    <ViewTabs views={views} view={shown} unread={unread} badges={{ [pollsView]: pollsBadge }} t={t} onChange={chooseView} />
  );
  const player = stage && (
    <div class="stage-slot" id={wide ? 'stage-top' : undefined}>
      <StagePlayer stage={stage} lang={lang} t={t} />
    </div>
  );
  // On a narrow screen the player and the view tabs stay at the top (sticky) while the program
  // or the chat scrolls, and while the composer has the focus; the chat fills the rest.
  const stickyOn = !wide && stage !== null && stage.state !== 'offline';
  useEffect(() => {
    const el = sticky.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setStickyHeight(el.offsetHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, [wide, stage !== null]);

  // A join link stored or forgotten in another tab of the event: this tab follows.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key !== `samling.join.${event.id}` || e.storageArea !== localStorage) return;
      const next = initialIdentity(event.id);
      setIdentity((current) => {
        if (current?.link && !next?.link) return next; // signed out elsewhere
        if (next?.link && next.token !== current?.token) return next; // a new link elsewhere
        return current;
      });
    };
    addEventListener('storage', onStorage);
    return () => removeEventListener('storage', onStorage);
  }, [event.id]);

  // The sticky player and tabs must not hide what has the focus or is scrolled to: the page's
  // scroll-padding-top is their height (styles.css).
  useEffect(() => {
    const root = document.documentElement.style;
    if (stickyOn && stickyHeight) root.setProperty('--sticky-pad', `${stickyHeight}px`);
    else root.removeProperty('--sticky-pad');
    return () => root.removeProperty('--sticky-pad');
  }, [stickyOn, stickyHeight]);

  const onRoom = useCallback((room: string, initial: boolean) => {
    setWatching((w) => (initial && w !== null ? w : room));
    setChatRoom(room);
  }, []);
  // Q&A without an identity: the chat's sign-in form (its own tab on a phone) gets the focus.
  const signInForQa = () => {
    if (!wide) setView('chat');
    requestAnimationFrame(() => document.getElementById('chat-name')?.focus());
  };
  const actions = useMemo<SessionActions>(() => {
    const stageRooms = new Set((feed.stages ?? []).map((s) => s.room).filter((r): r is string => !!r));
    return {
      canWatch: (room) => stageRooms.has(room),
      canChat: (room) => {
        const info = event.rooms.find((r) => r.id === room);
        if (!info) return false;
        return identity ? roomAllowed(info, role ?? identity.role) : info.kind !== 'press';
      },
      watch: (room) => {
        setWatching(room);
        requestAnimationFrame(() => {
          const player = document.querySelector<HTMLElement>('[data-testid="stage-player"]');
          if (!player) return;
          const box = player.getBoundingClientRect();
          // Only when it is not all in view already (on a phone the sticky block moves with it).
          if (box.top < 0 || box.bottom > innerHeight) scrollToTop(wide ? player : (document.getElementById('stage-top') ?? player), true);
          player.focus({ preventScroll: true });
        });
      },
      goToRoom: (room) => {
        setRequest((r) => ({ room, n: (r?.n ?? 0) + 1 }));
        if (!wide) setView('chat');
        requestAnimationFrame(() => {
          const chat = document.getElementById(wide ? 'view-chat' : 'view-tabs');
          if (chat && (chat.getBoundingClientRect().top < 0 || chat.getBoundingClientRect().top > innerHeight / 2))
            scrollToTop(chat);
        });
      },
      watching: stage?.room ?? null,
    };
  }, [feed.stages, event.rooms, identity, role, wide, stage?.room]);

  return (
    <>
      {events.length > 1 && (
        <nav class="event-nav" aria-label={t.eventsNav} data-testid="event-nav">
          <ul>
            {events.map((e) => {
              const name = pick(e.title, lang);
              return (
                <li key={e.id}>
                  <a
                    href={`#event=${encodeURIComponent(e.id)}`}
                    lang={langIf(name.lang, lang)}
                    aria-current={e.id === event.id ? 'page' : undefined}
                  >
                    {name.text}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
      )}
      <header class="hero" data-testid="event" data-event-id={event.id}>
        <h1 class="hero-title" lang={langIf(title.lang, lang)} data-testid="event-title">
          {title.text}
        </h1>
        {summary.text && (
          <p class="hero-summary" lang={langIf(summary.lang, lang)} data-testid="event-summary">
            {summary.text}
          </p>
        )}
        <dl class="facts" aria-label={t.eventFacts}>
          <div class="fact">
            <dt>{t.dates(event.days.length)}</dt>
            <dd data-testid="event-dates">{formatEventDates(event.days, locale)}</dd>
          </div>
          {place && (
            <div class="fact">
              <dt>{t.place}</dt>
              <dd data-testid="event-place">{place}</dd>
            </div>
          )}
          {event.organizer && (
            <div class="fact">
              <dt>{t.organizer}</dt>
              <dd data-testid="event-organizer">{event.organizer}</dd>
            </div>
          )}
        </dl>
        {staffToken !== undefined && <ModerateLinks event={event} lang={lang} />}
        <PressLinks event={event.id} lang={lang} officer={role === 'organizer' || role === 'press_officer' || ['organizer', 'press_officer'].includes(staffRole(staff.account, event.id) ?? '')} />
      </header>
      <div
        class={wide ? 'event-body event-body--wide' : 'event-body'}
        id="event-body"
        style={!wide && stickyHeight ? { '--sticky-h': `${stickyHeight}px` } : undefined}
      >
        {!wide && (
          <div class={stickyOn ? 'event-sticky event-sticky--on' : 'event-sticky'} id="stage-top" ref={sticky} data-testid="event-sticky">
            {player}
            {tabs}
          </div>
        )}
        <div class="event-main">
          {wide && player}
          {wide && tabs}
          <div
            id="view-program"
            role={views.length > 1 ? 'tabpanel' : undefined}
            aria-labelledby={views.length > 1 ? 'view-tab-program' : undefined}
            hidden={shown !== 'program'}
          >
            <RegistrationPanel event={event} lang={lang} locale={locale} t={t} />
            <p class="visually-hidden" role="status" data-testid="program-updated">
              {updated !== null ? t.org.programUpdated(updated) : ''}
            </p>
            <SessionActionsContext.Provider value={actions}>
              <Program event={event} lang={lang} locale={locale} t={t} client={client} />
            </SessionActionsContext.Provider>
          </div>
          <div id="view-qa" role="tabpanel" aria-labelledby="view-tab-qa" hidden={shown !== 'qa'}>
            {shown === 'qa' && (
              <QaArea client={client} event={event} room={chatRoom} identity={identity} lang={lang} t={t} part={wide ? 'both' : 'questions'} onSignIn={signInForQa} />
            )}
          </div>
          {!wide && (
            <div id="view-polls" role="tabpanel" aria-labelledby="view-tab-polls" hidden={shown !== 'polls'}>
              {shown === 'polls' && (
                <QaArea client={client} event={event} room={chatRoom} identity={identity} lang={lang} t={t} part="polls" onSignIn={signInForQa} />
              )}
            </div>
          )}
          {staffToken !== undefined && (
            <div id="view-stages" role="tabpanel" aria-labelledby="view-tab-stages" hidden={shown !== 'stages'}>
              <StagesAdmin feed={feed} token={staffToken} canEdit={organizer} lang={lang} locale={locale} t={t} event={event} />
            </div>
          )}
        </div>
        <div
          class="event-chat"
          id="view-chat"
          role={wide ? undefined : 'tabpanel'}
          aria-labelledby={wide ? undefined : 'view-tab-chat'}
          hidden={!chatVisible}
          data-testid="chat-panel"
        >
          <Chat
            key={event.id}
            event={event}
            lang={lang}
            locale={locale}
            t={t}
            visible={chatVisible}
            onUnread={setUnread}
            identity={identity}
            onIdentity={setIdentity}
            onClient={setClient}
            request={request}
            onRoom={onRoom}
          />
        </div>
      </div>
    </>
  );
}

/**
 * Scrolls the page so that `el` starts at the top of the window (scrollIntoView would stop
 * below the scroll-padding kept for the sticky player, and a sticky element moves itself).
 */
function scrollToTop(el: HTMLElement, smooth = false) {
  const reduce = matchMedia('(prefers-reduced-motion: reduce)').matches;
  scrollBy({ top: el.getBoundingClientRect().top, behavior: smooth && !reduce ? 'smooth' : 'auto' });
}

interface ViewTabsProps {
  views: [View, string][];
  view: View;
  unread: number;
  /** Extra marks on tabs (the new polls' count). */
  badges: Partial<Record<View, ComponentChild>>;
  t: Messages;
  onChange: (view: View) => void;
}

/** Narrow screens: the program and the chat are tabs; moderators and organizers also get the broadcast view. */
function ViewTabs({ views, view, unread, badges, t, onChange }: ViewTabsProps) {
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const ids = views.map(([v]) => v);
    const i = ids.indexOf(view);
    const next =
      e.key === 'Home' ? ids[0]! : e.key === 'End' ? ids[ids.length - 1]! : ids[(i + (e.key === 'ArrowRight' ? 1 : ids.length - 1)) % ids.length]!;
    onChange(next);
    document.getElementById(`view-tab-${next}`)?.focus();
  };
  return (
    <div class={views.length > 3 ? 'view-tabs view-tabs--many' : 'view-tabs'} id="view-tabs" role="tablist" aria-label={t.viewSwitch} onKeyDown={onKeyDown} data-testid="view-tabs">
      {views.map(([v, label]) => (
        <button
          key={v}
          type="button"
          role="tab"
          id={`view-tab-${v}`}
          class="view-tab"
          aria-selected={v === view}
          aria-controls={`view-${v}`}
          tabIndex={v === view ? 0 : -1}
          data-testid={`view-tab-${v}`}
          onClick={() => onChange(v)}
        >
          {label}
          {badges[v]}
          {v === 'chat' && unread > 0 && (
            <span class="unread" data-testid="unread-total" data-count={unread}>
              <span aria-hidden="true">{unread > 99 ? '99+' : unread}</span>
              <span class="visually-hidden">{t.unread(unread)}</span>
            </span>
          )}
        </button>
      ))}
    </div>
  );
}

// A signed-in chat: the connection state, the room tabs, and the chosen room's messages and
// composer. The ChatClient (ws.ts) holds the state; this re-renders when it changes.
import type { ComponentChild } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ConferenceEvent, Room } from '../api';
import { formatMessageDateTime, formatMessageTime } from '../format';
import { loadPending, loadRooms, savePending, saveRooms, type Identity } from '../identity';
import { langIf, pick, type Lang, type Messages } from '../i18n';
import {
  canModerate,
  ChatClient,
  defaultSocketUrl,
  textLength,
  type ChatError,
  type ChatMessage,
  type ChatUser,
  type PendingPost,
  type Role,
  type RoomState,
} from '../ws';
import { chatErrorText } from './chat-errors';
import { chatRestrictions } from '../qa/state';

interface Props {
  heading: ComponentChild;
  event: ConferenceEvent;
  identity: Identity;
  lang: Lang;
  locale: string;
  t: Messages;
  visible: boolean;
  onUnread: (n: number) => void;
  onSignOut: (why: ChatError | null) => void;
  onClient: (client: ChatClient | null) => void;
  /** A room asked for elsewhere in the page; `n` counts the requests (the same room twice). */
  request: RoomRequest | null;
  /** The room the viewer chose in the chat (a room id of the event); `initial`: the one shown at sign-in. */
  onRoom: (room: string, initial: boolean) => void;
  /** No "sign out" / "leave the chat" (the press page: the grant is the page's own). */
  noSignOut?: boolean;
}

export interface RoomRequest {
  room: string;
  n: number;
}

const PRESS_ROLES: readonly Role[] = ['speaker', 'press', 'moderator', 'organizer', 'press_officer'];
/** Roles shown beside a name; a guest is marked as one. Badge texts come from i18n (t.roles). */
const BADGED_ROLES: readonly Role[] = ['speaker', 'press', 'moderator', 'organizer', 'guest', 'press_officer'];

/** Whether `role` may join the room (docs/protocol.md, Roles). */
export function roomAllowed(room: Room, role: Role): boolean {
  if (room.kind === 'press') return PRESS_ROLES.includes(role);
  if (role === 'guest') return room.guests === true;
  return true;
}

const refOf = (event: ConferenceEvent, room: Room) => `${event.id}/${room.id}`;

function useClient(event: ConferenceEvent, identity: Identity, initialRooms: string[], generation: number) {
  const client = useMemo(
    () =>
      new ChatClient({
        url: defaultSocketUrl(),
        event: event.id,
        credentials: identity.grant
          ? { grant: identity.grant }
          : identity.token
            ? { token: identity.token }
            : identity.session
              ? { session: true }
              : { guest: { name: identity.name } },
        rooms: initialRooms,
        pending: loadPending(event.id).filter((p) => initialRooms.includes(p.room)),
      }),
    // A new client only for a new identity or a manual reconnect (initialRooms is read once).
    [event.id, identity, generation],
  );
  const [, setVersion] = useState(0);
  useEffect(() => {
    const unsubscribe = client.subscribe(() => setVersion(client.version));
    client.start();
    return () => {
      unsubscribe();
      client.stop();
    };
  }, [client]);
  return client;
}

export function ChatSession(props: Props) {
  const { heading, event, identity, lang, locale, t, visible, onUnread, onSignOut, onClient, request, onRoom, noSignOut = false } = props;
  const rooms = useMemo(() => [...event.rooms].sort((a, b) => a.position - b.position), [event.rooms]);
  const role: Role = identity.role;
  const allowed = useMemo(() => rooms.filter((r) => roomAllowed(r, role)), [rooms, role]);
  const allowedRefs = useMemo(() => new Set(allowed.map((r) => refOf(event, r))), [allowed, event]);

  const initialRooms = useMemo(() => {
    const saved = (loadRooms(event.id) ?? []).filter((r) => allowedRefs.has(r));
    // "Go to the room" before signing in: that room first.
    const asked = request ? `${event.id}/${request.room}` : null;
    if (asked && allowedRefs.has(asked)) return [asked, ...saved.filter((r) => r !== asked)];
    if (saved.length) return saved;
    const main = allowed.find((r) => r.kind === 'main_stage') ?? allowed[0];
    return main ? [refOf(event, main)] : [];
  }, [event, allowed, allowedRefs]);

  const [generation, setGeneration] = useState(0);
  const client = useClient(event, identity, initialRooms, generation);
  const [active, setActive] = useState<string | null>(initialRooms[0] ?? null);
  const [drafts] = useState(() => new Map<string, string>());

  const user = client.user;
  const moderator = canModerate(user?.role ?? role);
  const joined = [...client.rooms.values()];
  const unreadTotal = joined.reduce((n, r) => n + r.unread, 0);

  useEffect(() => {
    if (client.state === 'closed' && client.fatal) return; // signing out clears them
    saveRooms(
      event.id,
      joined.filter((r) => r.status !== 'error').map((r) => r.ref),
    );
    savePending(event.id, client.unacknowledged());
  });
  useEffect(() => onUnread(unreadTotal), [unreadTotal, onUnread]);
  useEffect(() => {
    onClient(client);
    return () => onClient(null);
  }, [client, onClient]);
  useEffect(() => client.setVisibleRoom(visible ? active : null), [client, visible, active]);
  useEffect(() => {
    if (client.fatal) onSignOut(client.fatal);
  }, [client.fatal, onSignOut]);

  const roomOf = (ref: string) => ref.slice(event.id.length + 1);
  const choose = (ref: string) => {
    setActive(ref);
    client.join(ref);
    onRoom(roomOf(ref), false);
  };
  // The player follows the room the viewer chooses; the room shown at sign-in only if the
  // viewer has not chosen one to watch yet.
  useEffect(() => {
    if (initialRooms[0]) onRoom(roomOf(initialRooms[0]), true);
  }, []);
  // "Go to the room" on a session card: that room's tab, focused.
  const handled = useRef(request?.n ?? 0);
  useEffect(() => {
    if (!request || request.n === handled.current) return;
    handled.current = request.n;
    const ref = `${event.id}/${request.room}`;
    if (!allowedRefs.has(ref)) return;
    choose(ref);
    requestAnimationFrame(() => document.getElementById(`room-tab-${request.room}`)?.focus());
  }, [request]);
  const leave = (ref: string) => {
    client.leave(ref);
    if (ref === active) setActive([...client.rooms.keys()][0] ?? null);
  };

  const activeRoom = active ? client.rooms.get(active) : undefined;
  const activeInfo = allowed.find((r) => refOf(event, r) === active);
  const maxChars = client.limits?.text_max_chars ?? 1000;

  return (
    <div class="chat-session" data-testid="chat-session">
      <div class="chat-top">
        <div class="chat-top-row">
          {heading}
          <ConnectionStatus state={client.state} t={t} onReconnect={() => setGeneration((g) => g + 1)} />
        </div>
        {client.state === 'offline' && (
          <p class="conn-hint" data-testid="offline-hint">
            {t.offlineHint}
          </p>
        )}
        <p class="chat-identity" data-testid="chat-identity">
          <span data-testid="chat-identity-name">{t.signedInAs(user?.name ?? identity.name)}</span>
          <RoleBadge role={user?.role ?? role} t={t} />
          {!noSignOut && (
            <button type="button" class="link-button" onClick={() => onSignOut(null)} data-testid="chat-sign-out">
              {identity.token || identity.link ? t.signOut : t.leaveChat}
            </button>
          )}
        </p>
      </div>
      <RoomTabs rooms={allowed} event={event} client={client} active={active} lang={lang} t={t} onChoose={choose} />
      {activeInfo && active && (
        <RoomPanel
          key={active}
          client={client}
          refId={active}
          info={activeInfo}
          room={activeRoom}
          moderator={moderator}
          lang={lang}
          locale={locale}
          timeZone={event.timezone ?? 'Europe/Stockholm'}
          t={t}
          maxChars={maxChars}
          draft={drafts.get(active) ?? ''}
          onDraft={(text) => drafts.set(active, text)}
          onLeave={() => leave(active)}
          onJoin={() => choose(active)}
        />
      )}
    </div>
  );
}

function ConnectionStatus({ state, t, onReconnect }: { state: ChatClient['state']; t: Messages; onReconnect: () => void }) {
  return (
    <div class={`conn conn--${state}`} role="status" aria-live="polite" data-testid="connection-state" data-state={state}>
      <span class="conn-dot" aria-hidden="true" />
      <span class="conn-text" data-testid="connection-text">
        {t.connection[state]}
      </span>
      {state === 'closed' && (
        <button type="button" class="link-button" onClick={onReconnect} data-testid="reconnect">
          {t.reconnectNow}
        </button>
      )}
    </div>
  );
}

function RoleBadge({ role, t }: { role: Role; t: Messages }) {
  if (!BADGED_ROLES.includes(role)) return null;
  return (
    <span class={`role-badge role-badge--${role}`} data-testid="role-badge" data-role={role}>
      {t.roles[role]}
    </span>
  );
}

interface TabsProps {
  rooms: Room[];
  event: ConferenceEvent;
  client: ChatClient;
  active: string | null;
  lang: Lang;
  t: Messages;
  onChoose: (ref: string) => void;
}

/** WAI-ARIA tabs over the rooms one may join; a joined room shows a dot and its unread count. */
function RoomTabs({ rooms, event, client, active, lang, t, onChoose }: TabsProps) {
  const list = useRef<HTMLDivElement>(null);
  const refs = rooms.map((r) => refOf(event, r));
  const onKeyDown = (e: KeyboardEvent) => {
    const i = active ? refs.indexOf(active) : -1;
    const next =
      e.key === 'ArrowRight' ? refs[(i + 1) % refs.length]
      : e.key === 'ArrowLeft' ? refs[(i - 1 + refs.length) % refs.length]
      : e.key === 'Home' ? refs[0]
      : e.key === 'End' ? refs[refs.length - 1]
      : undefined;
    if (next) {
      e.preventDefault();
      onChoose(next);
      list.current?.querySelector<HTMLButtonElement>(`[data-room="${CSS.escape(next)}"]`)?.focus();
    }
  };
  return (
    <div class="room-tabs" role="tablist" aria-label={t.rooms} ref={list} onKeyDown={onKeyDown} data-testid="room-tabs">
      {rooms.map((r) => {
        const ref = refOf(event, r);
        const state = client.rooms.get(ref);
        const name = pick(r.name, lang);
        const selected = ref === active;
        return (
          <button
            key={ref}
            type="button"
            role="tab"
            id={`room-tab-${r.id}`}
            class="room-tab"
            aria-selected={selected}
            aria-controls="room-panel"
            tabIndex={selected ? 0 : -1}
            data-testid="room-tab"
            data-room={ref}
            data-room-id={r.id}
            data-joined={state ? state.status : 'no'}
            onClick={() => onChoose(ref)}
          >
            {state && state.status !== 'error' && <span class="room-tab-dot" aria-hidden="true" />}
            <span lang={langIf(name.lang, lang)}>{name.text}</span>
            {state && state.unread > 0 && (
              <span class="unread" data-testid="unread" data-count={state.unread}>
                <span aria-hidden="true">{state.unread > 99 ? '99+' : state.unread}</span>
                <span class="visually-hidden">{t.unread(state.unread)}</span>
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}

interface PanelProps {
  client: ChatClient;
  refId: string;
  info: Room;
  room: RoomState | undefined;
  moderator: boolean;
  lang: Lang;
  locale: string;
  timeZone: string;
  t: Messages;
  maxChars: number;
  draft: string;
  onDraft: (text: string) => void;
  onLeave: () => void;
  onJoin: () => void;
}

function RoomPanel(props: PanelProps) {
  const { client, refId, info, room, moderator, lang, locale, timeZone, t, maxChars } = props;
  const name = pick(info.name, lang);
  const log = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const messages = room?.messages ?? [];
  const pending = room?.pending ?? [];
  const last = pending.length ? pending[pending.length - 1]!.clientMsgId : String(messages[messages.length - 1]?.seq ?? '');

  // Keeps the log scrolled to the newest message unless the reader scrolled up.
  useLayoutEffect(() => {
    const el = log.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [last, messages.length, pending.length]);
  useEffect(() => {
    const el = log.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const onScroll = () => {
    const el = log.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };

  const send = (text: string) => {
    stick.current = true;
    client.post(refId, text);
  };

  const joinedOrJoining = room && room.status !== 'error';
  return (
    <section
      class="room"
      id="room-panel"
      role="tabpanel"
      aria-labelledby={`room-tab-${info.id}`}
      data-testid="chat-room"
      data-room={refId}
      data-status={room?.status ?? 'none'}
    >
      <div class="room-head">
        <h3 class="room-name" lang={langIf(name.lang, lang)} title={name.text} data-testid="chat-room-name">
          {name.text}
        </h3>
        {joinedOrJoining && (
          <button type="button" class="link-button room-leave" onClick={props.onLeave} data-testid="leave-room">
            {t.leaveRoom}
          </button>
        )}
      </div>
      {room?.count != null && (
        <div class="room-presence">
          {moderator && room.members ? (
            <MemberList members={room.members} count={room.count} t={t} />
          ) : (
            <MemberCount count={room.count} t={t} />
          )}
        </div>
      )}
      {room?.status === 'error' && room.error && (
        <div class="room-error" role="alert" data-testid="room-error" data-code={room.error.code}>
          <p>{chatErrorText(t, room.error, maxChars)}</p>
          {room.error.code !== 'forbidden' && room.error.code !== 'no_such_room' && (
            <button type="button" class="link-button" onClick={props.onJoin}>
              {t.postRetry}
            </button>
          )}
        </div>
      )}
      <div
        class="messages"
        role="log"
        aria-label={t.messagesIn(name.text)}
        ref={log}
        onScroll={onScroll}
        tabIndex={0}
        data-testid="message-list"
      >
        <ol class="messages-list">
        {room?.status === 'joining' && messages.length === 0 && (
          <li class="messages-note" data-testid="room-joining">
            {t.joiningRoom}
          </li>
        )}
        {room?.status === 'joined' && messages.length === 0 && pending.length === 0 && (
          <li class="messages-note" data-testid="no-messages">
            {t.noMessages}
          </li>
        )}
        {messages.map((m) => (
          <MessageItem key={m.seq} m={m} own={client.isOwn(m)} locale={locale} timeZone={timeZone} t={t} />
        ))}
        {pending.map((p) => (
          <PendingItem key={p.clientMsgId} p={p} client={client} user={client.user} t={t} maxChars={maxChars} />
        ))}
        </ol>
      </div>
      {joinedOrJoining && <ModerationNotice client={client} refId={refId} locale={locale} timeZone={timeZone} t={t} />}
      {joinedOrJoining && (
        <Composer
          key={refId}
          roomName={name.text}
          t={t}
          maxChars={maxChars}
          initial={props.draft}
          onDraft={props.onDraft}
          onSend={send}
        />
      )}
    </section>
  );
}

function MessageItem({ m, own, locale, timeZone, t }: { m: ChatMessage; own: boolean; locale: string; timeZone: string; t: Messages }) {
  return (
    <li
      class={own ? 'msg msg--own' : 'msg'}
      data-testid="chat-message"
      data-seq={m.seq}
      data-user-id={m.user.id}
      data-own={own ? 'true' : undefined}
    >
      <div class="msg-head">
        <span class="msg-author" data-testid="message-author">
          {m.user.name}
          {own && <span class="visually-hidden"> ({t.you})</span>}
        </span>
        <RoleBadge role={m.user.role} t={t} />
        <time
          class="msg-time"
          dateTime={new Date(m.ts).toISOString()}
          title={formatMessageDateTime(m.ts, locale, timeZone)}
          data-testid="message-time"
        >
          {formatMessageTime(m.ts, locale, timeZone)}
        </time>
      </div>
      <p class="msg-text" dir="auto" data-testid="message-text">
        {linkify(m.text)}
      </p>
      {m.held && (
        <p class="msg-status msg-held" data-testid="message-held">
          {own ? t.qa.heldNote : t.qa.messageHeld}
        </p>
      )}
    </li>
  );
}

/**
 * What the moderators set for this room and this user (qa/state.ts chatRestrictions): the chat
 * locked, slow mode, the user's own mute until a time. Posts are still tried (staff pass every
 * check; the server decides): the notice explains a refusal before it comes.
 */
function ModerationNotice({ client, refId, locale, timeZone, t }: { client: ChatClient; refId: string; locale: string; timeZone: string; t: Messages }) {
  const state = client.qa.get(refId);
  const [, setTick] = useState(0);
  const r = state ? chatRestrictions(state) : null;
  // A mute ends by itself: re-render when it does.
  useEffect(() => {
    if (!r?.mutedUntil) return;
    const timer = setTimeout(() => setTick((n) => n + 1), Math.min(Math.max(r.mutedUntil - Date.now(), 0) + 50, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [r?.mutedUntil]);
  if (!r) return null;
  const notes: [string, string][] = [];
  if (r.locked) notes.push(['locked', t.qa.locked]);
  if (r.muted) notes.push(['muted', r.mutedUntil ? t.qa.mutedUntil(formatMessageTime(r.mutedUntil, locale, timeZone)) : t.qa.muted]);
  if (r.slowModeSeconds > 0) notes.push(['slow_mode', t.qa.slowMode(r.slowModeSeconds)]);
  return (
    <div class="chat-notices" role="status" aria-live="polite" data-testid="chat-notices">
      {notes.map(([kind, text]) => (
        <p key={kind} class={`chat-notice chat-notice--${kind}`} data-testid="chat-notice" data-kind={kind}>
          {text}
        </p>
      ))}
    </div>
  );
}

function PendingItem({ p, client, user, t, maxChars }: { p: PendingPost; client: ChatClient; user: ChatUser | null; t: Messages; maxChars: number }) {
  const note =
    p.status === 'failed' || p.status === 'waiting'
      ? chatErrorText(t, p.error ?? { code: 'internal', message: '' }, maxChars)
      : p.status === 'sending'
        ? t.postSending
        : client.state === 'connected'
          ? t.postSending
          : t.postQueued;
  return (
    <li class={`msg msg--own msg--pending msg--${p.status}`} data-testid="chat-message" data-pending={p.status} data-client-msg-id={p.clientMsgId}>
      <div class="msg-head">
        <span class="msg-author" data-testid="message-author">
          {user?.name}
          <span class="visually-hidden"> ({t.you})</span>
        </span>
      </div>
      <p class="msg-text" dir="auto" data-testid="message-text">
        {linkify(p.text.trim())}
      </p>
      <p class="msg-status" role={p.status === 'failed' || p.status === 'waiting' ? 'alert' : undefined} data-testid="message-status">
        {note}
      </p>
      {p.status === 'failed' && (
        <div class="msg-actions">
          <button type="button" class="link-button" onClick={() => client.retry(p.room, p.clientMsgId)} data-testid="post-retry">
            {t.postRetry}
          </button>
          <button type="button" class="link-button" onClick={() => client.discard(p.room, p.clientMsgId)} data-testid="post-discard">
            {t.postDiscard}
          </button>
        </div>
      )}
    </li>
  );
}

function MemberCount({ count, t }: { count: number; t: Messages }) {
  return (
    <span class="member-count" data-testid="member-count" data-count={count}>
      <span class="member-count-icon" aria-hidden="true" />
      {t.people(count)}
    </span>
  );
}

/** Moderators: the member count opens the list of who is in the room. */
function MemberList({ members, count, t }: { members: ChatUser[]; count: number; t: Messages }) {
  const sorted = [...members].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <details class="members" data-testid="member-list">
      <summary>
        <MemberCount count={count} t={t} />
      </summary>
      <ul aria-label={t.membersTitle}>
        {sorted.map((u) => (
          <li key={u.id} class="member" data-testid="member" data-user-id={u.id}>
            <span class="member-name">{u.name}</span>
            <RoleBadge role={u.role} t={t} />
          </li>
        ))}
      </ul>
    </details>
  );
}

interface ComposerProps {
  roomName: string;
  t: Messages;
  maxChars: number;
  initial: string;
  onDraft: (text: string) => void;
  onSend: (text: string) => void;
}

function Composer({ roomName, t, maxChars, initial, onDraft, onSend }: ComposerProps) {
  const [text, setText] = useState(initial);
  const length = textLength(text);
  const left = maxChars - length;
  const over = left < 0;
  const showCount = left <= Math.max(20, Math.floor(maxChars / 10));
  const canSend = length > 0 && !over;

  const update = (value: string) => {
    setText(value);
    onDraft(value);
  };
  const submit = (e?: Event) => {
    e?.preventDefault();
    if (!canSend) return;
    onSend(text);
    update('');
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
  };

  return (
    <form class="composer" onSubmit={submit} data-testid="composer">
      <label class="visually-hidden" for="composer-input">
        {t.messageLabel(roomName)}
      </label>
      <textarea
        id="composer-input"
        class={over ? 'composer-input composer-input--over' : 'composer-input'}
        rows={2}
        value={text}
        placeholder={t.messagePlaceholder}
        aria-describedby="composer-hint composer-count"
        aria-invalid={over}
        onInput={(e) => update((e.target as HTMLTextAreaElement).value)}
        onKeyDown={onKeyDown}
        data-testid="composer-input"
      />
      <div class="composer-foot">
        <span id="composer-hint" class="composer-hint">
          {t.enterHint}
        </span>
        <span
          id="composer-count"
          class={over ? 'composer-count composer-count--over' : 'composer-count'}
          aria-live="polite"
          data-testid="char-count"
          data-left={left}
        >
          {showCount ? (over ? t.charsOver(-left) : t.charsLeft(left)) : ''}
        </span>
        <button type="submit" class="button composer-send" disabled={!canSend} data-testid="send">
          {t.send}
        </button>
      </div>
    </form>
  );
}

/** http(s) URLs in a message: up to white space or a character that cannot end one. */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
/** Punctuation that ends a sentence rather than the URL ("see https://x.se/a."). */
const TRAILING = /[.,;:!?'’”)\]}]+$/;

/**
 * A message's text with its http(s) URLs as links: text nodes and <a> elements built by Preact
 * (the text is never parsed as HTML). Other schemes (javascript:, data:…) stay text.
 */
export function linkify(text: string): ComponentChild[] {
  const out: ComponentChild[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const start = match.index ?? 0;
    // Trailing punctuation is text, except a ")" that closes a "(" inside the URL (Wikipedia).
    const trail = TRAILING.exec(url)?.[0] ?? '';
    let keep = url.length - trail.length;
    for (let i = 0; i < trail.length; i++) {
      const candidate = url.slice(0, keep + i + 1);
      if (trail[i] === ')' && count(candidate, '(') >= count(candidate, ')')) keep += 1;
      else break;
    }
    url = url.slice(0, keep);
    let href: string | null = null;
    try {
      const parsed = new URL(url);
      if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname) href = parsed.href;
    } catch {
      href = null;
    }
    if (!href) continue;
    if (start > last) out.push(text.slice(last, start));
    out.push(
      <a href={href} target="_blank" rel="noopener noreferrer nofollow" class="msg-link" data-testid="message-link">
        {url}
      </a>,
    );
    last = start + url.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function count(s: string, c: string): number {
  let n = 0;
  for (const x of s) if (x === c) n++;
  return n;
}

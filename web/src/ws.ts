// The real-time client: one WebSocket to /ws speaking docs/protocol.md ("samling.v1").
//
// It keeps, per room, the messages seen (de-duplicated by seq), the highest seq seen, the
// member count and (for moderators) the member list, and the posts that have no ack yet. When
// the connection drops (any close but 1000, an error, a request timing out, the browser going
// offline) it reconnects with exponential backoff and jitter (0.5 s doubling to 15 s; at once
// on the window's 'online' event), says hello again, joins every room it was in with
// `since: lastSeq`, and sends the unacknowledged posts again with their client_msg_id, so that
// nothing is lost and nothing doubled. No UI here: components subscribe and read the state.
//
// Q&A, polls and moderation (issue 17): per joined room a QaState (qa/state.ts) built from the
// join ack's `qa` snapshot and `events`, and kept by the room's log events; ask, vote and
// poll_vote requests (and `call` for the moderator console's requests). Log entries share the
// room's seq counter with messages, so they move lastSeq too and a resuming join replays them.
import {
  applyAskAck,
  applyPollVoteAck,
  applyPostRefusal,
  applyQaEvent,
  applyVoteAck,
  fromJoin,
  isQaEvent,
  type QaState,
} from './qa/state';

// press_officer (issue 18): a per-event staff role for accreditation, grants and interviews.
export type Role = 'attendee' | 'speaker' | 'press' | 'moderator' | 'organizer' | 'guest' | 'press_officer';

export interface ChatUser {
  id: string;
  name: string;
  role: Role;
}

export interface ChatMessage {
  room: string;
  seq: number;
  ts: number;
  user: ChatUser;
  text: string;
  client_msg_id?: string;
  /** Held for review by the word list: shown to staff and to its author only, until released. */
  held?: boolean;
}

export interface Limits {
  text_max_chars: number;
  rate_burst: number;
  rate_per_second: number;
  history: number;
}

/** An error reply (or a local failure: `timeout`, `disconnected`). */
export interface ChatError {
  code: string;
  message: string;
  retryAfterMs?: number;
}

export type PostStatus =
  | 'queued' // waiting for the connection (or for the room's join)
  | 'sending' // sent, no ack yet
  | 'waiting' // rate_limited or unavailable: sent again at `retryAt`
  | 'failed'; // refused for good (text_too_long, forbidden, …): the user decides

export interface PendingPost {
  clientMsgId: string;
  room: string;
  text: string;
  status: PostStatus;
  error?: ChatError;
  retryAt?: number;
}

export type JoinStatus = 'joining' | 'joined' | 'error';

export interface RoomState {
  ref: string;
  status: JoinStatus;
  error: ChatError | null;
  /** Confirmed messages, ascending by seq, each seq once. */
  messages: ChatMessage[];
  /** Highest seq seen in a join reply or a message event; null before the first join. */
  lastSeq: number | null;
  count: number | null;
  /** Moderators and organizers only. */
  members: ChatUser[] | null;
  /** Posts without an ack, in the order they were written. */
  pending: PendingPost[];
  /** Messages from others that arrived while the room was not on screen. */
  unread: number;
}

/** Connection state, as shown to people. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

/** A token, a guest's name, or the staff session's cookie (sent by the browser with the upgrade). */
export type Credentials = { token: string } | { guest: { name: string } } | { session: true } | { kiosk: string } | { grant: string };

/**
 * The stage feed over this connection (`stages` request, then `stage` events):
 * 'waiting' until the ack, 'live' while the socket delivers events, 'unsupported' when the
 * server does not know the request (an older server): poll the HTTP API instead.
 */
export type StageFeedState = 'waiting' | 'live' | 'unsupported';

export interface ClientOptions {
  url: string;
  event: string;
  credentials: Credentials;
  /** Rooms (EVENT/ROOM) to join once connected. */
  rooms?: string[];
  /** Posts that had no ack when the page was last closed: sent again with their client_msg_id. */
  pending?: { room: string; clientMsgId: string; text: string }[];
  requestTimeoutMs?: number;
  /** Send a `ping` when nothing arrived for this long (detects dead connections). */
  idlePingMs?: number;
}

export const SUBPROTOCOL = 'samling.v1';
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15_000;
const UNAVAILABLE_RETRY_MS = 2_000;
const MODERATING: readonly Role[] = ['moderator', 'organizer'];

/** ws(s)://host/ws for the page's own origin. */
export function defaultSocketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

/** A v4 UUID from getRandomValues (randomUUID exists only in secure contexts). */
export function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Text length as the server counts it: Unicode code points after trimming. */
export function textLength(text: string): number {
  let n = 0;
  for (const _ of text.trim()) n++;
  return n;
}

/** Roles that may see member lists. */
export function canModerate(role: Role | undefined): boolean {
  return role !== undefined && MODERATING.includes(role);
}

class RequestError extends Error {
  constructor(readonly info: ChatError) {
    super(`${info.code}: ${info.message}`);
  }
}

interface Inflight {
  resolve: (result: Record<string, unknown>) => void;
  reject: (e: RequestError) => void;
  timer: ReturnType<typeof setTimeout>;
}

type Frame = Record<string, unknown>;

const isObject = (v: unknown): v is Frame => typeof v === 'object' && v !== null && !Array.isArray(v);

function asUser(v: unknown): ChatUser | null {
  if (!isObject(v) || typeof v['id'] !== 'string' || typeof v['name'] !== 'string') return null;
  return { id: v['id'], name: v['name'], role: (typeof v['role'] === 'string' ? v['role'] : 'attendee') as Role };
}

function asMessage(v: unknown): ChatMessage | null {
  if (!isObject(v)) return null;
  const user = asUser(v['user']);
  const { room, seq, ts, text } = v;
  if (!user || typeof room !== 'string' || typeof seq !== 'number' || typeof text !== 'string') return null;
  const m: ChatMessage = { room, seq, ts: typeof ts === 'number' ? ts : Date.now(), user, text };
  if (typeof v['client_msg_id'] === 'string') m.client_msg_id = v['client_msg_id'];
  if (v['held'] === true) m.held = true;
  return m;
}

/** Close codes after which reconnecting cannot help (docs/protocol.md): banned, kiosk link revoked, press grant revoked. */
const FATAL_CLOSES: Record<number, string> = { 4010: 'banned', 4011: 'kiosk_revoked', 4012: 'grant_revoked' };

function asUsers(v: unknown): ChatUser[] | null {
  if (!Array.isArray(v)) return null;
  return v.map(asUser).filter((u): u is ChatUser => u !== null);
}

export class ChatClient {
  state: ConnectionState = 'connecting';
  /** Set when hello was refused (bad or expired token, guests not allowed…): sign in again. */
  fatal: ChatError | null = null;
  user: ChatUser | null = null;
  limits: Limits | null = null;
  readonly rooms = new Map<string, RoomState>();
  /** Q&A, polls and moderation state per joined room (set by the join ack). */
  readonly qa = new Map<string, QaState>();
  /** Stages (raw JSON objects, see stages.ts) by id, in the server's order; fresh while stageFeed is 'live'. */
  stages: Record<string, unknown>[] = [];
  stageFeed: StageFeedState = 'waiting';
  /** The last `program` event (a new program version was published), null before one. */
  program: { version: number; changes: unknown[] } | null = null;
  /** The rooms of the last `now_next` event (raw, see org-api's NowNextRoom), null before one. */
  nowNext: unknown[] | null = null;
  /** Bumped on every change, for components that re-render on it. */
  version = 0;

  private opts: Required<ClientOptions>; // credentials change once: a guest switches to its token
  private ws: WebSocket | null = null;
  private ready = false; // hello acknowledged on the current socket
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private nextId = 1;
  private readonly inflight = new Map<number, Inflight>();
  private readonly sending = new Set<string>(); // rooms with a post in flight
  private readonly retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly listeners = new Set<() => void>();
  private visibleRoom: string | null = null;
  /** Every user id this client has had: a guest gets a new one with each hello. */
  private readonly ownIds = new Set<string>();
  private everConnected = false;

  constructor(options: ClientOptions) {
    this.opts = { requestTimeoutMs: 10_000, idlePingMs: 25_000, rooms: [], pending: [], ...options };
    for (const ref of this.opts.rooms) this.rooms.set(ref, this.newRoom(ref));
    for (const p of this.opts.pending) {
      this.rooms.get(p.room)?.pending.push({ clientMsgId: p.clientMsgId, room: p.room, text: p.text, status: 'queued' });
    }
  }

  // --- public API -------------------------------------------------------------------------

  start(): void {
    addEventListener('online', this.onOnline);
    addEventListener('offline', this.onOffline);
    this.connect();
  }

  /** Closes for good (1000): no reconnect. */
  stop(): void {
    this.stopped = true;
    removeEventListener('online', this.onOnline);
    removeEventListener('offline', this.onOffline);
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      this.detach(ws);
      ws.close(1000);
    }
    this.failInflight('disconnected');
    this.setState('closed');
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Joins a room (kept joined across reconnects until leave). */
  join(ref: string): void {
    let room = this.rooms.get(ref);
    if (room && room.status !== 'error') return;
    if (!room) {
      room = this.newRoom(ref);
      this.rooms.set(ref, room);
    } else {
      room.status = 'joining';
      room.error = null;
    }
    this.changed();
    if (this.ready) this.sendJoin(room);
  }

  leave(ref: string): void {
    const room = this.rooms.get(ref);
    if (!room) return;
    this.rooms.delete(ref);
    this.qa.delete(ref);
    this.clearRetry(ref);
    this.sending.delete(ref);
    this.changed();
    // Also when the join is still in flight: the server answers requests in order.
    if (this.ready && room.status !== 'error') this.request({ type: 'leave', room: ref }).catch(() => {});
  }

  /** Queues a post; it is sent now if connected, else after the reconnect. */
  post(ref: string, text: string): string {
    const room = this.rooms.get(ref);
    const clientMsgId = uuid();
    if (!room) return clientMsgId;
    room.pending.push({ clientMsgId, room: ref, text, status: 'queued' });
    this.changed();
    this.pump(room);
    return clientMsgId;
  }

  /** Sends a failed post again (same client_msg_id). */
  retry(ref: string, clientMsgId: string): void {
    const room = this.rooms.get(ref);
    const p = room?.pending.find((x) => x.clientMsgId === clientMsgId);
    if (!room || !p || p.status !== 'failed') return;
    p.status = 'queued';
    delete p.error;
    this.changed();
    this.pump(room);
  }

  discard(ref: string, clientMsgId: string): void {
    const room = this.rooms.get(ref);
    if (!room) return;
    const i = room.pending.findIndex((x) => x.clientMsgId === clientMsgId && x.status === 'failed');
    if (i >= 0) room.pending.splice(i, 1);
    this.changed();
    this.pump(room);
  }

  /** Whether a message was written by this client's user (under any id it has had). */
  isOwn(m: ChatMessage): boolean {
    return this.ownIds.has(m.user.id);
  }

  /** Every post without an ack (to keep across a reload). */
  unacknowledged(): { room: string; clientMsgId: string; text: string }[] {
    return [...this.rooms.values()].flatMap((r) =>
      r.pending.filter((p) => p.status !== 'failed').map((p) => ({ room: p.room, clientMsgId: p.clientMsgId, text: p.text })),
    );
  }

  /** The room on screen: its messages do not count as unread. */
  setVisibleRoom(ref: string | null): void {
    this.visibleRoom = ref;
    const room = ref ? this.rooms.get(ref) : undefined;
    if (room && room.unread > 0) {
      room.unread = 0;
      this.changed();
    }
  }

  // --- Q&A and polls ---------------------------------------------------------------------------

  /**
   * Sends a request and resolves with the ack's result; rejects with a ChatError (also
   * `disconnected` when not connected: these requests are not queued, the person tries again).
   */
  call(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!this.ready) return Promise.reject<Record<string, unknown>>({ code: 'disconnected', message: 'not connected' } satisfies ChatError);
    return this.request(body).catch((e: unknown) => {
      throw e instanceof RequestError ? e.info : ({ code: 'internal', message: String(e) } satisfies ChatError);
    });
  }

  /** Replaces a room's Q&A state (the console applies its own acks through this). */
  updateQa(ref: string, f: (s: QaState) => QaState): void {
    const s = this.qa.get(ref);
    if (!s) return;
    const next = f(s);
    if (next === s) return;
    this.qa.set(ref, next);
    this.changed();
  }

  /** Asks a question; a retry with the same clientMsgId returns the first one. */
  async ask(ref: string, text: string, anonymous: boolean, clientMsgId: string = uuid()): Promise<void> {
    const result = await this.call({ type: 'ask', room: ref, text, client_msg_id: clientMsgId, anonymous });
    this.updateQa(ref, (s) => applyAskAck(s, result));
  }

  /** Votes for a question (up) or takes the vote back. */
  async vote(ref: string, question: string, up: boolean): Promise<void> {
    const result = await this.call({ type: 'vote', room: ref, question, up });
    this.updateQa(ref, (s) => applyVoteAck(s, result));
  }

  /** Votes in a poll ([] takes the vote back). */
  async pollVote(ref: string, poll: string, choices: number[]): Promise<void> {
    const result = await this.call({ type: 'poll_vote', room: ref, poll, choices });
    this.updateQa(ref, (s) => applyPollVoteAck(s, result));
  }

  // --- connection ---------------------------------------------------------------------------

  private connect(): void {
    this.reconnectTimer = null;
    if (this.stopped || this.ws) return;
    if (navigator.onLine === false) {
      this.setState('offline'); // the 'online' event connects
      return;
    }
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url, SUBPROTOCOL);
    } catch (e) {
      console.warn(`samling: cannot open ${this.opts.url}: ${String(e)}`);
      this.connectionLost();
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.onOpen(ws);
    ws.onmessage = (e: MessageEvent) => this.onFrame(ws, e.data);
    ws.onclose = (e: CloseEvent) => this.onClose(ws, e.code, e.reason);
    ws.onerror = () => {
      // A close event follows; nothing to do here.
    };
  }

  private onOpen(ws: WebSocket): void {
    if (ws !== this.ws) return;
    if (ws.protocol !== SUBPROTOCOL) console.warn(`samling: server selected subprotocol "${ws.protocol}"`);
    this.armIdle();
    const c = this.opts.credentials;
    // A projector's kiosk link (#projector=ID) says hello with its id: read-only, one room. A
    // press grant (the press page, issue 18) says hello with the grant token.
    const auth =
      'token' in c ? { token: c.token }
      : 'guest' in c ? { guest: c.guest }
      : 'kiosk' in c ? { kiosk: c.kiosk }
      : 'grant' in c ? { grant: c.grant }
      : {};
    this.request({ type: 'hello', event: this.opts.event, ...auth }).then(
      (result) => this.onHello(ws, result),
      (e: RequestError) => {
        if (ws !== this.ws) return;
        if (e.info.code === 'timeout' || e.info.code === 'disconnected' || e.info.code === 'internal' || e.info.code === 'unavailable') {
          this.drop();
          return;
        }
        // Refused: a new sign-in is needed. No reconnect.
        this.fatal = e.info;
        this.stop();
      },
    );
  }

  private onHello(ws: WebSocket, result: Record<string, unknown>): void {
    if (ws !== this.ws) return;
    this.ready = true;
    this.everConnected = true;
    this.attempt = 0;
    this.user = asUser(result['user']) ?? this.user;
    if (this.user) this.ownIds.add(this.user.id);
    // A guest gets a token for its reconnects: it keeps its id, so re-sent posts are
    // recognised by their client_msg_id (docs/protocol.md, hello).
    if (typeof result['token'] === 'string' && 'guest' in this.opts.credentials) {
      this.opts = { ...this.opts, credentials: { token: result['token'] } };
    }
    const limits = result['limits'];
    if (isObject(limits) && typeof limits['text_max_chars'] === 'number') this.limits = limits as unknown as Limits;
    this.setState('connected');
    this.requestStages();
    for (const room of this.rooms.values()) {
      if (room.status === 'error') continue;
      room.status = 'joining';
      this.sendJoin(room);
    }
    this.changed();
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = null;
    this.detach(ws);
    if (code === 1000) {
      // A normal close is final (the server only closes so in answer to ours).
      this.clearIdle();
      this.failInflight('disconnected');
      this.ready = false;
      this.setState('closed');
      return;
    }
    const fatal = FATAL_CLOSES[code];
    if (fatal) {
      // Banned from the event (or the projector's link revoked): reconnecting is refused.
      this.fatal = { code: fatal, message: reason };
      this.stop();
      return;
    }
    if (code !== 1006) console.info(`samling: connection closed (${code}${reason ? ` ${reason}` : ''}); reconnecting`);
    this.connectionLost();
  }

  /** Abandons the current socket (it may be dead) and reconnects. */
  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      this.detach(ws);
      try {
        ws.close(4000, 'client gave up');
      } catch {
        // already closing
      }
    }
    this.connectionLost();
  }

  private connectionLost(): void {
    this.ready = false;
    if (this.stageFeed === 'live') this.stageFeed = 'waiting';
    this.clearIdle();
    this.failInflight('disconnected');
    for (const room of this.rooms.values()) {
      if (room.status === 'joined') room.status = 'joining';
      for (const p of room.pending) if (p.status === 'sending') p.status = 'queued';
    }
    this.sending.clear();
    if (this.stopped) return;
    if (navigator.onLine === false) {
      this.setState('offline');
      this.changed();
      return;
    }
    this.setState('reconnecting');
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    this.attempt++;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2); // jitter: between half and all of it
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.changed();
  }

  private readonly onOnline = () => {
    if (this.stopped) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.attempt = 0;
    if (!this.ws) this.connect();
  };

  private readonly onOffline = () => {
    if (this.stopped) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    // An open socket may survive a network change unnoticed for minutes: start over.
    if (this.ws) this.drop();
    else this.setState('offline');
  };

  private detach(ws: WebSocket): void {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.clearIdle();
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.retryTimers.clear();
  }

  // Liveness: when nothing arrived for idlePingMs, a ping must be answered in time.
  private armIdle(): void {
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      if (this.ready) this.request({ type: 'ping' }).catch(() => {});
    }, this.opts.idlePingMs);
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  // --- requests -------------------------------------------------------------------------------

  private request(body: Frame): Promise<Record<string, unknown>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new RequestError({ code: 'disconnected', message: 'not connected' }));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inflight.delete(id);
        reject(new RequestError({ code: 'timeout', message: `no reply to ${String(body['type'])} in time` }));
        // No reply in time: the connection is not healthy. Start over.
        if (ws === this.ws) this.drop();
      }, this.opts.requestTimeoutMs);
      this.inflight.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ id, ...body }));
    });
  }

  private failInflight(code: string): void {
    const all = [...this.inflight.values()];
    this.inflight.clear();
    for (const r of all) {
      clearTimeout(r.timer);
      r.reject(new RequestError({ code, message: 'the connection closed' }));
    }
  }

  private onFrame(ws: WebSocket, data: unknown): void {
    if (ws !== this.ws) return;
    this.armIdle();
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      console.warn('samling: a frame that is not JSON');
      return;
    }
    if (!isObject(frame)) return;
    switch (frame['type']) {
      case 'ack':
      case 'error': {
        const id = frame['id'];
        const pending = typeof id === 'number' ? this.inflight.get(id) : undefined;
        if (!pending) {
          if (frame['type'] === 'error') console.warn(`samling: error ${String(frame['code'])}: ${String(frame['message'])}`);
          return;
        }
        this.inflight.delete(id as number);
        clearTimeout(pending.timer);
        if (frame['type'] === 'ack') {
          // Replies carry `result`; one without it (the `stages` ack) carries its fields inline.
          pending.resolve(isObject(frame['result']) ? frame['result'] : frame);
        } else {
          const info: ChatError = {
            code: typeof frame['code'] === 'string' ? frame['code'] : 'internal',
            message: typeof frame['message'] === 'string' ? frame['message'] : '',
          };
          if (typeof frame['retry_after_ms'] === 'number') info.retryAfterMs = frame['retry_after_ms'];
          pending.reject(new RequestError(info));
        }
        return;
      }
      case 'message': {
        const m = asMessage(frame);
        const room = m && this.rooms.get(m.room);
        if (!m || !room || room.status === 'error') return;
        if (this.addMessage(room, m, 'event')) this.changed();
        return;
      }
      case 'presence': {
        const room = typeof frame['room'] === 'string' ? this.rooms.get(frame['room']) : undefined;
        if (!room) return;
        if (typeof frame['count'] === 'number') room.count = frame['count'];
        const members = asUsers(frame['members']);
        if (members) room.members = members;
        this.changed();
        return;
      }
      case 'stage': {
        const stage = frame['stage'];
        if (!isObject(stage) || typeof stage['id'] !== 'string' || this.stageFeed !== 'live') return;
        const i = this.stages.findIndex((s) => s['id'] === stage['id']);
        if (i >= 0) this.stages[i] = stage;
        else this.stages.push(stage);
        this.stages = [...this.stages];
        this.changed();
        return;
      }
      case 'program': {
        const version = frame['version'];
        if (typeof version !== 'number') return;
        this.program = { version, changes: Array.isArray(frame['changes']) ? frame['changes'] : [] };
        this.changed();
        return;
      }
      case 'now_next': {
        if (!Array.isArray(frame['rooms'])) return;
        this.nowNext = frame['rooms'];
        this.changed();
        return;
      }
      default: {
        if (!isQaEvent(frame)) return; // unknown events are ignored: newer servers may send more
        const room = typeof frame['room'] === 'string' ? this.rooms.get(frame['room']) : undefined;
        if (!room || room.status === 'error') return;
        if (this.applyLogEntry(room, frame)) this.changed();
        return;
      }
    }
  }

  // --- stages -----------------------------------------------------------------------------------

  /** Asks for the stages (the view of this token's role); `stage` events follow on every change. */
  private requestStages(): void {
    if (this.stageFeed === 'unsupported') return;
    const ws = this.ws;
    this.request({ type: 'stages' }).then(
      (result) => {
        if (ws !== this.ws) return;
        const list = result['stages'];
        this.stages = Array.isArray(list) ? list.filter(isObject) : [];
        this.stageFeed = 'live';
        this.changed();
      },
      (e: RequestError) => {
        if (ws !== this.ws) return;
        if (e.info.code === 'unknown_type' || e.info.code === 'bad_message' || e.info.code === 'forbidden') {
          this.stageFeed = 'unsupported';
          this.changed();
        }
      },
    );
  }

  // --- rooms ------------------------------------------------------------------------------------

  private newRoom(ref: string): RoomState {
    return { ref, status: 'joining', error: null, messages: [], lastSeq: null, count: null, members: null, pending: [], unread: 0 };
  }

  private sendJoin(room: RoomState): void {
    const body: Frame = { type: 'join', room: room.ref };
    if (room.lastSeq !== null) body['since'] = room.lastSeq;
    this.request(body).then(
      (result) => {
        if (this.rooms.get(room.ref) !== room) return; // left meanwhile
        const messages = Array.isArray(result['messages']) ? result['messages'] : [];
        const source = room.lastSeq === null ? 'history' : 'resume';
        for (const raw of messages) {
          const m = asMessage(raw);
          if (m && m.room === room.ref) this.addMessage(room, m, source);
        }
        // The log entries missed (deleted and released messages…), then the Q&A snapshot.
        const events = Array.isArray(result['events']) ? result['events'] : [];
        for (const ev of events) if (isObject(ev)) this.applyChatEffect(room, ev);
        this.qa.set(room.ref, fromJoin(room.ref, result, this.user?.id ?? null, this.qa.get(room.ref)));
        for (const ev of events) if (isObject(ev) && typeof ev['seq'] === 'number') room.lastSeq = Math.max(room.lastSeq ?? 0, ev['seq']);
        if (typeof result['seq'] === 'number') room.lastSeq = Math.max(room.lastSeq ?? 0, result['seq']);
        if (typeof result['count'] === 'number') room.count = result['count'];
        room.status = 'joined';
        room.error = null;
        this.changed();
        if (canModerate(this.user?.role)) this.loadMembers(room);
        this.pump(room);
      },
      (e: RequestError) => {
        if (this.rooms.get(room.ref) !== room) return;
        const code = e.info.code;
        if (code === 'disconnected' || code === 'timeout') return; // rejoined after the reconnect
        if (code === 'too_far_behind') {
          // Missed more than the server keeps: start the room over from its recent history.
          room.messages = [];
          room.lastSeq = null;
          this.qa.delete(room.ref);
          this.changed();
          if (this.ready) this.sendJoin(room);
          return;
        }
        room.status = 'error';
        room.error = e.info;
        for (const p of room.pending) {
          p.status = 'failed';
          p.error = e.info;
        }
        this.changed();
      },
    );
  }

  private loadMembers(room: RoomState): void {
    this.request({ type: 'members', room: room.ref }).then(
      (result) => {
        const members = asUsers(result['members']);
        if (members) room.members = members;
        if (typeof result['count'] === 'number') room.count = result['count'];
        this.changed();
      },
      () => {},
    );
  }

  /**
   * Adds a confirmed message unless its seq is known, and resolves the pending post it confirms.
   * `source`: the recent history of a first join, the missed messages of a resuming join, a live
   * event, or the ack of our own post (which does not move lastSeq: events before it may still
   * be on their way).
   */
  private addMessage(room: RoomState, m: ChatMessage, source: 'history' | 'resume' | 'event' | 'own' | 'released'): boolean {
    let changed = false;
    const own = this.isOwn(m);
    if (m.client_msg_id && own) {
      const i = room.pending.findIndex((p) => p.clientMsgId === m.client_msg_id);
      if (i >= 0) {
        // The server has it. If it is still in flight, its ack comes back as a duplicate.
        const [p] = room.pending.splice(i, 1);
        if (p?.status === 'waiting') {
          this.clearRetry(room.ref);
          queueMicrotask(() => this.pump(room));
        }
        changed = true;
      }
    }
    // A released message is older than the release entry, which moves lastSeq itself.
    if (source !== 'own' && source !== 'released' && (room.lastSeq === null || m.seq > room.lastSeq)) room.lastSeq = m.seq;
    const list = room.messages;
    let i = list.length;
    while (i > 0 && list[i - 1]!.seq > m.seq) i--;
    if (i > 0 && list[i - 1]!.seq === m.seq) return changed; // seen
    list.splice(i, 0, m);
    if ((source === 'event' || source === 'resume' || source === 'released') && !own && room.ref !== this.visibleRoom) room.unread++;
    return true;
  }

  /** A live log entry: its effect on the messages, then on the Q&A state; moves lastSeq. */
  private applyLogEntry(room: RoomState, ev: Frame): boolean {
    const seq = typeof ev['seq'] === 'number' ? ev['seq'] : null;
    if (seq !== null && room.lastSeq !== null && seq <= room.lastSeq) return false; // seen
    let changed = this.applyChatEffect(room, ev);
    if (seq !== null) room.lastSeq = Math.max(room.lastSeq ?? 0, seq);
    const s = this.qa.get(room.ref);
    if (s) {
      const next = applyQaEvent(s, ev);
      if (next !== s) {
        this.qa.set(room.ref, next);
        changed = true;
      }
    }
    return changed;
  }

  /** message_deleted takes a message away; message_released shows it (or drops its held mark). */
  private applyChatEffect(room: RoomState, ev: Frame): boolean {
    if (ev['type'] === 'message_deleted' && typeof ev['deleted_seq'] === 'number') {
      const i = room.messages.findIndex((m) => m.seq === ev['deleted_seq']);
      if (i < 0) return false;
      room.messages.splice(i, 1);
      return true;
    }
    if (ev['type'] === 'message_released') {
      const m = asMessage(ev['message']);
      if (!m) return false;
      delete m.held;
      const seen = room.messages.find((x) => x.seq === m.seq);
      if (seen) {
        delete seen.held;
        return true;
      }
      return this.addMessage(room, m, 'released');
    }
    return false;
  }

  // --- posts ------------------------------------------------------------------------------------

  /** Sends the room's first queued post, one at a time per room so that order holds. */
  private pump(room: RoomState): void {
    if (!this.ready || room.status !== 'joined' || this.sending.has(room.ref)) return;
    const p = room.pending.find((x) => x.status !== 'failed');
    if (!p || p.status === 'waiting') return;
    p.status = 'sending';
    this.sending.add(room.ref);
    this.changed();
    this.request({ type: 'post', room: room.ref, text: p.text, client_msg_id: p.clientMsgId }).then(
      (result) => {
        this.sending.delete(room.ref);
        const i = room.pending.indexOf(p);
        if (i >= 0) room.pending.splice(i, 1);
        if (typeof result['seq'] === 'number' && this.user) {
          const own: ChatMessage = {
            room: room.ref,
            seq: result['seq'],
            ts: typeof result['ts'] === 'number' ? result['ts'] : Date.now(),
            user: this.user,
            text: p.text.trim(),
            client_msg_id: p.clientMsgId,
          };
          if (result['held'] === true) {
            own.held = true;
            // The message event may have come first, without the mark.
            const seen = room.messages.find((m) => m.seq === own.seq);
            if (seen) seen.held = true;
          }
          this.addMessage(room, own, 'own');
        }
        this.changed();
        this.pump(room);
      },
      (e: RequestError) => {
        this.sending.delete(room.ref);
        if (!room.pending.includes(p)) return; // confirmed by a message event meanwhile
        const code = e.info.code;
        if (code === 'disconnected' || code === 'timeout') {
          p.status = 'queued'; // sent again after the reconnect
        } else if (code === 'rate_limited' || code === 'slow_mode' || code === 'unavailable') {
          // Slow mode, like the rate limit, says when a post is welcome again: it goes out then.
          const wait = code !== 'unavailable' ? Math.max(e.info.retryAfterMs ?? 1000, 50) : UNAVAILABLE_RETRY_MS;
          p.status = 'waiting';
          p.error = { ...e.info, retryAfterMs: wait };
          p.retryAt = Date.now() + wait;
          this.clearRetry(room.ref);
          this.retryTimers.set(
            room.ref,
            setTimeout(() => {
              this.retryTimers.delete(room.ref);
              if (p.status === 'waiting') {
                p.status = 'queued';
                delete p.error;
                delete p.retryAt;
                this.changed();
              }
              this.pump(room);
            }, wait),
          );
        } else if (code === 'not_in_room') {
          p.status = 'queued';
          room.status = 'joining';
          if (this.ready) this.sendJoin(room);
        } else {
          p.status = 'failed';
          p.error = e.info;
          // muted / room_locked: the composer's notice says so from now on.
          this.updateQa(room.ref, (s) => applyPostRefusal(s, code, e.info.retryAfterMs));
        }
        this.changed();
        this.pump(room);
      },
    );
  }

  private clearRetry(ref: string): void {
    const t = this.retryTimers.get(ref);
    if (t) clearTimeout(t);
    this.retryTimers.delete(ref);
  }

  // --- notifications ------------------------------------------------------------------------------

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.changed();
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}

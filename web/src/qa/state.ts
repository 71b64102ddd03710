// The Q&A, poll and moderation state of one room, as the client sees it (docs/protocol.md,
// "Q&A and polls", "Moderation"). Pure functions and plain data, no I/O and no UI: the attendee's
// panels and the moderator console both read it, ws.ts feeds it.
//
// How it stays right across reconnects: a join ack carries the room's log entries since the
// client's last seq (`events`) AND a full snapshot (`qa`). fromJoin applies the events first
// (they matter for what is not in the snapshot: deleted and released chat messages, notices), then
// replaces questions, polls, own votes, settings and moderation lists from the snapshot, which is
// the truth as of the join. Live events after that carry higher seqs; an event at or below lastSeq
// was already seen (or is in the snapshot) and is ignored, so applying twice changes nothing.
//
// Every function returns a new state object (and new inner records where they change): Preact
// components compare by identity.

export type QaRole = 'attendee' | 'speaker' | 'press' | 'moderator' | 'organizer' | 'guest';

export type QuestionStatus = 'pending' | 'approved' | 'answered' | 'rejected' | 'archived' | 'merged';

/** A question's author: everyone sees `{name}` only for a named hall question; null when hidden. */
export interface QaAuthor {
  id: string | null;
  name: string;
  role: QaRole | null;
}

/** Q of the contract, in the view the server sent (everyone, owner or staff). */
export interface Q {
  id: string;
  room: string;
  text: string;
  status: QuestionStatus;
  pinned: boolean;
  source: 'online' | 'hall';
  press: boolean;
  anonymous: boolean;
  author: QaAuthor | null;
  votes: number;
  created: number;
  updated: number;
  edited: boolean;
  merged_into: string | null;
  merged_from: string[];
  reason: string | null;
  mine: boolean;
}

export type PollKind = 'single' | 'multiple';
export type PollStateName = 'draft' | 'open' | 'closed' | 'archived';
export type PollResults = 'live' | 'hidden' | 'revealed';

export interface PollOption {
  text: string;
  /** null while the results are hidden from this view. */
  votes: number | null;
}

/** P of the contract. */
export interface P {
  id: string;
  room: string;
  text: string;
  kind: PollKind;
  options: PollOption[];
  voters: number | null;
  state: PollStateName;
  results: PollResults;
  created: number;
}

export interface QaSettings {
  premoderated: boolean;
  names_to_moderators: boolean;
  question_max_chars: number;
  slow_mode_seconds: number;
  locked: boolean;
}

export interface QaUserRef {
  id: string;
  name: string;
}

export interface MutedEntry {
  user: QaUserRef;
  until: number | null;
  reason: string | null;
}

export interface BannedEntry {
  user: QaUserRef;
  reason: string | null;
  at: number | null;
}

/** A chat message object as the protocol sends it (kept raw: ws.ts owns the chat's own type). */
export interface RawMessage {
  room: string;
  seq: number;
  ts: number;
  user: { id: string; name: string; role: string };
  text: string;
  held?: boolean;
  client_msg_id?: string;
}

/** What staff see: the event's muted and banned users, word list, held messages. */
export interface ModerationState {
  muted: MutedEntry[];
  banned: BannedEntry[];
  words: string[];
  held: RawMessage[];
}

/** The last moderation notice that concerns everyone or this user (for the composer). */
export interface ModerationNotice {
  seq: number;
  ts: number;
  action: string;
  seconds: number | null;
  until: number | null;
  reason: string | null;
}

export interface QaState {
  room: string;
  /** This client's user id (to recognise its own mute); null when unknown. */
  me: string | null;
  questions: Record<string, Q>;
  polls: Record<string, P>;
  /** Question ids this user has voted for. */
  myVotes: Set<string>;
  /** Poll id → the option indexes of this user's vote. */
  myPollVotes: Record<string, number[]>;
  settings: QaSettings;
  /** Staff only (null for everyone else). */
  moderation: ModerationState | null;
  /** This user's own mute, from the owner view of mute/unmute events (until: ms). */
  myMute: { until: number | null; reason: string | null } | null;
  /** Chat seqs deleted by moderators: the chat hides them. */
  deletedSeqs: Set<number>;
  /** Messages released from review (the chat shows them, now without the held mark). */
  released: RawMessage[];
  /** The latest moderation event visible to this view, for a notice. */
  lastNotice: ModerationNotice | null;
  /** Highest seq applied (join's seq or an event's); events at or below it are ignored. */
  lastSeq: number;
}

export const DEFAULT_SETTINGS: QaSettings = {
  premoderated: false,
  names_to_moderators: false,
  question_max_chars: 300,
  slow_mode_seconds: 0,
  locked: false,
};

export function emptyQaState(room: string, me: string | null = null): QaState {
  return {
    room,
    me,
    questions: {},
    polls: {},
    myVotes: new Set(),
    myPollVotes: {},
    settings: { ...DEFAULT_SETTINGS },
    moderation: null,
    myMute: null,
    deletedSeqs: new Set(),
    released: [],
    lastNotice: null,
    lastSeq: 0,
  };
}

// --- parsing (the server is trusted, but a newer one may add fields or a bug may drop one) ---------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean => v === true;

const STATUSES: readonly QuestionStatus[] = ['pending', 'approved', 'answered', 'rejected', 'archived', 'merged'];
const POLL_STATES: readonly PollStateName[] = ['draft', 'open', 'closed', 'archived'];

export function parseQuestion(v: unknown): Q | null {
  if (!isObj(v) || typeof v['id'] !== 'string' || typeof v['text'] !== 'string') return null;
  const status = STATUSES.includes(v['status'] as QuestionStatus) ? (v['status'] as QuestionStatus) : 'approved';
  let author: QaAuthor | null = null;
  const a = v['author'];
  if (isObj(a) && typeof a['name'] === 'string') {
    author = { id: strOrNull(a['id']), name: a['name'], role: (strOrNull(a['role']) as QaRole | null) };
  }
  return {
    id: v['id'],
    room: str(v['room']),
    text: v['text'],
    status,
    pinned: bool(v['pinned']),
    source: v['source'] === 'hall' ? 'hall' : 'online',
    press: bool(v['press']),
    anonymous: bool(v['anonymous']),
    author,
    votes: num(v['votes']),
    created: num(v['created']),
    updated: num(v['updated'], num(v['created'])),
    edited: bool(v['edited']),
    merged_into: strOrNull(v['merged_into']),
    merged_from: Array.isArray(v['merged_from']) ? v['merged_from'].filter((x): x is string => typeof x === 'string') : [],
    reason: strOrNull(v['reason']),
    mine: bool(v['mine']),
  };
}

export function parsePoll(v: unknown): P | null {
  if (!isObj(v) || typeof v['id'] !== 'string' || !Array.isArray(v['options'])) return null;
  const options: PollOption[] = v['options'].map((o) =>
    isObj(o) ? { text: str(o['text']), votes: numOrNull(o['votes']) } : { text: str(o), votes: null },
  );
  const results = v['results'] === 'hidden' || v['results'] === 'revealed' ? v['results'] : 'live';
  return {
    id: v['id'],
    room: str(v['room']),
    text: str(v['text']),
    kind: v['kind'] === 'multiple' ? 'multiple' : 'single',
    options,
    voters: numOrNull(v['voters']),
    state: POLL_STATES.includes(v['state'] as PollStateName) ? (v['state'] as PollStateName) : 'draft',
    results,
    created: num(v['created']),
  };
}

function parseUserRef(v: unknown): QaUserRef | null {
  if (!isObj(v) || typeof v['id'] !== 'string') return null;
  return { id: v['id'], name: str(v['name'], v['id']) };
}

export function parseMessage(v: unknown): RawMessage | null {
  if (!isObj(v) || typeof v['seq'] !== 'number' || typeof v['text'] !== 'string' || !isObj(v['user'])) return null;
  const u = v['user'];
  const m: RawMessage = {
    room: str(v['room']),
    seq: v['seq'],
    ts: num(v['ts']),
    user: { id: str(u['id']), name: str(u['name']), role: str(u['role'], 'attendee') },
    text: v['text'],
  };
  if (v['held'] === true) m.held = true;
  if (typeof v['client_msg_id'] === 'string') m.client_msg_id = v['client_msg_id'];
  return m;
}

function parseModeration(v: unknown): ModerationState | null {
  if (!isObj(v)) return null;
  const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
  return {
    muted: list(v['muted']).flatMap((e) => {
      const user = isObj(e) ? parseUserRef(e['user']) : null;
      return user && isObj(e) ? [{ user, until: numOrNull(e['until']), reason: strOrNull(e['reason']) }] : [];
    }),
    banned: list(v['banned']).flatMap((e) => {
      const user = isObj(e) ? parseUserRef(e['user']) : null;
      return user && isObj(e) ? [{ user, reason: strOrNull(e['reason']), at: numOrNull(e['at']) }] : [];
    }),
    words: list(v['words']).filter((w): w is string => typeof w === 'string'),
    held: list(v['held']).flatMap((m) => {
      const p = parseMessage(m);
      return p ? [{ ...p, held: true }] : [];
    }),
  };
}

function parseSettings(v: unknown, prev: QaSettings): QaSettings {
  if (!isObj(v)) return prev;
  return {
    premoderated: typeof v['premoderated'] === 'boolean' ? v['premoderated'] : prev.premoderated,
    names_to_moderators: typeof v['names_to_moderators'] === 'boolean' ? v['names_to_moderators'] : prev.names_to_moderators,
    question_max_chars: num(v['question_max_chars'], prev.question_max_chars),
    slow_mode_seconds: num(v['slow_mode_seconds'], prev.slow_mode_seconds),
    locked: typeof v['locked'] === 'boolean' ? v['locked'] : prev.locked,
  };
}

// --- join -------------------------------------------------------------------------------------------

/**
 * The state after a join ack (`result` = the ack's result object: seq, events, qa). `prev` is the
 * state before (a resuming join keeps its deleted/released chat bookkeeping); `me` the user id.
 */
export function fromJoin(room: string, result: unknown, me: string | null = null, prev?: QaState): QaState {
  let s: QaState = prev && prev.room === room ? { ...prev, me: me ?? prev.me } : emptyQaState(room, me);
  const r = isObj(result) ? result : {};
  const events = Array.isArray(r['events']) ? r['events'] : [];
  for (const ev of events) s = applyQaEvent(s, ev);
  const qa = isObj(r['qa']) ? r['qa'] : {};
  const questions: Record<string, Q> = {};
  for (const raw of Array.isArray(qa['questions']) ? qa['questions'] : []) {
    const q = parseQuestion(raw);
    if (q) questions[q.id] = q;
  }
  const polls: Record<string, P> = {};
  for (const raw of Array.isArray(qa['polls']) ? qa['polls'] : []) {
    const p = parsePoll(raw);
    if (p) polls[p.id] = p;
  }
  const myVotes = new Set(
    (Array.isArray(qa['my_votes']) ? qa['my_votes'] : []).filter((x): x is string => typeof x === 'string'),
  );
  const myPollVotes: Record<string, number[]> = {};
  if (isObj(qa['my_poll_votes'])) {
    for (const [id, v] of Object.entries(qa['my_poll_votes'])) {
      if (Array.isArray(v)) myPollVotes[id] = v.filter((x): x is number => typeof x === 'number');
    }
  }
  const moderation = parseModeration(qa['moderation']);
  // A mute is not in the attendee's snapshot; one that has run out is dropped here.
  const myMute = s.myMute && s.myMute.until !== null && s.myMute.until <= Date.now() ? null : s.myMute;
  return {
    ...s,
    questions,
    polls,
    myVotes,
    myPollVotes,
    settings: parseSettings(qa['settings'], s.settings),
    moderation,
    myMute,
    lastSeq: Math.max(s.lastSeq, num(r['seq'])),
  };
}

// --- events -----------------------------------------------------------------------------------------

/** Event types this module handles (the chat client routes them here). */
export const QA_EVENT_TYPES: readonly string[] = [
  'question',
  'votes',
  'poll',
  'poll_results',
  'message_deleted',
  'message_released',
  'moderation',
];

export function isQaEvent(ev: unknown): boolean {
  return isObj(ev) && QA_EVENT_TYPES.includes(str(ev['type']));
}

/** Applies one event frame; returns `state` itself when it changes nothing (seen, other room, unknown). */
export function applyQaEvent(state: QaState, ev: unknown): QaState {
  if (!isObj(ev)) return state;
  if (typeof ev['room'] === 'string' && ev['room'] !== state.room) return state;
  const seq = numOrNull(ev['seq']);
  if (seq !== null && seq <= state.lastSeq) return state;
  const s = applyBody(state, ev);
  if (s === state && seq === null) return state;
  return seq === null ? s : { ...s, lastSeq: seq };
}

function applyBody(s: QaState, ev: Obj): QaState {
  switch (ev['type']) {
    case 'question': {
      const q = parseQuestion(ev['question']);
      return q ? upsertQuestion(s, q) : s;
    }
    case 'votes': {
      if (!Array.isArray(ev['questions'])) return s;
      let questions: Record<string, Q> | null = null;
      for (const e of ev['questions']) {
        if (!isObj(e) || typeof e['id'] !== 'string' || typeof e['votes'] !== 'number') continue;
        const q = (questions ?? s.questions)[e['id']];
        if (!q || q.votes === e['votes']) continue;
        questions ??= { ...s.questions };
        questions[q.id] = { ...q, votes: e['votes'] };
      }
      return questions ? { ...s, questions } : s;
    }
    case 'poll': {
      const p = parsePoll(ev['poll']);
      return p ? upsertPoll(s, p) : s;
    }
    case 'poll_results': {
      if (!Array.isArray(ev['polls'])) return s;
      let polls: Record<string, P> | null = null;
      for (const e of ev['polls']) {
        if (!isObj(e) || typeof e['id'] !== 'string' || !Array.isArray(e['counts'])) continue;
        const p = (polls ?? s.polls)[e['id']];
        if (!p) continue;
        const counts = e['counts'];
        polls ??= { ...s.polls };
        polls[p.id] = {
          ...p,
          options: p.options.map((o, i) => ({ ...o, votes: numOrNull(counts[i]) })),
          voters: numOrNull(e['voters']),
        };
      }
      return polls ? { ...s, polls } : s;
    }
    case 'message_deleted': {
      const deleted = numOrNull(ev['deleted_seq']);
      if (deleted === null) return s;
      const deletedSeqs = new Set(s.deletedSeqs);
      deletedSeqs.add(deleted);
      const moderation = s.moderation && { ...s.moderation, held: s.moderation.held.filter((m) => m.seq !== deleted) };
      return { ...s, deletedSeqs, moderation, released: s.released.filter((m) => m.seq !== deleted) };
    }
    case 'message_released': {
      const m = parseMessage(ev['message']);
      if (!m) return s;
      const shown: RawMessage = { ...m };
      delete shown.held;
      const moderation = s.moderation && { ...s.moderation, held: s.moderation.held.filter((h) => h.seq !== m.seq) };
      return { ...s, moderation, released: [...s.released.filter((r) => r.seq !== m.seq), shown] };
    }
    case 'moderation':
      return applyModeration(s, ev);
    default:
      return s;
  }
}

function upsertQuestion(s: QaState, q: Q): QaState {
  const questions = { ...s.questions };
  // At most one pinned per room: the server sends both entries, but a view may miss the unpin.
  if (q.pinned) {
    for (const other of Object.values(questions)) {
      if (other.pinned && other.id !== q.id) questions[other.id] = { ...other, pinned: false };
    }
  }
  const old = questions[q.id];
  // An everyone view has mine=false: keep the flag we learnt from our own ask's ack.
  questions[q.id] = old?.mine && !q.mine ? { ...q, mine: true, author: q.author ?? old.author, reason: q.reason ?? old.reason } : q;
  return { ...s, questions };
}

function upsertPoll(s: QaState, p: P): QaState {
  return { ...s, polls: { ...s.polls, [p.id]: p } };
}

function applyModeration(s: QaState, ev: Obj): QaState {
  const action = str(ev['action']);
  const user = parseUserRef(ev['user']);
  const seconds = numOrNull(ev['seconds']);
  const until = numOrNull(ev['until']);
  const reason = strOrNull(ev['reason']);
  let next: QaState = {
    ...s,
    lastNotice: { seq: num(ev['seq']), ts: num(ev['ts']), action, seconds, until, reason },
  };
  const mod = s.moderation;
  switch (action) {
    case 'slow_mode':
      next.settings = { ...s.settings, slow_mode_seconds: seconds ?? 0 };
      break;
    case 'lock':
    case 'unlock':
      next.settings = { ...s.settings, locked: action === 'lock' };
      break;
    case 'premoderation': {
      const on = typeof ev['on'] === 'boolean' ? ev['on'] : typeof ev['premoderated'] === 'boolean' ? ev['premoderated'] : null;
      if (on !== null) next.settings = { ...s.settings, premoderated: on };
      break;
    }
    case 'mute':
      if (user && user.id === s.me) next.myMute = { until, reason };
      if (user && mod) {
        next.moderation = { ...mod, muted: [...mod.muted.filter((m) => m.user.id !== user.id), { user, until, reason }] };
      }
      break;
    case 'unmute':
      if (user && user.id === s.me) next.myMute = null;
      if (user && mod) next.moderation = { ...mod, muted: mod.muted.filter((m) => m.user.id !== user.id) };
      break;
    case 'ban':
      if (user && mod) {
        next.moderation = {
          ...mod,
          muted: mod.muted.filter((m) => m.user.id !== user.id),
          banned: [...mod.banned.filter((b) => b.user.id !== user.id), { user, reason, at: num(ev['ts']) }],
        };
      }
      break;
    case 'unban':
      if (user && mod) next.moderation = { ...mod, banned: mod.banned.filter((b) => b.user.id !== user.id) };
      break;
    case 'words':
      if (mod && Array.isArray(ev['words'])) {
        next.moderation = { ...mod, words: ev['words'].filter((w): w is string => typeof w === 'string') };
      }
      break;
    default:
      break;
  }
  // Staff-only bookkeeping (delete, words…) is no notice for the composer.
  if (!NOTICE_ACTIONS.includes(action) && !(user && user.id === s.me)) next = { ...next, lastNotice: s.lastNotice };
  return next;
}

const NOTICE_ACTIONS: readonly string[] = ['slow_mode', 'lock', 'unlock', 'premoderation'];

// --- own requests' acks (the server's events confirm them too; these make the UI answer at once) -------

/** After an `ask` ack: the question in the asker's view. */
export function applyAskAck(s: QaState, result: unknown): QaState {
  const q = isObj(result) ? parseQuestion(result['question']) : null;
  return q ? upsertQuestion(s, { ...q, mine: true }) : s;
}

/** After a `vote` ack ({question, votes, voted}). */
export function applyVoteAck(s: QaState, result: unknown): QaState {
  if (!isObj(result) || typeof result['question'] !== 'string') return s;
  const id = result['question'];
  const myVotes = new Set(s.myVotes);
  if (result['voted'] === true) myVotes.add(id);
  else myVotes.delete(id);
  const q = s.questions[id];
  const questions = q && typeof result['votes'] === 'number' ? { ...s.questions, [id]: { ...q, votes: result['votes'] } } : s.questions;
  return { ...s, myVotes, questions };
}

/** After a `poll_vote` ack ({poll, choices}). */
export function applyPollVoteAck(s: QaState, result: unknown): QaState {
  if (!isObj(result) || typeof result['poll'] !== 'string' || !Array.isArray(result['choices'])) return s;
  const myPollVotes = { ...s.myPollVotes };
  const choices = result['choices'].filter((x): x is number => typeof x === 'number');
  if (choices.length === 0) delete myPollVotes[result['poll']];
  else myPollVotes[result['poll']] = choices;
  return { ...s, myPollVotes };
}

/** After a staff `question` or `poll`/`poll_create` ack: the object in the staff view. */
export function applyStaffAck(s: QaState, result: unknown): QaState {
  if (!isObj(result)) return s;
  const q = parseQuestion(result['question']);
  if (q) return upsertQuestion(s, q);
  const p = parsePoll(result['poll']);
  return p ? upsertPoll(s, p) : s;
}

/**
 * A post refused by moderation tells what the snapshot cannot (an attendee's join ack has no
 * mute of their own): `muted` with retry_after_ms is a mute until then; `room_locked` a lock.
 */
export function applyPostRefusal(s: QaState, code: string, retryAfterMs: number | undefined, now = Date.now()): QaState {
  if (code === 'muted') {
    const until = retryAfterMs !== undefined ? now + retryAfterMs : null;
    if (s.myMute && s.myMute.until === until) return s;
    return { ...s, myMute: { until, reason: s.myMute?.reason ?? null } };
  }
  if (code === 'room_locked' && !s.settings.locked) return { ...s, settings: { ...s.settings, locked: true } };
  return s;
}

// --- selectors --------------------------------------------------------------------------------------

export type QuestionOrder = 'votes' | 'time';

/** Most votes first (ties: older first), or newest first. */
export function compareQuestions(order: QuestionOrder): (a: Q, b: Q) => number {
  return order === 'votes'
    ? (a, b) => b.votes - a.votes || a.created - b.created || (a.id < b.id ? -1 : 1)
    : (a, b) => b.created - a.created || (a.id < b.id ? -1 : 1);
}

/** The pinned question ("now answering"), if any. */
export function pinnedQuestion(s: QaState): Q | null {
  return Object.values(s.questions).find((q) => q.pinned && (q.status === 'approved' || q.status === 'answered')) ?? null;
}

/**
 * What the audience list shows, top to bottom: the open (approved, not pinned) questions in
 * `order`, then the answered ones (newest answer first). The pinned one is shown apart.
 */
export function audienceQuestions(s: QaState, order: QuestionOrder): { open: Q[]; answered: Q[] } {
  const all = Object.values(s.questions);
  return {
    open: all.filter((q) => q.status === 'approved' && !q.pinned).sort(compareQuestions(order)),
    answered: all
      .filter((q) => q.status === 'answered' && !q.pinned)
      .sort((a, b) => b.updated - a.updated || (a.id < b.id ? -1 : 1)),
  };
}

/** This user's questions waiting for review or rejected (shown to them with their state). */
export function myUnpublished(s: QaState): Q[] {
  return Object.values(s.questions)
    .filter((q) => q.mine && (q.status === 'pending' || q.status === 'rejected'))
    .sort(compareQuestions('time'));
}

/** Staff: questions waiting for review, oldest first. */
export function reviewQueue(s: QaState): Q[] {
  return Object.values(s.questions)
    .filter((q) => q.status === 'pending')
    .sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));
}

/** Questions with a given status, in `order`. */
export function questionsWithStatus(s: QaState, status: QuestionStatus, order: QuestionOrder = 'votes'): Q[] {
  return Object.values(s.questions)
    .filter((q) => q.status === status)
    .sort(compareQuestions(order));
}

/** Polls the audience sees: open ones first, then closed; newest first within each. */
export function visiblePolls(s: QaState): P[] {
  const rank = (p: P) => (p.state === 'open' ? 0 : 1);
  return Object.values(s.polls)
    .filter((p) => p.state === 'open' || p.state === 'closed')
    .sort((a, b) => rank(a) - rank(b) || b.created - a.created || (a.id < b.id ? -1 : 1));
}

/** Every poll but archived ones (the staff list), newest first. */
export function staffPolls(s: QaState): P[] {
  return Object.values(s.polls)
    .filter((p) => p.state !== 'archived')
    .sort((a, b) => b.created - a.created || (a.id < b.id ? -1 : 1));
}

/** The open poll shown first (the projector's), or null. */
export function currentPoll(s: QaState): P | null {
  return visiblePolls(s).find((p) => p.state === 'open') ?? null;
}

/** Whether this view has the poll's counts (results live or revealed, or staff). */
export function resultsVisible(p: P): boolean {
  return p.options.every((o) => o.votes !== null);
}

/** Each option's share of the votes cast, 0..1 (0 when nobody voted or results are hidden). */
export function shares(p: P): number[] {
  const total = p.options.reduce((n, o) => n + (o.votes ?? 0), 0);
  return p.options.map((o) => (total > 0 && o.votes !== null ? o.votes / total : 0));
}

/** The chat's rules for this user right now: locked, slow mode, own mute (until in the future). */
export function chatRestrictions(s: QaState, now = Date.now()): { locked: boolean; slowModeSeconds: number; mutedUntil: number | null; muted: boolean } {
  const mute = s.myMute && (s.myMute.until === null || s.myMute.until > now) ? s.myMute : null;
  return {
    locked: s.settings.locked,
    slowModeSeconds: s.settings.slow_mode_seconds,
    muted: mute !== null,
    mutedUntil: mute?.until ?? null,
  };
}

// The JSON API under /api/v1/: types of what it returns and a small fetch wrapper that turns
// every failure into an ApiError the UI can translate.
import { csrfHeader } from './csrf';

/** Text in several languages: language code ("sv", "en", "fi") -> text. */
export type LocalizedText = Partial<Record<string, string>>;

export type RoomKind = 'main_stage' | 'seminar' | 'press';
export type SessionKind = 'plenary' | 'seminar' | 'break' | 'lunch' | 'press';

export interface Room {
  id: string;
  kind: RoomKind;
  name: LocalizedText;
  position: number;
  /** Whether guests (no token, a display name only) may join the room's chat. */
  guests?: boolean;
}

export interface Speaker {
  name: string;
  affiliation?: LocalizedText;
}

export type SessionChange = 'moved' | 'cancelled' | 'new' | 'renamed';

export interface Session {
  id: string;
  room_id: string;
  /** YYYY-MM-DD, one of the event's days. */
  day: string;
  /** HH:MM, event-local time. */
  starts_at: string;
  ends_at: string;
  kind: SessionKind;
  track?: string;
  title: LocalizedText;
  description?: LocalizedText;
  speakers?: Speaker[];
  cancelled?: boolean;
  /** Relative to the first published version (live program): null or absent when unchanged. */
  change?: SessionChange | null;
  /** Where and when it was before it moved (the first published version). */
  was?: { day?: string; starts_at?: string; ends_at?: string; room?: string; room_id?: string; title?: LocalizedText } | null;
}

export interface EventSummary {
  id: string;
  title: LocalizedText;
  summary?: LocalizedText;
  city?: string;
  venue?: string;
  days: string[];
}

export interface ConferenceEvent extends EventSummary {
  organizer?: string;
  timezone?: string;
  languages?: string[];
  rooms: Room[];
  sessions: Session[];
  /** The published program version (live program). */
  version?: number;
  venue_address?: string;
  series_id?: string;
  capacity?: number | null;
}

export type ApiErrorKind = 'unreachable' | 'not_found' | 'server' | 'invalid';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status = 0,
    readonly code = '',
    /** The server's own message (`error.message`), e.g. to show beside a form field. */
    readonly detail = '',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const timeoutMs = 15_000;

/** The reply's JSON body (null when there is none); an ApiError for a status other than 2xx. */
async function readReply(response: Response, what: string): Promise<unknown> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof err?.code === 'string' ? err.code : '';
    const message = typeof err?.message === 'string' ? err.message : response.statusText;
    const kind: ApiErrorKind =
      response.status === 404 || code === 'not_found'
        ? 'not_found'
        : response.status === 502 || response.status === 503 || response.status === 504
          ? 'unreachable'
          : 'server';
    throw new ApiError(kind, `${what}: ${response.status} ${message}`, response.status, code, typeof err?.message === 'string' ? err.message : '');
  }
  return body;
}

async function getJson(path: string, signal: AbortSignal): Promise<unknown> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  let response: Response;
  try {
    response = await fetch(path, { headers: { Accept: 'application/json' }, signal: both });
  } catch (e) {
    if (signal.aborted) throw e; // the caller gave up: not an error to show
    throw new ApiError('unreachable', `GET ${path}: ${String(e)}`);
  }
  const body = await readReply(response, `GET ${path}`);
  if (body === null || typeof body !== 'object') {
    throw new ApiError('invalid', `GET ${path}: not a JSON object`, response.status);
  }
  return body;
}

function isEvent(v: unknown): v is ConferenceEvent {
  const e = v as ConferenceEvent;
  return (
    typeof e?.id === 'string' &&
    typeof e.title === 'object' &&
    Array.isArray(e.days) &&
    Array.isArray(e.rooms) &&
    Array.isArray(e.sessions)
  );
}

export async function listEvents(signal: AbortSignal): Promise<EventSummary[]> {
  const body = (await getJson('/api/v1/events', signal)) as { events?: unknown };
  if (!Array.isArray(body.events)) throw new ApiError('invalid', 'GET /api/v1/events: no "events" array');
  return body.events as EventSummary[];
}

export async function getEvent(id: string, signal: AbortSignal): Promise<ConferenceEvent> {
  const path = `/api/v1/events/${encodeURIComponent(id)}`;
  const body = await getJson(path, signal);
  if (!isEvent(body)) throw new ApiError('invalid', `GET ${path}: not an event`);
  return body;
}

// --- chat identity ------------------------------------------------------------------------------

export interface DevToken {
  token: string;
  user: { id: string; name: string; role: string };
}

/**
 * A signed token from POST /api/v1/dev/token (only where the server has `auth.dev_tokens`). An
 * ApiError of kind `not_found` means the server hands out none: use guest mode.
 */
export async function requestDevToken(event: string, name: string, role: string): Promise<DevToken> {
  const path = '/api/v1/dev/token';
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ event, name, role }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new ApiError('unreachable', `POST ${path}: ${String(e)}`);
  }
  const body = await readReply(response, `POST ${path}`);
  const t = body as DevToken | null;
  if (typeof t?.token !== 'string' || typeof t.user?.id !== 'string') {
    throw new ApiError('invalid', `POST ${path}: no token in the reply`, response.status);
  }
  return t;
}

// --- stages (the main stage and the seminar rooms' video) -----------------------------------------

export type StageState = 'live' | 'standby' | 'offline';
export type InputState = 'idle' | 'waiting' | 'connected' | 'failed';
export type OutputState = 'idle' | 'connecting' | 'live' | 'retrying' | 'failed' | 'stopped';

/** The last SRT caller the stage refused (docs/streaming.md, "A refused caller"). */
export interface CallerRejection {
  /** no_passphrase, wrong_passphrase, unexpected_passphrase, wrong_stream_id or other; other codes may come. */
  reason: string;
  /** The server's plain (English) words, with libsrt's code when libsrt refused. */
  detail: string;
  /** UTC ms. */
  at_ms: number;
}

export interface StageInput {
  kind: 'srt' | 'pull' | 'file' | 'test';
  /** The passphrase is masked by the server. */
  url: string;
  state: InputState;
  last_error: string | null;
  bitrate_bps: number;
  frames: number;
  keyframe_interval_ms: number | null;
  rejected_callers: number;
  /** null until a caller is refused (absent from older servers). */
  last_rejection?: CallerRejection | null;
  uptime_ms: number;
}

/** A restream target (RTMP). The server never returns the stream key, only a masked form of it. */
export interface StageOutput {
  id: string;
  name: string;
  url: string;
  key: string;
  source: 'config' | 'api';
  state: OutputState;
  /** Why it failed or is retrying: key_rejected, refused, timeout, hung, closed, unresolved, tls_untrusted, error. */
  reason: string | null;
  last_error: string | null;
  bitrate_bps: number;
  bytes: number;
  reconnects: number;
  uptime_ms: number;
  next_retry_ms: number | null;
}

/** A stage: the public view has id, name, room, state and hls (a URL); moderators and organizers get the rest. */
export interface Stage {
  id: string;
  name: LocalizedText;
  /** The program room this stage shows (a room id), if any. */
  room: string | null;
  state: StageState;
  /** UTC ms when `state` last changed (absent from older servers). */
  state_since_ms?: number;
  /** Public view: the playlist URL; full view: the URL and the number of segments. */
  hls: string | { url: string; segments: number };
  mode?: 'passthrough' | 'produced';
  running?: boolean;
  input?: StageInput;
  recording?: { enabled: boolean; state: 'off' | 'recording'; file: string | null };
  outputs?: StageOutput[];
}

export interface Recording {
  name: string;
  size: number;
  /** Milliseconds since the epoch. */
  modified: number;
  url: string;
  session: string | null;
}

export interface Recordings {
  recordings: Recording[];
  chapters_url: string | null;
}

export interface NewOutput {
  name: string;
  url: string;
  key: string;
}

/** The stage's playlist URL, in either view. */
export function stageHls(stage: Stage): string {
  return typeof stage.hls === 'string' ? stage.hls : stage.hls.url;
}

export function isStage(v: unknown): v is Stage {
  const s = v as Stage;
  return typeof s?.id === 'string' && typeof s.state === 'string' && (typeof s.hls === 'string' || typeof s.hls?.url === 'string');
}

/** One request with an optional bearer token; the reply's body (null for 204). */
async function call(method: string, path: string, token: string | undefined, body?: unknown, signal?: AbortSignal): Promise<unknown> {
  // A staff session (no token) authenticates by its cookie, and a change needs its CSRF token.
  const headers: Record<string, string> = { Accept: 'application/json', ...(method === 'GET' ? {} : csrfHeader()) };
  if (token) headers['Authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError('unreachable', `${method} ${path}: ${String(e)}`);
  }
  if (response.status === 204) return null;
  return readReply(response, `${method} ${path}`);
}

const stagePath = (id: string) => `/api/v1/stages/${encodeURIComponent(id)}`;

/** The stages; the full view with a moderator's or organizer's token. */
export async function listStages(token: string | undefined, signal?: AbortSignal): Promise<Stage[]> {
  const body = (await call('GET', '/api/v1/stages', token, undefined, signal)) as { stages?: unknown } | null;
  if (!Array.isArray(body?.stages)) throw new ApiError('invalid', 'GET /api/v1/stages: no "stages" array');
  return body.stages.filter(isStage);
}

function asStage(v: unknown, what: string): Stage {
  if (!isStage(v)) throw new ApiError('invalid', `${what}: not a stage`);
  return v;
}

function asOutput(v: unknown, what: string): StageOutput {
  const o = v as StageOutput | null;
  if (typeof o?.id !== 'string' || typeof o.state !== 'string') throw new ApiError('invalid', `${what}: not an output`);
  return o;
}

/** Starts or stops a stage (organizers). */
export async function stageAction(id: string, action: 'start' | 'stop', token: string): Promise<Stage> {
  const path = `${stagePath(id)}/${action}`;
  return asStage(await call('POST', path, token), `POST ${path}`);
}

export async function addOutput(stage: string, output: NewOutput, token: string): Promise<StageOutput> {
  const path = `${stagePath(stage)}/outputs`;
  return asOutput(await call('POST', path, token, output), `POST ${path}`);
}

export async function removeOutput(stage: string, output: string, token: string): Promise<void> {
  await call('DELETE', `${stagePath(stage)}/outputs/${encodeURIComponent(output)}`, token);
}

/** Stops an output, or starts it (also "retry now" after it failed). */
export async function outputAction(stage: string, output: string, action: 'start' | 'stop', token: string): Promise<StageOutput> {
  const path = `${stagePath(stage)}/outputs/${encodeURIComponent(output)}/${action}`;
  return asOutput(await call('POST', path, token), `POST ${path}`);
}

export async function listRecordings(stage: string, token: string, signal?: AbortSignal): Promise<Recordings> {
  const path = `${stagePath(stage)}/recordings`;
  const body = (await call('GET', path, token, undefined, signal)) as Partial<Recordings> | null;
  if (!Array.isArray(body?.recordings)) throw new ApiError('invalid', `GET ${path}: no "recordings" array`);
  return { recordings: body.recordings, chapters_url: typeof body.chapters_url === 'string' ? body.chapters_url : null };
}

/** A plain link to a recording (or the chapters): the token goes in the query, as a link cannot send headers. */
export function withToken(url: string, token: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

// The JSON API under /api/v1/: types of what it returns and a small fetch wrapper that turns
// every failure into an ApiError the UI can translate.

/** Text in several languages: language code ("sv", "en", "fi") -> text. */
export type LocalizedText = Partial<Record<string, string>>;

export type RoomKind = 'main_stage' | 'seminar' | 'press';
export type SessionKind = 'plenary' | 'seminar' | 'break' | 'press';

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
}

export type ApiErrorKind = 'unreachable' | 'not_found' | 'server' | 'invalid';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status = 0,
    readonly code = '',
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
    throw new ApiError(kind, `${what}: ${response.status} ${message}`, response.status, code);
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

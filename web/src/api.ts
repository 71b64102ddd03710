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
    throw new ApiError(kind, `GET ${path}: ${response.status} ${message}`, response.status, code);
  }
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

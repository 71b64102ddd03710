// The organizer's side of the JSON API (issue 16): staff sign-in, invitations, the console's
// program, import and export, registration, staff, the outbox and the audit log. Requests go
// with the staff session cookie (credentials: 'same-origin'); every state-changing one carries
// the session's CSRF token in X-CSRF-Token (the server refuses it without: 403 csrf_failed).
// Failures are ApiErrors like api.ts's, with the reply's body kept for what a form shows
// (field problems, import problems, the wait before another sign-in).
import { ApiError, type ConferenceEvent, type LocalizedText, type Session } from './api';
import { csrfHeader, setCsrf } from './csrf';

const timeoutMs = 15_000;


/** An API failure with the reply's JSON body (null when there was none). */
export class RequestError extends ApiError {
  constructor(
    base: ApiError,
    readonly body: unknown,
    readonly retryAfterS: number | null,
  ) {
    super(base.kind, base.message, base.status, base.code, base.detail);
    this.name = 'RequestError';
  }
  /** `error.fields` of an invalid_input reply. */
  get fields(): { field: string; message: string }[] {
    const f = (this.body as { error?: { fields?: unknown } } | null)?.error?.fields;
    return Array.isArray(f) ? (f as { field: string; message: string }[]) : [];
  }
  /**
   * `error.problems` of an import_invalid reply (`line`, `field`, `message`) or of a
   * program_invalid one (`where`, `message`: shown in the field column).
   */
  get problems(): ImportProblem[] {
    const b = this.body as { problems?: unknown; error?: { problems?: unknown } } | null;
    const p = b?.error?.problems ?? b?.problems;
    if (!Array.isArray(p)) return [];
    return (p as Record<string, unknown>[]).map((x) => ({
      line: typeof x['line'] === 'number' ? x['line'] : null,
      field: typeof x['field'] === 'string' ? x['field'] : typeof x['where'] === 'string' ? x['where'] : '',
      message: typeof x['message'] === 'string' ? x['message'] : '',
    }));
  }
}

interface SendOptions {
  body?: unknown;
  /** A raw body (an uploaded CSV or JSON file) and its type. */
  raw?: { text: string; type: string };
  signal?: AbortSignal | undefined;
}

/** One request with the session cookie (and CSRF for everything but GET); the reply's body, null for 204. */
export async function send(method: string, path: string, opts: SendOptions = {}): Promise<unknown> {
  return (await request(method, path, opts)).body;
}

/** The same with the reply's status (201 created vs 200 already there). */
async function request(method: string, path: string, opts: SendOptions = {}): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') Object.assign(headers, csrfHeader());
  let body: string | undefined;
  if (opts.raw) {
    headers['Content-Type'] = opts.raw.type;
    body = opts.raw.text;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
      ...(body !== undefined ? { body } : {}),
    });
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw new RequestError(new ApiError('unreachable', `${method} ${path}: ${String(e)}`), null, null);
  }
  if (response.status === 204) return { status: 204, body: null };
  let json: unknown = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (response.ok) return { status: response.status, body: json };
  const err = (json as { error?: { code?: unknown; message?: unknown; retry_after_s?: unknown } } | null)?.error;
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message : '';
  const kind =
    response.status === 404 && (code === '' || code === 'not_found')
      ? 'not_found'
      : response.status === 502 || response.status === 503 || response.status === 504
        ? 'unreachable'
        : 'server';
  const header = Number(response.headers.get('Retry-After'));
  const retry = typeof err?.retry_after_s === 'number' ? err.retry_after_s : Number.isFinite(header) && header > 0 ? header : null;
  throw new RequestError(new ApiError(kind, `${method} ${path}: ${response.status} ${message}`, response.status, code, message), json, retry);
}

const ev = (event: string) => `/api/v1/events/${encodeURIComponent(event)}`;

// --- staff sign-in --------------------------------------------------------------------------------

export interface StaffRole {
  /** An event id, or "*" for every event. */
  event: string;
  role: string;
}

export interface Account {
  id: string;
  email: string;
  name: string;
  roles: StaffRole[];
}

export interface SignedIn {
  account: Account;
  csrf: string;
}

function asSignedIn(v: unknown, what: string): SignedIn {
  const s = v as SignedIn | null;
  if (typeof s?.account?.id !== 'string' || typeof s.csrf !== 'string') throw new ApiError('invalid', `${what}: no account`);
  if (!Array.isArray(s.account.roles)) s.account.roles = [];
  setCsrf(s.csrf);
  return s;
}

export async function signIn(email: string, password: string): Promise<SignedIn> {
  return asSignedIn(await send('POST', '/api/v1/auth/sign-in', { body: { email, password } }), 'sign-in');
}

/** The signed-in account, or null when there is no session (401) or the server has no accounts (404). */
export async function currentAccount(signal?: AbortSignal): Promise<SignedIn | null> {
  try {
    return asSignedIn(await send('GET', '/api/v1/auth/me', { signal }), 'me');
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 404)) {
      setCsrf('');
      return null;
    }
    throw e;
  }
}

export async function signOut(everywhere: boolean): Promise<void> {
  await send('POST', everywhere ? '/api/v1/auth/sign-out-everywhere' : '/api/v1/auth/sign-out');
  setCsrf('');
}

/** The roles an account has for an event (its own and those on "*"). */
export function rolesFor(account: Account | null, event: string): string[] {
  if (!account) return [];
  return account.roles.filter((r) => r.event === event || r.event === '*').map((r) => r.role);
}

export function isOrganizer(account: Account | null, event?: string): boolean {
  if (!account) return false;
  return account.roles.some((r) => r.role === 'organizer' && (event === undefined || r.event === event || r.event === '*'));
}

// --- invitations and staff --------------------------------------------------------------------------

export const STAFF_ROLES = ['organizer', 'moderator', 'press_officer', 'press', 'speaker'] as const;

export interface InvitationInfo {
  email: string;
  name: string;
  event: string;
  role: string;
  /** The e-mail's language (sv, en, fi). */
  language?: string;
  expires_at: string;
  account_exists: boolean;
}

export async function getInvitation(token: string, signal?: AbortSignal): Promise<InvitationInfo> {
  return (await send('GET', `/api/v1/invitations/${encodeURIComponent(token)}`, { signal })) as InvitationInfo;
}

export async function acceptInvitation(token: string, password: string): Promise<SignedIn> {
  return asSignedIn(await send('POST', `/api/v1/invitations/${encodeURIComponent(token)}/accept`, { body: { password } }), 'accept');
}

export interface StaffMember {
  account_id: string;
  email: string;
  name: string;
  roles: string[];
  /** Those of `roles` that come from a role on every event ("*"): this event cannot remove them. */
  roles_everywhere?: string[];
}

export interface Invitation {
  id: string;
  email: string;
  name: string;
  role: string;
  state: string;
  expires_at: string;
}

export async function listStaff(event: string, signal?: AbortSignal): Promise<{ staff: StaffMember[]; invitations: Invitation[] }> {
  const b = (await send('GET', `${ev(event)}/staff`, { signal })) as { staff?: StaffMember[]; invitations?: Invitation[] } | null;
  return { staff: b?.staff ?? [], invitations: b?.invitations ?? [] };
}

export async function invite(event: string, v: { email: string; name: string; role: string; language: string }): Promise<void> {
  await send('POST', `${ev(event)}/invitations`, { body: v });
}

export async function removeRole(event: string, account: string, role: string): Promise<void> {
  await send('DELETE', `${ev(event)}/staff/${encodeURIComponent(account)}/${encodeURIComponent(role)}`);
}

// --- audit log and outbox ------------------------------------------------------------------------------

export interface AuditEntry {
  at_ms: number;
  actor: string;
  actor_name: string;
  event_id: string;
  action: string;
  target: string;
  detail: string;
  remote: string;
}

export async function listAudit(event: string, signal?: AbortSignal): Promise<AuditEntry[]> {
  const b = (await send('GET', `${ev(event)}/audit`, { signal })) as { entries?: AuditEntry[] } | null;
  return b?.entries ?? [];
}
export const auditCsvUrl = (event: string) => `${ev(event)}/audit.csv`;

export interface OutboxMessage {
  id: string;
  to: string;
  to_name: string;
  subject: string;
  text: string;
  html: string;
  language: string;
  kind: string;
  state: string;
  attempts: number;
  /** RFC 3339 (UTC); a number is seconds since the epoch. */
  created_at: string | number;
  /** RFC 3339, or null until the SMTP server accepted it. */
  sent_at: string | number | null;
  last_error: string;
}

/** An outbox entry, whether the server nests the message (`msg`) or not. */
function asOutbox(v: unknown): OutboxMessage {
  const o = v as Record<string, unknown>;
  const m = (typeof o['msg'] === 'object' && o['msg'] !== null ? o['msg'] : o) as Record<string, unknown>;
  const s = (x: unknown) => (typeof x === 'string' ? x : '');
  const n = (x: unknown) => (typeof x === 'number' ? x : 0);
  const at = (x: unknown) => (typeof x === 'string' || typeof x === 'number' ? x : null);
  return {
    id: s(o['id']), to: s(m['to']), to_name: s(m['to_name']), subject: s(m['subject']), text: s(m['text']), html: s(m['html']),
    language: s(m['language']), kind: s(m['kind']), state: s(o['state']), attempts: n(o['attempts']), created_at: at(o['created_at']) ?? 0,
    sent_at: at(o['sent_at']), last_error: s(o['last_error']),
  };
}

export async function listOutbox(event: string, signal?: AbortSignal): Promise<OutboxMessage[]> {
  const b = (await send('GET', `${ev(event)}/outbox`, { signal })) as { messages?: unknown[] } | null;
  return (b?.messages ?? []).map(asOutbox);
}

// --- the program: events, sessions, versions, now/next ---------------------------------------------------

export interface NewEvent {
  id: string;
  title: LocalizedText;
  days: string[];
  timezone: string;
  venue?: string;
  venue_address?: string;
  city?: string;
  series_id?: string;
}

export async function createEvent(e: NewEvent): Promise<ConferenceEvent> {
  return (await send('POST', '/api/v1/events', { body: e })) as ConferenceEvent;
}

/** Replaces the whole event (fields, rooms, sessions): publishes a new version. */
export async function putEvent(e: ConferenceEvent): Promise<void> {
  await send('PUT', ev(e.id), { body: e });
}

export type SessionFields = Partial<Pick<Session, 'day' | 'starts_at' | 'ends_at' | 'kind' | 'track' | 'title' | 'description' | 'speakers'>> & {
  room?: string;
  cancelled?: boolean;
};

export async function createSession(event: string, s: SessionFields & { id?: string }): Promise<void> {
  await send('POST', `${ev(event)}/sessions`, { body: s });
}

export async function patchSession(event: string, id: string, s: SessionFields): Promise<void> {
  await send('PATCH', `${ev(event)}/sessions/${encodeURIComponent(id)}`, { body: s });
}

export async function deleteSession(event: string, id: string): Promise<void> {
  await send('DELETE', `${ev(event)}/sessions/${encodeURIComponent(id)}`);
}

/** Where and when a session was, or is, in a version change. */
export interface VersionSlot {
  day?: string;
  starts_at?: string;
  ends_at?: string;
  room?: string;
  title?: LocalizedText;
}

export interface VersionChange {
  session: string;
  change: string;
  title?: LocalizedText;
  was?: VersionSlot | null;
  now?: VersionSlot | null;
}

export interface ProgramVersion {
  version: number;
  published_at: string;
  /** Who published it (`{"id":"system"}` for the first version the server stored). */
  actor?: { id?: string; name?: string } | null;
  changes: VersionChange[];
}

export async function listVersions(event: string, signal?: AbortSignal): Promise<ProgramVersion[]> {
  const b = (await send('GET', `${ev(event)}/program/versions`, { signal })) as { versions?: ProgramVersion[] } | null;
  return (b?.versions ?? []).map((v) => ({ ...v, changes: Array.isArray(v.changes) ? v.changes : [] }));
}

export interface NowNextRoom {
  room: string;
  now: Session | null;
  next: Session | null;
}

export async function getNowNext(event: string, signal?: AbortSignal): Promise<NowNextRoom[]> {
  const b = (await send('GET', `${ev(event)}/now`, { signal })) as { rooms?: NowNextRoom[] } | null;
  return b?.rooms ?? [];
}

// --- import and export -------------------------------------------------------------------------------------

export interface ImportProblem {
  /** The file's line; null for JSON imports and for edits (whose `field` names the item). */
  line: number | null;
  field: string;
  message: string;
}

export const programExport = (event: string, format: 'csv' | 'json') => `${ev(event)}/program.${format}`;
export const eventCalendar = (event: string) => `${ev(event)}/calendar.ics`;
export const sessionCalendar = (event: string, session: string) => `${ev(event)}/sessions/${encodeURIComponent(session)}/calendar.ics`;

/** CSV or JSON by the file's type; all or nothing. A RequestError with `problems` when invalid. */
export async function importProgram(event: string, text: string, type: string, dryRun: boolean): Promise<unknown> {
  return send('POST', `${ev(event)}/program/import${dryRun ? '?dry_run=1' : ''}`, { raw: { text, type } });
}

export interface Series {
  id: string;
  name: LocalizedText;
  events?: SeriesEvent[];
}

/** A row of a series' events table (the seed table's columns). */
export interface SeriesEvent {
  date: string;
  responsible_county: string;
  /** The co-hosting county ("" or absent: none). */
  cohost_county?: string;
  city: string;
  event_id?: string;
}

export async function listSeries(signal?: AbortSignal): Promise<Series[]> {
  const b = (await send('GET', '/api/v1/series', { signal })) as { series?: Series[] } | null;
  return b?.series ?? [];
}

export async function getSeries(id: string, signal?: AbortSignal): Promise<Series> {
  return (await send('GET', `/api/v1/series/${encodeURIComponent(id)}`, { signal })) as Series;
}

export async function createSeries(s: { id: string; name: LocalizedText }): Promise<void> {
  await send('POST', '/api/v1/series', { body: s });
}

export async function importSeries(id: string, text: string, type: string, dryRun: boolean): Promise<unknown> {
  return send('POST', `/api/v1/series/${encodeURIComponent(id)}/import${dryRun ? '?dry_run=1' : ''}`, { raw: { text, type } });
}
export const seriesExport = (id: string, format: 'csv' | 'json') => `/api/v1/series/${encodeURIComponent(id)}/events.${format}`;

// --- registration ----------------------------------------------------------------------------------------------
// The shapes of docs/api.md "## Registration" (server/api/registration_routes.cpp).

/** The states the messages name one by one (the i18n's regStateText); `full` has its own text. */
export type RegistrationState = 'not_open' | 'open' | 'closed' | 'full_waitlist';
export type Mode = 'hall' | 'remote';

export interface RegistrationInfo {
  event?: string;
  /** `full`: no seat left and no waiting list (refused). */
  state: RegistrationState | 'full';
  /** UTC, RFC 3339. */
  opens_at: string | null;
  closes_at: string | null;
  /** Event-local "YYYY-MM-DDTHH:MM". */
  opens_at_local?: string | null;
  closes_at_local?: string | null;
  /** "2027-11-19 14:00 (Europe/Stockholm)". */
  opens_at_text?: string;
  closes_at_text?: string;
  timezone?: string;
  /** Seats (the hall's in a hybrid event); 0: unlimited. */
  capacity: number | null;
  /** The remote places of a hybrid event; 0: unlimited. */
  remote_capacity?: number;
  waitlist?: boolean;
  /** The first mode's seats left; null: unlimited. */
  seats_left: number | null;
  seats_left_by_mode?: Partial<Record<Mode, number | null>>;
  modes: Mode[];
  /** The version of the consent text the attendee agrees to (the text itself is the app's). */
  consent_version?: string;
  consent_text?: LocalizedText;
}

export async function getRegistration(event: string, signal?: AbortSignal): Promise<RegistrationInfo> {
  const b = (await send('GET', `${ev(event)}/registration`, { signal })) as RegistrationInfo;
  return { ...b, modes: Array.isArray(b?.modes) ? b.modes : [] };
}

/** What PUT changes; a field left out keeps its value. Times in the event's zone ("YYYY-MM-DDTHH:MM"). */
export interface RegistrationSettings {
  opens_at?: string;
  closes_at?: string;
  /** null or 0: unlimited. */
  capacity?: number | null;
  remote_capacity?: number;
  waitlist?: boolean;
  modes?: Mode[];
  consent_version?: string;
}

export async function putRegistration(event: string, s: RegistrationSettings): Promise<RegistrationInfo> {
  return (await send('PUT', `${ev(event)}/registration`, { body: s })) as RegistrationInfo;
}

export interface Registration {
  id: string;
  status: 'registered' | 'waitlisted' | 'cancelled';
  mode: Mode;
  /** The personal fields: only in the attendee's own view (/mine) and the organizers' list. */
  name?: string;
  email?: string;
  organization?: string;
  accessibility_needs?: string;
  language?: string;
  created_at?: string;
  created_at_local?: string;
  cancelled_at?: string | null;
  erased?: boolean;
  event?: string;
}

export interface NewRegistration {
  name: string;
  email: string;
  organization: string;
  accessibility_needs: string;
  mode: Mode;
  consent: boolean;
  /** The version the form showed: the server refuses another one (the text changed). */
  consent_version?: string;
  language: string;
}

/** 201: registered now; 200: this e-mail was registered already (`existing`), nothing changed. */
export async function register(event: string, r: NewRegistration): Promise<{ registration: Registration; existing: boolean }> {
  const { status, body } = await request('POST', `${ev(event)}/registrations`, { body: r });
  const b = body as { registration?: Registration & { already?: boolean } } | null;
  if (!b?.registration) throw new ApiError('invalid', 'POST registrations: no registration');
  return { registration: b.registration, existing: b.registration.already === true || status === 200 };
}

/** Everything stored about the registration the token manages (its JSON, for the download too). */
export async function myRegistration(token: string, signal?: AbortSignal): Promise<{ registration: Registration; raw: unknown }> {
  const b = (await send('GET', `/api/v1/registrations/mine?token=${encodeURIComponent(token)}`, { signal })) as { registration?: Registration } | null;
  if (!b?.registration) throw new ApiError('invalid', 'GET registrations/mine: no registration');
  return { registration: b.registration, raw: b };
}

export async function cancelMine(token: string): Promise<void> {
  await send('POST', '/api/v1/registrations/mine/cancel', { body: { token } });
}

export async function deleteMine(token: string): Promise<void> {
  await send('POST', '/api/v1/registrations/mine/delete', { body: { token } });
}

export interface ModeCounts {
  registered: number;
  waitlisted: number;
  cancelled: number;
}

export interface RegistrationList {
  registrations: Registration[];
  /** Per mode and in total: how many registered, waitlisted and cancelled. */
  counts: Partial<Record<Mode | 'total', ModeCounts>>;
}

export async function listRegistrations(event: string, signal?: AbortSignal): Promise<RegistrationList> {
  const b = (await send('GET', `${ev(event)}/registrations`, { signal })) as Partial<RegistrationList> | null;
  return { registrations: b?.registrations ?? [], counts: b?.counts ?? {} };
}
/** The CSV download (the session cookie goes with a same-origin link). */
export const registrationsCsv = (event: string) => `${ev(event)}/registrations.csv`;

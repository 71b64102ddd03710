// The press side of the JSON API (issue 18, docs/api.md "Press"): the public accreditation form,
// the journalist's request page, the press officer's console, the press page (a grant as Bearer)
// and the speaker's interview page. Failures are org-api's RequestError (status, code, the
// server's message and, for invalid_input, the `fields`), so forms show them beside the fields.
import { ApiError, type LocalizedText } from '../api';
import { csrfHeader } from '../csrf';
import { RequestError } from '../org-api';

const timeoutMs = 15_000;

/**
 * Who calls: nobody (public), the staff session (cookie + X-CSRF-Token on writes), or a bearer
 * (a press officer's join token, a grant token).
 */
export type Caller = { kind: 'public' } | { kind: 'session' } | { kind: 'bearer'; token: string };
export const PUBLIC: Caller = { kind: 'public' };

async function call(caller: Caller, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (caller.kind === 'bearer') headers['Authorization'] = `Bearer ${caller.token}`;
  if (caller.kind === 'session' && method !== 'GET') Object.assign(headers, csrfHeader());
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: caller.kind === 'session' ? 'same-origin' : 'omit',
      // A 410 is cacheable by default: a refusal for one grant must not answer for the next.
      cache: 'no-store',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new RequestError(new ApiError('unreachable', `${method} ${path}: ${String(e)}`), null, null);
  }
  if (response.ok) return response;
  let json: unknown = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  const err = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message : '';
  const kind =
    response.status === 404 && (code === '' || code === 'not_found')
      ? 'not_found'
      : response.status === 502 || response.status === 503 || response.status === 504
        ? 'unreachable'
        : 'server';
  throw new RequestError(new ApiError(kind, `${method} ${path}: ${response.status} ${message}`, response.status, code, message), json, null);
}

async function json<T>(caller: Caller, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; body: T }> {
  const r = await call(caller, method, path, body, signal);
  return { status: r.status, body: (r.status === 204 ? null : await r.json()) as T };
}

/** The refusal's contact people, when the server names them (grant_* errors). */
export function errorContacts(e: unknown): Contact[] {
  if (!(e instanceof RequestError)) return [];
  const c = (e.body as { error?: { contact?: unknown; contacts?: unknown } } | null)?.error;
  const list = Array.isArray(c?.contacts) ? c.contacts : c?.contact && typeof c.contact === 'object' ? [c.contact] : [];
  return (list as Contact[]).filter((x) => x && typeof x.name === 'string');
}

// --- shapes -------------------------------------------------------------------------------------------

export interface Contact {
  name: string;
  role?: string;
  email?: string;
  phone?: string;
}

export interface PressEvent {
  id: string;
  title: LocalizedText;
  days: string[];
  timezone?: string;
  rooms?: { id: string; kind: string; name: LocalizedText }[];
}

export type Attendance = 'hall' | 'remote';
export type AccreditationState = 'pending' | 'info_requested' | 'approved' | 'rejected' | 'revoked';

export interface Accreditation {
  id: string;
  event_id: string;
  name: string;
  outlet: string;
  email: string;
  phone: string;
  press_card: string;
  days: string[];
  attendance: Attendance;
  note: string;
  language: string;
  state: AccreditationState;
  question: string;
  reason: string;
  created_at: number;
  updated_at: number;
  /** Officer view only. */
  grant_id?: string;
  decided_by?: string;
}

export interface LiveViewer {
  device: string;
  stage: string;
  address: string;
  user_agent: string;
  first_at: number;
  last_at: number;
  bytes: number;
}

export interface Refusal {
  stage: string;
  device: string;
  address: string;
  user_agent: string;
  at: number;
}

export type GrantState = 'active' | 'revoked' | 'expired' | 'not_yet_valid';

export interface Grant {
  id: string;
  event: string;
  name: string;
  outlet: string;
  email?: string;
  language?: string;
  stages: string[];
  rooms: string[];
  valid_from: number;
  valid_until: number;
  device_cap: number;
  accreditation_id?: string;
  created_by?: string;
  created_at?: number;
  revoked_at?: number | null;
  revoked_by?: string | null;
  revoke_reason?: string | null;
  state: GrantState;
  live?: LiveViewer[];
  refusals?: Refusal[];
}

export type InterviewState = 'requested' | 'accepted' | 'proposed' | 'declined' | 'cancelled';

export interface Interview {
  id: string;
  event_id: string;
  grant_id: string;
  journalist: string;
  speaker: string;
  session_id: string | null;
  /** The wanted time, as the journalist wrote it (RFC 3339 or free text). */
  wanted: string;
  note: string;
  state: InterviewState | string;
  proposed: string | null;
  answer_note: string;
  answered_by: string;
  speaker_email?: string;
  created_at: number;
  updated_at: number;
}

export interface PressStage {
  id: string;
  name: LocalizedText;
  room: string;
  state: 'live' | 'standby' | 'offline';
  visibility: string;
  public_at: number | string | null;
  hls: string;
}

export interface PressSpeaker {
  name: string;
  affiliation?: LocalizedText;
  sessions: { id: string; title: LocalizedText; day: string; starts_at: string; ends_at: string; room_id: string }[];
}

export interface PressMe {
  grant: Grant;
  event: PressEvent;
  stages: PressStage[];
  rooms: { id: string; kind: string; name: LocalizedText }[];
  contacts: Contact[];
  interviews: Interview[];
  speakers: PressSpeaker[];
}

export interface AccreditationInfo {
  event: PressEvent;
  open: boolean;
  contacts: Contact[];
}

export interface AccreditationInput {
  name: string;
  outlet: string;
  email: string;
  phone: string;
  press_card: string;
  days: string[];
  attendance: Attendance;
  note: string;
  language: string;
}

export interface PressSettings {
  accreditation_open: boolean;
  contacts: Contact[];
}

const ev = (event: string) => `/api/v1/events/${encodeURIComponent(event)}`;
const enc = encodeURIComponent;

// --- public: the form and the journalist's page ---------------------------------------------------------

export async function getAccreditationInfo(event: string, signal?: AbortSignal): Promise<AccreditationInfo> {
  const { body } = await json<AccreditationInfo>(PUBLIC, 'GET', `${ev(event)}/accreditation`, undefined, signal);
  return { ...body, contacts: Array.isArray(body.contacts) ? body.contacts : [] };
}

// "already": the address has an open request for the event; the answer then carries nothing of it.
export async function requestAccreditation(event: string, input: AccreditationInput): Promise<{ accreditation?: Accreditation; already: boolean }> {
  const { body } = await json<{ accreditation?: Accreditation; already?: boolean }>(PUBLIC, 'POST', `${ev(event)}/accreditations`, input);
  return { ...(body.accreditation ? { accreditation: body.accreditation } : {}), already: body.already === true };
}

export async function getOwnAccreditation(token: string, signal?: AbortSignal): Promise<{ accreditation: Accreditation; event: PressEvent }> {
  return (await json<{ accreditation: Accreditation; event: PressEvent }>(PUBLIC, 'GET', `/api/v1/accreditations/${enc(token)}`, undefined, signal)).body;
}

export async function answerQuestion(token: string, answer: string): Promise<Accreditation> {
  return (await json<{ accreditation: Accreditation }>(PUBLIC, 'POST', `/api/v1/accreditations/${enc(token)}/answer`, { answer })).body.accreditation;
}

// --- the press officer ---------------------------------------------------------------------------------

export async function listAccreditations(c: Caller, event: string, signal?: AbortSignal): Promise<Accreditation[]> {
  const { body } = await json<{ accreditations?: Accreditation[] }>(c, 'GET', `${ev(event)}/accreditations`, undefined, signal);
  return Array.isArray(body.accreditations) ? body.accreditations : [];
}

export interface Issued {
  grant: Grant;
  link: string;
}

export async function approve(c: Caller, event: string, id: string, opts: Record<string, unknown> = {}): Promise<Issued & { accreditation: Accreditation }> {
  return (await json<Issued & { accreditation: Accreditation }>(c, 'POST', `${ev(event)}/accreditations/${enc(id)}/approve`, opts)).body;
}

export async function reject(c: Caller, event: string, id: string, reason: string): Promise<Accreditation> {
  return (await json<{ accreditation: Accreditation }>(c, 'POST', `${ev(event)}/accreditations/${enc(id)}/reject`, { reason })).body.accreditation;
}

export async function ask(c: Caller, event: string, id: string, question: string): Promise<Accreditation> {
  return (await json<{ accreditation: Accreditation }>(c, 'POST', `${ev(event)}/accreditations/${enc(id)}/ask`, { question })).body.accreditation;
}

export async function issueGrant(c: Caller, event: string, input: Record<string, unknown>): Promise<Issued> {
  return (await json<Issued>(c, 'POST', `${ev(event)}/grants`, input)).body;
}

export async function listGrants(c: Caller, event: string, signal?: AbortSignal): Promise<Grant[]> {
  const { body } = await json<{ grants?: Grant[] }>(c, 'GET', `${ev(event)}/grants`, undefined, signal);
  return Array.isArray(body.grants) ? body.grants : [];
}

export async function revokeGrant(c: Caller, event: string, id: string, reason: string): Promise<Grant> {
  return (await json<{ grant: Grant }>(c, 'POST', `${ev(event)}/grants/${enc(id)}/revoke`, reason ? { reason } : {})).body.grant;
}

/**
 * The link of a grant issued earlier, signed again by the server (links are not stored, grants
 * are); 410 grant_revoked for a revoked grant.
 */
export async function grantLink(c: Caller, event: string, id: string): Promise<string> {
  return (await json<{ link: string }>(c, 'POST', `${ev(event)}/grants/${enc(id)}/link`, {})).body.link;
}

/** A stage or room a grant may be limited to. */
export interface CoverageOption {
  id: string;
  name: LocalizedText | string;
}

/**
 * What a grant can be limited to: the event's gated stages (GET /api/v1/stages: every stage with
 * its visibility and room; a public one needs no grant) and the event's rooms (GET
 * /api/v1/events/{e}; a grant session joins only the rooms it covers). Either list is empty when
 * its request fails (media off: no stages): the form then offers "all" only.
 */
export async function coverageOptions(c: Caller, event: string, signal?: AbortSignal): Promise<{ stages: CoverageOption[]; rooms: CoverageOption[] }> {
  const [evr, str] = await Promise.allSettled([
    json<{ rooms?: { id: string; name: LocalizedText | string }[] }>(c, 'GET', ev(event), undefined, signal),
    json<{ stages?: { id: string; name: LocalizedText | string; room?: string | null; visibility?: string; event?: string }[] }>(c, 'GET', '/api/v1/stages', undefined, signal),
  ]);
  const roomList = evr.status === 'fulfilled' && Array.isArray(evr.value.body.rooms) ? evr.value.body.rooms : [];
  const roomIds = new Set(roomList.map((r) => r.id));
  const stageList = str.status === 'fulfilled' && Array.isArray(str.value.body.stages) ? str.value.body.stages : [];
  const stages = stageList
    // The staff view names the stage's event; the public view does not, but its room does.
    .filter((s) => (s.event ? s.event === event : !!s.room && roomIds.has(s.room)))
    .filter((s) => s.visibility !== 'public')
    .map((s) => ({ id: s.id, name: s.name }));
  return { stages, rooms: roomList.map((r) => ({ id: r.id, name: r.name })) };
}

export async function getSettings(c: Caller, event: string, signal?: AbortSignal): Promise<PressSettings> {
  const { body } = await json<PressSettings>(c, 'GET', `${ev(event)}/press/settings`, undefined, signal);
  return { accreditation_open: body.accreditation_open === true, contacts: Array.isArray(body.contacts) ? body.contacts : [] };
}

export async function putSettings(c: Caller, event: string, s: PressSettings): Promise<PressSettings> {
  const { body } = await json<PressSettings>(c, 'PUT', `${ev(event)}/press/settings`, s);
  return body && typeof body === 'object' && 'accreditation_open' in body ? body : s;
}

export async function listInterviews(c: Caller, event: string, signal?: AbortSignal): Promise<Interview[]> {
  const { body } = await json<{ interviews?: Interview[] }>(c, 'GET', `${ev(event)}/interviews`, undefined, signal);
  return Array.isArray(body.interviews) ? body.interviews : [];
}

export type Answer = 'accept' | 'propose' | 'decline';

export async function answerInterview(c: Caller, event: string, id: string, answer: Answer, proposed: string, note: string): Promise<Interview> {
  const body: Record<string, unknown> = { answer };
  if (answer === 'propose') body['proposed'] = proposed;
  if (note) body['note'] = note;
  return (await json<{ interview: Interview }>(c, 'POST', `${ev(event)}/interviews/${enc(id)}/answer`, body)).body.interview;
}

export async function speakerLink(c: Caller, event: string, id: string, email: string, language: string): Promise<string> {
  const body: Record<string, unknown> = { language };
  if (email) body['email'] = email;
  return (await json<{ link: string }>(c, 'POST', `${ev(event)}/interviews/${enc(id)}/speaker-link`, body)).body.link;
}

/** audit.csv through fetch (the cookie or the bearer token), handed to the browser as a download. */
export async function downloadAudit(c: Caller, event: string): Promise<void> {
  const r = await call(c, 'GET', `${ev(event)}/press/audit.csv`);
  const blob = await r.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${event}-press-audit.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// --- the grant holder ------------------------------------------------------------------------------------

export async function getPressMe(grant: string, signal?: AbortSignal): Promise<PressMe> {
  const { body } = await json<PressMe>({ kind: 'bearer', token: grant }, 'GET', '/api/v1/press/me', undefined, signal);
  return {
    ...body,
    stages: Array.isArray(body.stages) ? body.stages : [],
    rooms: Array.isArray(body.rooms) ? body.rooms : [],
    contacts: Array.isArray(body.contacts) ? body.contacts : [],
    interviews: Array.isArray(body.interviews) ? body.interviews : [],
    speakers: Array.isArray(body.speakers) ? body.speakers : [],
  };
}

export async function requestInterview(grant: string, input: { speaker: string; session_id?: string; wanted: string; note?: string }): Promise<Interview> {
  return (await json<{ interview: Interview }>({ kind: 'bearer', token: grant }, 'POST', '/api/v1/press/interviews', input)).body.interview;
}

export async function respondInterview(grant: string, id: string, answer: 'accept' | 'decline' | 'cancel'): Promise<Interview> {
  return (await json<{ interview: Interview }>({ kind: 'bearer', token: grant }, 'POST', `/api/v1/press/interviews/${enc(id)}/respond`, { answer })).body.interview;
}

/**
 * The event a grant token names, read from its payload without checking the signature (only to
 * find whom to contact on a refusal page): "g1.KID.PAYLOAD.SIG", PAYLOAD base64url JSON with "ev".
 */
export function eventOfGrant(token: string): string | null {
  const part = token.split('.')[2];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const p = JSON.parse(new TextDecoder().decode(bytes)) as { ev?: unknown; event?: unknown };
    const ev = typeof p.ev === 'string' ? p.ev : typeof p.event === 'string' ? p.event : null;
    return ev && /^[A-Za-z0-9._-]{1,100}$/.test(ev) ? ev : null;
  } catch {
    return null;
  }
}

// --- the speaker -----------------------------------------------------------------------------------------

export async function getSpeakerInterview(token: string, signal?: AbortSignal): Promise<{ interview: Interview; event: PressEvent }> {
  return (await json<{ interview: Interview; event: PressEvent }>(PUBLIC, 'GET', `/api/v1/interviews/${enc(token)}`, undefined, signal)).body;
}

export async function speakerAnswer(token: string, answer: Answer, proposed: string, note: string): Promise<Interview> {
  const body: Record<string, unknown> = { answer };
  if (answer === 'propose') body['proposed'] = proposed;
  if (note) body['note'] = note;
  return (await json<{ interview: Interview }>(PUBLIC, 'POST', `/api/v1/interviews/${enc(token)}/answer`, body)).body.interview;
}

// --- the device id -----------------------------------------------------------------------------------------

const deviceKey = 'samling.press.device';

/**
 * This browser's device id for the grant's device cap: 22 random base64url characters, kept in
 * localStorage so that a reload or a second tab counts as the same device.
 */
export function deviceId(): string {
  try {
    const saved = localStorage.getItem(deviceKey);
    if (saved && /^[A-Za-z0-9_-]{16,64}$/.test(saved)) return saved;
  } catch {
    // storage blocked: a new id for this page
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  try {
    localStorage.setItem(deviceKey, id);
  } catch {
    // not kept
  }
  return id;
}

/** The stage's gated playlist for this device. */
export function pressPlaylist(stage: PressStage, device: string): string {
  return `${stage.hls}${stage.hls.includes('?') ? '&' : '?'}device=${enc(device)}`;
}

/**
 * Why a gated playlist is refused, read with a fetch of its own (hls.js and the native player do
 * not show the answer's body): the JSON error code of a 403 or 410, else null.
 */
export async function playlistRefusal(url: string): Promise<string | null> {
  try {
    const r = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
    if (r.status !== 403 && r.status !== 410) return null;
    const b = (await r.json()) as { error?: { code?: unknown } };
    return typeof b?.error?.code === 'string' ? b.error.code : `http_${r.status}`;
  } catch {
    return null;
  }
}

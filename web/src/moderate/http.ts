// The console's HTTP calls (docs/api.md, "Q&A, moderation and the projector"): kiosk links,
// exports, the moderation log and the event's Q&A settings. A moderator comes either with the
// staff session's cookie (then state-changing requests carry the CSRF token) or with a
// moderator token (Authorization: Bearer); downloads go through fetch for the same reason.
import { ApiError } from '../api';
import { csrfHeader } from '../csrf';

export interface KioskLink {
  id: string;
  url: string;
  event: string;
  room: string;
  created: number;
  revoked: number | null;
}

export interface KioskInfo {
  event: string;
  room: string;
  qa_url: string;
  qr: string;
}

const ev = (event: string) => `/api/v1/events/${encodeURIComponent(event)}`;
const roomPath = (event: string, room: string) => `${ev(event)}/rooms/${encodeURIComponent(room)}`;

export const qrUrl = (event: string, room: string) => `${roomPath(event, room)}/qr.svg`;

async function call(token: string | null, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers['Authorization'] = `Bearer ${token}`;
  else if (method !== 'GET') Object.assign(headers, csrfHeader());
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      signal: AbortSignal.timeout(15_000),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new ApiError('unreachable', `${method} ${path}: ${String(e)}`);
  }
  if (!response.ok) {
    let code = '';
    let message = response.statusText;
    try {
      const err = ((await response.json()) as { error?: { code?: unknown; message?: unknown } }).error;
      if (typeof err?.code === 'string') code = err.code;
      if (typeof err?.message === 'string') message = err.message;
    } catch {
      // no JSON body
    }
    throw new ApiError(response.status === 404 ? 'not_found' : 'server', `${method} ${path}: ${response.status} ${message}`, response.status, code, message);
  }
  return response;
}

async function json(token: string | null, method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await call(token, method, path, body);
  return r.status === 204 ? null : r.json();
}

export async function listKioskLinks(token: string | null, event: string): Promise<KioskLink[]> {
  const b = (await json(token, 'GET', `${ev(event)}/kiosk-links`)) as { links?: KioskLink[] } | null;
  return Array.isArray(b?.links) ? b.links : [];
}

export async function createKioskLink(token: string | null, event: string, room: string): Promise<KioskLink> {
  const b = (await json(token, 'POST', `${roomPath(event, room)}/kiosk-links`, {})) as KioskLink;
  return { ...b, revoked: b.revoked ?? null };
}

export async function revokeKioskLink(token: string | null, event: string, id: string): Promise<void> {
  await json(token, 'DELETE', `${ev(event)}/kiosk-links/${encodeURIComponent(id)}`);
}

export async function getNamesToModerators(token: string | null, event: string): Promise<boolean> {
  const b = (await json(token, 'GET', `${ev(event)}/qa-settings`)) as { names_to_moderators?: unknown } | null;
  return b?.names_to_moderators === true;
}

export async function putNamesToModerators(token: string | null, event: string, on: boolean): Promise<void> {
  await json(token, 'PUT', `${ev(event)}/qa-settings`, { names_to_moderators: on });
}

/** The projector's kiosk link, public: 404 kiosk_unknown, 410 kiosk_revoked. */
export async function getKiosk(id: string, signal: AbortSignal): Promise<KioskInfo> {
  let response: Response;
  try {
    response = await fetch(`/api/v1/kiosk/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' }, signal });
  } catch (e) {
    if (signal.aborted) throw e;
    throw new ApiError('unreachable', String(e));
  }
  if (response.status === 410) throw new ApiError('server', 'kiosk_revoked', 410, 'kiosk_revoked');
  if (response.status === 404) throw new ApiError('not_found', 'kiosk_unknown', 404, 'kiosk_unknown');
  if (!response.ok) throw new ApiError(response.status >= 500 ? 'unreachable' : 'server', `HTTP ${response.status}`, response.status);
  return (await response.json()) as KioskInfo;
}

export type ExportKind = 'json' | 'questions' | 'chat' | 'polls' | 'log';

export function exportPath(event: string, room: string, kind: ExportKind): string {
  switch (kind) {
    case 'json':
      return `${roomPath(event, room)}/export.json`;
    case 'log':
      return `${ev(event)}/moderation-log?format=csv`;
    default:
      return `${roomPath(event, room)}/export/${kind}.csv`;
  }
}

/** Fetches an export (with the token or the cookie) and hands it to the browser as a download. */
export async function download(token: string | null, event: string, room: string, kind: ExportKind): Promise<void> {
  const r = await call(token, 'GET', exportPath(event, room, kind));
  const blob = await r.blob();
  const name = kind === 'json' ? `${event}-${room}.json` : kind === 'log' ? `${event}-moderation-log.csv` : `${event}-${room}-${kind}.csv`;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

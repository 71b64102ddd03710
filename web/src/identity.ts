// Who the page is in the chat, kept in sessionStorage (per tab: a reload stays signed in, a new
// tab starts over), and the rooms it had joined.
import type { Role } from './ws';

export interface Identity {
  event: string;
  name: string;
  role: Role;
  /** A signed token; absent for a guest (hello with {"guest": {"name"}}). */
  token?: string;
  /** Signed in by a personal join link (the token is kept in localStorage, see takeJoinLink). */
  link?: boolean;
  /** The signed-in staff account (hello without a token: the server reads the session cookie). */
  session?: boolean;
  /** A press grant (the press page, issue 18): hello with {"grant"}. Never stored. */
  grant?: string;
}

const identityKey = (event: string) => `samling.chat.identity.${event}`;
const roomsKey = (event: string) => `samling.chat.rooms.${event}`;
const pendingKey = (event: string) => `samling.chat.pending.${event}`;

export interface SavedPost {
  room: string;
  clientMsgId: string;
  text: string;
}

function read(key: string): unknown {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage blocked: the identity lasts as long as the page
  }
}

export function loadIdentity(event: string): Identity | null {
  const v = read(identityKey(event)) as Identity | null;
  if (!v || v.event !== event || typeof v.name !== 'string' || typeof v.role !== 'string') return null;
  if (v.token !== undefined && typeof v.token !== 'string') return null;
  return v;
}

export function saveIdentity(identity: Identity | null, event: string): void {
  write(identityKey(event), identity);
  if (!identity) {
    write(roomsKey(event), null);
    write(pendingKey(event), null);
  }
}

export function loadRooms(event: string): string[] | null {
  const v = read(roomsKey(event));
  return Array.isArray(v) && v.every((r) => typeof r === 'string') ? (v as string[]) : null;
}

export function saveRooms(event: string, rooms: string[]): void {
  write(roomsKey(event), rooms);
}

/** Posts without an ack, so that a reload sends them (with the same client_msg_id) instead of losing them. */
export function loadPending(event: string): SavedPost[] {
  const v = read(pendingKey(event));
  if (!Array.isArray(v)) return [];
  return v.filter(
    (p): p is SavedPost =>
      typeof p?.room === 'string' && typeof p?.clientMsgId === 'string' && typeof p?.text === 'string',
  );
}

export function savePending(event: string, posts: SavedPost[]): void {
  write(pendingKey(event), posts.length ? posts : null);
}

// --- Personal join links -------------------------------------------------------------------
// `samling token … --link` prints <base>/#event=E&join=<token>. The token stays in the URL's
// fragment (never sent to the server), is kept in localStorage under samling.join.<event> (for
// every tab, until it expires) and is taken out of the address bar at once.

const joinKey = (event: string) => `samling.join.${event}`;
/** Links taken in this page: they sign in even where storage is blocked. */
const taken = new Map<string, JoinToken>();
/** Events whose link in the address bar could not be used (expired, damaged): told once. */
const unusable = new Set<string>();

const ROLES: readonly Role[] = ['attendee', 'speaker', 'press', 'moderator', 'organizer', 'guest', 'press_officer'];

/** What a token says about its holder (server/auth/token.cpp: v1.<key id>.<payload>.<signature>). */
export interface JoinToken {
  token: string;
  event: string;
  name: string;
  role: Role;
  /** Seconds since the epoch. */
  exp: number;
}

function base64urlDecode(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * The payload of a token, unverified (the server checks the signature when the page says hello):
 * for showing the name and role, and for forgetting the token when it expires. Null when it
 * does not have the form of a token.
 */
export function decodeToken(token: string): JoinToken | null {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') return null;
  const bytes = base64urlDecode(parts[2]!);
  if (!bytes) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  const p = payload as Record<string, unknown>;
  if (typeof p?.['name'] !== 'string' || typeof p['event'] !== 'string' || typeof p['exp'] !== 'number') return null;
  const role = ROLES.includes(p['role'] as Role) ? (p['role'] as Role) : 'attendee';
  return { token, event: p['event'], name: p['name'], role, exp: p['exp'] };
}

const expired = (j: JoinToken) => j.exp * 1000 <= Date.now();

/** The join token kept for the event, if it has not expired (an expired one is forgotten). */
export function loadJoin(event: string): JoinToken | null {
  let raw: string | null = taken.get(event)?.token ?? null;
  try {
    raw = localStorage.getItem(joinKey(event)) ?? raw;
  } catch {
    // storage blocked: the link taken in this page, if any
  }
  if (!raw) return null;
  const j = decodeToken(raw);
  if (!j || j.event !== event || expired(j)) {
    forgetJoin(event);
    return null;
  }
  return j;
}

export function forgetJoin(event: string): void {
  taken.delete(event);
  try {
    localStorage.removeItem(joinKey(event));
  } catch {
    // storage blocked
  }
}

/** What a join link in the address bar came to. */
export type JoinLinkResult =
  | { status: 'none' }
  | { status: 'kept'; join: JoinToken }
  /** Not a token, for another event than the link names, or expired: nothing is kept. */
  | { status: 'unusable'; event: string | null };

/**
 * Takes `join=<token>` out of the address bar (history.replaceState keeps `event=`) and keeps
 * the token for its event. The page then signs in with it.
 */
export function takeJoinLink(): JoinLinkResult {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = params.get('join');
  if (token === null) return { status: 'none' };
  params.delete('join');
  const j = decodeToken(token.trim());
  let event = params.get('event');
  if (j && !event) {
    event = j.event;
    params.set('event', event);
  }
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  if (!j || j.event !== event || expired(j)) {
    if (event) unusable.add(event); // a link kept before for the event stays
    return { status: 'unusable', event };
  }
  taken.set(j.event, j);
  try {
    localStorage.setItem(joinKey(j.event), j.token);
  } catch {
    // storage blocked: the link still signs in this page
  }
  // A link replaces whoever this tab was before in that event.
  saveIdentity(null, j.event);
  return { status: 'kept', join: j };
}

/** Whether a join link for the event could not be used (asked once: the page says so once). */
export function takeUnusableLink(event: string): boolean {
  return unusable.delete(event);
}

/** Who the page is in the event: the join link kept for it, else this tab's own sign-in. */
export function initialIdentity(event: string): Identity | null {
  const j = loadJoin(event);
  if (j) return { event, name: j.name, role: j.role, token: j.token, link: true };
  return loadIdentity(event);
}

// Who the page is in the chat, kept in sessionStorage (per tab: a reload stays signed in, a new
// tab starts over), and the rooms it had joined.
import type { Role } from './ws';

export interface Identity {
  event: string;
  name: string;
  role: Role;
  /** A signed token; absent for a guest (hello with {"guest": {"name"}}). */
  token?: string;
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

// The staff session as the page knows it: the signed-in account (GET /api/v1/auth/me at load,
// the sign-in and invitation replies afterwards) or null. One value for the whole app, so the
// top bar, the console and the event page agree.
import { createContext } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { currentAccount, signOut, type Account } from './org-api';

export interface StaffSession {
  /** Until `me` answered. */
  loading: boolean;
  account: Account | null;
  setAccount: (account: Account | null) => void;
  signOut: (everywhere: boolean) => Promise<void>;
}

export const StaffContext = createContext<StaffSession>({
  loading: false,
  account: null,
  setAccount: () => undefined,
  signOut: async () => undefined,
});

// The session cookie is HttpOnly: the page cannot see it. A flag in localStorage says whether
// this browser signed in, so that an attendee's page (most of them) never asks `me` (and never
// gets its 401); staff pages ask anyway.
const flagKey = 'samling.staff';

function flagged(): boolean {
  try {
    return localStorage.getItem(flagKey) === '1';
  } catch {
    return true; // storage blocked: ask
  }
}

function setFlag(on: boolean): void {
  try {
    if (on) localStorage.setItem(flagKey, '1');
    else localStorage.removeItem(flagKey);
  } catch {
    // not remembered: staff pages still ask
  }
}

/** `ask`: whether to ask the server now even without the flag (a staff page). */
export function useStaffSession(ask: boolean): StaffSession {
  const [loading, setLoading] = useState(() => ask || flagged());
  const [account, setAccountState] = useState<Account | null>(null);
  const setAccount = useCallback((a: Account | null) => {
    setFlag(a !== null);
    setAccountState(a);
    setLoading(false);
  }, []);
  const shouldAsk = ask || flagged();
  useEffect(() => {
    if (!shouldAsk) return;
    const controller = new AbortController();
    currentAccount(controller.signal).then(
      (s) => setAccount(s?.account ?? null),
      () => {
        if (!controller.signal.aborted) setLoading(false); // unreachable: signed out for now
      },
    );
    return () => controller.abort();
  }, [shouldAsk, setAccount]);
  const out = useCallback(async (everywhere: boolean) => {
    try {
      await signOut(everywhere);
    } finally {
      setAccount(null);
    }
  }, [setAccount]);
  return { loading, account, setAccount, signOut: out };
}

/** The strongest staff role an account has for an event, if any. */
export function staffRole(account: Account | null, event: string): 'organizer' | 'moderator' | 'press_officer' | 'press' | 'speaker' | null {
  if (!account) return null;
  const roles = new Set(account.roles.filter((r) => r.event === event || r.event === '*').map((r) => r.role));
  for (const r of ['organizer', 'moderator', 'press_officer', 'press', 'speaker'] as const) if (roles.has(r)) return r;
  return null;
}

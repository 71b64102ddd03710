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

export function useStaffSession(): StaffSession {
  const [loading, setLoading] = useState(true);
  const [account, setAccount] = useState<Account | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    currentAccount(controller.signal).then(
      (s) => {
        setAccount(s?.account ?? null);
        setLoading(false);
      },
      () => {
        if (!controller.signal.aborted) setLoading(false); // unreachable: signed out for now
      },
    );
    return () => controller.abort();
  }, []);
  const out = useCallback(async (everywhere: boolean) => {
    try {
      await signOut(everywhere);
    } finally {
      setAccount(null);
    }
  }, []);
  return { loading, account, setAccount, signOut: out };
}

/** The strongest staff role an account has for an event, if any. */
export function staffRole(account: Account | null, event: string): 'organizer' | 'moderator' | 'press' | 'speaker' | null {
  if (!account) return null;
  const roles = new Set(account.roles.filter((r) => r.event === event || r.event === '*').map((r) => r.role));
  for (const r of ['organizer', 'moderator', 'press', 'speaker'] as const) if (roles.has(r)) return r;
  return null;
}

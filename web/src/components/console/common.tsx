// What the console's tabs share: loading a resource with a retry, showing a failed request in
// the page's words, and dates in the event's time zone.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api';
import type { Messages } from '../../i18n';

export type Loaded<T> = { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; data: T };

/** Runs `load` now and whenever `deps` change or `reload()` is called; aborts the one before. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [n, setN] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (data) => setState({ status: 'ready', data }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', error });
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, n]);
  return [state, useCallback(() => setN((x) => x + 1), [])];
}

/** A failed request in words: the session ended, or the server's own message. */
export function failure(t: Messages, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401 || e.code === 'csrf_failed' || e.code === 'not_signed_in') return t.org.sessionExpired;
    if (e.kind === 'unreachable') return t.errorUnreachable;
    return t.org.requestFailed(e.detail || `${e.status}`);
  }
  return t.org.requestFailed(String(e));
}

export function LoadState<T>({ state, t, retry, children }: { state: Loaded<T>; t: Messages; retry: () => void; children: (data: T) => preact.ComponentChildren }) {
  if (state.status === 'loading') {
    return (
      <p class="console-loading" role="status">
        <span class="spinner spinner--small" aria-hidden="true" /> {t.loading}
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <div class="console-error" role="alert">
        <p>{failure(t, state.error)}</p>
        <button type="button" class="button button--secondary button--small" onClick={retry}>
          {t.retry}
        </button>
      </div>
    );
  }
  return <>{children(state.data)}</>;
}

/** A UTC instant (ms, or seconds when `seconds`) as a date and time in `zone`. */
export function formatInstant(at: number | string, locale: string, zone?: string, seconds = false): string {
  const ms = typeof at === 'string' ? Date.parse(at) : seconds ? at * 1000 : at;
  if (!Number.isFinite(ms) || ms <= 0) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(zone ? { timeZone: zone } : {}) }).format(new Date(ms));
}

/** The event's days from its first to its last (YYYY-MM-DD, calendar days, no time zone involved). */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  const d = new Date(`${first}T12:00:00Z`);
  const end = new Date(`${last}T12:00:00Z`);
  if (Number.isNaN(d.getTime()) || Number.isNaN(end.getTime())) return out;
  while (d <= end && out.length < 31) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

// What the console's parts share: sending a moderator request and saying how it went, and times.
import type { RefObject } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import { applyStaffAck } from '../qa/state';
import type { ModMessages } from './i18n';
import { errorWords, type RoomFeed } from './use-room';

export interface Outcome {
  ok: boolean;
  text: string;
}

/**
 * `act(body)` sends a request for the room (room added), applies a staff ack (question or poll)
 * at once, and keeps the last failure for the part's status line. Resolves whether it worked.
 * An action often takes its own button away (an approved question leaves Pending): the focus
 * then goes to `fallback` (the part's heading) rather than to the page's start.
 */
export function useAct(feed: RoomFeed, m: ModMessages, fallback?: RefObject<HTMLElement | null>) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const act = useCallback(
    async (body: Record<string, unknown>): Promise<Record<string, unknown> | null> => {
      setBusy(true);
      setOutcome(null);
      try {
        const result = await feed.client.call({ room: feed.ref, ...body });
        feed.client.updateQa(feed.ref, (s) => applyStaffAck(s, result));
        requestAnimationFrame(() => {
          const focused = document.activeElement;
          if (fallback?.current && (!focused || focused === document.body || !focused.isConnected)) fallback.current.focus();
        });
        return result;
      } catch (e) {
        setOutcome({ ok: false, text: m.failed(errorWords(m.errors, e)) });
        return null;
      } finally {
        setBusy(false);
      }
    },
    [feed.client, feed.ref, m, fallback],
  );
  return { busy, outcome, act, setOutcome };
}

export function Status({ outcome, testid }: { outcome: Outcome | null; testid?: string }) {
  return (
    <p class={`mod-status${outcome && !outcome.ok ? ' mod-status--error' : ''}`} role="status" data-testid={testid}>
      {outcome?.text ?? ''}
    </p>
  );
}

export function formatTime(ms: number | null, locale: string): string {
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return '';
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return new Intl.DateTimeFormat(locale, today ? { timeStyle: 'short' } : { dateStyle: 'short', timeStyle: 'short' }).format(d);
}

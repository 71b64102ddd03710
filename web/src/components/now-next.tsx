// "Now and next" per room, above the program: GET /api/v1/events/{event}/now at load and every
// minute, and the `now_next` events the chat connection pushes at session boundaries. Rooms
// with nothing now and nothing next are left out; nothing shows when no room has either (or the
// server has no such route).
import { useEffect, useState } from 'preact/hooks';
import type { ConferenceEvent, Session } from '../api';
import { formatDayTab, formatTimeInZone } from '../format';
import { langIf, pick, type Lang, type Messages } from '../i18n';
import { getNowNext, type NowNextRoom } from '../org-api';
import type { ChatClient } from '../ws';

const REFRESH_MS = 60_000;

interface Props {
  event: ConferenceEvent;
  lang: Lang;
  locale: string;
  t: Messages;
  client: ChatClient | null;
  /** The zone the program shows its times in. */
  zone: string;
}

function isRoom(v: unknown): v is NowNextRoom {
  return typeof (v as NowNextRoom)?.room === 'string';
}

export function NowNext({ event, lang, locale, t, client, zone }: Props) {
  const [rooms, setRooms] = useState<NowNextRoom[] | null>(null);
  // A server without the live program (no `version` in the event) has no now/next either.
  const live = event.version !== undefined;
  useEffect(() => {
    if (!live) return;
    const controller = new AbortController();
    const load = () =>
      getNowNext(event.id, controller.signal).then(
        (r) => setRooms(r.filter(isRoom)),
        () => undefined,
      );
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [event.id, event.version, live]);
  useEffect(() => {
    if (!client) return;
    let last = client.nowNext;
    return client.subscribe(() => {
      if (client.nowNext && client.nowNext !== last) {
        last = client.nowNext;
        setRooms(client.nowNext.filter(isRoom));
      }
    });
  }, [client]);

  const shown = (rooms ?? []).filter((r) => r.now || r.next);
  if (shown.length === 0) return null;
  const byId = new Map(event.rooms.map((r) => [r.id, r]));
  const eventZone = event.timezone ?? 'Europe/Stockholm';
  // Before the event day (a page opened weeks ahead) "next" needs its day, not only its time.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: eventZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const when = (s: Session) => {
    const range = t.timeRange(formatTimeInZone(s.day, s.starts_at, locale, eventZone, zone), formatTimeInZone(s.day, s.ends_at, locale, eventZone, zone));
    return s.day && s.day !== today ? `${formatDayTab(s.day, locale)} ${range}` : range;
  };
  // Nothing on now in any room (before or between the days): no row of "nothing now" per room.
  const anyNow = shown.some((r) => r.now);
  const line = (label: string, s: Session | null, kind: 'now' | 'next') => {
    const title = s ? pick(s.title, lang) : null;
    return (
      <p class={`now-next-line now-next-line--${kind}`} data-testid={`now-next-${kind}`}>
        <span class="now-next-label">{label}</span>{' '}
        {s && title ? (
          <>
            <span lang={langIf(title.lang, lang)} data-testid="now-next-title">{title.text}</span>{' '}
            <time class="now-next-time">{when(s)}</time>
          </>
        ) : (
          <span class="now-next-none">{t.org.nothingNow}</span>
        )}
      </p>
    );
  };
  return (
    <section class="now-next" aria-labelledby="now-next-heading" data-testid="now-next">
      <h3 id="now-next-heading" class="now-next-heading">{t.org.nowNext}</h3>
      <ul class="now-next-rooms">
        {shown.map((r) => {
          const name = pick(byId.get(r.room)?.name, lang);
          return (
            <li key={r.room} class="now-next-room" data-testid="now-next-room" data-room-id={r.room}>
              <span class="now-next-room-name" lang={langIf(name.lang, lang)}>{name.text || r.room}</span>
              {anyNow && line(t.org.now, r.now, 'now')}
              {r.next && line(t.org.next, r.next, 'next')}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

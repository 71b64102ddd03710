// The projector (#projector=ID): a full-screen, dark stage view for the hall, opened with a kiosk
// link that needs no sign-in. GET /api/v1/kiosk/{id} names the event and room; the page then
// says hello with {"kiosk": ID} (read-only, that room only) and joins the room. It shows the
// question being answered in large type, the next few by votes, the current and next session,
// the QR code to the room's Q&A with its short address, and an open poll with its results when
// the audience may see them. A revoked link (410, or close 4011) shows a full-screen notice.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getEvent, type ConferenceEvent, type Session } from '../api';
import { formatDayTab, formatTimeInZone } from '../format';
import { langIf, pick, type Lang } from '../i18n';
import { getNowNext, type NowNextRoom } from '../org-api';
import { audienceQuestions, currentPoll, pinnedQuestion, resultsVisible, shares, type P, type Q } from '../qa/state';
import { getKiosk, type KioskInfo } from '../moderate/http';
import { modCatalogs, type ModMessages } from '../moderate/i18n';
import { useRoom } from '../moderate/use-room';
import './projector.css';

const NEXT_SHOWN = 5;
const NOW_REFRESH_MS = 60_000;

type Loaded = { status: 'loading' } | { status: 'gone'; revoked: boolean } | { status: 'error' } | { status: 'ready'; kiosk: KioskInfo; event: ConferenceEvent };

export function Projector({ id, lang }: { id: string; lang: Lang }) {
  const m = modCatalogs[lang];
  const [state, setState] = useState<Loaded>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    document.title = m.projector.title;
    document.documentElement.classList.add('projector-root');
    return () => document.documentElement.classList.remove('projector-root');
  }, [m]);
  useEffect(() => {
    const controller = new AbortController();
    getKiosk(id, controller.signal)
      .then(async (kiosk) => ({ kiosk, event: await getEvent(kiosk.event, controller.signal) }))
      .then(
        ({ kiosk, event }) => setState({ status: 'ready', kiosk, event }),
        (e: unknown) => {
          if (controller.signal.aborted) return;
          if (e instanceof ApiError && (e.code === 'kiosk_revoked' || e.code === 'kiosk_unknown')) {
            setState({ status: 'gone', revoked: e.code === 'kiosk_revoked' });
            return;
          }
          setState({ status: 'error' });
          // The hall's screen has nobody to press "retry": try again by itself.
          setTimeout(() => setAttempt((n) => n + 1), 5_000);
        },
      );
    return () => controller.abort();
  }, [id, attempt]);

  if (state.status === 'gone') return <Gone m={m} revoked={state.revoked} />;
  if (state.status !== 'ready') {
    return (
      <main class="projector projector--center" data-testid="projector-loading">
        <p class="projector-notice" role="status">{state.status === 'error' ? m.projector.offline : m.projector.loading}</p>
      </main>
    );
  }
  return <Stage id={id} kiosk={state.kiosk} event={state.event} lang={lang} m={m} />;
}

function Gone({ m, revoked }: { m: ModMessages; revoked: boolean }) {
  return (
    <main class="projector projector--center" data-testid={revoked ? 'projector-revoked' : 'projector-unknown'}>
      <div class="projector-gone" role="alert">
        <h1>{revoked ? m.projector.revokedTitle : m.projector.unknownTitle}</h1>
        <p>{revoked ? m.projector.revokedText : m.projector.unknownText}</p>
      </div>
    </main>
  );
}

function Stage({ id, kiosk, event, lang, m }: { id: string; kiosk: KioskInfo; event: ConferenceEvent; lang: Lang; m: ModMessages }) {
  const feed = useRoom(kiosk.event, kiosk.room, { kiosk: id });
  const { client, qa } = feed;
  const nowNext = useNowNext(event, client.nowNext);
  if (client.fatal && (client.fatal.code === 'kiosk_revoked' || client.fatal.code === 'kiosk_unknown')) {
    return <Gone m={m} revoked={client.fatal.code === 'kiosk_revoked'} />;
  }
  const room = event.rooms.find((r) => r.id === kiosk.room);
  const roomName = pick(room?.name, lang);
  const title = pick(event.title, lang);
  const pinned = qa ? pinnedQuestion(qa) : null;
  const next = qa ? audienceQuestions(qa, 'votes').open.slice(0, NEXT_SHOWN) : [];
  const poll = qa ? currentPoll(qa) : null;
  const here = nowNext.find((r) => r.room === kiosk.room);
  const zone = event.timezone ?? 'Europe/Stockholm';
  const shortUrl = kiosk.qa_url.replace(/^https?:\/\//, '');
  // Not at the first connect: only when a connection was lost.
  const offline = client.state === 'reconnecting' || client.state === 'offline';

  return (
    <main class="projector" data-testid="projector" data-state={client.state}>
      <header class="projector-head">
        <h1 class="projector-room" lang={langIf(roomName.lang, lang)}>{roomName.text || kiosk.room}</h1>
        <p class="projector-event" lang={langIf(title.lang, lang)}>{title.text}</p>
        {offline && <p class="projector-offline" role="status" data-testid="projector-offline">{m.projector.offline}</p>}
      </header>
      <section class="projector-main" aria-label={m.projector.nowAnswering}>
        <div class="projector-current" data-testid="projector-current" data-qid={pinned?.id ?? ''}>
          {pinned ? (
            <>
              <p class="projector-label">{m.projector.nowAnswering}</p>
              <p class="projector-question">{pinned.text}</p>
              <Byline q={pinned} m={m} />
            </>
          ) : (
            <p class="projector-question projector-question--idle">{m.projector.noQuestions}</p>
          )}
        </div>
        {poll ? (
          <PollView p={poll} m={m} />
        ) : (
          next.length > 0 && (
            <div class="projector-next" data-testid="projector-next">
              <h2 class="projector-label">{m.projector.next}</h2>
              <ol>
                {next.map((q) => (
                  <li key={q.id} data-testid="projector-next-item" data-qid={q.id}>
                    <span class="projector-votes" aria-label={m.projector.votes(q.votes)}>{q.votes}</span>
                    <span class="projector-next-text">{q.text}</span>
                  </li>
                ))}
              </ol>
            </div>
          )
        )}
      </section>
      <aside class="projector-side">
        <figure class="projector-qr" data-testid="projector-qr">
          <img src={kiosk.qr} alt={m.projector.qrAlt} />
          <figcaption>
            <span class="projector-scan">{m.projector.scan}</span>
            <span class="projector-url">{shortUrl}</span>
          </figcaption>
        </figure>
        {here && (here.now || here.next) && (
          <div class="projector-sessions" data-testid="projector-sessions">
            {here.now && <SessionLine label={m.projector.now} s={here.now} lang={lang} zone={zone} />}
            {here.next && <SessionLine label={m.projector.nextSession} s={here.next} lang={lang} zone={zone} />}
          </div>
        )}
        {poll && next.length > 0 && (
          <div class="projector-next projector-next--side" data-testid="projector-next">
            <h2 class="projector-label">{m.projector.next}</h2>
            <ol>
              {next.slice(0, 3).map((q) => (
                <li key={q.id} data-testid="projector-next-item" data-qid={q.id}>
                  <span class="projector-votes" aria-label={m.projector.votes(q.votes)}>{q.votes}</span>
                  <span class="projector-next-text">{q.text}</span>
                </li>
              ))}
            </ol>
          </div>
        )}
      </aside>
    </main>
  );
}

function Byline({ q, m }: { q: Q; m: ModMessages }) {
  const parts = [q.author?.name, q.source === 'hall' ? m.fromHall : null, m.projector.votes(q.votes)].filter(Boolean);
  return <p class="projector-byline">{parts.join(' · ')}</p>;
}

function PollView({ p, m }: { p: P; m: ModMessages }) {
  const visible = resultsVisible(p);
  const share = shares(p);
  return (
    <div class="projector-poll" data-testid="projector-poll" data-poll-id={p.id}>
      <p class="projector-label">{m.projector.poll}</p>
      <p class="projector-poll-text">{p.text}</p>
      <ul>
        {p.options.map((o, i) => (
          <li key={i} class="projector-option">
            <span class="projector-option-text">{o.text}</span>
            {visible && <span class="projector-option-count">{Math.round((share[i] ?? 0) * 100)} %</span>}
            {visible && (
              <span class="projector-bar" aria-hidden="true">
                <span style={{ width: `${Math.round((share[i] ?? 0) * 100)}%` }} />
              </span>
            )}
          </li>
        ))}
      </ul>
      <p class="projector-byline">{visible && p.voters !== null ? m.projector.voters(p.voters) : m.projector.resultsHidden}</p>
    </div>
  );
}

function SessionLine({ label, s, lang, zone }: { label: string; s: Session; lang: Lang; zone: string }) {
  const title = pick(s.title, lang);
  const locale = lang === 'sv' ? 'sv-SE' : lang === 'fi' ? 'fi-FI' : 'en-GB';
  // Before the session's day (a screen tested the day before) the time needs its day.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const range = `${formatTimeInZone(s.day, s.starts_at, locale, zone, zone)}–${formatTimeInZone(s.day, s.ends_at, locale, zone, zone)}`;
  const time = s.day && s.day !== today ? `${formatDayTab(s.day, locale)} ${range}` : range;
  return (
    <p class="projector-session">
      <span class="projector-session-label">{label}</span>
      <span class="projector-session-time">{time}</span>
      <span class="projector-session-title" lang={langIf(title.lang, lang)}>{title.text}</span>
    </p>
  );
}

/** Now and next per room: GET …/now at start and every minute, and the socket's now_next events. */
function useNowNext(event: ConferenceEvent, pushed: unknown[] | null): NowNextRoom[] {
  const [rooms, setRooms] = useState<NowNextRoom[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    const load = () => getNowNext(event.id, controller.signal).then(setRooms, () => undefined);
    void load();
    const timer = setInterval(load, NOW_REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [event.id]);
  useEffect(() => {
    if (pushed) setRooms(pushed.filter((r): r is NowNextRoom => typeof (r as NowNextRoom)?.room === 'string'));
  }, [pushed]);
  return rooms;
}

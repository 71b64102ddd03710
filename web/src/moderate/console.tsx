// The moderator console (#moderate/EVENT/ROOM): one room's questions, polls, chat moderation,
// projector links and exports, live over the room's WebSocket (ws.ts; state in qa/state.ts).
// A moderator comes signed in (the staff session's cookie signs the hello) or with a moderator
// token kept for the event (a join link, identity.ts). Phone first: one section at a time under
// a tab bar; from 64rem the questions stay on the left and the other sections share the right.
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { getEvent, type ConferenceEvent } from '../api';
import { initialIdentity } from '../identity';
import { langIf, pick, type Lang, type Messages } from '../i18n';
import { eventHref } from '../route';
import { StaffContext, staffRole } from '../staff';
import { canModerate, type Credentials } from '../ws';
import { LoadState, useLoad } from '../components/console/common';
import { ChatModeration } from './chat-mod';
import { modCatalogs } from './i18n';
import { Polls } from './polls';
import { ProjectorAdmin } from './projector-admin';
import { Queue } from './queue';
import { useRoom } from './use-room';
import './mod.css';

interface Props {
  event: string;
  room: string;
  lang: Lang;
  locale: string;
  t: Messages;
}

type Section = 'questions' | 'polls' | 'chat' | 'projector';
const SECTIONS: Section[] = ['questions', 'polls', 'chat', 'projector'];
const WIDE = '(min-width: 64rem)';

function useWide(): boolean {
  const [wide, setWide] = useState(() => matchMedia(WIDE).matches);
  useEffect(() => {
    const list = matchMedia(WIDE);
    const on = () => setWide(list.matches);
    list.addEventListener('change', on);
    return () => list.removeEventListener('change', on);
  }, []);
  return wide;
}

export function ModeratorConsole({ event, room, lang, locale, t }: Props) {
  const m = modCatalogs[lang];
  const staff = useContext(StaffContext);
  const [loaded, reload] = useLoad((signal) => getEvent(event, signal), [event]);
  // A moderator token kept for the event comes first; else the signed-in account's role.
  const credentials = useMemo((): { creds: Credentials; token: string | null } | null => {
    const id = initialIdentity(event);
    if (id?.token && canModerate(id.role)) return { creds: { token: id.token }, token: id.token };
    const role = staffRole(staff.account, event);
    if (role === 'moderator' || role === 'organizer') return { creds: { session: true }, token: null };
    return null;
  }, [event, staff.account]);

  if (staff.loading) {
    return (
      <div class="state state--loading" role="status">
        <span class="spinner" aria-hidden="true" />
        <span>{t.loading}</span>
      </div>
    );
  }
  if (!credentials) {
    return (
      <section class="panel panel--narrow" data-testid="mod-signed-out">
        <h1 class="panel-title">{m.title}</h1>
        <p>{staff.account ? m.notModerator : m.signInNeeded}</p>
        {!staff.account && <a class="button" href="#sign-in">{t.org.signInButton}</a>}
      </section>
    );
  }
  return (
    <LoadState state={loaded} t={t} retry={reload}>
      {(ev: ConferenceEvent) => {
        const r = ev.rooms.find((x) => x.id === room);
        if (!r) {
          return (
            <section class="panel panel--narrow" data-testid="mod-no-room">
              <h1 class="panel-title">{m.title}</h1>
              <p>{m.noSuchRoom}</p>
            </section>
          );
        }
        return (
          <Live
            key={`${event}/${room}`}
            ev={ev}
            room={room}
            roomName={pick(r.name, lang).text || room}
            credentials={credentials.creds}
            token={credentials.token}
            organizer={staffRole(staff.account, event) === 'organizer'}
            lang={lang}
            locale={locale}
            t={t}
          />
        );
      }}
    </LoadState>
  );
}

interface LiveProps {
  ev: ConferenceEvent;
  room: string;
  roomName: string;
  credentials: Credentials;
  token: string | null;
  organizer: boolean;
  lang: Lang;
  locale: string;
  t: Messages;
}

function Live({ ev, room, roomName, credentials, token, organizer, lang, locale, t }: LiveProps) {
  const m = modCatalogs[lang];
  const feed = useRoom(ev.id, room, credentials);
  const { client, qa } = feed;
  const wide = useWide();
  const [section, setSection] = useState<Section>('questions');
  const [side, setSide] = useState<Exclude<Section, 'questions'>>('chat');
  const title = pick(ev.title, lang);
  useEffect(() => {
    document.title = t.documentTitle(m.documentTitle(roomName));
  }, [roomName, m, t]);
  const roleOk = client.user === null || canModerate(client.user.role);

  const body = (s: Section) => {
    if (!qa) return null;
    switch (s) {
      case 'questions':
        return <Queue feed={feed} qa={qa} m={m} locale={locale} />;
      case 'polls':
        return <Polls feed={feed} qa={qa} m={m} />;
      case 'chat':
        return <ChatModeration feed={feed} qa={qa} m={m} locale={locale} />;
      case 'projector':
        return <ProjectorAdmin event={ev.id} room={room} token={token} organizer={organizer} m={m} locale={locale} />;
    }
  };
  const tabs = (list: Section[], current: Section, choose: (s: Section) => void) => (
    <nav class="mod-tabs" aria-label={m.sectionsLabel}>
      <ul>
        {list.map((s) => (
          <li key={s}>
            <button type="button" class="mod-tab" aria-pressed={s === current} onClick={() => choose(s)} data-testid={`mod-section-${s}`}>
              {m.sections[s]}
              {s === 'questions' && qa && <Count n={Object.values(qa.questions).filter((q) => q.status === 'pending').length} />}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );

  return (
    <div class="mod" data-testid="mod-console" data-event-id={ev.id} data-room-id={room}>
      <header class="mod-head">
        <div>
          <h1 class="mod-title">{m.title}: {roomName}</h1>
          <p class="mod-dim">
            <a href={eventHref(ev.id)} lang={langIf(title.lang, lang)}>{title.text}</a>
          </p>
        </div>
        <span class={`conn conn--${client.state}`} role="status" data-testid="mod-connection" data-state={client.state}>
          <span class="conn-dot" aria-hidden="true" />
          {m.connection[client.state]}
        </span>
      </header>
      {client.fatal && (
        <div class="mod-card mod-fatal" role="alert" data-testid="mod-fatal">
          <p>{m.refused(client.fatal.message || client.fatal.code)}</p>
          <button type="button" class="button button--small" onClick={feed.reconnect}>{m.reconnect}</button>
        </div>
      )}
      {!roleOk && <p class="mod-card" role="alert">{m.notModerator}</p>}
      {roleOk && !qa && !client.fatal && (
        <div class="state state--loading" role="status">
          <span class="spinner" aria-hidden="true" />
          <span>{m.connection[client.state === 'connected' ? 'connecting' : client.state]}</span>
        </div>
      )}
      {roleOk && qa && wide && (
        <div class="mod-grid">
          <div class="mod-col">{body('questions')}</div>
          <div class="mod-col">
            {tabs(['chat', 'polls', 'projector'], side, (s) => setSide(s as Exclude<Section, 'questions'>))}
            {body(side)}
          </div>
        </div>
      )}
      {roleOk && qa && !wide && (
        <>
          {tabs(SECTIONS, section, setSection)}
          {body(section)}
        </>
      )}
    </div>
  );
}

function Count({ n }: { n: number }) {
  return n > 0 ? <span class="mod-count">{n}</span> : null;
}

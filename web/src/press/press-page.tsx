// The press page (#press=GRANT, the link in the approval e-mail): GET /api/v1/press/me with the
// grant as Bearer; the gated streams (the stage player with the grant's playlist and this
// browser's device id; a refused playlist says why), the press room's chat (hello with the grant;
// close 4012 = revoked, no reconnect), the program, the press contacts and interview requests
// (refreshed every 15 s). Every refusal of /me gets a page of its own in the reader's language.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { getEvent, type ConferenceEvent, type Room, type Stage } from '../api';
import { langIf, pick, type Lang, type Messages } from '../i18n';
import { RequestError } from '../org-api';
import { ChatSession } from '../components/chat-session';
import { Program } from '../components/program';
import { StagePlayer } from '../components/stage-player';
import type { Identity } from '../identity';
import type { ChatError } from '../ws';
import {
  deviceId,
  errorContacts,
  eventOfGrant,
  getAccreditationInfo,
  getPressMe,
  playlistRefusal,
  pressPlaylist,
  requestInterview,
  respondInterview,
  type Contact,
  type Interview,
  type PressMe,
  type PressStage,
} from './api';
import { Contacts, failure, Loading, when } from './common';
import { pressCatalogs, type PressMessages } from './i18n';
import { InterviewFacts } from './office';
import './press.css';

const REFRESH_MS = 15_000;

/** The stage's state for the player; one the page does not know ("unknown": no status board) is tried as standby. */
const shownState = (s: PressStage): Stage['state'] => (s.state === 'live' || s.state === 'offline' || s.state === 'standby' ? s.state : 'standby');

type Load =
  | { status: 'loading' }
  | { status: 'refused'; code: string; contacts: Contact[]; error: unknown }
  | { status: 'ready'; me: PressMe };

interface Props {
  grant: string;
  lang: Lang;
  locale: string;
  t: Messages;
}

export function PressPage({ grant, lang, locale, t }: Props) {
  const p = pressCatalogs[lang];
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // The grant out of the address bar's history entry would lose it on reload: it stays (it is the
  // person's own link), but the page is never indexed or shared from here.
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller = new AbortController();
    const run = () => {
      controller = new AbortController();
      getPressMe(grant, controller.signal).then(
        (me) => {
          if (stopped) return;
          setLoad({ status: 'ready', me });
          timer = setTimeout(tick, REFRESH_MS);
        },
        (error: unknown) => {
          if (stopped || controller.signal.aborted) return;
          if (error instanceof RequestError && error.code) {
            setLoad({ status: 'refused', code: error.code, contacts: errorContacts(error), error });
            return; // a refusal is final
          }
          // Unreachable: keep what is shown, try again later; the first load says so.
          setLoad((l) => (l.status === 'ready' ? l : { status: 'refused', code: '', contacts: [], error }));
          timer = setTimeout(tick, REFRESH_MS);
        },
      );
    };
    const tick = () => {
      if (document.visibilityState === 'visible') run();
      else timer = setTimeout(tick, REFRESH_MS);
    };
    run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
    };
  }, [grant, attempt]);
  useEffect(() => {
    document.title = p.pressTitle;
  }, [p]);
  // A refusal without contacts: the event's press contacts, when the token names its event.
  const refusedCode = load.status === 'refused' ? load.code : '';
  const refusedContacts = load.status === 'refused' ? load.contacts.length : -1;
  useEffect(() => {
    if (!refusedCode || refusedContacts !== 0) return;
    const event = eventOfGrant(grant);
    if (!event) return;
    const c = new AbortController();
    getAccreditationInfo(event, c.signal).then(
      (info) => {
        if (info.contacts.length) setLoad((l) => (l.status === 'refused' && l.contacts.length === 0 ? { ...l, contacts: info.contacts } : l));
      },
      () => undefined,
    );
    return () => c.abort();
  }, [refusedCode, refusedContacts, grant]);

  if (load.status === 'loading') return <Loading p={p} />;
  if (load.status === 'refused') {
    const known = p.refusals[load.code];
    return (
      <section class="panel panel--narrow press-page" aria-labelledby="press-refused-title" data-testid="press-refused" data-code={load.code}>
        <h1 id="press-refused-title" class="panel-title">{p.refusedTitle}</h1>
        <p role="alert" data-testid="press-refused-text">{known ?? (load.code ? p.refusedOther : failure(p, load.error))}</p>
        {!load.code && <button type="button" class="button" onClick={() => setAttempt((n) => n + 1)}>{p.retry}</button>}
        {load.contacts.length > 0 && (
          <>
            <p>{p.contactUs}</p>
            <Contacts contacts={load.contacts} p={p} />
          </>
        )}
      </section>
    );
  }
  return <Ready me={load.me} grant={grant} lang={lang} locale={locale} t={t} p={p} onChanged={() => setAttempt((n) => n + 1)} />;
}

interface ReadyProps {
  me: PressMe;
  grant: string;
  lang: Lang;
  locale: string;
  t: Messages;
  p: PressMessages;
  onChanged: () => void;
}

function Ready({ me, grant, lang, locale, t, p, onChanged }: ReadyProps) {
  const zone = me.event.timezone;
  const title = pick(me.event.title, lang);
  const now = Date.now() / 1000;
  const notYet = me.grant.state === 'not_yet_valid' || me.grant.valid_from > now;
  const [interviews, setInterviews] = useState<Interview[]>(me.interviews);
  useEffect(() => setInterviews(me.interviews), [me.interviews]);
  return (
    <div class="press-page press-room" data-testid="press-page" data-grant-state={me.grant.state}>
      <header class="press-room-head">
        <p class="press-dim" lang={langIf(title.lang, lang)}>{title.text}</p>
        <h1 class="panel-title" data-testid="press-welcome">{p.welcome(me.grant.outlet ? `${me.grant.name} (${me.grant.outlet})` : me.grant.name)}</h1>
        <p data-testid="press-validity">
          {notYet ? p.notYetValid(when(me.grant.valid_from, locale, zone)) : p.validUntil(when(me.grant.valid_until, locale, zone))}
        </p>
      </header>
      <div class="press-room-grid">
        <div class="press-room-main">
          <Streams stages={me.stages} notYet={notYet} lang={lang} locale={locale} zone={zone} t={t} p={p} />
          <PressChat me={me} grant={grant} notYet={notYet} lang={lang} locale={locale} t={t} p={p} />
          <PressProgram event={me.event.id} lang={lang} locale={locale} t={t} p={p} />
        </div>
        <aside class="press-room-side">
          <InterviewRequests me={me} grant={grant} interviews={interviews} setInterviews={setInterviews} locale={locale} lang={lang} p={p} onChanged={onChanged} />
          <Contacts contacts={me.contacts} p={p} />
        </aside>
      </div>
    </div>
  );
}

function Streams({ stages, notYet, lang, locale, zone, t, p }: { stages: PressStage[]; notYet: boolean; lang: Lang; locale: string; zone: string | undefined; t: Messages; p: PressMessages }) {
  const device = useMemo(deviceId, []);
  const first = stages.find((s) => s.state === 'live') ?? stages[0];
  const [chosen, setChosen] = useState<string | null>(first?.id ?? null);
  const stage = stages.find((s) => s.id === chosen) ?? first;
  const check = useCallback((url: string) => playlistRefusal(url), []);
  const text = useCallback((code: string) => p.playerRefused[code] ?? p.playerRefusedOther(code), [p]);
  return (
    <section class="press-section" aria-labelledby="press-streams-title" data-testid="press-streams">
      <h2 id="press-streams-title" class="press-h">{p.streamsTitle}</h2>
      {stages.length === 0 && <p class="press-dim">{p.noStreams}</p>}
      {stages.length > 1 && (
        <ul class="press-stage-list">
          {stages.map((s) => {
            const name = pick(s.name, lang);
            return (
              <li key={s.id}>
                <button type="button" class="button button--secondary button--small" aria-pressed={s.id === stage?.id} onClick={() => setChosen(s.id)} data-testid="press-stage" data-stage-id={s.id} data-state={s.state}>
                  <span lang={langIf(name.lang, lang)}>{name.text || s.id}</span> · {t.stageState[shownState(s)]}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {stage && !notYet && (
        <>
          <StagePlayer
            key={stage.id}
            stage={{ id: stage.id, name: stage.name, room: stage.room, state: shownState(stage), hls: stage.hls } as Stage}
            lang={lang}
            t={t}
            gate={{ url: pressPlaylist(stage, device), check, text, again: p.playAgain }}
          />
          {stage.visibility === 'press' && stage.public_at ? (
            <p class="press-dim" data-testid="press-embargo">{p.embargoUntil(when(typeof stage.public_at === 'number' ? stage.public_at : Date.parse(stage.public_at) / 1000, locale, zone))}</p>
          ) : null}
        </>
      )}
    </section>
  );
}

function PressChat({ me, grant, notYet, lang, locale, t, p }: { me: PressMe; grant: string; notYet: boolean; lang: Lang; locale: string; t: Messages; p: PressMessages }) {
  const [ended, setEnded] = useState<ChatError | null>(null);
  const [generation, setGeneration] = useState(0);
  // The chat's event: the rooms the grant may join now, the press room first.
  const rooms = useMemo(() => [...me.rooms].sort((a, b) => (a.kind === 'press' ? -1 : b.kind === 'press' ? 1 : 0)), [me.rooms]);
  const roomKey = rooms.map((r) => r.id).join(',');
  const event = useMemo(
    (): ConferenceEvent => ({
      id: me.event.id,
      title: me.event.title,
      days: me.event.days,
      ...(me.event.timezone ? { timezone: me.event.timezone } : {}),
      rooms: rooms.map((r, i): Room => ({ id: r.id, kind: r.kind as Room['kind'], name: r.name, position: i })),
      sessions: [],
    }),
    [me.event.id, roomKey],
  );
  const identity = useMemo((): Identity => ({ event: me.event.id, name: me.grant.name, role: 'press', grant }), [me.event.id, me.grant.name, grant, generation]);
  const onSignOut = useCallback((why: ChatError | null) => setEnded(why ?? { code: 'left', message: '' }), []);
  const noop = useCallback(() => undefined, []);
  return (
    <section class="press-section press-chat" aria-labelledby="press-chat-title" data-testid="press-chat">
      {rooms.length === 0 || notYet ? (
        <>
          <h2 id="press-chat-title" class="press-h">{p.chatTitle}</h2>
          <p class="press-dim">{p.noRooms}</p>
        </>
      ) : ended ? (
        <>
          <h2 id="press-chat-title" class="press-h">{p.chatTitle}</h2>
          <p role="alert" data-testid="press-chat-ended" data-code={ended.code}>
            {ended.code === 'grant_revoked' ? p.chatRevoked : ended.code === 'left' ? '' : p.chatRefused(t.chatErrors[ended.code as keyof Messages['chatErrors']] ?? ended.code)}
          </p>
          {ended.code !== 'grant_revoked' && (
            <button
              type="button"
              class="button button--secondary button--small"
              onClick={() => {
                setEnded(null);
                setGeneration((g) => g + 1);
              }}
              data-testid="press-chat-again"
            >
              {p.retry}
            </button>
          )}
        </>
      ) : (
        <ChatSession
          key={generation}
          heading={<h2 id="press-chat-title" class="press-h">{p.chatTitle}</h2>}
          event={event}
          identity={identity}
          lang={lang}
          locale={locale}
          t={t}
          visible
          onUnread={noop}
          onSignOut={onSignOut}
          onClient={noop}
          request={rooms[0] ? { room: rooms[0].id, n: 0 } : null}
          onRoom={noop}
          noSignOut
        />
      )}
    </section>
  );
}

function PressProgram({ event, lang, locale, t, p }: { event: string; lang: Lang; locale: string; t: Messages; p: PressMessages }) {
  const [ev, setEv] = useState<ConferenceEvent | null>(null);
  useEffect(() => {
    const c = new AbortController();
    getEvent(event, c.signal).then(setEv, () => undefined);
    return () => c.abort();
  }, [event]);
  if (!ev) return null;
  return (
    <section class="press-section press-program" aria-label={p.programTitle} data-testid="press-program">
      <Program event={ev} lang={lang} locale={locale} t={t} />
    </section>
  );
}

interface InterviewProps {
  me: PressMe;
  grant: string;
  interviews: Interview[];
  setInterviews: (f: (l: Interview[]) => Interview[]) => void;
  locale: string;
  lang: Lang;
  p: PressMessages;
  onChanged: () => void;
}

function InterviewRequests({ me, grant, interviews, setInterviews, locale, lang, p }: InterviewProps) {
  const [speaker, setSpeaker] = useState('');
  const [session, setSession] = useState('');
  const [wanted, setWanted] = useState('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const sessions = me.speakers.find((s) => s.name === speaker)?.sessions ?? [];
  const submit = async (e: Event) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!speaker) found['speaker'] = p.required;
    if (!wanted.trim()) found['wanted'] = p.required;
    setErrors(found);
    setStatus(null);
    const bad = ['speaker', 'wanted'].find((k) => found[k]);
    if (bad) {
      document.getElementById(`iv-${bad}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const iv = await requestInterview(grant, { speaker, ...(session ? { session_id: session } : {}), wanted: wanted.trim(), ...(note.trim() ? { note: note.trim() } : {}) });
      setInterviews((l) => [...l.filter((x) => x.id !== iv.id), iv]);
      setStatus({ text: p.requested, ok: true });
      setSpeaker('');
      setSession('');
      setWanted('');
      setNote('');
    } catch (err) {
      const fields: Record<string, string> = {};
      if (err instanceof RequestError) for (const f of err.fields) fields[f.field] = f.message;
      setErrors(fields);
      setStatus({ text: failure(p, err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  const respond = async (id: string, answer: 'accept' | 'decline' | 'cancel') => {
    try {
      const iv = await respondInterview(grant, id, answer);
      setInterviews((l) => l.map((x) => (x.id === id ? iv : x)));
    } catch (err) {
      setStatus({ text: failure(p, err), ok: false });
    }
  };
  const err = (k: string) => (errors[k] ? <span id={`iv-${k}-error`} class="form-error">{errors[k]}</span> : null);
  return (
    <section class="press-section" aria-labelledby="press-interviews-title" data-testid="press-interviews">
      <h2 id="press-interviews-title" class="press-h">{p.interviewsTitle}</h2>
      <p class="press-dim">{p.interviewIntro}</p>
      <form class="form press-interview-form" onSubmit={submit} noValidate data-testid="interview-form">
        <div class="field">
          <label for="iv-speaker">{p.speakerLabel}</label>
          <select id="iv-speaker" value={speaker} onChange={(e) => { setSpeaker(e.currentTarget.value); setSession(''); }} aria-invalid={errors['speaker'] ? true : undefined} aria-describedby={errors['speaker'] ? 'iv-speaker-error' : undefined} data-testid="interview-speaker">
            <option value="">{p.chooseSpeaker}</option>
            {me.speakers.map((s) => {
              const aff = pick(s.affiliation, lang).text;
              return <option key={s.name} value={s.name}>{aff ? `${s.name}, ${aff}` : s.name}</option>;
            })}
          </select>
          {err('speaker')}
        </div>
        {sessions.length > 0 && (
          <div class="field">
            <label for="iv-session">{p.sessionOptional}</label>
            <select id="iv-session" value={session} onChange={(e) => setSession(e.currentTarget.value)} data-testid="interview-session">
              <option value="">{p.noSession}</option>
              {sessions.map((s) => <option key={s.id} value={s.id}>{`${s.starts_at}–${s.ends_at} ${pick(s.title, lang).text}`}</option>)}
            </select>
          </div>
        )}
        <div class="field">
          <label for="iv-wanted">{p.wantedLabel}</label>
          <input id="iv-wanted" maxLength={200} value={wanted} onInput={(e) => setWanted(e.currentTarget.value)} aria-invalid={errors['wanted'] ? true : undefined} aria-describedby={['iv-wanted-hint', errors['wanted'] ? 'iv-wanted-error' : ''].filter(Boolean).join(' ')} data-testid="interview-wanted" />
          <span id="iv-wanted-hint" class="field-hint">{p.wantedHint}</span>
          {err('wanted')}
        </div>
        <div class="field">
          <label for="iv-note">{p.noteOptional}</label>
          <textarea id="iv-note" rows={2} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} data-testid="interview-note" />
        </div>
        <div class="press-actions">
          <button type="submit" class="button" disabled={busy} data-testid="interview-submit">{p.requestButton}</button>
        </div>
        <p class={status && !status.ok ? 'form-error' : 'press-ok'} role="status" data-testid="interview-status">{status?.text ?? ''}</p>
      </form>
      <h3 class="press-h3">{p.yourRequests}</h3>
      {interviews.length === 0 && <p class="press-dim">{p.noRequests}</p>}
      <ul class="press-cards" data-testid="interview-list">
        {interviews.map((iv) => (
          <li key={iv.id}>
            <article class="press-card" aria-label={`${iv.speaker}: ${p.interviewStates[iv.state] ?? iv.state}`} data-testid="interview" data-id={iv.id} data-state={iv.state}>
              <header class="press-card-head">
                <h4 class="press-card-title">{iv.speaker}</h4>
                <span class={`press-state press-state--${iv.state}`} data-testid="interview-state">{p.interviewStates[iv.state] ?? iv.state}</span>
              </header>
              <InterviewFacts iv={{ ...iv, journalist: '' }} locale={locale} p={p} />
              <div class="press-actions">
                {iv.state === 'proposed' && (
                  <>
                    <button type="button" class="button button--small" onClick={() => void respond(iv.id, 'accept')} data-testid="interview-accept">{p.acceptProposal}</button>
                    <button type="button" class="button button--secondary button--small" onClick={() => void respond(iv.id, 'decline')} data-testid="interview-decline">{p.declineProposal}</button>
                  </>
                )}
                {(iv.state === 'requested' || iv.state === 'accepted') && (
                  <button type="button" class="button button--secondary button--small" onClick={() => void respond(iv.id, 'cancel')} data-testid="interview-cancel">{p.cancelRequest}</button>
                )}
              </div>
            </article>
          </li>
        ))}
      </ul>
    </section>
  );
}

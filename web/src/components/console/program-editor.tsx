// The console's Program tab: the rooms, the sessions day by day (create, edit, move to another
// day, time or room, cancel, restore, delete) and the published versions with what changed.
// Each save is one request that publishes a new program version (PATCH/POST/DELETE session,
// PUT event for the rooms); the attendees' pages mark the change without a reload.
import { useState } from 'preact/hooks';
import type { ConferenceEvent, LocalizedText, Room, RoomKind, Session, SessionKind, Speaker } from '../../api';
import { formatDayTab } from '../../format';
import { langIf, pick, type Lang, type Messages } from '../../i18n';
import { createSession, deleteSession, listVersions, patchSession, putEvent, RequestError, type ProgramVersion, type SessionFields } from '../../org-api';
import { failure, formatInstant, LoadState, useLoad } from './common';

interface Props {
  event: ConferenceEvent;
  lang: Lang;
  locale: string;
  t: Messages;
  /** Reloads the event after a change. */
  onChanged: () => void;
}

const KINDS: SessionKind[] = ['plenary', 'seminar', 'break', 'lunch', 'press'];
const LANGS = [
  ['sv', 'svenska'],
  ['en', 'English'],
  ['fi', 'suomi'],
] as const;

export function ProgramEditor({ event, lang, locale, t, onChanged }: Props) {
  const o = t.org;
  const [editing, setEditing] = useState<Session | 'new' | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [versions, reloadVersions] = useLoad((signal) => listVersions(event.id, signal), [event.id]);
  const rooms = new Map(event.rooms.map((r) => [r.id, r]));

  const run = async (what: () => Promise<void>) => {
    setStatus(null);
    try {
      await what();
      setStatus({ ok: true, text: o.saved });
      setEditing(null);
      onChanged();
      reloadVersions();
    } catch (e) {
      // program_invalid names each reason (an overlap, a day the event does not have).
      const why = e instanceof RequestError ? e.problems.map((p) => p.message).join('; ') : '';
      setStatus({ ok: false, text: why ? `${failure(t, e)} ${why}` : failure(t, e) });
    }
  };

  return (
    <div class="console-program">
      <p class="console-note">
        {event.version !== undefined && <strong data-testid="program-version">{o.publishedVersion(event.version)}. </strong>}
        {o.publishNote}
      </p>
      <p role="status" class={status?.ok === false ? 'form-error' : 'form-ok'} data-testid="program-status">
        {status?.text ?? ''}
      </p>
      <RoomsEditor event={event} lang={lang} t={t} onSave={(rooms) => run(() => putEvent({ ...event, rooms }))} />
      <section class="console-section" aria-labelledby="sessions-heading">
        <div class="console-section-head">
          <h2 id="sessions-heading">{o.sessions}</h2>
          <button type="button" class="button button--small" onClick={() => setEditing('new')} data-testid="new-session">
            {o.newSession}
          </button>
        </div>
        {editing && (
          <SessionForm
            key={editing === 'new' ? 'new' : editing.id}
            event={event}
            session={editing === 'new' ? null : editing}
            lang={lang}
            t={t}
            onCancel={() => setEditing(null)}
            onSave={(fields) =>
              run(() => (editing === 'new' ? createSession(event.id, fields) : patchSession(event.id, editing.id, fields)))
            }
          />
        )}
        {event.sessions.length === 0 && <p class="empty">{o.noSessionsYet}</p>}
        {event.days.map((day) => {
          const ofDay = event.sessions
            .filter((s) => s.day === day)
            .sort((a, b) => a.starts_at.localeCompare(b.starts_at) || (rooms.get(a.room_id)?.position ?? 0) - (rooms.get(b.room_id)?.position ?? 0));
          if (ofDay.length === 0) return null;
          return (
            <div class="table-wrap" key={day} tabIndex={0}>
              <table class="console-table" data-testid="sessions-table" data-day={day}>
                <caption>{formatDayTab(day, locale)}</caption>
                <thead>
                  <tr>
                    <th scope="col">{o.time}</th>
                    <th scope="col">{o.room}</th>
                    <th scope="col">{o.kind}</th>
                    <th scope="col">{o.titleIn(lang)}</th>
                    <th scope="col">{o.actions}</th>
                  </tr>
                </thead>
                <tbody>
                  {ofDay.map((s) => {
                    const title = pick(s.title, lang);
                    const room = pick(rooms.get(s.room_id)?.name, lang);
                    return (
                      <tr key={s.id} data-testid="session-row" data-session-id={s.id} class={s.cancelled ? 'row--cancelled' : undefined}>
                        <td class="nowrap">{t.timeRange(s.starts_at, s.ends_at)}</td>
                        <td lang={langIf(room.lang, lang)}>{room.text || s.room_id}</td>
                        <td>{t.sessionKind[s.kind] ?? s.kind}</td>
                        <th scope="row" lang={langIf(title.lang, lang)}>
                          {title.text}
                          {s.cancelled && <span class="mark mark--cancelled"> {o.cancelled}</span>}
                        </th>
                        <td class="row-actions">
                          <button type="button" class="button button--secondary button--small" onClick={() => setEditing(s)} aria-label={`${o.edit}: ${title.text}`} data-testid="edit-session">
                            {o.edit}
                          </button>
                          <button
                            type="button"
                            class="button button--secondary button--small"
                            onClick={() => run(() => patchSession(event.id, s.id, { cancelled: !s.cancelled }))}
                            aria-label={`${s.cancelled ? o.restoreSession : o.cancelSession}: ${title.text}`}
                            data-testid="cancel-session"
                          >
                            {s.cancelled ? o.restoreSession : o.cancelSession}
                          </button>
                          <button
                            type="button"
                            class="button button--danger button--small"
                            onClick={() => confirm(o.confirmDelete(title.text)) && run(() => deleteSession(event.id, s.id))}
                            aria-label={`${o.deleteSession}: ${title.text}`}
                            data-testid="delete-session"
                          >
                            {o.deleteSession}
                          </button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          );
        })}
      </section>
      <section class="console-section" aria-labelledby="versions-heading">
        <h2 id="versions-heading">{o.versions}</h2>
        <LoadState state={versions} t={t} retry={reloadVersions}>
          {(list: ProgramVersion[]) =>
            list.length === 0 ? (
              <p class="empty">{o.noVersions}</p>
            ) : (
              <ol class="versions" data-testid="versions">
                {[...list].sort((a, b) => b.version - a.version).map((v) => (
                  <li key={v.version} data-testid="version" data-version={v.version}>
                    <span class="version-line">{o.versionLine(v.version, formatInstant(v.published_at, locale, event.timezone), v.actor?.name ?? '')}</span>
                    {v.changes.length > 0 && (
                      <ul class="version-changes">
                        {v.changes.map((c, i) => {
                          const s = event.sessions.find((x) => x.id === c.session);
                          const name = pick(c.title ?? c.now?.title ?? c.was?.title ?? s?.title, lang).text || c.session;
                          return (
                            <li key={i}>
                              <span class={`mark mark--${c.change}`}>{o.change[c.change as keyof typeof o.change] ?? c.change}</span> {name}
                            </li>
                          );
                        })}
                      </ul>
                    )}
                  </li>
                ))}
              </ol>
            )
          }
        </LoadState>
      </section>
    </div>
  );
}

function RoomsEditor({ event, lang, t, onSave }: { event: ConferenceEvent; lang: Lang; t: Messages; onSave: (rooms: Room[]) => void }) {
  const o = t.org;
  const [rooms, setRooms] = useState<Room[]>(() => [...event.rooms].sort((a, b) => a.position - b.position));
  const dirty = JSON.stringify(rooms) !== JSON.stringify([...event.rooms].sort((a, b) => a.position - b.position));
  const update = (i: number, r: Partial<Room>) => setRooms(rooms.map((x, j) => (j === i ? { ...x, ...r } : x)));
  const add = () => {
    let n = rooms.length + 1;
    while (rooms.some((r) => r.id === `room-${n}`)) n++;
    setRooms([...rooms, { id: `room-${n}`, kind: 'seminar', name: {}, position: rooms.length }]);
  };
  return (
    <section class="console-section" aria-labelledby="rooms-heading">
      <h2 id="rooms-heading">{o.rooms}</h2>
      <div class="table-wrap" tabIndex={0}>
        <table class="console-table" data-testid="rooms-table">
          <thead>
            <tr>
              {LANGS.map(([l, name]) => (
                <th scope="col" key={l}>{`${o.roomName} (${name})`}</th>
              ))}
              <th scope="col">{o.roomKind}</th>
            </tr>
          </thead>
          <tbody>
            {rooms.map((r, i) => (
              <tr key={r.id}>
                {LANGS.map(([l, name]) => (
                  <td key={l}>
                    <input
                      class="cell-input"
                      aria-label={`${o.roomName} (${name}): ${pick(r.name, lang).text || r.id}`}
                      value={r.name[l] ?? ''}
                      onInput={(e) => update(i, { name: { ...r.name, [l]: e.currentTarget.value } })}
                    />
                  </td>
                ))}
                <td>
                  <select class="cell-input" aria-label={`${o.roomKind}: ${pick(r.name, lang).text || r.id}`} value={r.kind} onChange={(e) => update(i, { kind: e.currentTarget.value as RoomKind })}>
                    {(['main_stage', 'seminar', 'press'] as const).map((k) => (
                      <option key={k} value={k}>{o.roomKinds[k]}</option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="form-actions">
        <button type="button" class="button button--secondary button--small" onClick={add} data-testid="add-room">{o.addRoom}</button>
        {dirty && (
          <button type="button" class="button button--small" onClick={() => onSave(rooms)} data-testid="save-rooms">{o.save}</button>
        )}
      </div>
    </section>
  );
}

function speakersText(speakers: Speaker[] | undefined, lang: Lang): string {
  return (speakers ?? []).map((s) => [s.name, pick(s.affiliation, lang).text].filter(Boolean).join(', ')).join('\n');
}

function parseSpeakers(text: string, lang: Lang, before: Speaker[] | undefined): Speaker[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const i = line.indexOf(',');
      const name = (i < 0 ? line : line.slice(0, i)).trim();
      const aff = i < 0 ? '' : line.slice(i + 1).trim();
      const old = before?.find((s) => s.name === name);
      // The other languages' affiliations stay as they were; the one typed is the UI's language.
      const affiliation: LocalizedText = { ...(old?.affiliation ?? {}) };
      if (aff) affiliation[lang] = aff;
      else delete affiliation[lang];
      return Object.keys(affiliation).length ? { name, affiliation } : { name };
    });
}

interface FormProps {
  event: ConferenceEvent;
  session: Session | null;
  lang: Lang;
  t: Messages;
  onCancel: () => void;
  onSave: (fields: SessionFields) => void;
}

function SessionForm({ event, session, lang, t, onCancel, onSave }: FormProps) {
  const o = t.org;
  const [f, setF] = useState(() => ({
    day: session?.day ?? event.days[0] ?? '',
    starts_at: session?.starts_at ?? '09:00',
    ends_at: session?.ends_at ?? '10:00',
    room: session?.room_id ?? event.rooms[0]?.id ?? '',
    kind: session?.kind ?? ('seminar' as SessionKind),
    track: session?.track ?? '',
    title: { ...(session?.title ?? {}) } as LocalizedText,
    description: { ...(session?.description ?? {}) } as LocalizedText,
    speakers: speakersText(session?.speakers, lang),
  }));
  const [saving, setSaving] = useState(false);
  const heading = session ? o.editSession : o.newSession;
  const submit = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    const fields: SessionFields = {
      day: f.day, starts_at: f.starts_at, ends_at: f.ends_at, room: f.room, kind: f.kind, track: f.track.trim(),
      title: f.title, description: f.description, speakers: parseSpeakers(f.speakers, lang, session?.speakers),
    };
    try {
      onSave(fields);
    } finally {
      setSaving(false);
    }
  };
  const rooms = [...event.rooms].sort((a, b) => a.position - b.position);
  return (
    <form class="form form--grid console-card" onSubmit={submit} aria-labelledby="session-form-heading" data-testid="session-form">
      <h3 id="session-form-heading" class="form-wide">{heading}</h3>
      <div class="field">
        <label for="sf-day">{o.day}</label>
        <select id="sf-day" value={f.day} onChange={(e) => setF({ ...f, day: e.currentTarget.value })} data-testid="sf-day">
          {event.days.map((d) => (
            <option key={d} value={d}>{d}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="sf-room">{o.room}</label>
        <select id="sf-room" value={f.room} onChange={(e) => setF({ ...f, room: e.currentTarget.value })} data-testid="sf-room">
          {rooms.map((r) => (
            <option key={r.id} value={r.id}>{pick(r.name, lang).text || r.id}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="sf-start">{o.startsAt}</label>
        <input id="sf-start" type="time" value={f.starts_at} onInput={(e) => setF({ ...f, starts_at: e.currentTarget.value })} data-testid="sf-start" />
      </div>
      <div class="field">
        <label for="sf-end">{o.endsAt}</label>
        <input id="sf-end" type="time" value={f.ends_at} onInput={(e) => setF({ ...f, ends_at: e.currentTarget.value })} data-testid="sf-end" />
      </div>
      <div class="field">
        <label for="sf-kind">{o.kind}</label>
        <select id="sf-kind" value={f.kind} onChange={(e) => setF({ ...f, kind: e.currentTarget.value as SessionKind })} data-testid="sf-kind">
          {KINDS.map((k) => (
            <option key={k} value={k}>{t.sessionKind[k]}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="sf-track">{o.track}</label>
        <input id="sf-track" value={f.track} onInput={(e) => setF({ ...f, track: e.currentTarget.value })} />
      </div>
      {LANGS.map(([l, name]) => (
        <div class="field" key={`t-${l}`}>
          <label for={`sf-title-${l}`}>{o.titleIn(name)}</label>
          <input id={`sf-title-${l}`} lang={l} value={f.title[l] ?? ''} onInput={(e) => setF({ ...f, title: { ...f.title, [l]: e.currentTarget.value } })} data-testid={`sf-title-${l}`} />
        </div>
      ))}
      {LANGS.map(([l, name]) => (
        <div class="field form-wide" key={`d-${l}`}>
          <label for={`sf-desc-${l}`}>{o.descriptionIn(name)}</label>
          <textarea id={`sf-desc-${l}`} lang={l} rows={2} value={f.description[l] ?? ''} onInput={(e) => setF({ ...f, description: { ...f.description, [l]: e.currentTarget.value } })} />
        </div>
      ))}
      <div class="field form-wide">
        <label for="sf-speakers">{o.speakersField}</label>
        <textarea id="sf-speakers" rows={3} value={f.speakers} aria-describedby="sf-speakers-hint" onInput={(e) => setF({ ...f, speakers: e.currentTarget.value })} />
        <span id="sf-speakers-hint" class="field-hint">{o.speakersHint}</span>
      </div>
      <div class="form-actions form-wide">
        <button type="submit" class="button" disabled={saving} data-testid="sf-save">{saving ? o.saving : o.save}</button>
        <button type="button" class="button button--secondary" onClick={onCancel}>{o.cancel}</button>
      </div>
    </form>
  );
}

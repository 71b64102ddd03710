import { useContext } from 'preact/hooks';
import type { Room, Session, SessionKind } from '../api';
import { langIf, pick, type Lang, type Messages } from '../i18n';
import { SessionActionsContext } from './session-actions';
import { sessionCalendar } from '../org-api';

/** Breaks and lunch: nothing to watch or chat about, no calendar entry of their own. */
const isPause = (kind: SessionKind) => kind === 'break' || kind === 'lunch';

interface Props {
  session: Session;
  room: Room | undefined;
  lang: Lang;
  t: Messages;
  /** The session's time range, already formatted. */
  time: string;
  /** False when the slot's time, right beside the card, says the same. */
  showTime: boolean;
  /** Where and when a moved session was (already formatted), shown struck through. */
  was?: string | undefined;
  /** The event, for the session's calendar link. */
  eventId?: string;
}

export function SessionCard({ session, room, lang, t, time, showTime, was, eventId }: Props) {
  const title = pick(session.title, lang);
  const description = pick(session.description, lang);
  const roomName = pick(room?.name, lang);
  const titleId = `session-${session.id}`;
  const speakers = session.speakers ?? [];
  const actions = useContext(SessionActionsContext);
  const canWatch = !!room && !!actions?.canWatch(room.id);
  const canChat = !!room && !!actions?.canChat(room.id);
  const watching = canWatch && actions?.watching === room?.id;
  const change = session.cancelled ? 'cancelled' : (session.change ?? null);
  return (
    <article
      class={`session session--${session.kind}${change ? ` session--${change}` : ''}`}
      aria-labelledby={titleId}
      data-testid="session-card"
      data-session-id={session.id}
      data-kind={session.kind}
      data-room-id={session.room_id}
      data-change={change ?? undefined}
    >
      <div class="session-meta">
        {change && (
          <span class={`mark mark--${change}`} data-testid="session-change" data-change={change}>
            {t.org.sessionChange[change]}
          </span>
        )}
        <span class={`badge badge--${session.kind}`} data-testid="session-kind">
          {t.sessionKind[session.kind]}
        </span>
        {roomName.text && (
          <span class="session-room">
            <span class="visually-hidden">{t.room}: </span>
            <span lang={langIf(roomName.lang, lang)} data-testid="room-name">
              {roomName.text}
            </span>
          </span>
        )}
      </div>
      <h4 class="session-title" id={titleId} lang={langIf(title.lang, lang)} data-testid="session-title">
        {title.text}
      </h4>
      {showTime && (
        <p class="session-time">
          <time data-testid="session-time">{time}</time>
          {was && (
            <>
              {' '}
              <del class="session-was" data-testid="session-was">
                <span class="visually-hidden">{t.org.wasAt('')}</span>
                {was}
              </del>
            </>
          )}
        </p>
      )}
      {description.text && (
        <p class="session-description" lang={langIf(description.lang, lang)}>
          {description.text}
        </p>
      )}
      {speakers.length > 0 && (
        <ul class="speakers" aria-label={t.speakers} data-testid="speakers">
          {speakers.map((sp) => {
            const affiliation = pick(sp.affiliation, lang);
            return (
              <li key={sp.name} class="speaker">
                <span class="speaker-name">{sp.name}</span>
                {affiliation.text && (
                  <span class="speaker-affiliation" lang={langIf(affiliation.lang, lang)}>
                    {affiliation.text}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {eventId && !isPause(session.kind) && !session.cancelled && (
        <p class="session-calendar">
          <a href={sessionCalendar(eventId, session.id)} download={`${session.id}.ics`} aria-describedby={titleId} data-testid="session-calendar">
            {t.org.addToCalendar}
          </a>
        </p>
      )}
      {actions && room && !isPause(session.kind) && !session.cancelled && (canWatch || canChat) && (
        <div class="session-actions">
          {canWatch && (
            <button
              type="button"
              class={watching ? 'session-action session-action--watch session-action--on' : 'session-action session-action--watch'}
              aria-describedby={titleId}
              aria-pressed={watching}
              onClick={() => actions.watch(room.id)}
              data-testid="session-watch"
            >
              <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                <path fill="currentColor" d="M4 2.5v11l9-5.5z" />
              </svg>
              {t.watch}
            </button>
          )}
          {canChat && (
            <button
              type="button"
              class="session-action"
              aria-describedby={titleId}
              onClick={() => actions.goToRoom(room.id)}
              data-testid="session-go-to-room"
            >
              {t.goToRoom}
            </button>
          )}
        </div>
      )}
    </article>
  );
}

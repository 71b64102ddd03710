import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ConferenceEvent, Room, Session } from '../api';
import { eventCalendar } from '../org-api';
import type { ChatClient } from '../ws';
import { NowNext } from './now-next';
import { formatDayLong, formatDayTab, formatTimeInZone, formatTimeZone, sameClockOnDays, todayIn, viewerTimeZone } from '../format';
import { pick, type Lang, type Messages } from '../i18n';
import { SessionCard } from './session-card';

interface Props {
  event: ConferenceEvent;
  lang: Lang;
  locale: string;
  t: Messages;
  /** The chat connection, if any: it pushes `now_next` events. */
  client?: ChatClient | null;
}

/** Session kinds that compete for the audience: two of them at once are a choice to make. */
const COMPETING = new Set(['plenary', 'seminar']);

/** How many of the slot's sessions are a choice between them (a break beside a press briefing is none). */
function parallelCount(sessions: Session[]): number {
  return sessions.filter((s) => COMPETING.has(s.kind)).length;
}

type ZoneChoice = 'event' | 'viewer';
const zoneKey = 'samling.programZone';

function savedZoneChoice(): ZoneChoice {
  try {
    return localStorage.getItem(zoneKey) === 'viewer' ? 'viewer' : 'event';
  } catch {
    return 'event'; // storage blocked: the event's time
  }
}

function saveZoneChoice(choice: ZoneChoice): void {
  try {
    localStorage.setItem(zoneKey, choice);
  } catch {
    // not remembered; the choice still holds for this page
  }
}

interface Slot {
  startsAt: string;
  endsAt: string;
  sessions: Session[];
}

/** The day's sessions grouped by start time; parallel sessions ordered by room position. */
function slotsOf(sessions: Session[], day: string, rooms: Map<string, Room>): Slot[] {
  const position = (s: Session) => rooms.get(s.room_id)?.position ?? Number.MAX_SAFE_INTEGER;
  const ofDay = sessions
    .filter((s) => s.day === day)
    .sort(
      (a, b) =>
        a.starts_at.localeCompare(b.starts_at) || position(a) - position(b) || a.id.localeCompare(b.id),
    );
  const slots: Slot[] = [];
  for (const s of ofDay) {
    const last = slots[slots.length - 1];
    if (last && last.startsAt === s.starts_at) {
      last.sessions.push(s);
      if (s.ends_at > last.endsAt) last.endsAt = s.ends_at;
    } else {
      slots.push({ startsAt: s.starts_at, endsAt: s.ends_at, sessions: [s] });
    }
  }
  return slots;
}

function initialDay(event: ConferenceEvent): string {
  const today = todayIn(event.timezone ?? 'Europe/Stockholm');
  return event.days.includes(today) ? today : (event.days[0] ?? '');
}

export function Program({ event, lang, locale, t, client = null }: Props) {
  const [day, setDay] = useState(() => initialDay(event));
  useEffect(() => setDay(initialDay(event)), [event]);

  const rooms = useMemo(() => new Map(event.rooms.map((r) => [r.id, r])), [event.rooms]);
  const slots = useMemo(() => slotsOf(event.sessions, day, rooms), [event.sessions, day, rooms]);
  const tabbed = event.days.length > 1;

  // The event's time zone, or the viewer's own when it shows other clock times and they chose it.
  const eventZone = event.timezone ?? 'Europe/Stockholm';
  const ownZone = useMemo(() => viewerTimeZone(), []);
  const differs = useMemo(() => !sameClockOnDays(event.days, eventZone, ownZone), [event.days, eventZone, ownZone]);
  const [choice, setChoice] = useState<ZoneChoice>(savedZoneChoice);
  const shownZone = differs && choice === 'viewer' ? ownZone : eventZone;
  const zoneName = (z: string) => formatTimeZone(z, locale, event.days[0]);
  const toggleZone = () => {
    const next: ZoneChoice = shownZone === eventZone ? 'viewer' : 'event';
    setChoice(next);
    saveZoneChoice(next);
  };
  const time = (start: string, end: string) =>
    t.timeRange(formatTimeInZone(day, start, locale, eventZone, shownZone), formatTimeInZone(day, end, locale, eventZone, shownZone));
  // Where a moved session was: its old time (with the day when that was another), room name.
  const wasText = (s: Session): string | undefined => {
    const w = s.was;
    if (!w || s.change !== 'moved') return undefined;
    const d = w.day ?? s.day;
    const start = w.starts_at ?? s.starts_at;
    const end = w.ends_at ?? s.ends_at;
    const at = t.timeRange(formatTimeInZone(d, start, locale, eventZone, shownZone), formatTimeInZone(d, end, locale, eventZone, shownZone));
    const roomId = w.room ?? w.room_id;
    const roomName = roomId && roomId !== s.room_id ? pick(rooms.get(roomId)?.name, lang).text : '';
    return [d !== s.day ? formatDayTab(d, locale) : '', at, roomName].filter(Boolean).join(', ');
  };

  return (
    <section id="program" class="program" aria-labelledby="program-heading">
      <div class="program-head">
        <h2 id="program-heading" tabIndex={-1} data-testid="program-heading">
          {t.program}
        </h2>
        <p class="program-zone" data-testid="time-zone" data-zone={shownZone}>
          <span data-testid="time-zone-text">
            {shownZone === eventZone ? t.timesIn(zoneName(eventZone), eventZone) : t.timesInYours(zoneName(ownZone), ownZone)}
          </span>
          {differs && (
            <>
              {' '}
              <button type="button" class="link-button" onClick={toggleZone} data-testid="time-zone-toggle">
                {shownZone === eventZone ? t.showMyTime(zoneName(ownZone)) : t.showEventTime}
              </button>
            </>
          )}
        </p>
        <p class="program-calendar">
          <a href={eventCalendar(event.id)} download={`${event.id}.ics`} data-testid="event-calendar">
            {t.org.addEventToCalendar}
          </a>
        </p>
      </div>
      <NowNext event={event} lang={lang} locale={locale} t={t} client={client} zone={shownZone} />
      {tabbed && <DayTabs days={event.days} day={day} locale={locale} label={t.chooseDay} onChange={setDay} />}
      <div
        class="day-panel"
        id="day-panel"
        role={tabbed ? 'tabpanel' : undefined}
        aria-labelledby={tabbed ? `day-tab-${day}` : undefined}
        data-testid="day-panel"
        data-day={day}
      >
        <h3 class="day-heading" data-testid="day-heading">
          {formatDayLong(day, locale)}
        </h3>
        {slots.length === 0 ? (
          <p class="empty" data-testid="no-sessions">
            {t.noSessions}
          </p>
        ) : (
          <ol class="slots">
            {slots.map((slot) => {
              // Side by side whenever there are several; "parallel" only when they compete.
              const several = slot.sessions.length > 1;
              const competing = parallelCount(slot.sessions);
              return (
                <li
                  key={slot.startsAt}
                  class={several ? 'slot slot--parallel' : 'slot'}
                  data-testid="time-slot"
                  data-starts-at={slot.startsAt}
                  data-count={slot.sessions.length}
                  data-parallel={competing}
                >
                  <div class="slot-time">
                    <time data-testid="slot-time">{time(slot.startsAt, slot.endsAt)}</time>
                    {competing > 1 && (
                      <span class="slot-parallel" data-testid="slot-parallel">
                        {t.parallel(competing)}
                      </span>
                    )}
                  </div>
                  <ul class="slot-sessions">
                    {slot.sessions.map((s) => (
                      <li key={s.id}>
                        <SessionCard
                          session={s}
                          room={rooms.get(s.room_id)}
                          lang={lang}
                          t={t}
                          time={time(s.starts_at, s.ends_at)}
                          showTime={several || s.ends_at !== slot.endsAt || s.change === 'moved'}
                          was={wasText(s)}
                          eventId={event.id}
                        />
                      </li>
                    ))}
                  </ul>
                </li>
              );
            })}
          </ol>
        )}
      </div>
    </section>
  );
}

interface TabsProps {
  days: string[];
  day: string;
  locale: string;
  label: string;
  onChange: (day: string) => void;
}

/** WAI-ARIA tabs: one tab stop, arrow keys, Home and End move between days. */
function DayTabs({ days, day, locale, label, onChange }: TabsProps) {
  const list = useRef<HTMLDivElement>(null);
  const focusDay = (d: string) => {
    onChange(d);
    list.current?.querySelector<HTMLButtonElement>(`[data-day="${d}"]`)?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const i = days.indexOf(day);
    const next =
      e.key === 'ArrowRight' ? days[(i + 1) % days.length]
      : e.key === 'ArrowLeft' ? days[(i - 1 + days.length) % days.length]
      : e.key === 'Home' ? days[0]
      : e.key === 'End' ? days[days.length - 1]
      : undefined;
    if (next) {
      e.preventDefault();
      focusDay(next);
    }
  };
  return (
    <div class="day-tabs" role="tablist" aria-label={label} ref={list} onKeyDown={onKeyDown} data-testid="day-tabs">
      {days.map((d) => (
        <button
          key={d}
          type="button"
          role="tab"
          id={`day-tab-${d}`}
          class="day-tab"
          aria-selected={d === day}
          aria-controls="day-panel"
          tabIndex={d === day ? 0 : -1}
          data-testid="day-tab"
          data-day={d}
          onClick={() => onChange(d)}
        >
          {formatDayTab(d, locale)}
        </button>
      ))}
    </div>
  );
}

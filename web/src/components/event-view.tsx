import type { ConferenceEvent, EventSummary } from '../api';
import { formatEventDates, formatTimeZone } from '../format';
import { localeFor, pick, type Lang, type Messages } from '../i18n';
import { Program } from './program';

interface Props {
  event: ConferenceEvent;
  events: EventSummary[];
  lang: Lang;
  t: Messages;
}

/** `lang` attribute for content shown in another language than the UI's (after a fallback). */
export function langIf(textLang: string, uiLang: Lang): string | undefined {
  return textLang === uiLang ? undefined : textLang;
}

export function EventView({ event, events, lang, t }: Props) {
  const locale = localeFor(lang);
  const title = pick(event.title, lang);
  const summary = pick(event.summary, lang);
  const place = [event.venue, event.city].filter(Boolean).join(', ');
  const zone = formatTimeZone(event.timezone ?? 'Europe/Stockholm', locale, event.days[0]);

  return (
    <>
      {events.length > 1 && (
        <nav class="event-nav" aria-label={t.eventsNav} data-testid="event-nav">
          <ul>
            {events.map((e) => {
              const name = pick(e.title, lang);
              return (
                <li key={e.id}>
                  <a
                    href={`#event=${encodeURIComponent(e.id)}`}
                    lang={langIf(name.lang, lang)}
                    aria-current={e.id === event.id ? 'page' : undefined}
                  >
                    {name.text}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
      )}
      <header class="hero" data-testid="event" data-event-id={event.id}>
        <h1 class="hero-title" lang={langIf(title.lang, lang)} data-testid="event-title">
          {title.text}
        </h1>
        {summary.text && (
          <p class="hero-summary" lang={langIf(summary.lang, lang)} data-testid="event-summary">
            {summary.text}
          </p>
        )}
        <dl class="facts" aria-label={t.eventFacts}>
          <div class="fact">
            <dt>{t.dates(event.days.length)}</dt>
            <dd data-testid="event-dates">{formatEventDates(event.days, locale)}</dd>
          </div>
          {place && (
            <div class="fact">
              <dt>{t.place}</dt>
              <dd data-testid="event-place">{place}</dd>
            </div>
          )}
          {event.organizer && (
            <div class="fact">
              <dt>{t.organizer}</dt>
              <dd data-testid="event-organizer">{event.organizer}</dd>
            </div>
          )}
        </dl>
      </header>
      <Program event={event} lang={lang} locale={locale} t={t} zone={zone} />
    </>
  );
}

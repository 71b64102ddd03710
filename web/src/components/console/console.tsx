// The organizer's console (#console, #console/EVENT/TAB, #console/series/ID): the organizer's
// events and series, a new event, and per event the tabs Program, Import and export,
// Registration, Staff, E-mail, Audit log and Stages. Every change goes through the API with
// the staff session (org-api.ts); what a save publishes the attendees see at once.
import { useContext, useState } from 'preact/hooks';
import { getEvent, listEvents, type ConferenceEvent, type EventSummary } from '../../api';
import { langIf, pick, type Lang, type Messages } from '../../i18n';
import { createEvent, isOrganizer, listSeries } from '../../org-api';
import { consoleHref, eventHref, pressOfficeHref, seriesHref, type ConsoleTab } from '../../route';
import { StaffContext } from '../../staff';
import { useStages } from '../../stages';
import { StagesAdmin } from '../stages-admin';
import { AuditTab } from './audit';
import { daysBetween, failure, LoadState, useLoad } from './common';
import { ImportExportTab } from './import-export';
import { OutboxTab } from './outbox';
import { ProgramEditor } from './program-editor';
import { RegistrationAdmin } from './registration-admin';
import { SeriesPage } from './series';
import { StaffTab } from './staff-admin';

interface Props {
  event: string | null;
  tab: ConsoleTab;
  series: string | null;
  lang: Lang;
  locale: string;
  t: Messages;
}

export function Console({ event, tab, series, lang, locale, t }: Props) {
  const o = t.org;
  const staff = useContext(StaffContext);
  if (staff.loading) {
    return (
      <div class="state state--loading" role="status">
        <span class="spinner" aria-hidden="true" />
        <span>{t.loading}</span>
      </div>
    );
  }
  if (!staff.account) {
    return (
      <section class="panel panel--narrow" data-testid="console-signed-out">
        <h1 class="panel-title">{o.consoleTitle}</h1>
        <p>{o.signInNeeded}</p>
        <a class="button" href="#sign-in">{o.signInButton}</a>
      </section>
    );
  }
  if (!isOrganizer(staff.account)) {
    return (
      <section class="panel panel--narrow" data-testid="console-not-organizer">
        <h1 class="panel-title">{o.consoleTitle}</h1>
        <p>{o.notOrganizer}</p>
      </section>
    );
  }
  if (series) return <SeriesPage id={series} lang={lang} locale={locale} t={t} />;
  if (event) return <EventConsole key={event} id={event} tab={tab} lang={lang} locale={locale} t={t} />;
  return <Overview lang={lang} t={t} />;
}

function Overview({ lang, t }: { lang: Lang; t: Messages }) {
  const o = t.org;
  const staff = useContext(StaffContext);
  const everywhere = staff.account?.roles.some((r) => r.event === '*' && r.role === 'organizer') ?? false;
  const [events, reload] = useLoad((signal) => listEvents(signal), []);
  const [series] = useLoad((signal) => listSeries(signal).catch(() => []), []);
  return (
    <div class="console" data-testid="console">
      <h1 class="console-title">{o.consoleTitle}</h1>
      <section class="console-section" aria-labelledby="events-heading">
        <h2 id="events-heading">{o.yourEvents}</h2>
        <LoadState state={events} t={t} retry={reload}>
          {(list: EventSummary[]) => {
            const mine = list.filter((e) => isOrganizer(staff.account, e.id));
            return mine.length === 0 ? (
              <p class="empty">{o.noEventsYet}</p>
            ) : (
              <ul class="console-list" data-testid="console-events">
                {mine.map((e) => {
                  const title = pick(e.title, lang);
                  return (
                    <li key={e.id}>
                      <a href={consoleHref(e.id)} lang={langIf(title.lang, lang)} data-testid="console-event" data-event-id={e.id}>
                        {title.text}
                      </a>
                      <span class="console-list-meta">{e.days[0]}{e.days.length > 1 ? ` – ${e.days[e.days.length - 1]}` : ''}{e.city ? `, ${e.city}` : ''}</span>
                    </li>
                  );
                })}
              </ul>
            );
          }}
        </LoadState>
        {everywhere && <NewEvent t={t} onCreated={reload} />}
      </section>
      {series.status === 'ready' && (
        <section class="console-section" aria-labelledby="series-heading">
          <h2 id="series-heading">{o.series}</h2>
          {series.data.length === 0 ? (
            <p class="empty">{o.noSeries}</p>
          ) : (
            <ul class="console-list" data-testid="console-series">
              {series.data.map((s) => {
                const name = pick(s.name, lang);
                return (
                  <li key={s.id}>
                    <a href={seriesHref(s.id)} lang={langIf(name.lang, lang)} data-testid="console-series-link">
                      {name.text || s.id}
                    </a>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}

function NewEvent({ t, onCreated }: { t: Messages; onCreated: () => void }) {
  const o = t.org;
  const [open, setOpen] = useState(false);
  const [f, setF] = useState({ id: '', sv: '', en: '', fi: '', first: '', last: '', timezone: 'Europe/Stockholm', venue: '', address: '', city: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  if (!open) {
    return (
      <button type="button" class="button button--secondary" onClick={() => setOpen(true)} data-testid="new-event">
        {o.newEvent}
      </button>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const title: Record<string, string> = {};
      for (const l of ['sv', 'en', 'fi'] as const) if (f[l].trim()) title[l] = f[l].trim();
      await createEvent({
        id: f.id.trim(), title, days: daysBetween(f.first, f.last || f.first), timezone: f.timezone.trim(),
        venue: f.venue.trim(), venue_address: f.address.trim(), city: f.city.trim(),
      });
      setOpen(false);
      onCreated();
      location.hash = consoleHref(f.id.trim());
    } catch (err) {
      setError(failure(t, err));
    } finally {
      setBusy(false);
    }
  };
  const field = (k: keyof typeof f, label: string, type: 'text' | 'date' = 'text', hint?: string) => (
    <div class="field">
      <label for={`ne-${k}`}>{label}</label>
      <input id={`ne-${k}`} type={type as "text"} value={f[k]} onInput={set(k)} aria-describedby={hint ? `ne-${k}-hint` : undefined} data-testid={`new-event-${k}`} />
      {hint && <span id={`ne-${k}-hint`} class="field-hint">{hint}</span>}
    </div>
  );
  return (
    <form class="form form--grid console-card" onSubmit={submit} aria-labelledby="new-event-heading" data-testid="new-event-form">
      <h3 id="new-event-heading" class="form-wide">{o.newEvent}</h3>
      {field('id', o.eventId, 'text', o.eventIdHint)}
      {field('sv', o.titleIn('svenska'))}
      {field('en', o.titleIn('English'))}
      {field('fi', o.titleIn('suomi'))}
      {field('first', o.firstDay, 'date')}
      {field('last', o.lastDay, 'date')}
      {field('timezone', o.timezone)}
      {field('venue', o.venue)}
      {field('address', o.venueAddress)}
      {field('city', o.city)}
      {error && <p class="form-error form-wide" role="alert">{error}</p>}
      <div class="form-actions form-wide">
        <button type="submit" class="button" disabled={busy}>{o.create}</button>
        <button type="button" class="button button--secondary" onClick={() => setOpen(false)}>{o.cancel}</button>
      </div>
    </form>
  );
}

const TAB_ORDER: ConsoleTab[] = ['program', 'import', 'registration', 'staff', 'email', 'audit', 'stages'];

function tabLabel(o: Messages['org'], tab: ConsoleTab): string {
  const names: Record<ConsoleTab, string> = {
    program: o.tabs.program, import: o.tabs.importExport, registration: o.tabs.registration, staff: o.tabs.staff,
    email: o.tabs.email, audit: o.tabs.audit, stages: o.tabs.stages,
  };
  return names[tab];
}

function EventConsole({ id, tab, lang, locale, t }: { id: string; tab: ConsoleTab; lang: Lang; locale: string; t: Messages }) {
  const o = t.org;
  const [event, reload] = useLoad((signal) => getEvent(id, signal), [id]);
  return (
    <div class="console" data-testid="console" data-event-id={id}>
      <p class="console-back">
        <a href={consoleHref()}>← {o.backToEvents}</a>
      </p>
      <LoadState state={event} t={t} retry={reload}>
        {(ev: ConferenceEvent) => {
          const title = pick(ev.title, lang);
          return (
            <>
              <div class="console-head">
                <h1 class="console-title" lang={langIf(title.lang, lang)} data-testid="console-event-title">
                  {title.text}
                </h1>
                <a class="console-head-link" href={eventHref(ev.id)}>{o.toEventPage}</a>
                <a class="console-head-link" href={pressOfficeHref(ev.id)} data-testid="console-press-office">{o.toPressOffice}</a>
              </div>
              <nav class="console-tabs" aria-label={o.consoleTabsLabel} data-testid="console-tabs">
                <ul>
                  {TAB_ORDER.map((k) => (
                    <li key={k}>
                      <a href={consoleHref(ev.id, k)} aria-current={k === tab ? 'page' : undefined} data-testid={`console-tab-${k}`}>
                        {tabLabel(o, k)}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              <div class="console-panel" data-testid={`console-panel-${tab}`}>
                {tab === 'program' && <ProgramEditor event={ev} lang={lang} locale={locale} t={t} onChanged={reload} />}
                {tab === 'import' && <ImportExportTab event={ev} t={t} onImported={reload} />}
                {tab === 'registration' && <RegistrationAdmin event={ev} locale={locale} t={t} />}
                {tab === 'staff' && <StaffTab event={ev} lang={lang} locale={locale} t={t} />}
                {tab === 'email' && <OutboxTab event={ev} locale={locale} t={t} />}
                {tab === 'audit' && <AuditTab event={ev} locale={locale} t={t} />}
                {tab === 'stages' && <ConsoleStages event={ev} lang={lang} locale={locale} t={t} />}
              </div>
            </>
          );
        }}
      </LoadState>
    </div>
  );
}

/** The broadcast view (stages-admin.tsx) with the organizer's session instead of a token. */
function ConsoleStages({ event, lang, locale, t }: { event: ConferenceEvent; lang: Lang; locale: string; t: Messages }) {
  const feed = useStages(null, '');
  return <StagesAdmin feed={feed} token="" canEdit lang={lang} locale={locale} t={t} event={event} />;
}

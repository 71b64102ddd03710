// The shape of a message catalog. Every user-visible UI string lives in one catalog per
// language (sv.ts, en.ts, fi.ts), each declared as `Messages`: a missing or misspelled key is
// a type error. Content (event titles, session descriptions…) comes from the API instead.
import type { SessionKind } from '../api';

export interface Messages {
  /** The language's own name, shown in the language switcher. */
  languageName: string;
  /** Product name in the header. */
  appName: string;
  /** Label of the language switcher. */
  languageLabel: string;
  skipToProgram: string;

  loading: string;
  errorTitle: string;
  errorUnreachable: string;
  errorNotFound: string;
  errorServer: (status: number) => string;
  errorInvalid: string;
  retry: string;
  noEvents: string;

  /** Navigation between events, when the server has several. */
  eventsNav: string;
  /** The event facts list. */
  eventFacts: string;
  /** Label of the event's date or dates; n is the number of days. */
  dates: (n: number) => string;
  place: string;
  organizer: string;
  /** "All times are in Central European Time": zone is the localized name of the time zone. */
  timesIn: (zone: string) => string;

  program: string;
  /** Label of the day tabs. */
  chooseDay: string;
  noSessions: string;
  /** Badge on a time slot with several sessions at once (n ≥ 2). */
  parallel: (n: number) => string;
  /** Time range of a slot or session; start and end are already formatted for the locale. */
  timeRange: (start: string, end: string) => string;
  sessionKind: Record<SessionKind, string>;
  /** Accessible label before a session's room name. */
  room: string;
  speakers: string;

  /** Browser tab title. */
  documentTitle: (eventTitle: string) => string;
}

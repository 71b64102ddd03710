import type { Messages } from './messages';

export const en: Messages = {
  languageName: 'English',
  appName: 'Samling',
  languageLabel: 'Language',
  skipToProgram: 'Skip to the programme',

  loading: 'Loading the programme…',
  errorTitle: 'The programme could not be shown',
  errorUnreachable: "We can't reach the server right now. Check your connection and try again.",
  errorNotFound: 'This event does not exist. It may have been moved or removed.',
  errorServer: (status) => `The server responded with an error (${status}). Please try again shortly.`,
  errorInvalid: 'The server sent a response that could not be read.',
  retry: 'Try again',
  noEvents: 'There are no events to show yet.',

  eventsNav: 'Events',
  eventFacts: 'About the event',
  dates: (n) => (n === 1 ? 'Date' : 'Dates'),
  place: 'Venue',
  organizer: 'Organiser',
  timesIn: (zone) => `All times are in ${zone}.`,

  program: 'Programme',
  chooseDay: 'Choose a day',
  noSessions: 'There are no sessions on this day.',
  parallel: (n) => `${n} parallel sessions`,
  timeRange: (start, end) => `${start}–${end}`,
  sessionKind: {
    plenary: 'Plenary',
    seminar: 'Seminar',
    break: 'Break',
    press: 'Press',
  },
  room: 'Room',
  speakers: 'Speakers',

  documentTitle: (title) => `${title} – programme`,
};

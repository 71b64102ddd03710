import type { Messages } from './messages';

export const sv: Messages = {
  languageName: 'Svenska',
  appName: 'Samling',
  languageLabel: 'Språk',
  skipToProgram: 'Hoppa till programmet',

  loading: 'Hämtar programmet…',
  errorTitle: 'Programmet kunde inte visas',
  errorUnreachable: 'Vi når inte servern just nu. Kontrollera din anslutning och försök igen.',
  errorNotFound: 'Evenemanget finns inte. Det kan ha flyttats eller tagits bort.',
  errorServer: (status) => `Servern svarade med ett fel (${status}). Försök igen om en stund.`,
  errorInvalid: 'Servern skickade ett svar som inte gick att läsa.',
  retry: 'Försök igen',
  noEvents: 'Det finns inga evenemang att visa ännu.',

  eventsNav: 'Evenemang',
  eventFacts: 'Om evenemanget',
  dates: () => 'Datum',
  place: 'Plats',
  organizer: 'Arrangör',
  timesIn: (zone) => `Alla tider anges i ${zone}.`,

  program: 'Program',
  chooseDay: 'Välj dag',
  noSessions: 'Det finns inga programpunkter den här dagen.',
  parallel: (n) => `${n} parallella pass`,
  timeRange: (start, end) => `${start}–${end}`,
  sessionKind: {
    plenary: 'Plenum',
    seminar: 'Seminarium',
    break: 'Paus',
    press: 'Press',
  },
  room: 'Lokal',
  speakers: 'Medverkande',

  documentTitle: (title) => `${title} – program`,
};

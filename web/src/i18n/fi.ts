import type { Messages } from './messages';

export const fi: Messages = {
  languageName: 'Suomi',
  appName: 'Samling',
  languageLabel: 'Kieli',
  skipToProgram: 'Siirry ohjelmaan',

  loading: 'Ohjelmaa ladataan…',
  errorTitle: 'Ohjelmaa ei voitu näyttää',
  errorUnreachable: 'Palvelimeen ei juuri nyt saada yhteyttä. Tarkista verkkoyhteys ja yritä uudelleen.',
  errorNotFound: 'Tapahtumaa ei löydy. Se on ehkä siirretty tai poistettu.',
  errorServer: (status) => `Palvelin vastasi virheellä (${status}). Yritä hetken kuluttua uudelleen.`,
  errorInvalid: 'Palvelimen vastausta ei voitu lukea.',
  retry: 'Yritä uudelleen',
  noEvents: 'Näytettäviä tapahtumia ei vielä ole.',

  eventsNav: 'Tapahtumat',
  eventFacts: 'Tietoa tapahtumasta',
  dates: () => 'Ajankohta',
  place: 'Paikka',
  organizer: 'Järjestäjä',
  timesIn: (zone) => `Aikavyöhyke: ${zone}.`,

  program: 'Ohjelma',
  chooseDay: 'Valitse päivä',
  noSessions: 'Tälle päivälle ei ole ohjelmaa.',
  parallel: (n) => `${n} rinnakkaista sessiota`,
  timeRange: (start, end) => `klo ${start}–${end}`,
  sessionKind: {
    plenary: 'Yhteinen osuus',
    seminar: 'Seminaari',
    break: 'Tauko',
    press: 'Mediatilaisuus',
  },
  room: 'Tila',
  speakers: 'Puhujat',

  documentTitle: (title) => `${title} – ohjelma`,
};

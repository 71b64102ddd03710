#!/usr/bin/env node
// A stand-in for `samling serve` while developing the web app: the same command line
// (`mock-server.mjs serve --config FILE`), the same "listening on http://…" line, web_root served
// at "/", and GET /api/v1/events and /api/v1/events/{id} in the server's JSON shapes. It reads the
// [demo] file when it exists and otherwise serves the sample event below (two days, so the day
// tabs show). Only for iterating on web/: the e2e tests run the real binary (SAMLING_BIN).
//
//   node tests/e2e/mock-server.mjs serve --config samling.toml
//   SAMLING_BIN=tests/e2e/mock-server.mjs node tests/e2e/program.test.mjs
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

function parseToml(text) {
  const config = {};
  let section = config;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const header = line.match(/^\[([\w.-]+)\]$/);
    if (header) {
      section = config[header[1]] ??= {};
      continue;
    }
    const kv = line.match(/^([\w-]+)\s*=\s*(.+)$/);
    if (!kv) continue;
    const v = kv[2].trim();
    section[kv[1]] = v.startsWith('"') ? JSON.parse(v) : v === 'true' ? true : v === 'false' ? false : Number(v);
  }
  return config;
}

const args = process.argv.slice(2);
const configPath = args[args.indexOf('--config') + 1];
if (args[0] !== 'serve' || !configPath) {
  console.error('usage: mock-server.mjs serve --config FILE');
  process.exit(2);
}
const config = parseToml(readFileSync(configPath, 'utf8'));
const webRoot = resolve(config.server?.web_root ?? 'web/dist');
const demoFile = config.demo?.file;

const sample = {
  id: 'stockholm-tillsammans-2027',
  title: {
    sv: 'Stockholm tillsammans 2027',
    en: 'Stockholm Together 2027',
    fi: 'Tukholma yhdessä 2027',
  },
  summary: {
    sv: 'En dag om hur regionen växer hållbart: bostäder, jobb, klimat och trygghet. Plenum på förmiddagen, fyra parallella seminarier på eftermiddagen.',
    en: 'A day on how the region can grow sustainably: housing, jobs, climate and safety. Plenary in the morning, four parallel seminars in the afternoon.',
    fi: 'Päivä siitä, miten alue voi kasvaa kestävästi: asuminen, työ, ilmasto ja turvallisuus. Aamupäivällä yhteinen osuus, iltapäivällä neljä rinnakkaista seminaaria.',
  },
  organizer: 'Länsstyrelsen i Stockholms län',
  venue: 'Stockholmsmässan',
  city: 'Stockholm',
  timezone: 'Europe/Stockholm',
  days: ['2027-02-09', '2027-02-10'],
  languages: ['sv', 'en', 'fi'],
  rooms: [
    { id: 'main', kind: 'main_stage', name: { sv: 'Stora scenen', en: 'Main stage', fi: 'Päälava' }, position: 0 },
    { id: 'seminar-housing', kind: 'seminar', name: { sv: 'Sal A', en: 'Hall A', fi: 'Sali A' }, position: 1 },
    { id: 'seminar-jobs', kind: 'seminar', name: { sv: 'Sal B', en: 'Hall B', fi: 'Sali B' }, position: 2 },
    { id: 'seminar-climate', kind: 'seminar', name: { sv: 'Sal C', en: 'Hall C', fi: 'Sali C' }, position: 3 },
    { id: 'seminar-safety', kind: 'seminar', name: { sv: 'Sal D', en: 'Hall D', fi: 'Sali D' }, position: 4 },
    { id: 'press', kind: 'press', name: { sv: 'Pressrummet', en: 'Press room', fi: 'Mediahuone' }, position: 5 },
  ],
  sessions: [
    {
      id: 'opening', room_id: 'main', day: '2027-02-09', starts_at: '09:00', ends_at: '09:30', kind: 'plenary', track: '',
      title: { sv: 'Välkommen och inledning', en: 'Welcome and introduction', fi: 'Tervetuloa ja avaus' },
      description: {
        sv: 'Landshövdingen öppnar dagen och sätter ramarna för samtalen.',
        en: 'The county governor opens the day and frames the discussions.',
        fi: 'Maaherra avaa päivän ja kertoo, mistä tänään keskustellaan.',
      },
      speakers: [{ name: 'Anna Lindqvist', affiliation: { sv: 'landshövding', en: 'County Governor', fi: 'maaherra' } }],
    },
    {
      id: 'keynote', room_id: 'main', day: '2027-02-09', starts_at: '09:30', ends_at: '10:30', kind: 'plenary', track: '',
      title: { sv: 'En region för alla – läget 2027', en: 'A region for everyone: where we stand in 2027', fi: 'Alue kaikille – tilannekuva 2027' },
      description: {
        sv: 'Hur har regionen förändrats sedan förra året, och vad behöver göras nu?',
        en: 'How has the region changed since last year, and what needs to happen now?',
        fi: 'Miten alue on muuttunut viime vuodesta, ja mitä nyt pitää tehdä?',
      },
      speakers: [
        { name: 'Erik Johansson', affiliation: { sv: 'regionplanechef, Region Stockholm', en: 'Head of Regional Planning, Region Stockholm', fi: 'aluesuunnittelupäällikkö, Tukholman alue' } },
        { name: 'Leena Virtanen', affiliation: { sv: 'forskare, Stockholms universitet', en: 'Researcher, Stockholm University', fi: 'tutkija, Tukholman yliopisto' } },
      ],
    },
    {
      id: 'coffee', room_id: 'main', day: '2027-02-09', starts_at: '10:30', ends_at: '11:00', kind: 'break', track: '',
      title: { sv: 'Kaffe', en: 'Coffee', fi: 'Kahvitauko' },
      description: {}, speakers: [],
    },
    {
      id: 'panel', room_id: 'main', day: '2027-02-09', starts_at: '11:00', ends_at: '12:00', kind: 'plenary', track: '',
      title: { sv: 'Panelsamtal: tillväxt som håller', en: 'Panel: growth that lasts', fi: 'Paneeli: kasvua, joka kestää' },
      description: {
        sv: 'Kommuner, näringsliv och civilsamhälle om gemensamma prioriteringar.',
        en: 'Municipalities, business and civil society on shared priorities.',
        fi: 'Kunnat, elinkeinoelämä ja järjestöt yhteisistä painopisteistä.',
      },
      speakers: [
        { name: 'Sara Ahmed', affiliation: { sv: 'kommunstyrelsens ordförande, Botkyrka', en: 'Chair of the Municipal Executive Board, Botkyrka', fi: 'kunnanhallituksen puheenjohtaja, Botkyrka' } },
        { name: 'Johan Berg', affiliation: { sv: 'vd, Stockholms Handelskammare', en: 'CEO, Stockholm Chamber of Commerce', fi: 'toimitusjohtaja, Tukholman kauppakamari' } },
      ],
    },
    {
      id: 'lunch', room_id: 'main', day: '2027-02-09', starts_at: '12:00', ends_at: '13:00', kind: 'break', track: '',
      title: { sv: 'Lunch', en: 'Lunch', fi: 'Lounas' }, description: {}, speakers: [],
    },
    {
      id: 'press-meeting', room_id: 'press', day: '2027-02-09', starts_at: '12:00', ends_at: '12:45', kind: 'press', track: '',
      title: { sv: 'Pressträff med landshövdingen', en: 'Press meeting with the County Governor', fi: 'Maaherran mediatilaisuus' },
      description: {
        sv: 'För ackrediterad media. Frågor om dagens teman.',
        en: 'For accredited media. Questions on the themes of the day.',
        fi: 'Akkreditoidulle medialle. Kysymyksiä päivän teemoista.',
      },
      speakers: [{ name: 'Anna Lindqvist', affiliation: { sv: 'landshövding', en: 'County Governor', fi: 'maaherra' } }],
    },
    ...[
      ['housing', 'seminar-housing', ['Bostäder för fler', 'Housing for more people', 'Asuntoja useammille'],
        ['Hur bygger vi bostäder som människor har råd med?', 'How do we build homes people can afford?', 'Miten rakennetaan asuntoja, joihin ihmisillä on varaa?'],
        { name: 'Maria Nilsson', affiliation: { sv: 'bostadsstrateg, Boverket', en: 'Housing Strategist, Boverket', fi: 'asuntostrategi, Boverket' } }],
      ['jobs', 'seminar-jobs', ['Vägar till jobb', 'Pathways to work', 'Polkuja työhön'],
        ['Matchning, validering och språk: det som fungerar.', 'Matching, validation and language: what works.', 'Osaamisen tunnistaminen, kieli ja työnvälitys: mikä toimii.'],
        { name: 'Mikko Laine', affiliation: { sv: 'generaldirektör, Arbetsförmedlingen', en: 'Director-General, Swedish Public Employment Service', fi: 'pääjohtaja, Ruotsin työnvälitysvirasto' } }],
      ['climate', 'seminar-climate', ['Klimatet i vardagen', 'Climate in everyday life', 'Ilmasto arjessa'],
        ['Omställningen i transporter, mat och energi.', 'The transition in transport, food and energy.', 'Siirtymä liikenteessä, ruoassa ja energiassa.'],
        { name: 'Karin Holm', affiliation: { sv: 'klimatchef, Stockholms stad', en: 'Head of Climate, City of Stockholm', fi: 'ilmastopäällikkö, Tukholman kaupunki' } }],
      ['safety', 'seminar-safety', ['Trygghet i hela länet', 'Safety across the county', 'Turvallisuutta koko lääniin'],
        ['Förebyggande arbete tillsammans med civilsamhället.', 'Prevention together with civil society.', 'Ennaltaehkäisevää työtä yhdessä järjestöjen kanssa.'],
        { name: 'Ahmed Yusuf', affiliation: { sv: 'polisområdeschef, Polisen', en: 'Police Area Chief, Swedish Police', fi: 'poliisialueen päällikkö, Ruotsin poliisi' } }],
    ].map(([track, room, [sv, en, fi], [dsv, den, dfi], speaker]) => ({
      id: `seminar-${track}`, room_id: room, day: '2027-02-09', starts_at: '13:00', ends_at: '14:30', kind: 'seminar', track,
      title: { sv, en, fi }, description: { sv: dsv, en: den, fi: dfi }, speakers: [speaker],
    })),
    {
      id: 'closing', room_id: 'main', day: '2027-02-09', starts_at: '15:00', ends_at: '15:30', kind: 'plenary', track: '',
      title: { sv: 'Summering och avslutning', en: 'Summary and closing', fi: 'Yhteenveto ja päätös' },
      description: { sv: 'Rapporter från seminarierna.', en: 'Reports from the seminars.' },
      speakers: [],
    },
    {
      id: 'day2-workshop', room_id: 'main', day: '2027-02-10', starts_at: '09:00', ends_at: '11:00', kind: 'plenary', track: '',
      title: { sv: 'Verkstad: nästa steg', en: 'Workshop: next steps' },
      description: { sv: 'Gemensamt arbete med handlingsplanen.' },
      speakers: [],
    },
  ],
};

function loadEvent() {
  if (demoFile && existsSync(demoFile)) {
    try {
      return JSON.parse(readFileSync(demoFile, 'utf8'));
    } catch (e) {
      console.error(`mock: cannot read ${demoFile}: ${e.message}; using the sample event`);
    }
  }
  return sample;
}

const event = loadEvent();
const summary = ({ id, title, summary, city, venue, days }) => ({ id, title, summary, city, venue, days });

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function json(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const path = decodeURIComponent(url.pathname);
  if (path === '/api/v1/events') return json(res, 200, { events: [summary(event)] });
  const m = path.match(/^\/api\/v1\/events\/([^/]+)$/);
  if (m) {
    if (m[1] === event.id) return json(res, 200, event);
    return json(res, 404, { error: { code: 'not_found', message: `no event "${m[1]}"` } });
  }
  if (path.startsWith('/api/')) return json(res, 404, { error: { code: 'not_found', message: 'no such route' } });
  const file = normalize(join(webRoot, path === '/' ? 'index.html' : path));
  if (!file.startsWith(webRoot + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return res.end('not found');
  }
  res.writeHead(200, {
    'content-type': types[extname(file)] ?? 'application/octet-stream',
    'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(readFileSync(file));
});

server.listen(config.server?.port ?? 0, config.server?.listen ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`mock samling: listening on http://${address}:${port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

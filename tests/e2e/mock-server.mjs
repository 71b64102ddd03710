#!/usr/bin/env node
// A stand-in for `samling serve` while developing the web app: the same command line
// (`mock-server.mjs serve --config FILE`), the same "listening on http://…" line, web_root served
// at "/", and GET /api/v1/events and /api/v1/events/{id} in the server's JSON shapes. It reads the
// [demo] file when it exists and otherwise serves the sample event below (two days, so the day
// tabs show). Only for iterating on web/: the e2e tests run the real binary (SAMLING_BIN).
//
// GET /api/v1/events/{id}/rooms/members counts the users joined in each room.
// It also speaks a minimal version of the real-time protocol (docs/protocol.md) on /ws, with a
// small hand-written WebSocket (RFC 6455) implementation: hello (tokens from
// POST /api/v1/dev/token when `[auth] dev_tokens = true`, or guests), join with since, leave,
// post with client_msg_id de-duplication and a token-bucket rate limit, members, ping, and
// message/presence events. Messages live in memory.
//
// With `[mock] stages = true` it also serves the stages contract (docs/web.md, Stages): GET
// /api/v1/stages[/{id}] (public view, or the full one for a moderator's or organizer's bearer
// token), start/stop, outputs (add with validation, stop, start, delete), recordings, and the
// `stages` request and `stage` events on /ws. Tests change a stage behind the page's back with
// POST /__mock/stages/{id} {fields} or POST /__mock/stages/{id}/outputs/{oid} {fields}: the
// change is merged (objects one level deep) and pushed to every socket that asked for `stages`.
// The main stage starts with two refused callers and a destination retrying on an untrusted TLS
// certificate. No HLS is served.
//
// The organizer's side of issue 16 (staff sign-in with a cookie and CSRF, invitations, the
// console's program, versions and `program`/`now_next` events, import/export, registration,
// outbox, audit log) lives in mock-org.mjs; `[mock] org = false` switches it off. The staff
// session's cookie also signs a WebSocket hello without a token in.
//
// Issue 18's press accreditation, grants, /press/me, interviews and the gated playlist live in
// mock-press.mjs (a WebSocket hello with {"grant"} too; a revoked grant's sessions close with 4012).
//
// Issue 17's Q&A, polls and chat moderation (requests, log entries, join's events/qa, post gates,
// and POST /__mock/qa for a moderator's request behind the page's back) live in mock-qa.mjs.
//
//   node tests/e2e/mock-server.mjs serve --config samling.toml
//   SAMLING_BIN=tests/e2e/mock-server.mjs node tests/e2e/program.test.mjs
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { createOrg } from './mock-org.mjs';
import { createQa } from './mock-qa.mjs';
import { createPress } from './mock-press.mjs';

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
    { id: 'main', kind: 'main_stage', name: { sv: 'Stora salen', en: 'Main hall', fi: 'Pääsali' }, position: 0 },
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
  (async () => (await press.route(req, res, url, path)) || (await org.mineRoute(req, res, url, path)) || (await org.route(req, res, url, path)))().then(
    (handled) => {
      if (!handled) serve(req, res, url, path);
    },
    (e) => {
      console.error(`mock: ${req.method} ${path}: ${e.stack ?? e}`);
      if (!res.headersSent) json(res, 500, { error: { code: 'internal', message: String(e) } });
    },
  );
});

function serve(req, res, url, path) {
  if (path === '/api/v1/dev/token') return devToken(req, res);
  if (path === '/__mock/qa') return qaMock.route(req, res, url, path);
  if (path.startsWith('/api/v1/stages') || path.startsWith('/__mock/')) return stagesRoute(req, res, url, path);
  if (path === '/api/v1/events') return json(res, 200, { events: [summary(event)] });
  // Members per room (counts of distinct users joined now; public), as the server's route.
  const rm = path.match(/^\/api\/v1\/events\/([^/]+)\/rooms\/members$/);
  if (rm) {
    if (rm[1] !== event.id) return json(res, 404, { error: { code: 'unknown_event', message: `no event "${rm[1]}"` } });
    const counts = event.rooms.map((r) => ({
      room: r.id,
      members: new Set([...(rooms.get(`${event.id}/${r.id}`)?.members ?? [])].map((c) => c.user.id)).size,
    }));
    return json(res, 200, { event: event.id, rooms: counts });
  }
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
}

// --- real-time protocol (docs/protocol.md) ------------------------------------------------------

const devTokens = config.auth?.dev_tokens === true;
const ROLES = ['attendee', 'speaker', 'press', 'moderator', 'organizer'];
const LIMITS = { text_max_chars: 1000, rate_burst: 5, rate_per_second: 1.0, history: 50 };
const RESUME_WINDOW = 1000;
const tokens = new Map(); // token -> user
const buckets = new Map(); // user id -> post rate token bucket
let nextUser = 1;

function devToken(req, res) {
  if (!devTokens || req.method !== 'POST') return json(res, 404, { error: { code: 'not_found', message: 'no such route' } });
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    let b;
    try {
      b = JSON.parse(body);
    } catch {
      return json(res, 400, { error: { code: 'bad_request', message: 'not JSON' } });
    }
    const name = typeof b.name === 'string' ? b.name.trim() : '';
    if (!name || [...name].length > 60) return json(res, 400, { error: { code: 'name_invalid', message: 'bad name' } });
    if (b.event !== event.id) return json(res, 400, { error: { code: 'no_such_event', message: 'no such event' } });
    const role = ROLES.includes(b.role) ? b.role : 'attendee';
    const user = { id: `u-${nextUser++}`, name, role };
    const token = `v1.mock.${Buffer.from(JSON.stringify(user)).toString('base64url')}.${randomBytes(8).toString('base64url')}`;
    tokens.set(token, user);
    json(res, 200, { token, user });
  });
}

/** A token as POST /api/v1/dev/token mints it (the registration e-mail's join link). */
function mintToken(ev, name, role) {
  const user = { id: `u-${nextUser++}`, name, role };
  const token = `v1.mock.${Buffer.from(JSON.stringify(user)).toString('base64url')}.${randomBytes(8).toString('base64url')}`;
  tokens.set(token, user);
  return token;
}

/** Every connection that said hello: `program` and `now_next` events go to all of an event's. */
const helloConns = new Set();
const org = createOrg({
  config, event, json, readBody: (req) => readBody(req), tokens, mintToken,
  pushToEvent: (ev, frame) => {
    for (const c of helloConns) if (c.open && c.event === ev) c.send(frame);
  },
});

const rooms = new Map(
  event.rooms.map((r) => [`${event.id}/${r.id}`, { info: r, seq: 0, messages: [], members: new Set(), byClientId: new Map() }]),
);

const press = createPress({
  event, json, readBody: (req) => readBody(req),
  staffOf: (req, ev) => org.cookieUser(req, ev),
  closeUser: (userId, code) => {
    for (const c of helloConns) if (c.user?.id === userId) c.close(code);
  },
  base: () => `http://127.0.0.1:${server.address()?.port}`,
});

const qaMock = createQa({
  rooms, json, readBody: (req) => readBody(req),
  // A ban closes every connection of the user in the event at once (4010).
  closeUser: (userId, code) => {
    for (const c of helloConns) if (c.user?.id === userId) c.close(code);
  },
});
const QA_REQUESTS = ['ask', 'vote', 'question', 'poll_create', 'poll', 'poll_vote', 'moderate'];

function mayJoin(role, room) {
  if (room.info.kind === 'press') return ['speaker', 'press', 'moderator', 'organizer'].includes(role);
  if (role === 'guest') return room.info.guests === true;
  return true;
}
const moderating = (role) => role === 'moderator' || role === 'organizer';

const presenceTimers = new Map();
function presence(ref) {
  if (presenceTimers.has(ref)) return;
  presenceTimers.set(ref, setTimeout(() => {
    presenceTimers.delete(ref);
    const room = rooms.get(ref);
    if (!room) return;
    const members = [...room.members].map((c) => c.user);
    for (const c of room.members) {
      const ev = { type: 'presence', room: ref, count: room.members.size };
      if (moderating(c.user.role)) ev.members = members;
      c.send(ev);
    }
  }, 250));
}

function handle(conn, msg) {
  const { id = null, type } = msg;
  const ack = (result) => conn.send({ type: 'ack', id, result });
  const err = (code, message, extra = {}) => conn.send({ type: 'error', id, code, message, ...extra });
  if (typeof type !== 'string') return err('bad_message', 'no "type"');
  if (type !== 'hello' && !conn.user) return err('not_authenticated', 'say hello first');
  if (['join', 'leave', 'post', 'members', ...QA_REQUESTS].includes(type) && typeof msg.room !== 'string') return err('bad_message', '"room" must be a string');
  if (QA_REQUESTS.includes(type)) {
    if (!rooms.has(msg.room)) return err('no_such_room', 'no such room');
    if (!conn.rooms.has(msg.room)) return err('not_in_room', 'not in room');
    const out = qaMock.request(conn.user, msg.room, msg);
    return out.error ? err(out.error.code, out.error.message) : ack(out.result);
  }
  if (type === 'post' && (typeof msg.text !== 'string' || typeof msg.client_msg_id !== 'string')) {
    return err('bad_message', '"text" and "client_msg_id" must be strings');
  }
  switch (type) {
    case 'hello': {
      if (conn.user) return err('already_authenticated', 'hello again');
      if (msg.event !== event.id) return err('no_such_event', 'no such event');
      if (typeof msg.token === 'string') {
        const user = tokens.get(msg.token);
        if (!user) return err('token_invalid', 'unknown token');
        conn.user = user;
      } else if (typeof msg.grant === 'string') {
        const r = press.helloGrant(msg.grant);
        if (r.error) return err(r.error, r.error);
        conn.user = r.user;
      } else if (msg.guest && typeof msg.guest.name === 'string') {
        const name = msg.guest.name.trim();
        if (!name || [...name].length > 60) return err('name_invalid', 'bad name');
        if (!event.rooms.some((r) => r.guests)) return err('guests_not_allowed', 'no guests');
        conn.user = { id: `g-${nextUser++}`, name, role: 'guest' };
      } else if (msg.token === undefined && msg.guest === undefined && conn.req && org.cookieUser(conn.req, msg.event)) {
        conn.user = org.cookieUser(conn.req, msg.event); // the staff session's cookie on the upgrade
      } else return err('bad_message', 'token or guest');
      if (qaMock.isBanned(conn.user.id)) {
        conn.user = null;
        return err('banned', 'banned from the event');
      }
      conn.event = msg.event;
      helloConns.add(conn);
      return ack({ session: `s-${conn.n}`, server_time: Date.now(), user: conn.user, event: event.id, limits: LIMITS });
    }
    case 'join': {
      const room = rooms.get(msg.room);
      if (!room) return err('no_such_room', 'no such room');
      if (!mayJoin(conn.user.role, room)) return err('forbidden', 'not for your role');
      if (!conn.rooms.has(msg.room) && conn.rooms.size >= 16) return err('too_many_rooms', 'too many');
      let messages;
      if (typeof msg.since === 'number') {
        const oldest = room.messages[0]?.seq ?? room.seq + 1;
        if (msg.since < oldest - 1 && room.seq - msg.since > RESUME_WINDOW) return err('too_far_behind', 'too far');
        messages = room.messages.filter((m) => m.seq > msg.since);
      } else messages = room.messages.slice(-LIMITS.history);
      messages = messages.filter((m) => qaMock.maysee(conn.user, m));
      conn.rooms.add(msg.room);
      room.members.add(conn);
      presence(msg.room);
      return ack({ room: msg.room, seq: room.seq, count: room.members.size, messages, ...qaMock.joinExtras(conn.user, msg.room, msg.since) });
    }
    case 'leave': {
      const room = rooms.get(msg.room);
      if (!room || !conn.rooms.has(msg.room)) return err('not_in_room', 'not in room');
      conn.rooms.delete(msg.room);
      room.members.delete(conn);
      presence(msg.room);
      return ack({ room: msg.room });
    }
    case 'post': {
      const room = rooms.get(msg.room);
      if (!room || !conn.rooms.has(msg.room)) return err('not_in_room', 'not in room');
      const key = `${conn.user.id}\n${msg.client_msg_id}`;
      const first = room.byClientId.get(key);
      if (first) return ack({ room: msg.room, seq: first.seq, ts: first.ts, duplicate: true });
      const text = typeof msg.text === 'string' ? msg.text.trim() : '';
      if (!text) return err('text_empty', 'empty');
      if ([...text].length > LIMITS.text_max_chars) return err('text_too_long', 'too long');
      if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return err('text_invalid', 'control characters');
      const now = Date.now();
      let bucket = buckets.get(conn.user.id);
      if (!bucket) buckets.set(conn.user.id, (bucket = { tokens: LIMITS.rate_burst, at: now }));
      bucket.tokens = Math.min(LIMITS.rate_burst, bucket.tokens + ((now - bucket.at) / 1000) * LIMITS.rate_per_second);
      bucket.at = now;
      if (bucket.tokens < 1) {
        return err('rate_limited', 'too many messages', { retry_after_ms: Math.ceil(((1 - bucket.tokens) / LIMITS.rate_per_second) * 1000) });
      }
      const verdict = qaMock.gate(conn.user, msg.room, text);
      if (verdict.error) return err(...verdict.error);
      bucket.tokens -= 1;
      const m = { type: 'message', room: msg.room, seq: ++room.seq, ts: now, user: { id: conn.user.id, name: conn.user.name, role: conn.user.role }, text, client_msg_id: msg.client_msg_id };
      if (verdict.held) m.held = true;
      room.messages.push(m);
      if (room.messages.length > RESUME_WINDOW) room.messages.shift();
      room.byClientId.set(key, m);
      ack({ room: msg.room, seq: m.seq, ts: m.ts, duplicate: false, ...(m.held ? { held: true } : {}) });
      for (const c of room.members) {
        if (!qaMock.maysee(c.user, m)) continue;
        // The author's sessions get the normal event; staff see the mark.
        c.send(m.held && !qaMock.isStaff(c.user) ? { ...m, held: undefined } : m);
      }
      return;
    }
    case 'members': {
      const room = rooms.get(msg.room);
      if (!moderating(conn.user.role)) return err('forbidden', 'moderators only');
      if (!room || !conn.rooms.has(msg.room)) return err('not_in_room', 'not in room');
      return ack({ room: msg.room, count: room.members.size, members: [...room.members].map((c) => c.user) });
    }
    case 'ping':
      return ack({ server_time: Date.now() });
    case 'stages':
      stageConns.add(conn);
      return conn.send({ type: 'ack', id, stages: stages.map((st) => stageView(st, conn.user.role)) });
    default:
      return err('unknown_type', `unknown type ${type}`);
  }
}

// --- stages (the contract of docs/web.md) -----------------------------------------------------------

const stagesOn = config.mock?.stages === true;
const stageConns = new Set(); // connections that asked for `stages`
let nextOutput = 1;
const started = Date.now();
const stages = !stagesOn
  ? []
  : [
      {
        id: 'main', name: { sv: 'Stora salen', en: 'Main hall', fi: 'Pääsali' }, room: 'main', state: 'live', state_since_ms: started - 1_380_000,
        mode: 'passthrough', running: true,
        input: {
          kind: 'srt', url: 'srt://0.0.0.0:9000?passphrase=••••', state: 'connected', last_error: null, bitrate_bps: 4_200_000, frames: 81234, keyframe_interval_ms: 2000, uptime_ms: 3_723_000,
          rejected_callers: 2, last_rejection: { reason: 'no_passphrase', detail: 'the caller sent no passphrase (libsrt: ERROR:SECURITY)', at_ms: started - 60_000 },
        },
        hls: { url: '/live/main/index.m3u8', segments: 6 },
        recording: { enabled: true, state: 'recording', file: '2026-11-21T09-00-00_01-Oppning.ts' },
        outputs: [
          { id: `o${nextOutput++}`, name: 'Stadens kanal', url: 'rtmp://live.example.org/app', key: '••••9f3c', source: 'config', state: 'live', reason: null, last_error: null, bitrate_bps: 4_150_000, bytes: 1_873_000_000, reconnects: 1, uptime_ms: 3_600_000, next_retry_ms: null },
          { id: `o${nextOutput++}`, name: 'Intern ingest', url: 'rtmps://ingest.example.internal/live', key: '••••51ab', source: 'config', state: 'retrying', reason: 'tls_untrusted', last_error: 'Unacceptable TLS certificate', bitrate_bps: 0, bytes: 0, reconnects: 14, uptime_ms: 0, next_retry_ms: 16_000 },
        ],
      },
      {
        id: 'seminar-housing', name: { sv: 'Sal A', en: 'Hall A', fi: 'Sali A' }, room: 'seminar-housing', state: 'offline', state_since_ms: started - 7_500_000,
        mode: 'passthrough', running: false,
        input: { kind: 'srt', url: 'srt://0.0.0.0:9001', state: 'idle', last_error: null, bitrate_bps: 0, frames: 0, keyframe_interval_ms: null, rejected_callers: 0, last_rejection: null, uptime_ms: 0 },
        hls: { url: '/live/seminar-housing/index.m3u8', segments: 0 },
        recording: { enabled: false, state: 'off', file: null },
        outputs: [],
      },
    ];

const publicStage = (s) => ({ id: s.id, name: s.name, room: s.room, state: s.state, state_since_ms: s.state_since_ms, hls: s.hls.url });

/** A stage's state, and since when, as the server keeps it. */
function setState(stage, state) {
  if (stage.state !== state) stage.state_since_ms = Date.now();
  stage.state = state;
}

/**
 * Merges a test's change: objects one level deep (so {input: {rejected_callers: 3}} keeps the
 * rest of the input), anything else replaced; a new `state` gets a new `state_since_ms`.
 */
function applyPatch(target, patch) {
  const plain = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'state' && 'state_since_ms' in target && !('state_since_ms' in patch)) setState(target, v);
    else target[k] = plain(v) && plain(target[k]) ? { ...target[k], ...v } : v;
  }
}
const stageView = (s, role) => (moderating(role) ? structuredClone(s) : publicStage(s));

function pushStage(stage) {
  for (const c of stageConns) if (c.open) c.send({ type: 'stage', stage: stageView(stage, c.user?.role) });
}

function bearer(req, url) {
  const h = String(req.headers.authorization ?? '');
  const token = h.startsWith('Bearer ') ? h.slice(7) : url.searchParams.get('token');
  return token ? tokens.get(token) ?? null : org.cookieUser(req, event.id);
}

function readBody(req) {
  return new Promise((resolveBody) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        resolveBody(body ? JSON.parse(body) : {});
      } catch {
        resolveBody(null);
      }
    });
  });
}

/** An output moves from connecting to live a moment later, as a real one would. */
function connectOutput(stage, o) {
  Object.assign(o, { state: 'connecting', reason: null, last_error: null, next_retry_ms: null });
  setTimeout(() => {
    if (o.state !== 'connecting' || !stage.outputs.includes(o)) return;
    Object.assign(o, { state: 'live', bitrate_bps: 4_100_000, uptime_ms: 0 });
    pushStage(stage);
  }, 300);
}

async function stagesRoute(req, res, url, path) {
  const fail = (status, code, message) => json(res, status, { error: { code, message } });
  const control = path.match(/^\/__mock\/stages\/([^/]+)(?:\/outputs\/([^/]+))?$/);
  if (control && req.method === 'POST') {
    const stage = stages.find((s) => s.id === control[1]);
    const patch = await readBody(req);
    if (!stage || !patch) return fail(404, 'not_found', 'no such stage');
    const target = control[2] ? stage.outputs.find((o) => o.id === control[2]) : stage;
    if (!target) return fail(404, 'not_found', 'no such output');
    applyPatch(target, patch);
    pushStage(stage);
    return json(res, 200, stageView(stage, 'organizer'));
  }
  if (!stagesOn && path === '/api/v1/stages') return json(res, 200, { stages: [] });
  const user = bearer(req, url);
  const role = user?.role;
  if (path === '/api/v1/stages' && req.method === 'GET') return json(res, 200, { stages: stages.map((s) => stageView(s, role)) });
  const m = path.match(/^\/api\/v1\/stages\/([^/]+)(\/.*)?$/);
  const stage = m && stages.find((s) => s.id === m[1]);
  if (!stage) return fail(404, 'not_found', 'no such stage');
  const rest = m[2] ?? '';
  if (rest === '' && req.method === 'GET') return json(res, 200, stageView(stage, role));
  // Everything else is for organizers.
  if (!user) return fail(401, 'unauthorized', 'a bearer token is required');
  if (role !== 'organizer') return fail(403, 'forbidden', 'organizers only');
  if ((rest === '/start' || rest === '/stop') && req.method === 'POST') {
    const on = rest === '/start';
    stage.running = on;
    setState(stage, on ? 'live' : 'offline');
    stage.input.state = on ? 'connected' : 'idle';
    for (const o of stage.outputs) if (!on) o.state = 'stopped';
    pushStage(stage);
    return json(res, 200, stageView(stage, role));
  }
  if (rest === '/outputs' && req.method === 'POST') {
    const b = await readBody(req);
    if (!b || typeof b !== 'object') return fail(400, 'bad_request', 'the body must be a JSON object');
    const name = typeof b.name === 'string' ? b.name.trim() : '';
    if (!name || [...name].length > 60) return fail(400, 'bad_request', 'name must be 1-60 characters');
    if (typeof b.url !== 'string' || !/^rtmps?:\/\/[^/\s]+/.test(b.url)) return fail(400, 'bad_request', 'url must be rtmp:// or rtmps://');
    if (typeof b.key !== 'string' || !b.key) return fail(400, 'bad_request', 'key is required');
    const o = { id: `o${nextOutput++}`, name, url: b.url, key: `••••${b.key.slice(-4)}`, source: 'api', state: 'idle', reason: null, last_error: null, bitrate_bps: 0, bytes: 0, reconnects: 0, uptime_ms: 0, next_retry_ms: null };
    stage.outputs.push(o);
    connectOutput(stage, o);
    pushStage(stage);
    return json(res, 201, o);
  }
  const om = rest.match(/^\/outputs\/([^/]+)(\/start|\/stop)?$/);
  if (om) {
    const o = stage.outputs.find((x) => x.id === om[1]);
    if (!o) return fail(404, 'not_found', 'no such output');
    if (!om[2] && req.method === 'DELETE') {
      stage.outputs.splice(stage.outputs.indexOf(o), 1);
      pushStage(stage);
      res.writeHead(204);
      return res.end();
    }
    if (om[2] && req.method === 'POST') {
      if (om[2] === '/stop') Object.assign(o, { state: 'stopped', reason: null, bitrate_bps: 0, next_retry_ms: null });
      else connectOutput(stage, o);
      pushStage(stage);
      return json(res, 200, o);
    }
  }
  if (rest === '/recordings' && req.method === 'GET') {
    const base = `/api/v1/stages/${stage.id}/recordings`;
    const recordings = [
      { name: '2026-11-21T09-00-00_01-Oppning.ts', size: 734_003_200, modified: Date.UTC(2026, 10, 21, 8, 31), session: 'Öppning' },
      { name: '2026-11-21T09-30-00_02-Keynote.ts', size: 1_468_006_400, modified: Date.UTC(2026, 10, 21, 9, 32), session: null },
    ].map((r) => ({ ...r, url: `${base}/${encodeURIComponent(r.name)}` }));
    return json(res, 200, { recordings, chapters_url: `${base}/chapters.vtt` });
  }
  if (rest.startsWith('/recordings/') && req.method === 'GET') {
    res.writeHead(200, { 'content-type': rest.endsWith('.vtt') ? 'text/vtt' : 'video/mp2t' });
    return res.end(rest.endsWith('.vtt') ? 'WEBVTT\n' : Buffer.alloc(188));
  }
  return fail(404, 'not_found', 'no such route');
}

// A minimal RFC 6455 server side: text frames, close, ping/pong, fragmentation, masking.
let connections = 0;
const sockets = new Set();
server.on('upgrade', (req, socket) => {
  const url = new URL(req.url, 'http://localhost');
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const key = req.headers['sec-websocket-key'];
  if (url.pathname !== '/ws' || !key || !protocols.includes('samling.v1')) {
    const body = JSON.stringify({ error: { code: 'bad_request', message: 'subprotocol samling.v1 required' } });
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    return;
  }
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\nsec-websocket-protocol: samling.v1\r\n\r\n`);
  socket.setNoDelay(true);
  sockets.add(socket);

  const conn = { n: ++connections, user: null, rooms: new Set(), open: true, req };
  const frame = (opcode, payload) => {
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
    if (conn.open) socket.write(Buffer.concat([head, payload]));
  };
  conn.send = (obj) => frame(1, Buffer.from(JSON.stringify(obj)));
  const close = (code) => {
    if (!conn.open) return;
    const b = Buffer.alloc(2);
    b.writeUInt16BE(code);
    frame(8, b);
    conn.open = false;
    socket.end();
  };
  conn.close = (code) => close(code);
  const helloTimer = setTimeout(() => { if (!conn.user) close(4001); }, 10_000);
  const cleanup = () => {
    conn.open = false;
    clearTimeout(helloTimer);
    helloConns.delete(conn);
    sockets.delete(socket);
    stageConns.delete(conn);
    for (const ref of conn.rooms) {
      rooms.get(ref)?.members.delete(conn);
      presence(ref);
    }
    conn.rooms.clear();
  };
  socket.on('close', cleanup);
  socket.on('error', cleanup);

  let buf = Buffer.alloc(0);
  let parts = [];
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const fin = (buf[0] & 0x80) !== 0;
      const opcode = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
      const masked = (buf[1] & 0x80) !== 0;
      if (buf.length < off + (masked ? 4 : 0) + len) return;
      const mask = masked ? buf.subarray(off, off + 4) : null;
      off += masked ? 4 : 0;
      const payload = Buffer.from(buf.subarray(off, off + len));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      buf = buf.subarray(off + len);
      if (opcode === 8) { close(1000); return; } // echo the close
      if (opcode === 9) { frame(10, payload); continue; }
      if (opcode === 10) continue;
      if (opcode === 2) { close(1003); return; }
      parts.push(payload);
      if (!fin) continue;
      const text = Buffer.concat(parts).toString('utf8');
      parts = [];
      let msg;
      try { msg = JSON.parse(text); } catch { conn.send({ type: 'error', id: null, code: 'bad_json', message: 'not JSON' }); continue; }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) { conn.send({ type: 'error', id: null, code: 'bad_json', message: 'not an object' }); continue; }
      handle(conn, msg);
    }
  });
});

server.listen(config.server?.port ?? 0, config.server?.listen ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`mock samling: listening on http://${address}:${port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
  });
}

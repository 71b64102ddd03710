// The organizer's side of the API (issue 16) for tests/e2e/mock-server.mjs, in memory, in the
// shapes of the contract (/tmp/i16 contract; docs/web.md "Organizer side"): staff
// sign-in with a session cookie and CSRF, invitations, staff, audit log, outbox, the live
// program (sessions edited one by one, versions, `program` events on /ws, changes relative to
// the first version), now/next, import/export (CSV/JSON, line-numbered problems), iCalendar,
// series and registration (opens/closes, capacity with a waiting list, idempotent by e-mail,
// manage token). Only for working on web/ and its mock e2e tests: the real server is the truth.
//
// Test hooks (no authentication, like /__mock/stages):
//   POST /__mock/registration {fields}   merge into the registration settings (opens_at, closes_at UTC, capacity, modes)
//   POST /__mock/now {rooms}             set now/next and push a `now_next` event
//   GET  /__mock/outbox                  every message, newest first
//   POST /__mock/program/{session} {fields}  change a session as another organizer would (publishes, pushes `program`)
import { randomBytes } from 'node:crypto';

const SIGN_IN_LIMIT = 10; // failures before the lock-out
const LOCK_S = 15 * 60;

/** "YYYY-MM-DDTHH:MM" in `zone` -> UTC ms (two passes over the zone's offset, as Intl shows it). */
function localToUtc(local, zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local ?? '');
  if (!m) return NaN;
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  const offset = (ms) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(new Date(ms))
        .map((x) => [x.type, x.value]),
    );
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute) - ms;
  };
  let utc = asUtc - offset(asUtc);
  utc = asUtc - offset(utc);
  return utc;
}

function utcToLocal(ms, zone) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** RFC 4180-ish: quoted fields, embedded newlines, `;` or `,` (whichever the header has more of), BOM. */
function parseCsv(text) {
  const src = text.replace(/^\uFEFF/, '');
  const firstLine = src.split('\n')[0] ?? '';
  const sep = (firstLine.match(/;/g) ?? []).length > (firstLine.match(/,/g) ?? []).length ? ';' : ',';
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else { if (c === '\n') line++; field += c; }
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === sep) { row.push(field); field = ''; }
    else if (c === '\r') continue;
    else if (c === '\n') { row.push(field); rows.push({ line: rowLine, cells: row }); row = []; field = ''; line++; rowLine = line; }
    else field += c;
  }
  if (field || row.length) { row.push(field); rows.push({ line: rowLine, cells: row }); }
  return rows.filter((r) => r.cells.some((c) => c.trim()));
}

const csvCell = (v) => (/[",;\n]/.test(String(v ?? '')) ? `"${String(v ?? '').replaceAll('"', '""')}"` : String(v ?? ''));

export function createOrg({ config, event, json, readBody, tokens, mintToken, pushToEvent }) {
  const enabled = config.mock?.org !== false;
  const password = config.mock?.organizer_password ?? 'correct horse battery staple';
  const accounts = new Map(); // id -> {id, email, name, password, roles:[{event, role}]}
  const byEmail = new Map();
  const addAccount = (email, name, pw, roles) => {
    const a = { id: `a-${accounts.size + 1}`, email, name, password: pw, roles };
    accounts.set(a.id, a);
    byEmail.set(email.toLowerCase(), a);
    return a;
  };
  addAccount(config.mock?.organizer_email ?? 'arrangor@example.org', 'Olivia Arrangör', password, [{ event: '*', role: 'organizer' }]);
  const sessions = new Map(); // sid -> {account, csrf}
  const failures = new Map(); // email -> {count, lockedUntil}
  const invitations = new Map(); // token -> {id, email, name, event, role, state, expires_at, language}
  const audit = [];
  const outbox = [];
  let base = '';

  const events = new Map([[event.id, event]]);
  const publishedAt = [];
  const versionsOf = new Map(); // event id -> [{version, published_at, by, changes, sessions}]
  const snapshot = (e) => structuredClone(e.sessions);
  versionsOf.set(event.id, [{ version: 1, published_at: iso(Date.now() - 3600_000), by: 'Olivia Arrangör', changes: [], sessions: snapshot(event) }]);
  event.version = 1;
  void publishedAt;

  let nowNext = null; // set by /__mock/now

  const series = new Map([
    ['regional-2027', {
      id: 'regional-2027',
      name: { sv: 'Regionala konferenser 2027', en: 'Regional conferences 2027', fi: 'Alueelliset konferenssit 2027' },
      events: [
        { date: '2027-03-02', responsible_county: 'Stockholms län', co_hosting_county: 'Uppsala län', city: 'Stockholm' },
        { date: '2027-03-09', responsible_county: 'Västra Götalands län', co_hosting_county: 'Hallands län', city: 'Göteborg' },
        { date: '2027-03-16', responsible_county: 'Skåne län', co_hosting_county: 'Blekinge län', city: 'Malmö' },
        { date: '2027-03-23', responsible_county: 'Västerbottens län', co_hosting_county: 'Norrbottens län', city: 'Umeå' },
      ],
    }],
  ]);

  // Registration per event.
  const regSettings = new Map([[event.id, {
    opens_at: iso(Date.now() - 86400_000), closes_at: iso(Date.now() + 7 * 86400_000), capacity: 100, remote_capacity: 0, waitlist: true, modes: ['hall', 'remote'], consent_version: '1',
    ...(config.mock?.registration_state === 'not_open' ? { opens_at: iso(Date.now() + 2 * 86400_000) } : {}),
    ...(config.mock?.registration_state === 'closed' ? { closes_at: iso(Date.now() - 3600_000) } : {}),
  }]]);
  const registrations = new Map(); // event -> [{…, manage}]

  const fail = (res, status, code, message, extra = {}) => json(res, status, { error: { code, message, ...extra } });

  function cookieSid(req) {
    const m = /(?:^|;\s*)samling_session=([^;]+)/.exec(String(req.headers.cookie ?? ''));
    return m ? m[1] : null;
  }

  function sessionOf(req) {
    const sid = cookieSid(req);
    const s = sid ? sessions.get(sid) : null;
    return s ? { sid, ...s } : null;
  }

  const rolesIn = (account, ev) => account.roles.filter((r) => r.event === ev || r.event === '*').map((r) => r.role);
  const strongest = (roles) => ['organizer', 'moderator', 'press', 'speaker'].find((r) => roles.includes(r)) ?? null;

  /** Who calls: the session cookie (CSRF checked for changes) or a Bearer dev token. */
  function principal(req, url) {
    const h = String(req.headers.authorization ?? '');
    if (h.startsWith('Bearer ')) {
      const user = tokens.get(h.slice(7));
      return user ? { name: user.name, id: user.id, roles: (ev) => [user.role], csrfOk: true } : null;
    }
    const s = sessionOf(req);
    if (!s) return null;
    const account = accounts.get(s.account);
    if (!account) return null;
    const csrfOk = req.method === 'GET' || req.headers['x-csrf-token'] === s.csrf;
    return { name: account.name, id: account.id, account, roles: (ev) => rolesIn(account, ev), csrfOk };
  }

  /** The organizer (or 401/403 written); `ev` "*" for organization-wide actions. */
  function requireOrganizer(req, res, url, ev) {
    const p = principal(req, url);
    if (!p) return fail(res, 401, 'not_signed_in', 'sign in first'), null;
    if (!p.csrfOk) return fail(res, 403, 'csrf_failed', 'the CSRF token is missing or wrong'), null;
    if (!p.roles(ev).includes('organizer')) return fail(res, 403, 'forbidden', 'organizers only'), null;
    return p;
  }

  function record(p, ev, action, target, detail = '') {
    audit.unshift({ at_ms: Date.now(), actor: p?.id ?? 'cli', actor_name: p?.name ?? '', event_id: ev, action, target, detail, remote: '127.0.0.1' });
  }

  function enqueue(msg) {
    const entry = { id: `m-${outbox.length + 1}`, msg, state: 'queued', attempts: 0, created_at: Math.floor(Date.now() / 1000), next_attempt_at: Math.floor(Date.now() / 1000), sent_at: 0, last_error: '' };
    outbox.unshift(entry);
    return entry;
  }

  function signedIn(res, account, extraHeaders = {}) {
    const sid = randomBytes(18).toString('base64url');
    const csrf = randomBytes(18).toString('base64url');
    sessions.set(sid, { account: account.id, csrf });
    const body = JSON.stringify({ account: accountView(account), csrf });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'set-cookie': `samling_session=${sid}; Path=/; HttpOnly; SameSite=Lax`,
      ...extraHeaders,
    });
    res.end(body);
  }

  const accountView = (a) => ({ id: a.id, email: a.email, name: a.name, roles: a.roles });

  // --- the program ---------------------------------------------------------------------------------

  const versions = (ev) => versionsOf.get(ev) ?? [];

  /** The event with each session's change relative to the first version (and `was`). */
  function annotated(e) {
    const first = versions(e.id)[0]?.sessions ?? e.sessions;
    const before = new Map(first.map((s) => [s.id, s]));
    return {
      ...e,
      version: versions(e.id).at(-1)?.version ?? 1,
      sessions: e.sessions.map((s) => {
        const b = before.get(s.id);
        let change = null;
        let was = null;
        if (s.cancelled) change = 'cancelled';
        else if (!b) change = 'new';
        else if (b.day !== s.day || b.starts_at !== s.starts_at || b.ends_at !== s.ends_at || b.room_id !== s.room_id) {
          change = 'moved';
          was = { day: b.day, starts_at: b.starts_at, ends_at: b.ends_at, room: b.room_id };
        } else if (JSON.stringify(b.title) !== JSON.stringify(s.title)) change = 'renamed';
        return { ...s, change, was };
      }),
    };
  }

  function diff(before, after) {
    const b = new Map(before.map((s) => [s.id, s]));
    const a = new Map(after.map((s) => [s.id, s]));
    const changes = [];
    for (const s of after) {
      const o = b.get(s.id);
      if (!o) changes.push({ session: s.id, change: 'new', title: s.title });
      else if (!o.cancelled && s.cancelled) changes.push({ session: s.id, change: 'cancelled', title: s.title });
      else if (o.day !== s.day || o.starts_at !== s.starts_at || o.ends_at !== s.ends_at || o.room_id !== s.room_id) changes.push({ session: s.id, change: 'moved', title: s.title });
      else if (JSON.stringify(o.title) !== JSON.stringify(s.title)) changes.push({ session: s.id, change: 'renamed', title: s.title });
    }
    for (const s of before) if (!a.has(s.id)) changes.push({ session: s.id, change: 'removed', title: s.title });
    return changes;
  }

  function publish(e, by) {
    const list = versions(e.id);
    const last = list.at(-1);
    const changes = diff(last?.sessions ?? [], e.sessions);
    const v = { version: (last?.version ?? 0) + 1, published_at: iso(Date.now()), by, changes, sessions: snapshot(e) };
    list.push(v);
    versionsOf.set(e.id, list);
    e.version = v.version;
    pushToEvent(e.id, { type: 'program', event: e.id, version: v.version, changes });
    return v;
  }

  /** Problems with a session against its event (the server's rules, simplified). */
  function sessionProblems(e, s, ignoreId) {
    const problems = [];
    if (!e.days.includes(s.day)) problems.push({ field: 'day', message: `${s.day} is not one of the event's days` });
    if (!/^\d{2}:\d{2}$/.test(s.starts_at ?? '')) problems.push({ field: 'starts_at', message: 'not a time (HH:MM)' });
    if (!/^\d{2}:\d{2}$/.test(s.ends_at ?? '')) problems.push({ field: 'ends_at', message: 'not a time (HH:MM)' });
    else if (s.ends_at <= s.starts_at) problems.push({ field: 'ends_at', message: 'ends before it starts' });
    if (!e.rooms.some((r) => r.id === s.room_id)) problems.push({ field: 'room', message: `unknown room "${s.room_id}"` });
    if (!s.title || !Object.values(s.title).some((v) => v)) problems.push({ field: 'title', message: 'a title is needed' });
    const clash = e.sessions.find((o) => o.id !== ignoreId && !o.cancelled && !s.cancelled && o.room_id === s.room_id && o.day === s.day && o.starts_at < s.ends_at && s.starts_at < o.ends_at);
    if (clash && problems.length === 0) problems.push({ field: 'starts_at', message: `overlaps "${clash.title.sv ?? clash.id}" in the same room` });
    return problems;
  }

  function applyFields(s, f) {
    for (const k of ['day', 'starts_at', 'ends_at', 'kind', 'track', 'title', 'description', 'speakers']) if (f[k] !== undefined) s[k] = f[k];
    if (typeof f.room === 'string') s.room_id = f.room;
    if (typeof f.cancelled === 'boolean') s.cancelled = f.cancelled;
    return s;
  }

  function programCsv(e) {
    const head = ['id', 'day', 'starts_at', 'ends_at', 'room', 'kind', 'track', 'title_sv', 'title_en', 'title_fi'];
    const rows = e.sessions.map((s) => [s.id, s.day, s.starts_at, s.ends_at, s.room_id, s.kind, s.track ?? '', s.title.sv ?? '', s.title.en ?? '', s.title.fi ?? '']);
    return `${[head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
  }

  function importSessions(e, text, type) {
    const problems = [];
    let incoming = [];
    if (/json/.test(type)) {
      let data;
      try { data = JSON.parse(text); } catch (err) { return { problems: [{ line: 1, field: '', message: `not JSON: ${err.message}` }] }; }
      incoming = (Array.isArray(data) ? data : data.sessions ?? []).map((s, i) => ({ line: i + 1, s: { ...s, room_id: s.room_id ?? s.room } }));
    } else {
      const rows = parseCsv(text);
      const head = rows.shift();
      if (!head) return { problems: [{ line: 1, field: '', message: 'empty file' }] };
      const col = (name) => head.cells.findIndex((c) => c.trim().toLowerCase() === name);
      for (const need of ['day', 'starts_at', 'ends_at', 'room', 'title_sv']) if (col(need) < 0) problems.push({ line: head.line, field: need, message: 'missing column' });
      if (problems.length) return { problems };
      incoming = rows.map((r, i) => {
        const get = (n) => (col(n) >= 0 ? (r.cells[col(n)] ?? '').trim() : '');
        return {
          line: r.line,
          s: {
            id: get('id') || `imported-${i + 1}`, day: get('day'), starts_at: get('starts_at'), ends_at: get('ends_at'), room_id: get('room'),
            kind: get('kind') || 'seminar', track: get('track'), title: { sv: get('title_sv'), en: get('title_en') || undefined, fi: get('title_fi') || undefined },
            description: {}, speakers: [],
          },
        };
      });
    }
    const next = { ...e, sessions: [] };
    for (const { line, s } of incoming) {
      for (const p of sessionProblems(next, s, s.id)) problems.push({ line, ...p });
      next.sessions.push(s);
    }
    return { problems, sessions: next.sessions };
  }

  function ics(e, only) {
    const zone = e.timezone ?? 'Europe/Stockholm';
    const stamp = (day, hhmm) => `${day.replaceAll('-', '')}T${hhmm.replace(':', '')}00`;
    const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Samling mock//EN', 'CALSCALE:GREGORIAN'];
    for (const s of e.sessions.filter((x) => !only || x.id === only)) {
      lines.push('BEGIN:VEVENT', `UID:${s.id}@${e.id}.samling`, `SEQUENCE:${e.version ?? 1}`, `DTSTAMP:${iso(Date.now()).replace(/[-:]/g, '')}`,
        `DTSTART;TZID=${zone}:${stamp(s.day, s.starts_at)}`, `DTEND;TZID=${zone}:${stamp(s.day, s.ends_at)}`, `SUMMARY:${s.title.sv ?? s.id}`,
        ...(s.cancelled ? ['STATUS:CANCELLED'] : []), 'END:VEVENT');
    }
    lines.push('END:VCALENDAR');
    return `${lines.join('\r\n')}\r\n`;
  }

  /** Now and next per room at the mock's clock (`[mock] now = "YYYY-MM-DDTHH:MM"` event-local, else the real one). */
  function nowNextOf(e) {
    if (nowNext) return nowNext;
    const local = config.mock?.now ?? utcToLocal(Date.now(), e.timezone ?? 'Europe/Stockholm');
    const [day, time] = local.split('T');
    return e.rooms.map((r) => {
      const ofRoom = e.sessions.filter((s) => s.room_id === r.id && !s.cancelled).sort((a, b) => `${a.day}${a.starts_at}`.localeCompare(`${b.day}${b.starts_at}`));
      const now = ofRoom.find((s) => s.day === day && s.starts_at <= time && time < s.ends_at) ?? null;
      const next = ofRoom.find((s) => `${s.day}T${s.starts_at}` > local) ?? null;
      return { room: r.id, now, next };
    });
  }

  // --- registration: the real server's shapes (docs/api.md "## Registration") -------------------------

  function regInfo(e) {
    const s = regSettings.get(e.id);
    if (!s) return null;
    const zone = e.timezone ?? 'Europe/Stockholm';
    const list = registrations.get(e.id) ?? [];
    const now = Date.now();
    const limit = (m) => (s.modes.length > 1 && m === 'remote' ? s.remote_capacity : s.capacity) || 0; // 0: unlimited
    const left = (m) => (limit(m) ? Math.max(0, limit(m) - list.filter((r) => r.status === 'registered' && r.mode === m).length) : null);
    const anySeat = s.modes.some((m) => left(m) !== 0);
    const state = now < Date.parse(s.opens_at) ? 'not_open' : now >= Date.parse(s.closes_at) ? 'closed' : anySeat ? 'open' : s.waitlist ? 'full_waitlist' : 'full';
    const text = (at) => `${utcToLocal(Date.parse(at), zone).replace('T', ' ')} (${zone})`;
    return {
      event: e.id, timezone: zone, state,
      opens_at: s.opens_at, opens_at_local: utcToLocal(Date.parse(s.opens_at), zone), opens_at_text: text(s.opens_at),
      closes_at: s.closes_at, closes_at_local: utcToLocal(Date.parse(s.closes_at), zone), closes_at_text: text(s.closes_at),
      capacity: s.capacity || 0, remote_capacity: s.remote_capacity || 0, waitlist: s.waitlist !== false, modes: s.modes, consent_version: s.consent_version ?? '1',
      seats_left: left(s.modes[0]), seats_left_by_mode: Object.fromEntries(s.modes.map((m) => [m, left(m)])),
    };
  }

  // What the form's sender learns (no personal field), and everything stored (/mine, the organizers' list).
  const regShort = (r) => ({ id: r.id, event: r.event, status: r.status, mode: r.mode, language: r.language, created_at: r.created_at });
  const regView = (r) => ({
    ...regShort(r), name: r.name, email: r.email, organization: r.organization, accessibility_needs: r.accessibility, accessibility: r.accessibility,
    consent: { given: true, version: r.consent_version ?? '1', at: r.created_at }, erased: false, cancelled_at: r.cancelled_at ?? null,
  });

  function confirmMail(e, r, kind) {
    const join = mintToken(e.id, r.name, 'attendee');
    const manage = `${base}/#event=${encodeURIComponent(e.id)}&registration=${r.manage}`;
    const lines = kind === 'registration_waitlisted'
      ? [`Hej ${r.name}!`, '', `Du står på reservlistan till ${e.title.sv}.`, '', `Avanmäl dig eller se dina uppgifter: ${manage}`]
      : [`Hej ${r.name}!`, '', `Du är anmäld till ${e.title.sv}.`, '', `Din personliga länk: ${base}/#event=${encodeURIComponent(e.id)}&join=${join}`, '', `Avanmäl dig eller se dina uppgifter: ${manage}`];
    enqueue({ to: r.email, to_name: r.name, subject: kind === 'registration_waitlisted' ? `Reservlista: ${e.title.sv}` : `Bekräftelse: ${e.title.sv}`, text: lines.join('\n'), html: '', language: r.language ?? 'sv', event_id: e.id, kind });
  }

  // --- routes -------------------------------------------------------------------------------------------

  /** Handles the request if it is one of these routes; returns whether it did. */
  async function route(req, res, url, path) {
    if (!enabled) return false;
    if (!base) base = `http://${req.headers.host}`;
    const method = req.method;
    let m;

    // test hooks
    if (path === '/__mock/registration' && method === 'POST') {
      const b = await readBody(req);
      Object.assign(regSettings.get(event.id), b ?? {});
      return json(res, 200, regInfo(event)), true;
    }
    if (path === '/__mock/now' && method === 'POST') {
      const b = await readBody(req);
      nowNext = b?.rooms ?? null;
      pushToEvent(event.id, { type: 'now_next', event: event.id, rooms: nowNextOf(event) });
      return json(res, 200, { rooms: nowNextOf(event) }), true;
    }
    if (path === '/__mock/outbox' && method === 'GET') return json(res, 200, { messages: outbox }), true;
    if ((m = path.match(/^\/__mock\/program\/([^/]+)$/)) && method === 'POST') {
      const s = event.sessions.find((x) => x.id === m[1]);
      if (!s) return fail(res, 404, 'not_found', 'no such session'), true;
      applyFields(s, (await readBody(req)) ?? {});
      const v = publish(event, 'mock');
      return json(res, 200, { version: v.version }), true;
    }

    // staff sign-in
    if (path === '/api/v1/auth/sign-in' && method === 'POST') {
      const b = (await readBody(req)) ?? {};
      const email = String(b.email ?? '').trim().toLowerCase();
      const f = failures.get(email) ?? { count: 0, lockedUntil: 0 };
      if (f.lockedUntil > Date.now()) {
        const wait = Math.ceil((f.lockedUntil - Date.now()) / 1000);
        res.setHeader('Retry-After', String(wait));
        return fail(res, 429, 'sign_in_locked', 'too many failed sign-ins', { retry_after_s: wait }), true;
      }
      const a = byEmail.get(email);
      if (!a || a.password !== b.password) {
        f.count++;
        if (f.count >= SIGN_IN_LIMIT) f.lockedUntil = Date.now() + LOCK_S * 1000;
        failures.set(email, f);
        return fail(res, 401, 'sign_in_failed', 'wrong e-mail or password'), true;
      }
      failures.delete(email);
      record({ id: a.id, name: a.name }, '', 'auth.signed_in', a.email);
      return signedIn(res, a), true;
    }
    if (path === '/api/v1/auth/me' && method === 'GET') {
      const s = sessionOf(req);
      const a = s && accounts.get(s.account);
      if (!a) return fail(res, 401, 'not_signed_in', 'not signed in'), true;
      return json(res, 200, { account: accountView(a), csrf: s.csrf }), true;
    }
    if ((path === '/api/v1/auth/sign-out' || path === '/api/v1/auth/sign-out-everywhere') && method === 'POST') {
      const s = sessionOf(req);
      if (!s) return fail(res, 401, 'not_signed_in', 'not signed in'), true;
      if (req.headers['x-csrf-token'] !== s.csrf) return fail(res, 403, 'csrf_failed', 'the CSRF token is missing or wrong'), true;
      if (path.endsWith('everywhere')) {
        for (const [sid, x] of sessions) if (x.account === s.account) sessions.delete(sid);
      } else sessions.delete(s.sid);
      res.writeHead(204, { 'set-cookie': 'samling_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0' });
      return res.end(), true;
    }

    // invitations
    if ((m = path.match(/^\/api\/v1\/invitations\/([^/]+)(\/accept)?$/))) {
      const inv = invitations.get(m[1]);
      if (!inv || inv.state !== 'pending' || Date.parse(inv.expires_at) < Date.now()) return fail(res, 404, 'invitation_invalid', 'no such invitation'), true;
      const existing = byEmail.get(inv.email.toLowerCase());
      if (!m[2] && method === 'GET') {
        return json(res, 200, { email: inv.email, name: inv.name, event: inv.event, role: inv.role, expires_at: inv.expires_at, account_exists: !!existing }), true;
      }
      if (m[2] && method === 'POST') {
        const b = (await readBody(req)) ?? {};
        const pw = String(b.password ?? '');
        let a = existing;
        if (a) {
          if (a.password !== pw) return fail(res, 401, 'sign_in_failed', 'wrong password'), true;
        } else {
          const n = [...pw].length;
          if (n < 12 || n > 256) return fail(res, 400, 'invalid_input', 'password must be 12–256 characters', { fields: [{ field: 'password', message: '12–256 characters' }] }), true;
          a = addAccount(inv.email, inv.name || inv.email, pw, []);
        }
        if (!a.roles.some((r) => r.event === inv.event && r.role === inv.role)) a.roles.push({ event: inv.event, role: inv.role });
        inv.state = 'accepted';
        record({ id: a.id, name: a.name }, inv.event, 'staff.invitation_accepted', a.email, inv.role);
        return signedIn(res, a), true;
      }
    }

    // series
    if (path === '/api/v1/series' && method === 'GET') return json(res, 200, { series: [...series.values()].map(({ id, name }) => ({ id, name })) }), true;
    if (path === '/api/v1/series' && method === 'POST') {
      const p = requireOrganizer(req, res, url, '*');
      if (!p) return true;
      const b = (await readBody(req)) ?? {};
      if (!b.id || series.has(b.id)) return fail(res, 400, 'bad_request', 'id missing or taken'), true;
      series.set(b.id, { id: b.id, name: b.name ?? {}, events: [] });
      return json(res, 201, series.get(b.id)), true;
    }
    if ((m = path.match(/^\/api\/v1\/series\/([^/]+?)(?:\/(events\.csv|events\.json|import))?$/))) {
      const s = series.get(m[1]);
      if (!s) return fail(res, 404, 'not_found', 'no such series'), true;
      if (!m[2] && method === 'GET') return json(res, 200, s), true;
      if (m[2] === 'events.json') return json(res, 200, { events: s.events }), true;
      if (m[2] === 'events.csv') {
        const head = ['date', 'responsible_county', 'co_hosting_county', 'city'];
        const text = `${[head, ...s.events.map((e) => head.map((k) => e[k]))].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${s.id}.csv"` });
        return res.end(text), true;
      }
      if (m[2] === 'import' && method === 'POST') {
        const p = requireOrganizer(req, res, url, '*');
        if (!p) return true;
        const text = await new Promise((r) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => r(b)); });
        const rows = parseCsv(text);
        const head = rows.shift();
        const problems = [];
        const col = (n) => head?.cells.findIndex((c) => c.trim().toLowerCase() === n) ?? -1;
        for (const n of ['date', 'responsible_county', 'co_hosting_county', 'city']) if (col(n) < 0) problems.push({ line: head?.line ?? 1, field: n, message: 'missing column' });
        const out = [];
        if (!problems.length) for (const r of rows) {
          const e = Object.fromEntries(['date', 'responsible_county', 'co_hosting_county', 'city'].map((n) => [n, (r.cells[col(n)] ?? '').trim()]));
          if (!/^\d{4}-\d{2}-\d{2}$/.test(e.date) || Number.isNaN(Date.parse(e.date))) problems.push({ line: r.line, field: 'date', message: `not a date: "${e.date}"` });
          if (!e.city) problems.push({ line: r.line, field: 'city', message: 'empty' });
          out.push(e);
        }
        if (problems.length) return json(res, 422, { error: { code: 'import_invalid', message: `${problems.length} problems`, problems } }), true;
        if (url.searchParams.get('dry_run') !== '1') { s.events = out; record(p, '', 'series.imported', s.id, `${out.length} events`); }
        return json(res, 200, { imported: out.length, dry_run: url.searchParams.get('dry_run') === '1' }), true;
      }
    }

    // events
    if (path === '/api/v1/events' && method === 'GET') {
      return json(res, 200, { events: [...events.values()].map(({ id, title, summary, city, venue, days }) => ({ id, title, summary, city, venue, days })) }), true;
    }
    if (path === '/api/v1/events' && method === 'POST') {
      const p = requireOrganizer(req, res, url, '*');
      if (!p) return true;
      const b = (await readBody(req)) ?? {};
      if (!/^[a-z0-9-]{2,64}$/.test(b.id ?? '') || events.has(b.id)) return fail(res, 400, 'invalid_input', 'the short name is missing, malformed or taken', { fields: [{ field: 'id', message: 'lowercase letters, digits, hyphens; unique' }] }), true;
      if (!Array.isArray(b.days) || b.days.length === 0) return fail(res, 400, 'invalid_input', 'the days are missing', { fields: [{ field: 'days', message: 'first and last day' }] }), true;
      const e = { id: b.id, title: b.title ?? {}, summary: {}, city: b.city ?? '', venue: b.venue ?? '', venue_address: b.venue_address ?? '', timezone: b.timezone || 'Europe/Stockholm', days: b.days, languages: ['sv', 'en', 'fi'], rooms: [{ id: 'main', kind: 'main_stage', name: { sv: 'Stora salen', en: 'Main hall', fi: 'Pääsali' }, position: 0 }], sessions: [] };
      events.set(e.id, e);
      versionsOf.set(e.id, []);
      record(p, e.id, 'event.created', e.id);
      return json(res, 201, e), true;
    }
    m = path.match(/^\/api\/v1\/events\/([^/]+)(\/.*)?$/);
    if (!m) return false;
    const e = events.get(m[1]);
    const rest = m[2] ?? '';
    if (!e) {
      if (rest === '/rooms/members') return false;
      return fail(res, 404, 'not_found', `no event "${m[1]}"`), true;
    }
    if (rest === '/rooms/members') return false; // mock-server's own
    if (rest === '' && method === 'GET') return json(res, 200, annotated(e)), true;
    if (rest === '' && method === 'PUT') {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      const b = (await readBody(req)) ?? {};
      for (const k of ['title', 'summary', 'city', 'venue', 'venue_address', 'timezone', 'days', 'rooms']) if (b[k] !== undefined) e[k] = b[k];
      if (Array.isArray(b.sessions)) e.sessions = b.sessions.map(({ change, was, ...s }) => s);
      const v = publish(e, p.name);
      record(p, e.id, 'program.published', String(v.version), 'event replaced');
      return json(res, 200, annotated(e)), true;
    }
    if (rest === '/now' && method === 'GET') return json(res, 200, { rooms: nowNextOf(e) }), true;
    if (rest === '/calendar.ics' || (m = rest.match(/^\/sessions\/([^/]+)\/calendar\.ics$/))) {
      const only = rest === '/calendar.ics' ? null : m[1];
      res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', 'content-disposition': `attachment; filename="${only ?? e.id}.ics"` });
      return res.end(ics(e, only)), true;
    }
    if (rest === '/program.csv') {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${e.id}.csv"` });
      return res.end(programCsv(e)), true;
    }
    if (rest === '/program.json') return json(res, 200, { event: e.id, sessions: e.sessions }), true;
    if (rest === '/program/versions' && method === 'GET') {
      return json(res, 200, { versions: versions(e.id).map(({ sessions: _s, ...v }) => v) }), true;
    }
    if ((m = rest.match(/^\/program\/versions\/(\d+)$/))) {
      const v = versions(e.id).find((x) => x.version === Number(m[1]));
      return v ? json(res, 200, v) : fail(res, 404, 'not_found', 'no such version'), true;
    }
    if (rest === '/program/import' && method === 'POST') {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      const text = await new Promise((r) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => r(b)); });
      const result = importSessions(e, text, String(req.headers['content-type'] ?? ''));
      if (result.problems.length) return json(res, 422, { error: { code: 'import_invalid', message: `${result.problems.length} problems`, problems: result.problems } }), true;
      if (url.searchParams.get('dry_run') === '1') return json(res, 200, { dry_run: true, sessions: result.sessions.length }), true;
      e.sessions = result.sessions;
      const v = publish(e, p.name);
      record(p, e.id, 'program.imported', String(v.version), `${result.sessions.length} sessions`);
      return json(res, 200, { version: v.version, sessions: result.sessions.length }), true;
    }
    if (rest === '/sessions' && method === 'POST') {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      const b = (await readBody(req)) ?? {};
      const base = String(b.title?.sv ?? b.title?.en ?? 'session').toLowerCase().normalize('NFD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'session';
      let id = b.id ?? base;
      for (let n = 2; e.sessions.some((s) => s.id === id); n++) id = `${base}-${n}`;
      const s = applyFields({ id, room_id: e.rooms[0]?.id, kind: 'seminar', track: '', title: {}, description: {}, speakers: [] }, b);
      const problems = sessionProblems(e, s, id);
      if (problems.length) return fail(res, 400, 'invalid_input', problems.map((x) => x.message).join('; '), { fields: problems }), true;
      e.sessions.push(s);
      const v = publish(e, p.name);
      record(p, e.id, 'session.created', id, `version ${v.version}`);
      return json(res, 201, { session: s, version: v.version }), true;
    }
    if ((m = rest.match(/^\/sessions\/([^/]+)$/))) {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      const i = e.sessions.findIndex((s) => s.id === m[1]);
      if (i < 0) return fail(res, 404, 'not_found', 'no such session'), true;
      if (method === 'DELETE') {
        e.sessions.splice(i, 1);
        const v = publish(e, p.name);
        record(p, e.id, 'session.deleted', m[1], `version ${v.version}`);
        res.writeHead(204);
        return res.end(), true;
      }
      if (method === 'PATCH') {
        const b = (await readBody(req)) ?? {};
        const s = applyFields(structuredClone(e.sessions[i]), b);
        const problems = sessionProblems(e, s, s.id);
        if (problems.length) return fail(res, 400, 'invalid_input', problems.map((x) => x.message).join('; '), { fields: problems }), true;
        e.sessions[i] = s;
        const v = publish(e, p.name);
        record(p, e.id, 'session.changed', s.id, `version ${v.version}`);
        return json(res, 200, { session: s, version: v.version }), true;
      }
    }

    // staff, audit, outbox
    if (rest === '/staff' && method === 'GET') {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      const staff = [...accounts.values()].filter((a) => rolesIn(a, e.id).length).map((a) => ({ account_id: a.id, email: a.email, name: a.name, roles: rolesIn(a, e.id) }));
      const inv = [...invitations.entries()].filter(([, i]) => i.event === e.id).map(([, i]) => ({ id: i.id, email: i.email, name: i.name, role: i.role, state: i.state, expires_at: i.expires_at }));
      return json(res, 200, { staff, invitations: inv }), true;
    }
    if (rest === '/invitations' && method === 'POST') {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      const b = (await readBody(req)) ?? {};
      const email = String(b.email ?? '').trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return fail(res, 400, 'invalid_input', 'not an e-mail address', { fields: [{ field: 'email', message: 'not an e-mail address' }] }), true;
      if (!['organizer', 'moderator', 'press', 'speaker'].includes(b.role)) return fail(res, 400, 'invalid_input', 'unknown role', { fields: [{ field: 'role', message: 'unknown role' }] }), true;
      const token = randomBytes(24).toString('base64url');
      const inv = { id: `i-${invitations.size + 1}`, email, name: String(b.name ?? ''), event: e.id, role: b.role, state: 'pending', expires_at: iso(Date.now() + 7 * 86400_000), language: b.language ?? 'sv' };
      invitations.set(token, inv);
      const link = `${base}/#invite=${token}`;
      enqueue({ to: email, to_name: inv.name, subject: `Inbjudan: ${e.title.sv ?? e.id}`, text: `Hej!\n\nDu är inbjuden som ${b.role} till ${e.title.sv ?? e.id}.\n\nTacka ja här: ${link}\n`, html: '', language: inv.language, event_id: e.id, kind: 'invitation' });
      record(p, e.id, 'staff.invited', email, b.role);
      return json(res, 201, { invitation: { id: inv.id, email, name: inv.name, role: inv.role, state: inv.state, expires_at: inv.expires_at } }), true;
    }
    if ((m = rest.match(/^\/staff\/([^/]+)\/([^/]+)$/)) && method === 'DELETE') {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      const a = accounts.get(m[1]);
      const i = a ? a.roles.findIndex((r) => r.event === e.id && r.role === m[2]) : -1;
      if (i < 0) return fail(res, 404, 'not_found', 'no such role'), true;
      a.roles.splice(i, 1);
      record(p, e.id, 'staff.role_removed', a.email, m[2]);
      res.writeHead(204);
      return res.end(), true;
    }
    if (rest === '/audit' || rest === '/audit.csv') {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      const entries = audit.filter((a) => a.event_id === e.id || a.event_id === '');
      if (rest === '/audit') return json(res, 200, { entries }), true;
      const head = ['at', 'actor', 'actor_name', 'action', 'target', 'detail'];
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
      return res.end(`${[head, ...entries.map((a) => [iso(a.at_ms), a.actor, a.actor_name, a.action, a.target, a.detail])].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`), true;
    }
    if (rest === '/outbox' && method === 'GET') {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      return json(res, 200, { messages: outbox.filter((o) => o.msg.event_id === e.id) }), true;
    }

    // registration
    if (rest === '/registration' && method === 'GET') {
      const info = regInfo(e);
      return info ? json(res, 200, info) : fail(res, 404, 'not_found', 'no registration'), true;
    }
    if (rest === '/registration' && method === 'PUT') {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      const b = (await readBody(req)) ?? {};
      const zone = e.timezone ?? 'Europe/Stockholm';
      const cur = regSettings.get(e.id) ?? { capacity: 0, remote_capacity: 0, waitlist: true, modes: ['hall'], consent_version: '1' };
      // A field left out keeps its value; local "YYYY-MM-DDTHH:MM" or RFC 3339 with Z.
      const time = (v, old) => (v === undefined ? Date.parse(old) : /Z$|[+-]\d\d:\d\d$/.test(v) ? Date.parse(v) : localToUtc(v, zone));
      const opens = time(b.opens_at ?? b.opens_at_local, cur.opens_at);
      const closes = time(b.closes_at ?? b.closes_at_local, cur.closes_at);
      const next = { ...cur, ...Object.fromEntries(['capacity', 'remote_capacity', 'waitlist', 'modes', 'consent_version'].filter((k) => b[k] !== undefined).map((k) => [k, b[k]])) };
      if (next.capacity === null) next.capacity = 0;
      const fields = [];
      if (!Number.isFinite(opens)) fields.push({ field: 'opens_at', message: 'not a date and time' });
      if (!Number.isFinite(closes)) fields.push({ field: 'closes_at', message: 'not a date and time' });
      else if (closes <= opens) fields.push({ field: 'closes_at', message: 'closes before it opens' });
      if (!(Number.isInteger(next.capacity) && next.capacity >= 0)) fields.push({ field: 'capacity', message: 'a whole number or empty' });
      if (!Array.isArray(next.modes) || next.modes.length === 0) fields.push({ field: 'modes', message: 'at least one' });
      if (fields.length) return fail(res, 422, 'invalid_input', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields }), true;
      regSettings.set(e.id, { ...next, opens_at: iso(opens), closes_at: iso(closes) });
      record(p, e.id, 'registration.settings', e.id, `${iso(opens)} – ${iso(closes)}`);
      return json(res, 200, regInfo(e)), true;
    }
    if (rest === '/registrations' && method === 'POST') {
      const info = regInfo(e);
      if (!info) return fail(res, 404, 'registration_not_found', 'Registration is not set up for this event.'), true;
      if (info.state === 'not_open') return fail(res, 403, 'registration_not_open', `Registration opens ${info.opens_at_text}.`), true;
      if (info.state === 'closed') return fail(res, 403, 'registration_closed', `Registration closed ${info.closes_at_text}.`), true;
      const b = (await readBody(req)) ?? {};
      const fields = [];
      const name = String(b.name ?? '').trim();
      const email = String(b.email ?? '').trim();
      if (!name) fields.push({ field: 'name', message: 'required' });
      else if ([...name].length > 200) fields.push({ field: 'name', message: 'at most 200 characters' });
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) fields.push({ field: 'email', message: 'not an e-mail address' });
      if (b.consent !== true) fields.push({ field: 'consent', message: 'consent is required' });
      const mode = b.mode ?? (info.modes.length === 1 ? info.modes[0] : undefined);
      if (!info.modes.includes(mode)) fields.push({ field: 'mode', message: 'not offered' });
      if (b.consent_version !== undefined && b.consent_version !== info.consent_version) fields.push({ field: 'consent_version', message: 'The consent text changed; read it again.' });
      if (fields.length) return fail(res, 422, 'invalid_input', 'check the fields', { fields }), true;
      const list = registrations.get(e.id) ?? [];
      registrations.set(e.id, list);
      const old = list.find((r) => r.email.toLowerCase() === email.toLowerCase() && r.status !== 'cancelled');
      if (old) return json(res, 200, { registration: { ...regShort(old), already: true } }), true;
      const left = info.seats_left_by_mode[mode];
      const status = left === null || left > 0 ? 'registered' : 'waitlisted';
      if (status === 'waitlisted' && !info.waitlist) return fail(res, 409, 'registration_full', 'The event is full and has no waiting list.'), true;
      const r = { id: `r-${list.length + 1}`, event: e.id, status, mode, name, email: email.toLowerCase(), organization: String(b.organization ?? ''), accessibility: String(b.accessibility_needs ?? b.accessibility ?? ''), language: b.language ?? 'sv', consent_version: info.consent_version, created_at: iso(Date.now()), manage: randomBytes(18).toString('base64url') };
      list.push(r);
      confirmMail(e, r, status === 'registered' ? 'registration_confirmed' : 'registration_waitlisted');
      return json(res, 201, { registration: { ...regShort(r), already: false } }), true;
    }
    if ((rest === '/registrations' || rest === '/registrations.csv') && method === 'GET') {
      const p = requireOrganizer(req, res, url, e.id);
      if (!p) return true;
      const list = (registrations.get(e.id) ?? []).map(regView);
      if (rest === '/registrations.csv') {
        const head = ['name', 'email', 'organization', 'accessibility', 'mode', 'status', 'created_at'];
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
        return res.end(`${[head, ...list.map((r) => head.map((k) => r[k]))].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`), true;
      }
      const zero = () => ({ registered: 0, waitlisted: 0, cancelled: 0 });
      const counts = { hall: zero(), remote: zero(), total: zero() };
      for (const r of list) {
        counts[r.mode][r.status]++;
        counts.total[r.status]++;
      }
      return json(res, 200, { event: e.id, timezone: e.timezone ?? 'Europe/Stockholm', registrations: list, counts }), true;
    }
    return false;
  }

  function mine(token) {
    for (const list of registrations.values()) for (const r of list) if (r.manage === token) return { r, list };
    return null;
  }

  /** The /api/v1/registrations/mine routes (not under an event). */
  async function mineRoute(req, res, url, path) {
    if (!enabled || !path.startsWith('/api/v1/registrations/mine')) return false;
    if (path === '/api/v1/registrations/mine' && req.method === 'GET') {
      const found = mine(url.searchParams.get('token') ?? '');
      if (!found) return fail(res, 404, 'registration_not_found', 'No registration has this link; it may have been deleted.'), true;
      const ev = events.get(found.r.event);
      return json(res, 200, { registration: regView(found.r), timezone: ev?.timezone ?? 'Europe/Stockholm', event_title: ev?.title ?? {} }), true;
    }
    const b = (await readBody(req)) ?? {};
    const found = mine(String(b.token ?? ''));
    if (!found) return fail(res, 404, 'registration_not_found', 'No registration has this link; it may have been deleted.'), true;
    const e = events.get(found.r.event);
    if (path === '/api/v1/registrations/mine/cancel' && req.method === 'POST') {
      const wasRegistered = found.r.status === 'registered';
      const already = found.r.status === 'cancelled';
      found.r.status = 'cancelled';
      found.r.cancelled_at ??= iso(Date.now());
      if (wasRegistered) {
        const next = found.list.find((r) => r.status === 'waitlisted' && r.mode === found.r.mode);
        if (next) { next.status = 'registered'; confirmMail(e, next, 'registration_promoted'); }
      }
      return json(res, 200, { registration: regView(found.r), already_cancelled: already }), true;
    }
    if (path === '/api/v1/registrations/mine/delete' && req.method === 'POST') {
      // Cancelled (the seat to the waiting list) and anonymous, the row stays (the counts stay
      // right); the link is forgotten.
      if (found.r.status === 'registered') {
        const next = found.list.find((r) => r.status === 'waitlisted' && r.mode === found.r.mode);
        if (next) { next.status = 'registered'; confirmMail(e, next, 'registration_promoted'); }
      }
      Object.assign(found.r, { status: 'cancelled', name: '', email: '', organization: '', accessibility: '', manage: null });
      found.r.cancelled_at ??= iso(Date.now());
      return json(res, 200, { deleted: true, id: found.r.id }), true;
    }
    return false;
  }

  /** The staff account a WebSocket upgrade's cookie names, as a chat user for `event` (or null). */
  function cookieUser(req, ev) {
    const s = sessionOf(req);
    const a = s && accounts.get(s.account);
    const role = a && strongest(rolesIn(a, ev));
    return a && role ? { id: a.id, name: a.name, role } : null;
  }

  return { route, mineRoute, cookieUser, events };
}

// The mock server's press side (issue 18, docs/api.md "Press"): enough of the contract for the
// web app's press pages to be tested without the C++ server. The accreditation form and its
// 422/403 answers, the journalist's manage link, the press officer's API (Bearer MOCK_OFFICER, or
// the staff cookie of an organizer/press officer through `staffOf`), grants with live viewers and
// refused devices, revocation (closing the grant's WebSocket sessions with 4012), interviews and
// the speaker's link, /press/me with a grant and its refusals, and the gated playlist
// (/live/{stage}/index.m3u8?grant=G&device=D: an empty live playlist, or the refusal's JSON).
//
// Tests act behind the page's back with
//   POST /__mock/press/grants/{id}  {"live":[…],"refusals":[…],"device_cap":n}  (merged into the grant)
//   GET  /__mock/press/state        → {accreditations, grants, interviews, linkRequests, links:{manage, grant, speaker}}
// Fixed tokens for the refusal pages: g1.mock.PAYLOAD.{expired|revoked|tampered|unknownkey} (each
// refused with its code, without contacts, as the real server's /press/me), g1.mock.notyet (valid
// from tomorrow).
import { randomBytes } from 'node:crypto';

export const MOCK_OFFICER = 'mock-press-officer';
const hex = (n = 8) => randomBytes(n).toString('hex');
const now = () => Math.floor(Date.now() / 1000);
// Tokens "g1.mock.PAYLOAD.<kind>" are refused with the kind's code (PAYLOAD as a real token's:
// base64url JSON with "ev", which the refusal page reads to find the event's contacts).
const REFUSED = {
  expired: [410, 'grant_expired'],
  revoked: [410, 'grant_revoked'],
  tampered: [403, 'grant_invalid'],
  unknownkey: [403, 'grant_unknown_key'],
};
const refusedOf = (token) => (token.startsWith('g1.mock.') ? REFUSED[token.split('.').pop()] : undefined);

export function createPress({ event, json, readBody, staffOf, closeUser, base }) {
  const settings = {
    accreditation_open: true,
    contacts: [{ name: 'Pia Pressdóttir', role: 'Pressansvarig', email: 'press@example.org', phone: '+46 8 123 45 67' }],
  };
  const accreditations = []; // {…journalist view, grant_id, decided_by, manage}
  const grants = []; // grant views (+ token)
  const interviews = [];
  const speakerTokens = new Map(); // token -> interview id
  const linkRequests = []; // grant ids whose link the console asked for again (POST …/grants/{id}/link)
  // What the approve and POST grants bodies limit the grant to (absent: every stage, the press room).
  const coversOf = (b) => ({
    ...(Array.isArray(b.stages) ? { stages: b.stages } : {}),
    ...(Array.isArray(b.rooms) ? { rooms: b.rooms } : {}),
  });
  const pressRoom = event.rooms.find((r) => r.kind === 'press');
  const eventView = () => ({ id: event.id, title: event.title, days: event.days, timezone: event.timezone ?? 'Europe/Stockholm' });
  const link = (hash) => `${base()}/#${hash}`;
  const stages = [
    { id: 'press', name: { sv: 'Pressträffen', en: 'Press briefing', fi: 'Mediatilaisuus' }, room: pressRoom?.id ?? 'press', state: 'live', visibility: 'press', public_at: null },
    { id: 'embargo', name: { sv: 'Rapportsläppet', en: 'Report launch', fi: 'Raportin julkistus' }, room: 'main', state: 'offline', visibility: 'press', public_at: now() + 3 * 3600 },
  ];

  const journalistView = (a) => {
    const { manage, grant_id, decided_by, ...v } = a;
    return v;
  };
  const fail = (res, status, code, message, extra = {}) => json(res, status, { error: { code, message, ...extra } });
  const grantState = (g) => (g.revoked_at ? 'revoked' : now() < g.valid_from ? 'not_yet_valid' : now() > g.valid_until ? 'expired' : 'active');
  const grantView = (g) => {
    const { token, ...v } = g;
    return { ...v, state: grantState(g) };
  };

  function issue({ name, outlet = '', email = '', language = 'sv', device_cap = 2, accreditation_id = '', valid_from, valid_until, covers = {} }) {
    const id = `pr-${hex()}`;
    const token = `g1.mock.${id}.${hex(4)}`;
    const g = {
      id, event: event.id, name, outlet, email, language, stages: covers.stages ?? stages.map((s) => s.id), rooms: covers.rooms ?? (pressRoom ? [pressRoom.id] : []),
      valid_from: valid_from ?? now() - 3600, valid_until: valid_until ?? now() + 2 * 86400, device_cap, accreditation_id,
      created_by: 'Pia Pressdóttir', created_at: now(), revoked_at: null, revoked_by: null, revoke_reason: null, live: [], refusals: [], token,
    };
    grants.unshift(g);
    return g;
  }
  // The fixed not-yet-valid grant.
  const notYet = issue({ name: 'Nora Notyet', outlet: 'Morgonbladet', valid_from: now() + 86400, valid_until: now() + 3 * 86400 });
  notYet.token = 'g1.mock.notyet';

  /** The grant a token names, or [status, code] of its refusal. */
  function grantOf(token) {
    if (refusedOf(token)) return { refused: refusedOf(token) };
    const g = grants.find((x) => x.token === token);
    if (!g) return { refused: [403, 'grant_invalid'] };
    if (g.revoked_at) return { refused: [410, 'grant_revoked'] };
    if (now() > g.valid_until) return { refused: [410, 'grant_expired'] };
    return { grant: g };
  }
  const bearer = (req, url) => {
    const h = String(req.headers.authorization ?? '');
    return h.startsWith('Bearer ') ? h.slice(7) : url.searchParams.get('grant') ?? '';
  };
  const officer = (req) => {
    const h = String(req.headers.authorization ?? '');
    if (h === `Bearer ${MOCK_OFFICER}`) return { name: 'Pia Pressdóttir' };
    const u = staffOf(req, event.id);
    return u && (u.role === 'organizer' || u.role === 'press_officer') ? u : null;
  };

  function checkRequest(b) {
    const fields = [];
    const str = (k) => (typeof b[k] === 'string' ? b[k].trim() : '');
    if (!str('name')) fields.push({ field: 'name', message: 'Namn behövs.' });
    if (!str('outlet')) fields.push({ field: 'outlet', message: 'Redaktion behövs.' });
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(str('email'))) fields.push({ field: 'email', message: 'Ogiltig e-postadress.' });
    if (str('phone') && !/^[0-9 +()-]+$/.test(str('phone'))) fields.push({ field: 'phone', message: 'Telefonnumret får bara innehålla siffror, mellanslag och + ( ) -.' });
    if (!Array.isArray(b.days) || b.days.length === 0 || b.days.some((d) => !event.days.includes(d))) fields.push({ field: 'days', message: 'Välj evenemangets dagar.' });
    return fields;
  }

  /** Whether it handled the request (false: not a press route). */
  async function route(req, res, url, path) {
    return (await handle(req, res, url, path)) !== false;
  }

  async function handle(req, res, url, path) {
    const m = req.method;
    const E = `/api/v1/events/${event.id}`;
    // --- test hooks ---
    if (path === '/__mock/press/state') {
      return json(res, 200, {
        accreditations, grants: grants.map((g) => ({ ...grantView(g), token: g.token })), interviews, linkRequests,
        links: {
          manage: accreditations.map((a) => link(`accreditation=${a.manage}`)),
          grant: grants.map((g) => link(`press=${g.token}`)),
          speaker: [...speakerTokens].map(([t, id]) => ({ id, link: link(`interview=${t}`) })),
        },
      });
    }
    const hook = path.match(/^\/__mock\/press\/grants\/([^/]+)$/);
    if (hook && m === 'POST') {
      const g = grants.find((x) => x.id === hook[1]);
      if (!g) return fail(res, 404, 'no_such_grant', 'no such grant');
      Object.assign(g, await readBody(req));
      return json(res, 200, { grant: grantView(g) });
    }
    // --- the gated playlist ---
    const live = path.match(/^\/live\/([^/]+)\/index\.m3u8$/);
    if (live && stages.some((s) => s.id === live[1])) {
      const { grant, refused } = grantOf(url.searchParams.get('grant') ?? '');
      let err = refused;
      const device = url.searchParams.get('device') ?? '';
      if (!err && grant) {
        const devices = new Set(grant.live.map((v) => v.device));
        if (!devices.has(device) && devices.size >= grant.device_cap) {
          err = [403, 'device_limit'];
          grant.refusals.push({ stage: live[1], device, address: '127.0.0.1', user_agent: String(req.headers['user-agent'] ?? ''), at: Date.now() });
        } else if (!devices.has(device)) {
          grant.live.push({ device, stage: live[1], address: '127.0.0.1', user_agent: String(req.headers['user-agent'] ?? ''), first_at: Date.now(), last_at: Date.now(), bytes: 0 });
        }
      }
      if (err) return fail(res, err[0], err[1], err[1], { contact: settings.contacts[0] });
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'private, no-store' });
      return res.end('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n');
    }
    // --- public ---
    if (path === `${E}/accreditation` && m === 'GET') return json(res, 200, { event: eventView(), open: settings.accreditation_open, contacts: settings.contacts });
    if (path === `${E}/accreditations` && m === 'POST') {
      const b = await readBody(req);
      if (!settings.accreditation_open) return fail(res, 403, 'accreditation_closed', 'Ackrediteringen är stängd.');
      const fields = checkRequest(b);
      if (fields.length) return fail(res, 422, 'invalid_input', 'Kontrollera fälten.', { fields });
      const existing = accreditations.find((a) => a.email === b.email.trim().toLowerCase() && (a.state === 'pending' || a.state === 'info_requested'));
      if (existing) return json(res, 200, { already: true });
      const a = {
        id: `acc-${hex()}`, event_id: event.id, name: b.name.trim(), outlet: b.outlet.trim(), email: b.email.trim().toLowerCase(), phone: b.phone ?? '',
        press_card: b.press_card ?? '', days: b.days, attendance: b.attendance === 'hall' ? 'hall' : 'remote', note: b.note ?? '', language: b.language ?? 'sv',
        state: 'pending', question: '', reason: '', created_at: now(), updated_at: now(), grant_id: '', decided_by: '', manage: `m${hex(12)}`,
      };
      accreditations.push(a);
      return json(res, 201, { accreditation: journalistView(a) });
    }
    const own = path.match(/^\/api\/v1\/accreditations\/([^/]+)(\/answer)?$/);
    if (own) {
      const a = accreditations.find((x) => x.manage === own[1]);
      if (!a) return fail(res, 404, 'not_found', 'no such accreditation');
      if (!own[2] && m === 'GET') return json(res, 200, { accreditation: journalistView(a), event: eventView() });
      if (own[2] && m === 'POST') {
        const b = await readBody(req);
        if (a.state !== 'info_requested') return fail(res, 409, 'accreditation_state', 'Not waiting for an answer.');
        a.note = `${a.note}\n\n— Svar: ${b.answer}`;
        a.state = 'pending';
        a.question = '';
        return json(res, 200, { accreditation: journalistView(a) });
      }
    }
    // --- the speaker ---
    const sp = path.match(/^\/api\/v1\/interviews\/([^/]+)(\/answer)?$/);
    if (sp) {
      const iv = interviews.find((x) => x.id === speakerTokens.get(sp[1]));
      if (!iv) return fail(res, 404, 'not_found', 'no such interview');
      if (!sp[2] && m === 'GET') return json(res, 200, { interview: iv, event: { id: event.id, title: event.title } });
      if (sp[2] && m === 'POST') return answer(res, iv, await readBody(req), 'speaker');
    }
    // --- the grant holder ---
    if (path === '/api/v1/press/me' && m === 'GET') {
      const token = bearer(req, url);
      if (token === 'g1.mock.notyet') return json(res, 200, me(notYet));
      const { grant, refused } = grantOf(token);
      if (refused) return fail(res, refused[0], refused[1], refused[1]);
      return json(res, 200, me(grant));
    }
    if (path === '/api/v1/press/interviews' && m === 'POST') {
      const { grant, refused } = grantOf(bearer(req, url));
      if (refused) return fail(res, refused[0], refused[1], refused[1]);
      const b = await readBody(req);
      if (!speakers().some((s) => s.name === b.speaker)) return fail(res, 422, 'invalid_input', 'No such speaker.', { fields: [{ field: 'speaker', message: 'Talaren finns inte i programmet.' }] });
      if (!String(b.wanted ?? '').trim()) return fail(res, 422, 'invalid_input', 'When?', { fields: [{ field: 'wanted', message: 'Obligatoriskt.' }] });
      const iv = {
        id: `iv-${hex()}`, event_id: event.id, grant_id: grant.id, journalist: grant.outlet ? `${grant.name}, ${grant.outlet}` : grant.name, speaker: b.speaker,
        session_id: b.session_id ?? '', wanted: b.wanted, note: b.note ?? '', state: 'requested', proposed: '', answer_note: '', answered_by: '', speaker_email: '',
        created_at: now(), updated_at: now(),
      };
      interviews.push(iv);
      return json(res, 201, { interview: iv });
    }
    const resp = path.match(/^\/api\/v1\/press\/interviews\/([^/]+)\/respond$/);
    if (resp && m === 'POST') {
      const { grant, refused } = grantOf(bearer(req, url));
      if (refused) return fail(res, refused[0], refused[1], refused[1]);
      const iv = interviews.find((x) => x.id === resp[1] && x.grant_id === grant.id);
      if (!iv) return fail(res, 404, 'not_found', 'no such interview');
      const b = await readBody(req);
      if (b.answer === 'accept' && iv.state !== 'proposed') return fail(res, 409, 'interview_state', 'Nothing to accept.');
      iv.state = b.answer === 'accept' ? 'accepted' : b.answer === 'decline' ? 'declined' : 'cancelled';
      iv.updated_at = now();
      return json(res, 200, { interview: iv });
    }
    // --- the stages as the officer's console lists them (staff view: every stage, with its
    // visibility and room; one public stage, which a grant need not cover) ---
    if (path === '/api/v1/stages' && m === 'GET' && String(req.headers.authorization ?? '') === `Bearer ${MOCK_OFFICER}`) {
      const open = { id: 'open', name: { sv: 'Öppen sändning', en: 'Open stream' }, room: 'main', state: 'live', visibility: 'public', public_at: null };
      return json(res, 200, { stages: [...stages, open].map((s) => ({ ...s, event: event.id, hls: `/live/${s.id}/index.m3u8` })) });
    }
    // --- the press officer ---
    if (!path.startsWith(`${E}/`)) return false;
    const rest = path.slice(E.length);
    const isOfficer = ['/accreditations', '/grants', '/interviews', '/press/'].some((p) => rest.startsWith(p));
    if (!isOfficer) return false;
    const who = officer(req);
    if (!who) return fail(res, 401, 'not_signed_in', 'Sign in.');
    if (rest === '/accreditations' && m === 'GET') return json(res, 200, { accreditations: accreditations.map(({ manage, ...a }) => a) });
    const act = rest.match(/^\/accreditations\/([^/]+)\/(approve|reject|ask)$/);
    if (act && m === 'POST') {
      const a = accreditations.find((x) => x.id === act[1]);
      if (!a) return fail(res, 404, 'not_found', 'no such accreditation');
      const b = await readBody(req);
      if (a.state !== 'pending' && a.state !== 'info_requested') return fail(res, 409, 'accreditation_state', `It is ${a.state}.`);
      a.decided_by = who.name;
      a.updated_at = now();
      const { manage, ...officerView } = a;
      if (act[2] === 'approve') {
        const at = (v) => (typeof v === 'string' && Number.isFinite(Date.parse(v)) ? Math.floor(Date.parse(v) / 1000) : undefined);
        const g = issue({
          name: a.name, outlet: a.outlet, email: a.email, language: a.language, accreditation_id: a.id,
          ...(Number.isInteger(b.device_cap) ? { device_cap: b.device_cap } : {}),
          ...(at(b.valid_from) ? { valid_from: at(b.valid_from) } : {}),
          ...(at(b.valid_until) ? { valid_until: at(b.valid_until) } : {}),
          covers: coversOf(b),
        });
        a.state = 'approved';
        a.grant_id = g.id;
        return json(res, 200, { accreditation: { ...officerView, state: 'approved', grant_id: g.id }, grant: grantView(g), link: link(`press=${g.token}`) });
      }
      if (act[2] === 'reject') {
        if (!String(b.reason ?? '').trim()) return fail(res, 422, 'invalid_input', 'reason', { fields: [{ field: 'reason', message: 'Obligatoriskt.' }] });
        a.state = 'rejected';
        a.reason = b.reason;
      } else {
        if (!String(b.question ?? '').trim()) return fail(res, 422, 'invalid_input', 'question', { fields: [{ field: 'question', message: 'Obligatoriskt.' }] });
        a.state = 'info_requested';
        a.question = b.question;
      }
      const { manage: _m, ...after } = a;
      return json(res, 200, { accreditation: after });
    }
    if (rest === '/grants' && m === 'GET') return json(res, 200, { grants: grants.filter((g) => g !== notYet).map(grantView) });
    if (rest === '/grants' && m === 'POST') {
      const b = await readBody(req);
      if (!String(b.name ?? '').trim()) return fail(res, 422, 'invalid_input', 'name', { fields: [{ field: 'name', message: 'Obligatoriskt.' }] });
      const g = issue({ name: b.name.trim(), outlet: b.outlet ?? '', email: b.email ?? '', language: b.language ?? 'sv', device_cap: b.device_cap ?? 2, covers: coversOf(b) });
      return json(res, 201, { grant: grantView(g), link: link(`press=${g.token}`) });
    }
    const gl = rest.match(/^\/grants\/([^/]+)\/link$/);
    if (gl && m === 'POST') {
      const g = grants.find((x) => x.id === gl[1]);
      if (!g) return fail(res, 404, 'no_such_grant', 'no such grant');
      if (g.revoked_at) return fail(res, 410, 'grant_revoked', 'This press grant has been revoked; it has no link.');
      linkRequests.push(g.id);
      return json(res, 200, { link: link(`press=${g.token}`) });
    }
    const rv = rest.match(/^\/grants\/([^/]+)\/revoke$/);
    if (rv && m === 'POST') {
      const g = grants.find((x) => x.id === rv[1]);
      if (!g) return fail(res, 404, 'no_such_grant', 'no such grant');
      const b = await readBody(req);
      if (!g.revoked_at) {
        g.revoked_at = now();
        g.revoked_by = who.name;
        g.revoke_reason = b.reason ?? '';
        g.live = [];
        const a = accreditations.find((x) => x.grant_id === g.id);
        if (a) a.state = 'revoked';
        closeUser(g.id, 4012);
      }
      return json(res, 200, { grant: grantView(g) });
    }
    if (rest === '/interviews' && m === 'GET') return json(res, 200, { interviews });
    const ia = rest.match(/^\/interviews\/([^/]+)\/(answer|speaker-link)$/);
    if (ia && m === 'POST') {
      const iv = interviews.find((x) => x.id === ia[1]);
      if (!iv) return fail(res, 404, 'not_found', 'no such interview');
      const b = await readBody(req);
      if (ia[2] === 'answer') return answer(res, iv, b, who.name);
      const t = `s${hex(12)}`;
      speakerTokens.set(t, iv.id);
      if (b.email) iv.speaker_email = b.email;
      return json(res, 200, { link: link(`interview=${t}`) });
    }
    if (rest === '/press/settings' && m === 'GET') return json(res, 200, settings);
    if (rest === '/press/settings' && m === 'PUT') {
      const b = await readBody(req);
      settings.accreditation_open = b.accreditation_open === true;
      if (Array.isArray(b.contacts)) settings.contacts = b.contacts;
      return json(res, 200, settings);
    }
    if (rest === '/press/audit.csv' && m === 'GET') {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
      return res.end('\ufeffkind,viewer,name,stage,device,address,user_agent,first,last,bytes,requests\r\n');
    }
    return false;
  }

  function answer(res, iv, b, by) {
    const from = iv.state;
    const to = b.answer === 'accept' ? 'accepted' : b.answer === 'propose' ? 'proposed' : b.answer === 'decline' ? 'declined' : null;
    if (!to || !(from === 'requested' || (from === 'proposed' && to !== 'proposed'))) return fail(res, 409, 'interview_state', `It is ${from}.`);
    if (to === 'proposed' && !String(b.proposed ?? '').trim()) return fail(res, 422, 'invalid_input', 'proposed', { fields: [{ field: 'proposed', message: 'Obligatoriskt.' }] });
    iv.state = to;
    iv.proposed = to === 'proposed' ? b.proposed : iv.proposed;
    iv.answer_note = b.note ?? '';
    iv.answered_by = by;
    iv.updated_at = now();
    return json(res, 200, { interview: iv });
  }

  function speakers() {
    const by = new Map();
    for (const s of event.sessions) {
      for (const p of s.speakers ?? []) {
        if (!by.has(p.name)) by.set(p.name, { name: p.name, affiliation: p.affiliation ?? {}, sessions: [] });
        by.get(p.name).sessions.push({ id: s.id, title: s.title, day: s.day, starts_at: s.starts_at, ends_at: s.ends_at, room_id: s.room_id });
      }
    }
    return [...by.values()];
  }

  function me(g) {
    const { email, live, refusals, token, ...view } = grantView(g);
    const valid = grantState(g) === 'active';
    return {
      grant: view,
      event: { ...eventView(), rooms: event.rooms.map((r) => ({ id: r.id, kind: r.kind, name: r.name })) },
      stages: stages.map((s) => ({ ...s, hls: `/live/${s.id}/index.m3u8?grant=${encodeURIComponent(g.token)}` })),
      rooms: valid && pressRoom ? [{ id: pressRoom.id, kind: pressRoom.kind, name: pressRoom.name }] : [],
      contacts: settings.contacts,
      interviews: interviews.filter((i) => i.grant_id === g.id),
      speakers: speakers(),
    };
  }

  /** A WebSocket hello with a grant: the user, or an error code. */
  function helloGrant(token) {
    if (token === 'g1.mock.notyet') return { error: 'grant_not_yet_valid' };
    const { grant, refused } = grantOf(token);
    if (refused) return { error: refused[1] };
    return { user: { id: grant.id, name: grant.outlet ? `${grant.name} (${grant.outlet})` : grant.name, role: 'press' } };
  }

  return { route, helloGrant };
}

// The mock server's Q&A, polls and chat moderation (issue 17, docs/protocol.md): enough of the
// real server's behaviour for the web app's tests to run without the C++ server. Requests ask,
// vote, question, poll_create, poll, poll_vote, moderate; the join ack's `events` and `qa`; the
// log entries (question, votes, poll, poll_results, message_deleted, message_released,
// moderation) sharing the room's seq counter with messages, in three views (everyone, owner,
// staff); post gates (banned, muted, room_locked, slow_mode, held by the word list); a ban
// closes the user's connections with 4010 and refuses their hello.
//
// Tests act as a moderator behind the page's back with
//   POST /__mock/qa {"room":"E/R","request":{"type":"question","question":"q-…","action":"pin"}}
// which runs the request as the user {"id":"mock-mod","name":"Moderator","role":"moderator"} and
// answers {"result":…} or {"error":{code,message}}.
import { randomBytes } from 'node:crypto';

const STAFF = ['moderator', 'organizer'];
const ASKERS = ['attendee', 'speaker', 'press', 'moderator', 'organizer', 'guest'];
const MAX_CHARS = 300;
const TALLY_MS = 250;
const MOCK_MOD = { id: 'mock-mod', name: 'Moderator', role: 'moderator' };

const isStaff = (user) => STAFF.includes(user.role);
const hex = () => randomBytes(6).toString('hex');
const fold = (s) => s.toLowerCase().replace(/[åä]/g, 'a').replace(/ö/g, 'o');

export function createQa({ rooms, json, readBody, closeUser }) {
  const state = new Map(); // room ref -> Q&A state
  const mutes = new Map(); // user id -> { user, until, reason }
  const bans = new Map(); // user id -> { user, reason, at }
  let words = [];

  function qa(ref) {
    let s = state.get(ref);
    if (!s) {
      s = {
        questions: new Map(), voters: new Map(), polls: new Map(), pollVotes: new Map(), log: [],
        settings: { premoderated: false, slow_mode_seconds: 0, locked: false }, lastPost: new Map(),
        dirtyQ: new Set(), dirtyP: new Set(), tallyTimer: null, lastTally: 0,
      };
      state.set(ref, s);
    }
    return s;
  }

  // --- views ----------------------------------------------------------------------------------------
  function qView(q, view) {
    const author =
      q.source === 'hall' ? (q.hallName ? { id: null, name: q.hallName, role: null } : null) : { id: q.author.id, name: q.author.name, role: q.author.role };
    return {
      id: q.id, room: q.room, text: q.text, status: q.status, pinned: q.pinned, source: q.source, press: q.press, anonymous: q.anonymous,
      author: view === 'everyone' && q.anonymous ? null : view === 'staff' && q.anonymous ? null : author,
      votes: qa(q.room).voters.get(q.id)?.size ?? 0, created: q.created, updated: q.updated, edited: q.edited,
      merged_into: q.merged_into, merged_from: q.merged_from, reason: view === 'everyone' ? null : q.reason, mine: view === 'owner',
    };
  }
  const publicStatus = (q) => q.status === 'approved' || q.status === 'answered';
  function pView(p, view) {
    const hidden = view === 'everyone' && p.results === 'hidden';
    return {
      id: p.id, room: p.room, text: p.text, kind: p.kind, state: p.state, results: p.results, created: p.created,
      options: p.options.map((text, i) => ({ text, votes: hidden ? null : p.counts[i] })), voters: hidden ? null : p.voters,
    };
  }

  // --- the log --------------------------------------------------------------------------------------
  /** Stores an entry with the next seq and sends each member its view (null: not sent). */
  function entry(ref, type, views) {
    const room = rooms.get(ref);
    const e = { seq: ++room.seq, ts: Date.now(), type, ...views };
    qa(ref).log.push(e);
    for (const c of room.members) {
      const frame = frameFor(ref, e, c.user);
      if (frame) c.send(frame);
    }
    return e;
  }
  function frameFor(ref, e, user) {
    const body = isStaff(user) ? e.staff : e.ownerId && e.ownerId === user.id && e.owner !== undefined ? e.owner : e.everyone;
    return body ? { type: e.type, room: ref, seq: e.seq, ts: e.ts, ...body } : null;
  }
  function questionEntry(q, wasPublic) {
    entry(q.room, 'question', {
      staff: { question: qView(q, 'staff') },
      owner: q.author?.id ? { question: qView(q, 'owner') } : undefined,
      ownerId: q.author?.id,
      everyone: publicStatus(q) || wasPublic ? { question: qView(q, 'everyone') } : null,
    });
  }
  function pollEntry(p) {
    entry(p.room, 'poll', { staff: { poll: pView(p, 'staff') }, everyone: p.state === 'draft' ? null : { poll: pView(p, 'everyone') } });
  }
  function tallySoon(ref) {
    const s = qa(ref);
    if (s.tallyTimer) return;
    const wait = Math.max(0, s.lastTally + TALLY_MS - Date.now());
    s.tallyTimer = setTimeout(() => {
      s.tallyTimer = null;
      s.lastTally = Date.now();
      if (s.dirtyQ.size) {
        const questions = [...s.dirtyQ].map((id) => ({ id, votes: s.voters.get(id)?.size ?? 0 }));
        const pub = questions.filter((x) => publicStatus(s.questions.get(x.id)));
        entry(ref, 'votes', { staff: { questions }, everyone: pub.length ? { questions: pub } : null });
      }
      if (s.dirtyP.size) {
        const all = [...s.dirtyP].map((id) => s.polls.get(id));
        const res = (p) => ({ id: p.id, counts: p.counts, voters: p.voters });
        const pub = all.filter((p) => p.state !== 'draft' && p.results !== 'hidden');
        entry(ref, 'poll_results', { staff: { polls: all.map(res) }, everyone: pub.length ? { polls: pub.map(res) } : null });
      }
      s.dirtyQ.clear();
      s.dirtyP.clear();
    }, wait);
  }

  // --- join -----------------------------------------------------------------------------------------
  /** The join ack's `events` (since) and `qa` for this user. */
  function joinExtras(user, ref, since) {
    const s = qa(ref);
    const events = typeof since === 'number' ? s.log.filter((e) => e.seq > since).map((e) => frameFor(ref, e, user)).filter(Boolean) : [];
    const staff = isStaff(user);
    const questions = [...s.questions.values()]
      .filter((q) => staff ? q.status !== 'merged' : publicStatus(q) || q.author?.id === user.id)
      .map((q) => qView(q, staff ? 'staff' : q.author?.id === user.id ? 'owner' : 'everyone'));
    const polls = [...s.polls.values()].filter((p) => (staff ? p.state !== 'archived' : p.state === 'open' || p.state === 'closed')).map((p) => pView(p, staff ? 'staff' : 'everyone'));
    const my_votes = [...s.voters].filter(([, set]) => set.has(user.id)).map(([id]) => id);
    const my_poll_votes = {};
    for (const [id, votes] of s.pollVotes) if (votes.has(user.id)) my_poll_votes[id] = votes.get(user.id);
    const result = {
      questions, polls, my_votes, my_poll_votes,
      settings: { premoderated: s.settings.premoderated, names_to_moderators: false, question_max_chars: MAX_CHARS, slow_mode_seconds: s.settings.slow_mode_seconds, locked: s.settings.locked },
    };
    if (staff) {
      const room = rooms.get(ref);
      result.moderation = {
        muted: [...mutes.values()].filter((m) => m.until > Date.now()).map((m) => ({ user: m.user, until: m.until, reason: m.reason })),
        banned: [...bans.values()], words, held: room.messages.filter((m) => m.held && !m.deleted),
      };
    }
    return { events, qa: result };
  }

  // --- posts ----------------------------------------------------------------------------------------
  /** Before a post is stored: an error [code, message, extra] or null; `held` for the word list. */
  function gate(user, ref, text) {
    if (isStaff(user)) return { error: null, held: false };
    const s = qa(ref);
    if (bans.has(user.id)) return { error: ['banned', 'banned'] };
    const mute = mutes.get(user.id);
    if (mute && mute.until > Date.now()) return { error: ['muted', 'muted', { retry_after_ms: mute.until - Date.now() }] };
    if (s.settings.locked) return { error: ['room_locked', 'the room is locked'] };
    const last = s.lastPost.get(user.id);
    const wait = last ? last + s.settings.slow_mode_seconds * 1000 - Date.now() : 0;
    if (s.settings.slow_mode_seconds > 0 && wait > 0) return { error: ['slow_mode', 'slow mode', { retry_after_ms: wait }] };
    s.lastPost.set(user.id, Date.now());
    const folded = fold(text);
    const held = words.some((w) => new RegExp(`(^|[^\\p{L}\\p{N}])${fold(w).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'u').test(folded));
    return { error: null, held };
  }
  /** Whether `user` may see message `m` (held: staff and its author; deleted: nobody). */
  const maysee = (user, m) => !m.deleted && (!m.held || isStaff(user) || m.user.id === user.id);

  // --- requests -------------------------------------------------------------------------------------
  const fail = (code, message) => ({ error: { code, message } });

  /** Runs a Q&A request for `user` in the joined room `ref`; null when the type is not ours. */
  function request(user, ref, msg) {
    const s = qa(ref);
    const now = Date.now();
    const staff = isStaff(user);
    const readOnly = user.id.startsWith('kiosk-');
    const findQ = () => {
      const q = s.questions.get(msg.question);
      if (!q) {
        for (const other of state.values()) if (other.questions.has(msg.question)) return fail('wrong_room', 'the question is in another room');
        return fail('no_such_question', 'no such question');
      }
      return q;
    };
    switch (msg.type) {
      case 'ask': {
        if (readOnly || !ASKERS.includes(user.role)) return fail('forbidden', 'you may not ask');
        if (msg.hall && !staff) return fail('forbidden', 'hall questions are for moderators');
        const text = typeof msg.text === 'string' ? msg.text.trim() : '';
        if (!text) return fail('text_empty', 'empty');
        if ([...text].length > MAX_CHARS) return fail('question_too_long', 'too long');
        const same = [...s.questions.values()].find((q) => q.author?.id === user.id && q.client_msg_id === msg.client_msg_id);
        if (same) return { result: { room: ref, question: qView(same, 'owner'), duplicate: true } };
        const q = {
          id: `q-${hex()}`, room: ref, text, status: s.settings.premoderated && !staff && !msg.hall ? 'pending' : 'approved', pinned: false,
          source: msg.hall ? 'hall' : 'online', press: user.role === 'press', anonymous: msg.anonymous === true,
          author: msg.hall ? null : { id: user.id, name: user.name, role: user.role }, hallName: msg.hall ? (msg.name ?? '') : '',
          client_msg_id: msg.client_msg_id, created: now, updated: now, edited: false, merged_into: null, merged_from: [], reason: null,
        };
        s.questions.set(q.id, q);
        s.voters.set(q.id, new Set());
        questionEntry(q, false);
        return { result: { room: ref, question: qView(q, msg.hall ? 'staff' : 'owner'), duplicate: false } };
      }
      case 'vote': {
        if (readOnly) return fail('forbidden', 'The projector view only shows.');
        const q = findQ();
        if (q.error) return q;
        if (!publicStatus(q)) return fail('question_closed', 'closed');
        const set = s.voters.get(q.id);
        const up = msg.up !== false;
        if (up && set.has(user.id)) return fail('already_voted', 'already voted');
        if (!up && !set.has(user.id)) return fail('not_voted', 'not voted');
        if (up) set.add(user.id);
        else set.delete(user.id);
        s.dirtyQ.add(q.id);
        tallySoon(ref);
        return { result: { room: ref, question: q.id, votes: set.size, voted: up } };
      }
      case 'question': {
        if (!staff) return fail('forbidden', 'moderators only');
        const q = findQ();
        if (q.error) return q;
        const wasPublic = publicStatus(q);
        switch (msg.action) {
          case 'approve': q.status = 'approved'; break;
          case 'reject': q.status = 'rejected'; q.reason = msg.reason ?? null; q.pinned = false; break;
          case 'answered': q.status = 'answered'; q.pinned = false; break;
          case 'archive': q.status = 'archived'; q.pinned = false; break;
          case 'restore': q.status = 'approved'; break;
          case 'edit': q.text = String(msg.text ?? q.text).trim(); q.edited = true; break;
          case 'unpin': q.pinned = false; break;
          case 'pin': {
            if (!['approved', 'pending', 'answered'].includes(q.status)) return fail('question_state', 'cannot pin');
            for (const other of s.questions.values()) {
              if (other.pinned && other.id !== q.id) {
                other.pinned = false;
                other.updated = now;
                questionEntry(other, publicStatus(other));
              }
            }
            q.pinned = true;
            q.status = 'approved';
            break;
          }
          default: return fail('bad_message', 'unknown action');
        }
        q.updated = now;
        questionEntry(q, wasPublic);
        return { result: { room: ref, question: qView(q, 'staff') } };
      }
      case 'poll_create': {
        if (!staff) return fail('forbidden', 'moderators only');
        const options = Array.isArray(msg.options) ? msg.options.map((o) => String(o).trim()) : [];
        if (options.length < 2 || options.length > 10 || options.some((o) => !o) || new Set(options).size !== options.length) {
          return fail('poll_invalid', '2 to 10 distinct options');
        }
        const p = {
          id: `p-${hex()}`, room: ref, text: String(msg.text ?? '').trim(), kind: msg.kind === 'multiple' ? 'multiple' : 'single', options,
          counts: options.map(() => 0), voters: 0, state: 'draft', results: msg.results === 'hidden' ? 'hidden' : 'live', created: now,
        };
        s.polls.set(p.id, p);
        s.pollVotes.set(p.id, new Map());
        pollEntry(p);
        return { result: { room: ref, poll: pView(p, 'staff') } };
      }
      case 'poll': {
        if (!staff) return fail('forbidden', 'moderators only');
        const p = s.polls.get(msg.poll);
        if (!p) return fail('no_such_poll', 'no such poll');
        const next = { open: 'open', close: 'closed', archive: 'archived' }[msg.action];
        if (next) {
          if (msg.action === 'open' && p.state !== 'draft') return fail('poll_state', 'only a draft opens');
          p.state = next;
        } else if (msg.action === 'reveal') p.results = 'revealed';
        else if (msg.action === 'hide') p.results = 'hidden';
        else return fail('bad_message', 'unknown action');
        pollEntry(p);
        return { result: { room: ref, poll: pView(p, 'staff') } };
      }
      case 'poll_vote': {
        if (readOnly) return fail('forbidden', 'The projector view only shows.');
        const p = s.polls.get(msg.poll);
        if (!p) return fail('no_such_poll', 'no such poll');
        if (p.state !== 'open') return fail('poll_closed', 'closed');
        const choices = Array.isArray(msg.choices) ? msg.choices : null;
        if (!choices || choices.some((c) => !Number.isInteger(c) || c < 0 || c >= p.options.length) || new Set(choices).size !== choices.length || (p.kind === 'single' && choices.length > 1)) {
          return fail('bad_choice', 'bad choice');
        }
        const votes = s.pollVotes.get(p.id);
        if (choices.length) votes.set(user.id, [...choices].sort((a, b) => a - b));
        else votes.delete(user.id);
        p.counts = p.options.map((_, i) => [...votes.values()].filter((v) => v.includes(i)).length);
        p.voters = votes.size;
        s.dirtyP.add(p.id);
        tallySoon(ref);
        return { result: { room: ref, poll: p.id, choices: votes.get(user.id) ?? [] } };
      }
      case 'moderate':
        return moderate(user, ref, msg);
      default:
        return null;
    }
  }

  function moderate(user, ref, msg) {
    if (!isStaff(user)) return fail('forbidden', 'moderators only');
    const s = qa(ref);
    const room = rooms.get(ref);
    const by = { id: user.id, name: user.name, role: user.role };
    const notice = (action, extra, audience) => {
      const body = { action, user: null, until: null, seconds: null, reason: null, by, ...extra };
      entry(ref, 'moderation', { staff: body, everyone: audience === 'everyone' ? body : null, owner: audience === 'owner' ? body : undefined, ownerId: extra.user?.id });
    };
    switch (msg.action) {
      case 'slow_mode': {
        const seconds = Number(msg.seconds);
        if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) return fail('bad_message', 'seconds 0..3600');
        s.settings.slow_mode_seconds = seconds;
        notice('slow_mode', { seconds }, 'everyone');
        return { result: { room: ref, action: 'slow_mode', seconds } };
      }
      case 'lock':
      case 'unlock':
        s.settings.locked = msg.action === 'lock';
        notice(msg.action, {}, 'everyone');
        return { result: { room: ref, action: msg.action } };
      case 'premoderation':
        s.settings.premoderated = msg.on === true;
        notice('premoderation', { on: s.settings.premoderated }, 'everyone');
        return { result: { room: ref, action: 'premoderation', on: s.settings.premoderated } };
      case 'mute': {
        const seconds = Number(msg.seconds);
        if (typeof msg.user !== 'string' || !(seconds > 0)) return fail('bad_message', 'user and seconds');
        const target = { id: msg.user, name: msg.name ?? msg.user };
        const until = Date.now() + seconds * 1000;
        mutes.set(msg.user, { user: target, until, reason: msg.reason ?? null });
        notice('mute', { user: target, until, seconds, reason: msg.reason ?? null }, 'owner');
        return { result: { room: ref, action: 'mute', user: target, until } };
      }
      case 'unmute': {
        const target = mutes.get(msg.user)?.user ?? { id: msg.user, name: msg.user };
        mutes.delete(msg.user);
        notice('unmute', { user: target }, 'owner');
        return { result: { room: ref, action: 'unmute', user: target } };
      }
      case 'ban':
      case 'unban': {
        if (typeof msg.user !== 'string') return fail('bad_message', 'user');
        const target = { id: msg.user, name: msg.name ?? msg.user };
        if (msg.action === 'ban') {
          bans.set(msg.user, { user: target, reason: msg.reason ?? null, at: Date.now() });
          mutes.delete(msg.user);
        } else bans.delete(msg.user);
        notice(msg.action, { user: target, reason: msg.reason ?? null }, 'staff');
        if (msg.action === 'ban') closeUser?.(msg.user, 4010);
        return { result: { room: ref, action: msg.action, user: target } };
      }
      case 'words':
        words = Array.isArray(msg.words) ? msg.words.map(String) : [];
        notice('words', {}, 'staff');
        return { result: { room: ref, action: 'words', words } };
      case 'delete_message':
      case 'release_message': {
        const m = room.messages.find((x) => x.seq === msg.seq && !x.deleted);
        if (!m) return fail('no_such_message', 'no such message');
        if (msg.action === 'delete_message') {
          m.deleted = true;
          entry(ref, 'message_deleted', { everyone: { deleted_seq: m.seq } });
          notice('delete', { reason: msg.reason ?? null }, 'staff');
        } else {
          delete m.held;
          entry(ref, 'message_released', { everyone: { message: m } });
        }
        return { result: { room: ref, action: msg.action, seq: m.seq } };
      }
      default:
        return fail('bad_message', 'unknown action');
    }
  }

  /** POST /__mock/qa: a moderator's request behind the page's back. */
  async function route(req, res, url, path) {
    if (path !== '/__mock/qa' || req.method !== 'POST') return false;
    const body = (await readBody(req)) ?? {};
    if (!rooms.has(body.room)) {
      json(res, 404, { error: { code: 'no_such_room', message: 'no such room' } });
      return true;
    }
    const out = request(body.user ?? MOCK_MOD, body.room, { ...body.request, room: body.room });
    json(res, out?.error ? 409 : 200, out ?? { error: { code: 'unknown_type', message: 'not a Q&A request' } });
    return true;
  }

  return { request, joinExtras, gate, maysee, route, isStaff, isBanned: (id) => bans.has(id) };
}

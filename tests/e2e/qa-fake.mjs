// A stand-in for the server's side of issue 17's protocol (docs/protocol.md: hello with a kiosk,
// join with `events` and `qa`, ask, vote, question, poll_create, poll, poll_vote, moderate, post
// with the word list, and the log's events in their views), run in the test's own process behind
// Playwright's context.routeWebSocket. The moderator console's browser test uses it with the
// mock server (HTTP) so that it runs without the C++ server; qa_live.test.mjs checks the real one.
// Vote and poll tallies are sent at once (no coalescing): the UI does not depend on it.

export function createQaFake({ event, rooms, users = {} }) {
  const state = { conns: new Set(), rooms: new Map(), muted: new Map(), banned: new Map(), words: [], kiosks: new Map(), nextId: 1 };
  for (const r of rooms) {
    state.rooms.set(`${event}/${r}`, { ref: `${event}/${r}`, seq: 0, messages: [], log: [], questions: new Map(), votes: new Map(), polls: new Map(), pollVotes: new Map(), settings: { premoderated: false, locked: false, slow: 0 }, members: new Set(), byClient: new Map() });
  }
  const staff = (u) => u && (u.role === 'moderator' || u.role === 'organizer');
  const now = () => Date.now();

  function qView(q, room, view, viewer) {
    const votes = room.votes.get(q.id)?.size ?? 0;
    const base = { ...q, votes, merged_from: [...q.merged_from], mine: false };
    delete base.owner;
    if (view === 'staff') return { ...base, mine: q.owner?.id === viewer?.id };
    if (view === 'owner') return { ...base, mine: true };
    const author = q.anonymous ? null : q.source === 'hall' ? (q.author ? { name: q.author.name } : null) : q.author;
    return { ...base, author, reason: null };
  }
  function pView(p, room, view) {
    const counts = p.options.map(() => 0);
    const pv = room.pollVotes.get(p.id) ?? new Map();
    for (const ch of pv.values()) for (const i of ch) counts[i]++;
    const show = view === 'staff' || p.results !== 'hidden';
    return { id: p.id, room: room.ref, text: p.text, kind: p.kind, state: p.state, results: p.results, created: p.created, options: p.options.map((t, i) => ({ text: t, votes: show ? counts[i] : null })), voters: show ? pv.size : null };
  }
  const audienceSees = (q) => q.status === 'approved' || q.status === 'answered' || (q.status === 'archived' && q.wasPublic);

  /** Appends a log entry with its frames per view and sends it to the room's members. */
  function entry(room, build) {
    const seq = ++room.seq;
    const ts = now();
    const e = { seq, ts, build };
    room.log.push(e);
    for (const c of room.members) {
      const f = build(c.user);
      if (f) c.send({ ...f, room: room.ref, seq, ts });
    }
    return e;
  }
  const questionEntry = (room, q) =>
    entry(room, (viewer) => {
      if (staff(viewer)) return { type: 'question', question: qView(q, room, 'staff', viewer) };
      if (q.owner && viewer && q.owner.id === viewer.id) return { type: 'question', question: qView(q, room, 'owner', viewer) };
      if (audienceSees(q)) return { type: 'question', question: qView(q, room, 'everyone', viewer) };
      return null;
    });
  const votesEntry = (room, ids) => entry(room, () => ({ type: 'votes', questions: ids.map((id) => ({ id, votes: room.votes.get(id)?.size ?? 0 })) }));
  const pollEntry = (room, p) => entry(room, (viewer) => (staff(viewer) ? { type: 'poll', poll: pView(p, room, 'staff') } : p.state === 'draft' ? null : { type: 'poll', poll: pView(p, room, 'everyone') }));
  const resultsEntry = (room, p) =>
    entry(room, (viewer) => {
      const v = pView(p, room, staff(viewer) ? 'staff' : 'everyone');
      if (v.voters === null || p.state === 'draft') return null;
      return { type: 'poll_results', polls: [{ id: p.id, counts: v.options.map((o) => o.votes), voters: v.voters }] };
    });
  const modEntry = (room, by, body, audience) =>
    entry(room, (viewer) => {
      if (audience === 'everyone' || staff(viewer) || (audience === 'owner' && body.user && viewer?.id === body.user.id)) {
        return { type: 'moderation', user: null, until: null, seconds: null, reason: null, ...body, by: { id: by.id, name: by.name, role: by.role } };
      }
      return null;
    });

  function snapshot(room, viewer) {
    const s = staff(viewer);
    const questions = [...room.questions.values()]
      .filter((q) => s || audienceSees(q) || (q.owner?.id === viewer.id && q.status !== 'merged'))
      .map((q) => qView(q, room, s ? 'staff' : q.owner?.id === viewer.id ? 'owner' : 'everyone', viewer));
    const polls = [...room.polls.values()].filter((p) => (s ? p.state !== 'archived' : p.state === 'open' || p.state === 'closed')).map((p) => pView(p, room, s ? 'staff' : 'everyone'));
    const my_votes = [...room.votes].filter(([, set]) => set.has(viewer.id)).map(([id]) => id);
    const my_poll_votes = {};
    for (const [pid, m] of room.pollVotes) if (m.has(viewer.id)) my_poll_votes[pid] = m.get(viewer.id);
    const qa = { questions, polls, my_votes, my_poll_votes, settings: { premoderated: room.settings.premoderated, names_to_moderators: false, question_max_chars: 300, slow_mode_seconds: room.settings.slow, locked: room.settings.locked } };
    if (s) {
      qa.moderation = {
        muted: [...state.muted.values()].filter((m) => m.until > now()),
        banned: [...state.banned.values()],
        words: state.words,
        held: room.messages.filter((m) => m.held && !m.deleted).map((m) => ({ ...m })),
      };
    }
    return qa;
  }

  const visibleMessage = (m, viewer) => !m.deleted && (!m.held || staff(viewer) || m.user.id === viewer.id);

  function handle(conn, msg) {
    const { id = null, type } = msg;
    const ack = (result) => conn.send({ type: 'ack', id, result });
    const err = (code, message, extra = {}) => conn.send({ type: 'error', id, code, message, ...extra });
    if (type !== 'hello' && !conn.user) return err('not_authenticated', 'say hello first');
    const room = typeof msg.room === 'string' ? state.rooms.get(msg.room) : undefined;
    const needRoom = () => {
      if (!room) return err('no_such_room', 'no such room'), false;
      if (!conn.rooms.has(room.ref)) return err('not_in_room', 'join first'), false;
      return true;
    };
    const readOnly = () => (conn.kiosk ? (err('forbidden', 'The projector view only shows.'), true) : false);
    switch (type) {
      case 'hello': {
        if (typeof msg.kiosk === 'string') {
          const k = state.kiosks.get(msg.kiosk);
          if (!k) return err('kiosk_unknown', 'unknown kiosk link');
          if (k.revoked) return err('kiosk_revoked', 'the kiosk link was revoked');
          conn.kiosk = k;
          conn.user = { id: `kiosk-${msg.kiosk.slice(0, 8)}`, name: 'Projector', role: 'guest' };
        } else if (typeof msg.token === 'string' && users[msg.token]) {
          conn.user = users[msg.token];
        } else if (msg.guest?.name) {
          conn.user = { id: `g-${state.nextId++}`, name: msg.guest.name, role: 'guest' };
        } else return err('token_invalid', 'unknown token');
        if (state.banned.has(conn.user.id)) return err('banned', 'You are banned from this event.');
        return ack({ session: `s-${state.nextId++}`, server_time: now(), user: conn.user, event, limits: { text_max_chars: 500, rate_burst: 5, rate_per_second: 1, history: 50 } });
      }
      case 'stages':
        return err('unknown_type', 'no stages here');
      case 'ping':
        return ack({ server_time: now() });
      case 'join': {
        if (!room) return err('no_such_room', 'no such room');
        if (conn.kiosk && conn.kiosk.room !== room.ref) return err('forbidden', 'another room');
        conn.rooms.add(room.ref);
        room.members.add(conn);
        const since = typeof msg.since === 'number' ? msg.since : null;
        const messages = room.messages.filter((m) => visibleMessage(m, conn.user) && (since === null || m.seq > since)).slice(-50).map((m) => ({ ...m, held: m.held || undefined }));
        const events = since === null ? [] : room.log.filter((e) => e.seq > since).flatMap((e) => {
          const f = e.build(conn.user);
          return f ? [{ ...f, room: room.ref, seq: e.seq, ts: e.ts }] : [];
        });
        return ack({ room: room.ref, seq: room.seq, count: room.members.size, messages, events, qa: snapshot(room, conn.user) });
      }
      case 'leave':
        if (room) {
          conn.rooms.delete(room.ref);
          room.members.delete(conn);
        }
        return ack({ room: msg.room });
      case 'members':
        return ack({ room: msg.room, count: room?.members.size ?? 0, members: [...(room?.members ?? [])].map((c) => c.user) });
      case 'post': {
        if (!needRoom() || readOnly()) return;
        const s = staff(conn.user);
        const mute = state.muted.get(conn.user.id);
        if (!s && mute && mute.until > now()) return err('muted', 'You are muted.', { retry_after_ms: mute.until - now() });
        if (!s && room.settings.locked) return err('room_locked', 'The room is locked.');
        const key = `${conn.user.id}\n${msg.client_msg_id}`;
        const first = room.byClient.get(key);
        if (first) return ack({ room: room.ref, seq: first.seq, ts: first.ts, duplicate: true, held: first.held });
        const text = String(msg.text ?? '').trim();
        if (!text) return err('text_empty', 'empty');
        const held = !s && state.words.some((w) => new RegExp(`(^|\\W)${w}(\\W|$)`, 'iu').test(text));
        const m = { type: 'message', room: room.ref, seq: ++room.seq, ts: now(), user: conn.user, text, client_msg_id: msg.client_msg_id, held };
        room.messages.push(m);
        room.byClient.set(key, m);
        ack({ room: room.ref, seq: m.seq, ts: m.ts, duplicate: false, ...(held ? { held: true } : {}) });
        for (const c of room.members) if (visibleMessage(m, c.user)) c.send({ ...m, held: held || undefined });
        return;
      }
      case 'ask': {
        if (!needRoom() || readOnly()) return;
        const text = String(msg.text ?? '').trim();
        if (!text) return err('text_empty', 'empty');
        if ([...text].length > 300) return err('question_too_long', 'too long');
        const hall = msg.hall === true;
        if (hall && !staff(conn.user)) return err('forbidden', 'moderators only');
        const dup = [...room.questions.values()].find((q) => q.clientId === `${conn.user.id}\n${msg.client_msg_id}`);
        if (dup) return ack({ room: room.ref, question: qView(dup, room, 'owner', conn.user), duplicate: true });
        const approved = hall || staff(conn.user) || !room.settings.premoderated;
        const q = {
          id: `q-${state.nextId++}`, room: room.ref, text, status: approved ? 'approved' : 'pending', pinned: false, source: hall ? 'hall' : 'online',
          press: conn.user.role === 'press', anonymous: msg.anonymous === true, author: hall ? (msg.name ? { id: null, name: msg.name, role: null } : null) : { id: conn.user.id, name: conn.user.name, role: conn.user.role },
          created: now(), updated: now(), edited: false, merged_into: null, merged_from: [], reason: null, owner: hall ? null : conn.user, clientId: `${conn.user.id}\n${msg.client_msg_id}`, wasPublic: approved,
        };
        room.questions.set(q.id, q);
        room.votes.set(q.id, new Set());
        questionEntry(room, q);
        return ack({ room: room.ref, question: qView(q, room, 'owner', conn.user), duplicate: false });
      }
      case 'vote': {
        if (!needRoom() || readOnly()) return;
        const q = room.questions.get(msg.question);
        if (!q) return err('no_such_question', 'no such question');
        if (q.status !== 'approved' && q.status !== 'answered') return err('question_closed', 'closed');
        const set = room.votes.get(q.id);
        const up = msg.up !== false;
        if (up && set.has(conn.user.id)) return err('already_voted', 'already voted');
        if (!up && !set.has(conn.user.id)) return err('not_voted', 'not voted');
        if (up) set.add(conn.user.id);
        else set.delete(conn.user.id);
        ack({ room: room.ref, question: q.id, votes: set.size, voted: up });
        votesEntry(room, [q.id]);
        return;
      }
      case 'question': {
        if (!needRoom()) return;
        if (!staff(conn.user)) return err('forbidden', 'moderators only');
        const q = room.questions.get(msg.question);
        if (!q) return err('no_such_question', 'no such question');
        const touched = [q];
        switch (msg.action) {
          case 'approve': q.status = 'approved'; q.wasPublic = true; break;
          case 'reject': q.status = 'rejected'; q.pinned = false; q.reason = msg.reason ?? null; break;
          case 'edit': if (!String(msg.text ?? '').trim()) return err('text_empty', 'empty'); q.text = String(msg.text).trim(); q.edited = true; break;
          case 'pin':
            if (!['approved', 'pending', 'answered'].includes(q.status)) return err('question_state', 'cannot pin');
            for (const o of room.questions.values()) if (o.pinned && o !== q) { o.pinned = false; touched.push(o); }
            q.pinned = true; q.status = 'approved'; q.wasPublic = true; break;
          case 'unpin': q.pinned = false; break;
          case 'answered': q.status = 'answered'; q.pinned = false; break;
          case 'archive': q.status = 'archived'; q.pinned = false; break;
          case 'restore': if (!['rejected', 'archived'].includes(q.status)) return err('question_state', 'cannot restore'); q.status = 'approved'; q.wasPublic = true; break;
          case 'merge': {
            const into = room.questions.get(msg.into);
            if (!into) return err('no_such_question', 'no such question');
            if (into === q) return err('merge_into_self', 'into itself');
            for (const u of room.votes.get(q.id)) room.votes.get(into.id).add(u);
            q.status = 'merged'; q.merged_into = into.id; q.pinned = false; into.merged_from.push(q.id);
            touched.push(into);
            break;
          }
          default: return err('bad_message', 'unknown action');
        }
        for (const t of touched) { t.updated = now(); questionEntry(room, t); }
        return ack({ room: room.ref, question: qView(q, room, 'staff', conn.user) });
      }
      case 'poll_create': {
        if (!needRoom()) return;
        if (!staff(conn.user)) return err('forbidden', 'moderators only');
        const options = Array.isArray(msg.options) ? msg.options.map(String) : [];
        if (!String(msg.text ?? '').trim() || options.length < 2 || options.length > 10) return err('poll_invalid', '2 to 10 options');
        const p = { id: `p-${state.nextId++}`, text: String(msg.text).trim(), kind: msg.kind === 'multiple' ? 'multiple' : 'single', options, state: 'draft', results: msg.results === 'hidden' ? 'hidden' : 'live', created: now() };
        room.polls.set(p.id, p);
        room.pollVotes.set(p.id, new Map());
        pollEntry(room, p);
        return ack({ room: room.ref, poll: pView(p, room, 'staff') });
      }
      case 'poll': {
        if (!needRoom()) return;
        if (!staff(conn.user)) return err('forbidden', 'moderators only');
        const p = room.polls.get(msg.poll);
        if (!p) return err('no_such_poll', 'no such poll');
        const next = { open: ['draft', 'open'], close: ['open', 'closed'], archive: [null, 'archived'] }[msg.action];
        if (next) {
          if (next[0] && p.state !== next[0]) return err('poll_state', 'not in that state');
          p.state = next[1];
        } else if (msg.action === 'reveal') p.results = 'revealed';
        else if (msg.action === 'hide') p.results = 'hidden';
        else return err('bad_message', 'unknown action');
        pollEntry(room, p);
        return ack({ room: room.ref, poll: pView(p, room, 'staff') });
      }
      case 'poll_vote': {
        if (!needRoom() || readOnly()) return;
        const p = room.polls.get(msg.poll);
        if (!p) return err('no_such_poll', 'no such poll');
        if (p.state !== 'open') return err('poll_closed', 'closed');
        const choices = Array.isArray(msg.choices) ? msg.choices : [];
        if (choices.some((c) => !Number.isInteger(c) || c < 0 || c >= p.options.length) || (p.kind === 'single' && choices.length > 1)) return err('bad_choice', 'bad choice');
        if (choices.length) room.pollVotes.get(p.id).set(conn.user.id, choices);
        else room.pollVotes.get(p.id).delete(conn.user.id);
        ack({ room: room.ref, poll: p.id, choices });
        resultsEntry(room, p);
        return;
      }
      case 'moderate': {
        if (!needRoom()) return;
        if (!staff(conn.user)) return err('forbidden', 'moderators only');
        const by = conn.user;
        const user = typeof msg.user === 'string' ? { id: msg.user, name: msg.name ?? msg.user } : null;
        switch (msg.action) {
          case 'delete_message':
          case 'release_message': {
            const m = room.messages.find((x) => x.seq === msg.seq && !x.deleted);
            if (!m) return err('no_such_message', 'no such message');
            if (msg.action === 'delete_message') {
              m.deleted = true;
              entry(room, () => ({ type: 'message_deleted', deleted_seq: m.seq }));
            } else {
              m.held = false;
              entry(room, () => ({ type: 'message_released', message: { ...m, held: undefined } }));
            }
            break;
          }
          case 'mute': {
            const until = now() + (msg.seconds ?? 60) * 1000;
            state.muted.set(user.id, { user, until, reason: msg.reason ?? null });
            modEntry(room, by, { action: 'mute', user, until, seconds: msg.seconds, reason: msg.reason ?? null }, 'owner');
            break;
          }
          case 'unmute': state.muted.delete(user.id); modEntry(room, by, { action: 'unmute', user }, 'owner'); break;
          case 'ban': {
            state.banned.set(user.id, { user, reason: msg.reason ?? null, at: now() });
            modEntry(room, by, { action: 'ban', user, reason: msg.reason ?? null }, 'staff');
            for (const c of state.conns) if (c.user?.id === user.id) c.close(4010, 'banned');
            break;
          }
          case 'unban': state.banned.delete(user.id); modEntry(room, by, { action: 'unban', user }, 'staff'); break;
          case 'slow_mode': room.settings.slow = msg.seconds; modEntry(room, by, { action: 'slow_mode', seconds: msg.seconds }, 'everyone'); break;
          case 'lock': case 'unlock': room.settings.locked = msg.action === 'lock'; modEntry(room, by, { action: msg.action }, 'everyone'); break;
          case 'words': state.words = msg.words; modEntry(room, by, { action: 'words', words: msg.words }, 'staff'); break;
          case 'premoderation': room.settings.premoderated = msg.on === true; modEntry(room, by, { action: 'premoderation', on: msg.on === true }, 'everyone'); break;
          default: return err('bad_message', 'unknown action');
        }
        return ack({ room: room.ref, action: msg.action });
      }
      default:
        return err('unknown_type', `unknown type ${type}`);
    }
  }

  return {
    state,
    /** Adds a kiosk link (the HTTP side is the test's page.route). */
    addKiosk(id, room) {
      state.kiosks.set(id, { id, room: `${event}/${room}`, revoked: null, created: now() });
    },
    revokeKiosk(id) {
      const k = state.kiosks.get(id);
      if (!k) return;
      k.revoked = now();
      for (const c of state.conns) if (c.kiosk === k) c.close(4011, 'kiosk link revoked');
    },
    /**
     * A request from a participant who is not a browser (the test itself): `user` says hello as
     * itself, joins `room` and sends `msg`; resolves the reply frame. Events for it are dropped.
     */
    act(user, room, msg) {
      let reply = null;
      const conn = { user, kiosk: null, rooms: new Set([`${event}/${room}`]), open: true, send: (f) => { if (f.type === 'ack' || f.type === 'error') reply = f; }, close: () => {} };
      if (state.banned.has(user.id)) return { type: 'error', code: 'banned' };
      handle(conn, { id: 1, room: `${event}/${room}`, ...msg });
      return reply;
    },
    /** For context.routeWebSocket(/\/ws$/, fake.connect). */
    connect(ws) {
      const conn = {
        user: null,
        kiosk: null,
        rooms: new Set(),
        open: true,
        send: (f) => {
          if (conn.open) ws.send(JSON.stringify(f));
        },
        close: (code, reason) => {
          if (!conn.open) return;
          conn.open = false;
          drop();
          ws.close({ code, reason });
        },
      };
      const drop = () => {
        state.conns.delete(conn);
        for (const r of state.rooms.values()) r.members.delete(conn);
      };
      state.conns.add(conn);
      ws.onMessage((data) => {
        let msg;
        try {
          msg = JSON.parse(String(data));
        } catch {
          return;
        }
        handle(conn, msg);
      });
      ws.onClose(() => {
        conn.open = false;
        drop();
      });
    },
  };
}

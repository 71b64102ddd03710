// Unit tests of web/src/qa/state.ts (the Q&A reducer), without a browser or a server: esbuild
// (installed with web/'s dev dependencies, under vite) strips the types and node imports the
// module from a data: URL. Run as `node tests/e2e/qa_state.test.mjs` (CTest does, as e2e_qa_state);
// SAMLING_SOURCE_DIR may name the repository root, else it is found from this file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const src = resolve(process.env.SAMLING_SOURCE_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
const esbuild = createRequire(join(src, 'web', 'package.json'))('esbuild');
const ts = readFileSync(join(src, 'web', 'src', 'qa', 'state.ts'), 'utf8');
const { code } = esbuild.transformSync(ts, { loader: 'ts', format: 'esm', target: 'node18' });
const S = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);

const ROOM = 'e1/main';
const q = (id, extra = {}) => ({
  id, room: ROOM, text: `text ${id}`, status: 'approved', pinned: false, source: 'online', press: false,
  anonymous: false, author: { id: 'u1', name: 'Anna', role: 'attendee' }, votes: 0, created: 1000, updated: 1000,
  edited: false, merged_into: null, merged_from: [], reason: null, mine: false, ...extra,
});
const p = (id, extra = {}) => ({
  id, room: ROOM, text: `poll ${id}`, kind: 'single', options: [{ text: 'A', votes: 0 }, { text: 'B', votes: 0 }],
  voters: 0, state: 'open', results: 'live', created: 1000, ...extra,
});
const joinAck = (qa = {}, extra = {}) => ({
  seq: 10,
  events: [],
  qa: { questions: [], polls: [], my_votes: [], my_poll_votes: {}, settings: { premoderated: false, names_to_moderators: false, question_max_chars: 300, slow_mode_seconds: 0, locked: false }, ...qa },
  ...extra,
});

test('fromJoin takes the snapshot: questions, polls, own votes, settings', () => {
  const s = S.fromJoin(ROOM, joinAck({
    questions: [q('q-1', { votes: 3 }), q('q-2', { status: 'pending', mine: true })],
    polls: [p('p-1')],
    my_votes: ['q-1'],
    my_poll_votes: { 'p-1': [1] },
    settings: { premoderated: true, names_to_moderators: false, question_max_chars: 120, slow_mode_seconds: 30, locked: false },
  }), 'u9');
  assert.equal(Object.keys(s.questions).length, 2);
  assert.equal(s.questions['q-1'].votes, 3);
  assert.ok(s.myVotes.has('q-1'));
  assert.deepEqual(s.myPollVotes['p-1'], [1]);
  assert.equal(s.settings.question_max_chars, 120);
  assert.equal(s.settings.slow_mode_seconds, 30);
  assert.equal(s.lastSeq, 10);
  assert.equal(s.moderation, null);
  assert.deepEqual(S.myUnpublished(s).map((x) => x.id), ['q-2']);
});

test('events at or below lastSeq are ignored; the others advance it', () => {
  let s = S.fromJoin(ROOM, joinAck({ questions: [q('q-1')] }));
  const same = S.applyQaEvent(s, { type: 'votes', room: ROOM, seq: 9, ts: 1, questions: [{ id: 'q-1', votes: 7 }] });
  assert.equal(same, s);
  assert.equal(S.applyQaEvent(s, { type: 'votes', room: ROOM, seq: 10, ts: 1, questions: [{ id: 'q-1', votes: 7 }] }), s, 'the join seq itself is seen');
  s = S.applyQaEvent(s, { type: 'votes', room: ROOM, seq: 11, ts: 1, questions: [{ id: 'q-1', votes: 7 }] });
  assert.equal(s.questions['q-1'].votes, 7);
  assert.equal(s.lastSeq, 11);
  assert.equal(S.applyQaEvent(s, { type: 'votes', room: 'e1/other', seq: 12, questions: [{ id: 'q-1', votes: 1 }] }), s);
});

test('question events upsert, keep a single pin, keep mine', () => {
  let s = S.fromJoin(ROOM, joinAck({ questions: [q('q-1', { pinned: true }), q('q-2', { mine: true })] }));
  s = S.applyQaEvent(s, { type: 'question', room: ROOM, seq: 11, question: q('q-2', { pinned: true, mine: false, author: null }) });
  assert.equal(s.questions['q-1'].pinned, false);
  assert.equal(s.questions['q-2'].pinned, true);
  assert.equal(s.questions['q-2'].mine, true, 'an everyone view does not lose "mine"');
  assert.equal(S.pinnedQuestion(s).id, 'q-2');
  s = S.applyQaEvent(s, { type: 'question', room: ROOM, seq: 12, question: q('q-3', { votes: 2, created: 5 }) });
  assert.ok(s.questions['q-3']);
});

test('audience ordering: by votes (ties older first), by time; answered apart; pinned apart', () => {
  const s = S.fromJoin(ROOM, joinAck({
    questions: [
      q('q-a', { votes: 1, created: 1 }),
      q('q-b', { votes: 5, created: 2 }),
      q('q-c', { votes: 1, created: 3 }),
      q('q-d', { status: 'answered', votes: 9, updated: 50 }),
      q('q-e', { pinned: true, votes: 0 }),
      q('q-f', { status: 'pending' }),
      q('q-g', { status: 'merged' }),
    ],
  }));
  const byVotes = S.audienceQuestions(s, 'votes');
  assert.deepEqual(byVotes.open.map((x) => x.id), ['q-b', 'q-a', 'q-c']);
  assert.deepEqual(byVotes.answered.map((x) => x.id), ['q-d']);
  assert.deepEqual(S.audienceQuestions(s, 'time').open.map((x) => x.id), ['q-c', 'q-b', 'q-a']);
  assert.equal(S.pinnedQuestion(s).id, 'q-e');
  assert.deepEqual(S.reviewQueue(s).map((x) => x.id), ['q-f']);
});

test('vote, ask and poll_vote acks', () => {
  let s = S.fromJoin(ROOM, joinAck({ questions: [q('q-1', { votes: 0 })], polls: [p('p-1', { kind: 'multiple' })] }));
  s = S.applyVoteAck(s, { room: ROOM, question: 'q-1', votes: 1, voted: true });
  assert.ok(s.myVotes.has('q-1'));
  assert.equal(s.questions['q-1'].votes, 1);
  s = S.applyVoteAck(s, { room: ROOM, question: 'q-1', votes: 0, voted: false });
  assert.ok(!s.myVotes.has('q-1'));
  s = S.applyAskAck(s, { room: ROOM, question: q('q-9', { status: 'pending', mine: false }), duplicate: false });
  assert.equal(s.questions['q-9'].mine, true);
  s = S.applyPollVoteAck(s, { room: ROOM, poll: 'p-1', choices: [0, 1] });
  assert.deepEqual(s.myPollVotes['p-1'], [0, 1]);
  s = S.applyPollVoteAck(s, { room: ROOM, poll: 'p-1', choices: [] });
  assert.equal(s.myPollVotes['p-1'], undefined);
});

test('polls: poll and poll_results events, hidden results, visible list', () => {
  let s = S.fromJoin(ROOM, joinAck({ polls: [p('p-1', { created: 1 }), p('p-2', { state: 'closed', created: 5 })] }));
  s = S.applyQaEvent(s, { type: 'poll_results', room: ROOM, seq: 11, polls: [{ id: 'p-1', counts: [3, 1], voters: 4 }] });
  assert.deepEqual(s.polls['p-1'].options.map((o) => o.votes), [3, 1]);
  assert.deepEqual(S.shares(s.polls['p-1']), [0.75, 0.25]);
  s = S.applyQaEvent(s, { type: 'poll', room: ROOM, seq: 12, poll: p('p-3', { results: 'hidden', created: 9, options: [{ text: 'X', votes: null }, { text: 'Y', votes: null }], voters: null }) });
  assert.equal(S.resultsVisible(s.polls['p-3']), false);
  s = S.applyQaEvent(s, { type: 'poll', room: ROOM, seq: 13, poll: p('p-4', { state: 'draft' }) });
  assert.deepEqual(S.visiblePolls(s).map((x) => x.id), ['p-3', 'p-1', 'p-2']);
  assert.equal(S.currentPoll(s).id, 'p-3');
});

test('moderation: slow mode, lock, own mute, staff lists; deleted and released messages', () => {
  const staffJoin = joinAck({ moderation: { muted: [], banned: [], words: ['x'], held: [{ room: ROOM, seq: 8, ts: 1, user: { id: 'u2', name: 'B', role: 'attendee' }, text: 'bad x', held: true }] } });
  let s = S.fromJoin(ROOM, staffJoin, 'u1');
  assert.equal(s.moderation.held.length, 1);
  s = S.applyQaEvent(s, { type: 'moderation', room: ROOM, seq: 11, action: 'slow_mode', user: null, until: null, seconds: 20, reason: null, by: { id: 'm', name: 'M', role: 'moderator' } });
  assert.equal(S.chatRestrictions(s).slowModeSeconds, 20);
  assert.equal(s.lastNotice.action, 'slow_mode');
  s = S.applyQaEvent(s, { type: 'moderation', room: ROOM, seq: 12, action: 'lock', user: null });
  assert.equal(S.chatRestrictions(s).locked, true);
  const until = Date.now() + 60_000;
  s = S.applyQaEvent(s, { type: 'moderation', room: ROOM, seq: 13, action: 'mute', user: { id: 'u1', name: 'Me' }, until, seconds: 60, reason: 'calm down' });
  assert.deepEqual(S.chatRestrictions(s).mutedUntil, until);
  assert.equal(s.moderation.muted.length, 1);
  s = S.applyQaEvent(s, { type: 'moderation', room: ROOM, seq: 14, action: 'ban', user: { id: 'u1', name: 'Me' }, reason: 'spam' });
  assert.equal(s.moderation.muted.length, 0);
  assert.equal(s.moderation.banned.length, 1);
  s = S.applyQaEvent(s, { type: 'moderation', room: ROOM, seq: 15, action: 'unmute', user: { id: 'u1', name: 'Me' } });
  assert.equal(S.chatRestrictions(s).muted, false);
  s = S.applyQaEvent(s, { type: 'message_released', room: ROOM, seq: 16, message: staffJoin.qa.moderation.held[0] });
  assert.equal(s.moderation.held.length, 0);
  assert.equal(s.released[0].seq, 8);
  assert.equal(s.released[0].held, undefined);
  s = S.applyQaEvent(s, { type: 'message_deleted', room: ROOM, seq: 17, deleted_seq: 8 });
  assert.ok(s.deletedSeqs.has(8));
  assert.equal(s.released.length, 0);
  s = S.applyQaEvent(s, { type: 'moderation', room: ROOM, seq: 18, action: 'premoderation', on: true });
  assert.equal(s.settings.premoderated, true);
});

test('a resuming join applies its events, then the snapshot wins', () => {
  let s = S.fromJoin(ROOM, joinAck({ questions: [q('q-1')] }), 'u1');
  const again = S.fromJoin(ROOM, joinAck({ questions: [q('q-1', { votes: 4 }), q('q-2')] }, {
    seq: 20,
    events: [
      { type: 'message_deleted', room: ROOM, seq: 12, deleted_seq: 5 },
      { type: 'votes', room: ROOM, seq: 13, questions: [{ id: 'q-1', votes: 2 }] },
    ],
  }), 'u1', s);
  assert.ok(again.deletedSeqs.has(5));
  assert.equal(again.questions['q-1'].votes, 4);
  assert.ok(again.questions['q-2']);
  assert.equal(again.lastSeq, 20);
  s = again;
  assert.equal(S.applyQaEvent(s, { type: 'votes', room: ROOM, seq: 13, questions: [{ id: 'q-1', votes: 2 }] }), s);
});

test('a refused post tells of a mute or a lock the snapshot did not', () => {
  let s = S.fromJoin(ROOM, joinAck(), 'u1');
  s = S.applyPostRefusal(s, 'muted', 60_000, 1_000);
  assert.deepEqual(s.myMute, { until: 61_000, reason: null });
  assert.equal(S.chatRestrictions(s, 2_000).muted, true);
  assert.equal(S.chatRestrictions(s, 62_000).muted, false, 'a mute ends by itself');
  s = S.applyPostRefusal(s, 'room_locked', undefined);
  assert.equal(s.settings.locked, true);
  assert.equal(S.applyPostRefusal(s, 'text_too_long', undefined), s);
});

test('parsing: a named hall question, an anonymous one, unknown fields and bad entries', () => {
  const hall = S.parseQuestion(q('q-h', { source: 'hall', author: { name: 'Kerstin i salen' }, press: true, extra: 1 }));
  assert.deepEqual(hall.author, { id: null, name: 'Kerstin i salen', role: null });
  assert.equal(hall.source, 'hall');
  assert.equal(hall.press, true);
  assert.equal(S.parseQuestion(q('q-a', { anonymous: true, author: null })).author, null);
  assert.equal(S.parseQuestion({ id: 1 }), null);
  assert.equal(S.parseQuestion(q('q-s', { status: 'weird' })).status, 'approved');
  const s = S.fromJoin(ROOM, joinAck({ questions: [q('q-1'), { nonsense: true }], polls: [p('p-1'), 'x'] }));
  assert.deepEqual(Object.keys(s.questions), ['q-1']);
  assert.deepEqual(Object.keys(s.polls), ['p-1']);
  assert.equal(S.fromJoin(ROOM, null).lastSeq, 0, 'a join without a result is an empty state');
});

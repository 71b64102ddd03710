// Smoke test of the benchmark peers: starts nothing, talks to a running peer.
//   node smoke.mjs --proto ws|socketio --port P [--host 127.0.0.1] [--clients 20] [--posts 5]
// Opens `clients` members of room "r1" and one of room "r2"; the first r1 member posts `posts`
// messages; every r1 member (the sender included) must receive each exactly once, in order, and
// the r2 member none. Then the first r1 member pings (ids 1, 2, "three"): it must get one pong
// per ping with the id echoed, and no other client any pong. socket.io is spoken on the wire (Engine.IO v4 over a WebSocket), so no
// client library is needed. Exits 0 when all checks pass, 1 otherwise; bounded by a timeout.
import WebSocket from 'ws';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const proto = arg('--proto', 'ws');
const host = arg('--host', '127.0.0.1');
const port = Number(arg('--port', '8090'));
const nClients = Number(arg('--clients', '20'));
const nPosts = Number(arg('--posts', '5'));
const timeoutMs = Number(arg('--timeout-ms', '10000'));

const url =
  proto === 'socketio'
    ? `ws://${host}:${port}/socket.io/?EIO=4&transport=websocket`
    : `ws://${host}:${port}/`;

// A client with join(room), post(room, text) and onMessage(cb({room, text})).
function openClient() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const client = { ws, received: [], pongs: [] };
    let ready = false;
    ws.on('error', reject);
    if (proto === 'ws') {
      client.join = (room) => ws.send(JSON.stringify({ type: 'join', room }));
      client.post = (room, text) => ws.send(JSON.stringify({ type: 'post', room, text }));
      client.ping = (id) => ws.send(JSON.stringify({ type: 'ping', id }));
      ws.on('open', () => resolve(client));
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString());
        if (m.type === 'message') client.received.push({ room: m.room, text: m.text });
        else if (m.type === 'pong') client.pongs.push(m.id);
      });
    } else {
      client.join = (room) => ws.send('42' + JSON.stringify(['join', room]));
      client.post = (room, text) => ws.send('42' + JSON.stringify(['post', { room, text }]));
      client.ping = (id) => ws.send('42' + JSON.stringify(['ping', { id }]));
      ws.on('message', (data) => {
        const s = data.toString();
        if (s[0] === '0') ws.send('40'); // Engine.IO open -> connect to namespace "/"
        else if (s === '2') ws.send('3'); // ping -> pong
        else if (s.startsWith('40')) {
          if (!ready) {
            ready = true;
            resolve(client);
          }
        } else if (s.startsWith('42')) {
          const [event, payload] = JSON.parse(s.slice(2));
          if (event === 'message') client.received.push({ room: payload.room, text: payload.text });
          else if (event === 'pong') client.pongs.push(payload.id);
        } else if (s.startsWith('44')) reject(new Error(`connect_error ${s}`));
      });
    }
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const timer = setTimeout(() => {
    console.error(`smoke: timed out after ${timeoutMs} ms`);
    process.exit(1);
  }, timeoutMs);
  const members = [];
  for (let i = 0; i < nClients; i++) members.push(await openClient());
  const other = await openClient();
  for (const c of members) c.join('r1');
  other.join('r2');
  await sleep(200); // joins are fire-and-forget in this protocol
  const texts = [];
  for (let i = 0; i < nPosts; i++) {
    const text = `m${i} ` + 'x'.repeat(60) + ' "quoted" åäö';
    texts.push(text);
    members[0].post('r1', text);
  }
  const deadline = Date.now() + timeoutMs / 2;
  while (Date.now() < deadline && members.some((c) => c.received.length < nPosts)) await sleep(20);
  await sleep(100); // give duplicates a chance to show up
  const pingIds = [1, 2, 'three'];
  for (const id of pingIds) members[0].ping(id);
  const pingDeadline = Date.now() + timeoutMs / 4;
  while (Date.now() < pingDeadline && members[0].pongs.length < pingIds.length) await sleep(20);
  await sleep(100);

  let passed = 0;
  let failed = 0;
  const check = (ok, what) => {
    if (ok) passed++;
    else {
      failed++;
      console.error(`FAIL: ${what}`);
    }
  };
  members.forEach((c, i) => {
    check(c.received.length === nPosts, `member ${i} got ${c.received.length} of ${nPosts}`);
    check(
      c.received.every((m, k) => m.room === 'r1' && m.text === texts[k]),
      `member ${i} messages in order and intact`,
    );
  });
  check(other.received.length === 0, `r2 member got ${other.received.length} messages of r1`);
  check(
    JSON.stringify(members[0].pongs) === JSON.stringify(pingIds),
    `pinger got pongs ${JSON.stringify(members[0].pongs)} for pings ${JSON.stringify(pingIds)}`,
  );
  check(
    [...members.slice(1), other].every((c) => c.pongs.length === 0),
    'no pong reached a client that did not ping',
  );
  for (const c of [...members, other]) c.ws.terminate();
  clearTimeout(timer);
  console.log(`smoke ${proto} port ${port}: ${nClients} members, ${nPosts} posts`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`smoke: ${err.message}`);
  process.exit(1);
});

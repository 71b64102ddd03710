// Benchmark peer: a room broadcast server written the common way on `ws`.
//   node ws-server.mjs --port P [--host 127.0.0.1]
// Protocol (WebSocket text frames, JSON):
//   client -> server  {"type":"join","room":"r1"}
//                     {"type":"post","room":"r1","text":"..."}
//                     {"type":"ping","id":N}
//   server -> every member of the room, the sender included
//                     {"type":"message","room":"r1","text":"..."}
//   server -> the sender only: {"type":"pong","id":N} (the id echoed as given)
// A Map room -> Set of sockets; the outgoing message is stringified once and sent to each
// member with socket.send. No compression (ws's default for servers is off as well).
import { WebSocketServer } from 'ws';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(arg('--port', '8090'));
const host = arg('--host', '127.0.0.1');

const rooms = new Map(); // room name -> Set<WebSocket>

const wss = new WebSocketServer({ host, port, perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on('connection', (socket) => {
  const joined = new Set();
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    if (msg.type === 'ping') {
      socket.send(JSON.stringify({ type: 'pong', id: msg.id }));
      return;
    }
    if (typeof msg.room !== 'string') return;
    if (msg.type === 'join') {
      let members = rooms.get(msg.room);
      if (!members) {
        members = new Set();
        rooms.set(msg.room, members);
      }
      members.add(socket);
      joined.add(msg.room);
    } else if (msg.type === 'post' && typeof msg.text === 'string') {
      const members = rooms.get(msg.room);
      if (!members) return;
      const out = JSON.stringify({ type: 'message', room: msg.room, text: msg.text });
      for (const member of members) {
        if (member.readyState === 1) member.send(out);
      }
    }
  });
  socket.on('close', () => {
    for (const room of joined) {
      const members = rooms.get(room);
      if (!members) continue;
      members.delete(socket);
      if (members.size === 0) rooms.delete(room);
    }
  });
  socket.on('error', () => {});
});

wss.on('listening', () => {
  console.log(`listening on ${wss.address().port}`);
});
wss.on('error', (err) => {
  console.error(`ws-server: ${err.message}`);
  process.exit(1);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    for (const client of wss.clients) client.terminate();
    wss.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

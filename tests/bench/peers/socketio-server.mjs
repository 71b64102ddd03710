// Benchmark peer: the same room broadcast on socket.io.
//   node socketio-server.mjs --port P [--host 127.0.0.1]
// Default namespace; events:
//   client -> server  "join" (room string), "post" ({room, text})
//                     "ping" ({id})
//   server -> the room, the sender included: "message" ({room, text}) via io.to(room).emit
//   server -> the sender only: "pong" ({id}, the id echoed as given) via socket.emit
// Transports: websocket only; perMessageDeflate off (socket.io's default, made explicit).
import { createServer } from 'node:http';
import { Server } from 'socket.io';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(arg('--port', '8091'));
const host = arg('--host', '127.0.0.1');

const httpServer = createServer();
const io = new Server(httpServer, {
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
  maxHttpBufferSize: 64 * 1024,
});

io.on('connection', (socket) => {
  socket.on('join', (room) => {
    if (typeof room === 'string') socket.join(room);
  });
  socket.on('post', (msg) => {
    if (!msg || typeof msg.room !== 'string' || typeof msg.text !== 'string') return;
    io.to(msg.room).emit('message', { room: msg.room, text: msg.text });
  });
  socket.on('ping', (msg) => {
    socket.emit('pong', { id: msg && typeof msg === 'object' ? msg.id : undefined });
  });
});

httpServer.on('error', (err) => {
  console.error(`socketio-server: ${err.message}`);
  process.exit(1);
});
httpServer.listen(port, host, () => {
  console.log(`listening on ${httpServer.address().port}`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    io.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

// The long-lived half of the stand-in CLI: one per FAKE_NOX_HOME, listening on a unix socket
// inside it, keeping the engine's modules and the workspace loaded between calls. It answers the
// calls one at a time (one valid order of separate processes), and stops when asked (the tests'
// server close), when it has been idle for a while, or when its home is gone.
import { createServer, connect } from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SOCKET, readLine, sendLine } from './protocol.mjs';
import { closeAll, handle } from './standin.mjs';

const IDLE_MS = 30_000;
const home = process.env.FAKE_NOX_HOME;
const path = join(home, SOCKET);
let queue = Promise.resolve();
let open = 0;
let lastSeen = Date.now();
let stopping = false;

const server = createServer((socket) => {
  open++;
  lastSeen = Date.now();
  socket.on('close', () => {
    open--;
    lastSeen = Date.now();
  });
  socket.on('error', () => undefined);
  readLine(socket).then(
    (req) => {
      if (req.shutdown) return stop(socket);
      if (req.ping) return socket.end(JSON.stringify({ pong: true }) + '\n');
      const answer = (queue = queue.catch(() => undefined).then(() => handle(req)));
      return answer.then((outcome) => socket.end(JSON.stringify(outcome) + '\n'));
    },
    () => socket.destroy(),
  );
});

async function stop(socket) {
  if (!stopping) {
    stopping = true;
    server.close();
    rmSync(path, { force: true });
    await queue.catch(() => undefined);
    await closeAll();
  }
  socket?.end(JSON.stringify({ stopped: true }) + '\n', () => process.exit(0));
  if (!socket) process.exit(0);
}

server.on('error', async (e) => {
  if (e.code !== 'EADDRINUSE') throw e;
  // A socket file is there: another server answers on it (then this one is not needed), or it is stale.
  const alive = await sendLine(connect(path), { ping: true }).then(
    () => true,
    (err) => err.code === 'ECLOSED',
  );
  if (alive) process.exit(0);
  rmSync(path, { force: true });
  server.listen(path);
});
server.listen(path);

setInterval(() => {
  if (!existsSync(home) || (open === 0 && Date.now() - lastSeen > IDLE_MS)) void stop();
}, 1000).unref();

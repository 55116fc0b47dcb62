// The long-lived half of the stand-in CLI: it answers the calls the executable (noxinfluencer.mjs)
// forwards over a unix socket inside FAKE_NOX_HOME, with the engine's modules and the workspace
// loaded once. The tests' helper serves a home from inside the test process (as the http project's
// sandbox runs there, sharing the test's clock); anything else (the doctor test, a person trying
// the stand-in) gets one started by its first call, which stops when idle or when its home is gone.
// Calls are answered concurrently, as separate processes would run.
import { createServer, connect } from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOCKET, readLine, sendLine } from './protocol.mjs';
import { closeWorkspaces, handle, host } from './standin.mjs';

/**
 * Serves `home` until closed; `modules` and `now`, when given, are the host's (see standin.mjs).
 * @param {string} home
 * @param {{ modules?: Record<string, unknown>, now?: () => Date, onStop?: () => void }} [opts]
 */
export async function serve(home, opts = {}) {
  host({ home, ...opts });
  // A home this process serves already (a test restarting its server on the same data dir) is shared.
  const current = served.get(home);
  if (current) {
    current.users++;
    return { close: () => (--current.users === 0 ? current.close() : Promise.resolve()), state: current.state };
  }
  const path = join(home, SOCKET);
  const state = { open: 0, lastSeen: Date.now() };
  const pending = new Set();
  let stopped;
  const server = createServer((socket) => {
    state.open++;
    state.lastSeen = Date.now();
    socket.on('close', () => {
      state.open--;
      state.lastSeen = Date.now();
    });
    socket.on('error', () => undefined);
    readLine(socket).then(
      async (req) => {
        if (req.shutdown) return close().then(() => socket.end(JSON.stringify({ stopped: true }) + '\n', () => opts.onStop?.()));
        if (req.ping) return socket.end(JSON.stringify({ pong: true }) + '\n');
        const answer = handle(req);
        pending.add(answer);
        const outcome = await answer.finally(() => pending.delete(answer));
        socket.end(JSON.stringify(outcome) + '\n');
      },
      () => socket.destroy(),
    );
  });
  const close = () =>
    (stopped ??= (async () => {
      // No new calls; the ones under way finish before the store closes.
      server.close();
      rmSync(path, { force: true });
      await Promise.allSettled([...pending]);
      await closeWorkspaces(home);
    })());
  await listen(server, path);
  const entry = { users: 1, state, close: () => (served.delete(home), close()) };
  served.set(home, entry);
  return { close: () => (--entry.users === 0 ? entry.close() : Promise.resolve()), state };
}

/** The homes this process serves. */
const served = new Map();

/** Listens on `path`; a socket file left there by a server that is gone is replaced, a live one is not. */
async function listen(server, path) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => (server.off('error', reject), resolve()));
      });
    } catch (e) {
      if (e.code !== 'EADDRINUSE' || attempt > 0) throw e;
      const alive = await sendLine(connect(path), { ping: true }).then(
        () => true,
        (err) => err.code === 'ECLOSED',
      );
      if (alive) throw Object.assign(new Error(`a stand-in server already serves ${path}`), { code: 'ALREADY_SERVED' });
      rmSync(path, { force: true });
    }
  }
}

// Started by the executable: serve FAKE_NOX_HOME with the built modules until idle or its home is gone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const IDLE_MS = 30_000;
  const home = process.env.FAKE_NOX_HOME;
  try {
    const { close, state } = await serve(home, { onStop: () => process.exit(0) });
    setInterval(async () => {
      if (existsSync(home) && (state.open > 0 || Date.now() - state.lastSeen < IDLE_MS)) return;
      await close();
      process.exit(0);
    }, 1000);
  } catch (e) {
    // Another server won the race to start: it answers the calls.
    if (e.code !== 'ALREADY_SERVED') throw e;
  }
}

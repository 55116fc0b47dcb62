#!/usr/bin/env node
// The stand-in NoxInfluencer CLI's executable (see standin.mjs). Each call is a process, as with
// the real CLI, but a thin one: it forwards its argv, stdin and environment to the stand-in's
// server for this FAKE_NOX_HOME (server.mjs, started here on first use) and then prints, exits,
// dies or hangs exactly as the call's outcome says. FAKE_NOX_ONESHOT=1 answers in this process
// instead (the whole engine loaded per call; slow, kept to measure the difference).
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOCKET, sendLine } from './protocol.mjs';

const home = process.env.FAKE_NOX_HOME;
if (!home) {
  process.stderr.write('FAKE_NOX_HOME is not set\n');
  process.exit(2);
}
const argv = process.argv.slice(2);
const stdin = argv.includes('-') ? readFileSync(0, 'utf8') : '';
const call = { argv, stdin, env: process.env };
const outcome = process.env.FAKE_NOX_ONESHOT === '1' ? await (await import('./standin.mjs')).handle(call) : await forward(call);
process.stdout.write(outcome.stdout ?? '');
process.stderr.write(outcome.stderr ?? '');
if (outcome.signal) process.kill(process.pid, outcome.signal);
else if (outcome.hang) setInterval(() => undefined, 60_000);
else process.exitCode = outcome.code;

/** The call answered by the server; a server that is not running yet is started and waited for. */
async function forward(request) {
  const socket = join(home, SOCKET);
  const deadline = Date.now() + 60_000;
  let server;
  for (;;) {
    try {
      return await sendLine(connect(socket), request);
    } catch (e) {
      // Only a refused connection is tried again: once the request was sent, the call happened.
      if (!(e.code === 'ENOENT' || e.code === 'ECONNREFUSED') || Date.now() > deadline) {
        return { stdout: '', stderr: `stand-in server: ${e.message}\n`, code: 1 };
      }
      if (!server) server = startServer();
      if (server.failed) return { stdout: '', stderr: `stand-in server did not start (exit ${server.failed}); see ${join(home, 'server.log')}\n`, code: 1 };
      await new Promise((r) => setTimeout(r, 15));
    }
  }
}

/** Starts the server detached, its stdio away from ours (our caller waits for our pipes to close). */
function startServer() {
  const log = openSync(join(home, 'server.log'), 'a');
  const child = spawn(process.execPath, [fileURLToPath(new URL('./server.mjs', import.meta.url))], { detached: true, stdio: ['ignore', log, log], env: process.env });
  const state = { failed: 0 };
  child.on('exit', (code) => (state.failed = code || 0));
  child.unref();
  return state;
}

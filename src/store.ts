// The data dir's store: one SQLite file (WAL, foreign keys, busy timeout so that several server
// processes can share it). It holds the job queue and, unless the server's state is on PostgreSQL
// (src/state/), the preview ledger, the journal, the instances' heartbeats and the idempotency
// records (src/state/sqlite.ts reads and writes them); the local backend adds the workspace
// tables to the same file, so that a workspace write and the outcome record of its apply (or of
// its idempotency key) commit in one transaction.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export interface Migration {
  /** Unique across the whole store, e.g. "engine/001-ledger". Applied in list order. */
  id: string;
  sql: string;
}

const engineMigrations: Migration[] = [
  {
    id: 'engine/001-ledger-journal-jobs',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE preview_tokens (
        token_id     TEXT PRIMARY KEY,
        secret_hash  TEXT NOT NULL,
        mac          TEXT NOT NULL,
        operation    TEXT NOT NULL,
        principal    TEXT NOT NULL,
        target       TEXT NOT NULL,
        args_digest  TEXT NOT NULL,
        args_json    TEXT NOT NULL,
        state_digest TEXT NOT NULL,
        state_json   TEXT NOT NULL,
        summary      TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('minted','claimed','applied','failed','stale','unknown')),
        claimed_at   INTEGER,
        claimed_by   TEXT,
        outcome_json TEXT,
        finished_at  INTEGER
      );
      CREATE INDEX preview_tokens_expiry ON preview_tokens(status, expires_at);
      CREATE TABLE journal (
        entry_id    INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,
        operation   TEXT NOT NULL,
        principal   TEXT NOT NULL,
        args_digest TEXT NOT NULL,
        token_id    TEXT,
        status      TEXT NOT NULL,
        summary     TEXT NOT NULL,
        ids_json    TEXT NOT NULL,
        campaign_id TEXT
      );
      CREATE INDEX journal_campaign ON journal(campaign_id, entry_id);
      CREATE TABLE jobs (
        job_id      TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        params_json TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled')),
        run_at      TEXT NOT NULL,
        progress    INTEGER NOT NULL DEFAULT 0,
        total       INTEGER,
        result_json TEXT,
        error_json  TEXT,
        lease_owner TEXT,
        lease_until INTEGER,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE INDEX jobs_due ON jobs(status, run_at);
    `,
  },
  {
    // Liveness of the processes sharing the store: preview claims and job leases name an instance
    // id, which is alive while its heartbeat lease runs (PIDs repeat across containers).
    id: 'engine/002-instances',
    sql: `
      CREATE TABLE instances (
        instance_id  TEXT PRIMARY KEY,
        started_at   INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL,
        lease_until  INTEGER NOT NULL
      );
    `,
  },
  {
    // Outcomes of writes called with an idempotency_key, per principal, operation and key: a repeat
    // replays the outcome instead of running again. Kept 24 hours (expires_at), then swept.
    id: 'engine/003-idempotency',
    sql: `
      CREATE TABLE idempotency_records (
        principal       TEXT NOT NULL,
        operation       TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        args_digest     TEXT NOT NULL,
        args_json       TEXT NOT NULL,
        outcome_json    TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        expires_at      INTEGER NOT NULL,
        PRIMARY KEY (principal, operation, idempotency_key)
      );
      CREATE INDEX idempotency_records_expiry ON idempotency_records(expires_at);
    `,
  },
];

export function openStore(file: string, extra: Migration[] = []): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  migrate(db, [...engineMigrations, ...extra]);
  cacheStatements(db);
  return db;
}

/**
 * Reuses compiled statements by SQL text: compiling is most of the cost of a small read. A cached
 * statement gets its result modes reset on reuse, and one that is still iterating is never shared.
 */
function cacheStatements(db: Db, limit = 1000): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    const hit = cache.get(sql);
    if (hit && !hit.busy) {
      if (hit.reader) hit.pluck(false).expand(false).raw(false);
      return hit;
    }
    const stmt = compile(sql);
    if (!hit && cache.size < limit) cache.set(sql, stmt);
    return stmt;
  }) as Db['prepare'];
}

function migrate(db: Db, migrations: Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]);
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    // IMMEDIATE: a second process starting at the same moment waits instead of migrating twice.
    db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?').get(m.id);
      if (again) return;
      db.exec(m.sql);
      record.run(m.id, new Date().toISOString());
    }).immediate();
  }
}

export function metaGet(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

/** Reads a meta value, creating it with `make()` if absent (race-safe across processes). */
export function metaGetOrCreate(db: Db, key: string, make: () => string): string {
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, make());
  return metaGet(db, key)!;
}

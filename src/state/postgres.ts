// The server's state in PostgreSQL, shared by several replicas (NOX_STORE_URL). A pool of
// connections (node-postgres) that reconnects by itself; every query that cannot reach the server
// becomes STORE_UNAVAILABLE (retryable), so the guard fails closed: no claim recorded, no apply.
// Claims are one conditional UPDATE (row-locked, re-checked after a concurrent update commits),
// so exactly one replica wins; a write's outcome records commit in one transaction.
import pg from 'pg';
import { ToolError } from '../errors.js';
import {
  KeyRecordedMeanwhile,
  storeUnavailable,
  type JournalEntry,
  type JournalRow,
  type KeyRecord,
  type KeyScope,
  type NewToken,
  type OutcomeBatch,
  type RateLimit,
  type ServerStore,
  type TokenRow,
} from './contract.js';
import type { Migration } from '../store.js';

const migrations: Migration[] = [
  {
    id: 'engine/001-state',
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
        created_at   BIGINT NOT NULL,
        expires_at   BIGINT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('minted','claimed','applied','failed','stale','unknown')),
        claimed_at   BIGINT,
        claimed_by   TEXT,
        outcome_json TEXT,
        finished_at  BIGINT
      );
      CREATE INDEX preview_tokens_expiry ON preview_tokens(status, expires_at);
      CREATE TABLE journal (
        entry_id    BIGSERIAL PRIMARY KEY,
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
      CREATE TABLE instances (
        instance_id  TEXT PRIMARY KEY,
        started_at   BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL,
        lease_until  BIGINT NOT NULL
      );
      CREATE TABLE idempotency_records (
        principal       TEXT NOT NULL,
        operation       TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        args_digest     TEXT NOT NULL,
        args_json       TEXT NOT NULL,
        outcome_json    TEXT NOT NULL,
        created_at      BIGINT NOT NULL,
        expires_at      BIGINT NOT NULL,
        PRIMARY KEY (principal, operation, idempotency_key)
      );
      CREATE INDEX idempotency_records_expiry ON idempotency_records(expires_at);
      -- One token bucket per principal, shared by every replica: tokens left at time "at" (ms).
      CREATE TABLE rate_buckets (
        principal TEXT PRIMARY KEY,
        tokens    DOUBLE PRECISION NOT NULL,
        at        BIGINT NOT NULL,
        granted   BOOLEAN NOT NULL
      );
    `,
  },
];

/** Every replica migrating at once takes this lock in turn; the first applies, the others find it done. */
const MIGRATION_LOCK = 'nox-campaign-mcp/state-migrations';

export interface PostgresOptions {
  /** Connections per replica. */
  poolSize?: number;
  /** How long to wait for a connection before the call is told the store is unavailable. */
  connectTimeoutMs?: number;
  /** How long one statement may take before the call is told the store is unavailable. */
  queryTimeoutMs?: number;
  /** A pool connection that failed while idle (the server restarted): reported, then replaced on demand. */
  onIdleError?: (err: Error) => void;
}

/** host:port/database of a store URL, for messages: never the user's password. */
export function describeStoreUrl(url: string): { host: string; port: string; database: string; where: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('the store URL is not a valid postgres:// URL');
  }
  const host = decodeURIComponent(u.hostname || u.searchParams.get('host') || 'localhost');
  const port = u.port || '5432';
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
  return { host, port, database, where: `PostgreSQL at ${host}:${port}, database ${database}` };
}

/** Opens the pool and migrates; an unreachable server is a clear error naming host and database. */
export async function openPostgresState(url: string, opts: PostgresOptions = {}): Promise<PostgresState> {
  const target = describeStoreUrl(url);
  const password = (() => {
    try {
      return decodeURIComponent(new URL(url).password);
    } catch {
      return '';
    }
  })();
  const state = new PostgresState(url, target.where, opts);
  try {
    await state.migrate();
  } catch (err) {
    await state.close().catch(() => undefined);
    const reason = causeOf(err);
    const said = password ? reason.split(password).join('[redacted]') : reason;
    throw new Error(`cannot use the state store: ${target.where} (${said})`, { cause: err });
  }
  return state;
}

export class PostgresState implements ServerStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(
    url: string,
    readonly where: string,
    opts: PostgresOptions = {},
  ) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      // A statement that waits too long (a lock held elsewhere, an overloaded server) is cancelled by
      // the server and rolled back; a server that stops answering without closing the connection (a
      // partition) is given up on a little later. Both are STORE_UNAVAILABLE, never a hung call.
      statement_timeout: opts.queryTimeoutMs ?? 10_000,
      query_timeout: (opts.queryTimeoutMs ?? 10_000) + 2_000,
      keepAlive: true,
      application_name: 'nox-campaign-mcp',
      // Times are milliseconds and journal ids counters: well inside a double, read as numbers.
      types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
    });
    // Without a listener an idle connection dropped by a restarting server would end the process.
    this.pool.on('error', (err) => opts.onIdleError?.(err));
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
      const applied = new Set((await client.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id));
      for (const m of migrations) {
        if (applied.has(m.id)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', [m.id, new Date().toISOString()]);
      }
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(err as Error);
      throw err;
    }
  }

  /** One statement; a lost or refused connection is STORE_UNAVAILABLE. */
  private async q<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    return unreachable(err) ? storeUnavailable() : err;
  }

  async metaGetOrCreate(key: string, make: () => string): Promise<string> {
    await this.q('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, make()]);
    return (await this.q<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key])).rows[0]!.value;
  }

  async insertToken(r: NewToken): Promise<void> {
    await this.q(
      `INSERT INTO preview_tokens (token_id, secret_hash, mac, operation, principal, target, args_digest, args_json,
         state_digest, state_json, summary, created_at, expires_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'minted')`,
      [r.token_id, r.secret_hash, r.mac, r.operation, r.principal, r.target, r.args_digest, r.args_json, r.state_digest, r.state_json, r.summary, r.created_at, r.expires_at],
    );
  }

  async getToken(tokenId: string): Promise<TokenRow | undefined> {
    return (await this.q<TokenRow>('SELECT * FROM preview_tokens WHERE token_id = $1', [tokenId])).rows[0];
  }

  async claimToken(tokenId: string, instanceId: string, now: number): Promise<'claimed' | 'lost' | 'expired'> {
    // A second claimant blocks on the row lock, then re-checks status on the committed row: it finds 'claimed'.
    const res = await this.q(`UPDATE preview_tokens SET status = 'claimed', claimed_at = $1, claimed_by = $2 WHERE token_id = $3 AND status = 'minted' AND expires_at >= $1 RETURNING token_id`, [
      now,
      instanceId,
      tokenId,
    ]);
    if (res.rowCount === 1) return 'claimed';
    const status = (await this.q<{ status: string }>('SELECT status FROM preview_tokens WHERE token_id = $1', [tokenId])).rows[0]?.status;
    return status === 'minted' ? 'expired' : 'lost';
  }

  async abandonClaim(tokenId: string, now: number): Promise<boolean> {
    const res = await this.q(`UPDATE preview_tokens SET status = 'unknown', finished_at = $1 WHERE token_id = $2 AND status = 'claimed'`, [now, tokenId]);
    return res.rowCount === 1;
  }

  async sweepTokens(before: number): Promise<void> {
    await this.q(`DELETE FROM preview_tokens WHERE status IN ('minted','stale') AND expires_at < $1`, [before]);
  }

  async lookupKey(scope: KeyScope, now: number): Promise<KeyRecord | undefined> {
    const res = await this.q<KeyRecord>('SELECT args_digest, args_json, outcome_json FROM idempotency_records WHERE principal = $1 AND operation = $2 AND idempotency_key = $3 AND expires_at > $4', [
      scope.principal,
      scope.operation,
      scope.key,
      now,
    ]);
    return res.rows[0];
  }

  batch(): OutcomeBatch {
    type Step = (c: pg.PoolClient) => Promise<void>;
    let steps: Step[] = [];
    return {
      finishToken: (tokenId, status, outcome, at) => {
        steps.push(async (c) => {
          await c.query('UPDATE preview_tokens SET status = $1, outcome_json = $2, finished_at = $3 WHERE token_id = $4', [status, JSON.stringify(outcome), at, tokenId]);
        });
      },
      recordKey: (r) => {
        steps.push(async (c) => {
          await c.query('DELETE FROM idempotency_records WHERE expires_at <= $1', [r.created_at]);
          const res = await c.query(
            `INSERT INTO idempotency_records (principal, operation, idempotency_key, args_digest, args_json, outcome_json, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
            [r.scope.principal, r.scope.operation, r.scope.key, r.args_digest, r.args_json, r.outcome_json, r.created_at, r.expires_at],
          );
          if (res.rowCount !== 1) throw new KeyRecordedMeanwhile();
        });
      },
      journal: (e: JournalEntry, at: Date) => {
        steps.push(async (c) => {
          await c.query(`INSERT INTO journal (at, operation, principal, args_digest, token_id, status, summary, ids_json, campaign_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
            at.toISOString(),
            e.operation,
            e.principal,
            e.args_digest,
            e.token_id ?? null,
            e.status,
            e.summary,
            JSON.stringify(e.ids.slice(0, 200)),
            e.campaign_id ?? null,
          ]);
        });
      },
      // Committed once: a second commit (the guard's, after the stage runner's) has nothing left to do.
      commit: async () => {
        if (steps.length === 0) return;
        const todo = steps;
        steps = [];
        await this.transaction(async (c) => {
          for (const step of todo) await step(c);
        });
      },
    };
  }

  private async transaction(body: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
    try {
      await client.query('BEGIN');
      await body(client);
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A connection that failed is dropped from the pool, not reused.
      client.release(unreachable(err) ? (err as Error) : undefined);
      throw this.translate(err);
    }
  }

  async readJournal(filter: { campaign_id?: string; limit?: number; before?: number | undefined }): Promise<JournalRow[]> {
    const before = filter.before ?? Number.MAX_SAFE_INTEGER;
    const res = filter.campaign_id
      ? await this.q('SELECT * FROM journal WHERE campaign_id = $1 AND entry_id < $2 ORDER BY entry_id DESC LIMIT $3', [filter.campaign_id, before, filter.limit ?? 50])
      : await this.q('SELECT * FROM journal WHERE entry_id < $1 ORDER BY entry_id DESC LIMIT $2', [before, filter.limit ?? 50]);
    return (res.rows as (JournalRow & { ids_json: string })[]).map(({ ids_json, ...r }) => ({ ...r, ids: JSON.parse(ids_json) as string[] }));
  }

  async beat(instanceId: string, now: number, leaseMs: number): Promise<void> {
    await this.q(
      `INSERT INTO instances (instance_id, started_at, heartbeat_at, lease_until) VALUES ($1, $2, $2, $3)
       ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until`,
      [instanceId, now, now + leaseMs],
    );
  }

  async dropInstance(instanceId: string): Promise<void> {
    await this.q('DELETE FROM instances WHERE instance_id = $1', [instanceId]);
  }

  async sweepInstances(before: number): Promise<void> {
    await this.q('DELETE FROM instances WHERE lease_until < $1', [before]);
  }

  async leaseUntil(instanceId: string): Promise<number | undefined> {
    return (await this.q<{ lease_until: number }>('SELECT lease_until FROM instances WHERE instance_id = $1', [instanceId])).rows[0]?.lease_until;
  }

  async ping(): Promise<void> {
    await this.q('SELECT 1');
  }

  rateLimit(perMinute: number, now: () => number): RateLimit {
    const rate = perMinute / 60_000;
    return {
      take: async (principal, n) => {
        // One statement: the refill, the check and the take happen on the locked row, so two
        // replicas taking at once see each other's takes.
        const res = await this.q<{ tokens: number; granted: boolean }>(
          `INSERT INTO rate_buckets AS b (principal, tokens, at, granted)
             VALUES ($1, CASE WHEN $2::float8 >= $3::float8 THEN $2::float8 - $3::float8 ELSE $2::float8 END, $4, $2::float8 >= $3::float8)
           ON CONFLICT (principal) DO UPDATE SET
             granted = LEAST($2::float8, b.tokens + GREATEST(0, $4 - b.at) * $5::float8) >= $3::float8,
             tokens = LEAST($2::float8, b.tokens + GREATEST(0, $4 - b.at) * $5::float8)
               - CASE WHEN LEAST($2::float8, b.tokens + GREATEST(0, $4 - b.at) * $5::float8) >= $3::float8 THEN $3::float8 ELSE 0 END,
             at = GREATEST(b.at, $4)
           RETURNING tokens, granted`,
          [principal, perMinute, n, now(), rate],
        );
        const row = res.rows[0]!;
        return row.granted ? 0 : Math.ceil((n - row.tokens) / rate);
      },
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A connection that failed, or a server shutting down or starting: not an answer to the query. */
function unreachable(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof ToolError) return false;
  const e = err as Error & { code?: string; severity?: string };
  // A server's answer carries a severity and a SQLSTATE: class 08 and 57P0x are about the connection
  // itself, 57014 a statement cancelled at its timeout.
  if (e.severity !== undefined) return e.code !== undefined && (e.code.startsWith('08') || /^57P0[1-3]$/.test(e.code) || e.code === '57014');
  // A socket error (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...) or node-postgres giving up on a connection.
  return (e.code !== undefined && /^E[A-Z_]+$/.test(e.code)) || /connection|terminated|timeout|not queryable/i.test(e.message);
}

function causeOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = e?.message ?? String(err);
  return e?.code && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg;
}

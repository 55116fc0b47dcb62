// The server's state in the SQLite store of the data dir (src/store.ts opens it and migrates it).
// Every method does its work synchronously before it returns its promise: inside the local
// backend's write transaction, the outcome records land in that transaction, and a conflict
// throws there (rolling the write back) rather than later.
import type { Db } from '../store.js';
import { metaGetOrCreate } from '../store.js';
import { readJournal, writeJournal } from '../journal.js';
import { KeyRecordedMeanwhile, type KeyRecord, type KeyScope, type NewToken, type OutcomeBatch, type RateLimit, type ServerStore, type TokenRow } from './contract.js';

export class SqliteState implements ServerStore {
  readonly kind = 'sqlite' as const;

  constructor(
    readonly db: Db,
    readonly where: string = db.name,
  ) {}

  metaGetOrCreate(key: string, make: () => string): Promise<string> {
    return Promise.resolve(metaGetOrCreate(this.db, key, make));
  }

  insertToken(row: NewToken): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO preview_tokens (token_id, secret_hash, mac, operation, principal, target, args_digest, args_json,
           state_digest, state_json, summary, created_at, expires_at, status)
         VALUES (@token_id, @secret_hash, @mac, @operation, @principal, @target, @args_digest, @args_json,
           @state_digest, @state_json, @summary, @created_at, @expires_at, 'minted')`,
      )
      .run(row);
    return Promise.resolve();
  }

  getToken(tokenId: string): Promise<TokenRow | undefined> {
    return Promise.resolve(this.db.prepare('SELECT * FROM preview_tokens WHERE token_id = ?').get(tokenId) as TokenRow | undefined);
  }

  claimToken(tokenId: string, instanceId: string, now: number): Promise<'claimed' | 'lost' | 'expired'> {
    const res = this.db
      .prepare(`UPDATE preview_tokens SET status = 'claimed', claimed_at = ?, claimed_by = ? WHERE token_id = ? AND status = 'minted' AND expires_at >= ?`)
      .run(now, instanceId, tokenId, now);
    if (res.changes === 1) return Promise.resolve('claimed');
    const status = this.db.prepare('SELECT status FROM preview_tokens WHERE token_id = ?').pluck().get(tokenId) as string | undefined;
    return Promise.resolve(status === 'minted' ? 'expired' : 'lost');
  }

  abandonClaim(tokenId: string, now: number): Promise<boolean> {
    const res = this.db.prepare(`UPDATE preview_tokens SET status = 'unknown', finished_at = ? WHERE token_id = ? AND status = 'claimed'`).run(now, tokenId);
    return Promise.resolve(res.changes === 1);
  }

  sweepTokens(before: number): Promise<void> {
    this.db.prepare(`DELETE FROM preview_tokens WHERE status IN ('minted','stale') AND expires_at < ?`).run(before);
    return Promise.resolve();
  }

  lookupKey(scope: KeyScope, now: number): Promise<KeyRecord | undefined> {
    const row = this.db
      .prepare('SELECT args_digest, args_json, outcome_json FROM idempotency_records WHERE principal = ? AND operation = ? AND idempotency_key = ? AND expires_at > ?')
      .get(scope.principal, scope.operation, scope.key, now) as KeyRecord | undefined;
    return Promise.resolve(row);
  }

  batch(): OutcomeBatch {
    const db = this.db;
    return {
      finishToken(tokenId, status, outcome, at) {
        db.prepare(`UPDATE preview_tokens SET status = ?, outcome_json = ?, finished_at = ? WHERE token_id = ?`).run(status, JSON.stringify(outcome), at, tokenId);
      },
      recordKey(r) {
        // Expired records are swept first; a live record of the same key means another call won.
        db.prepare('DELETE FROM idempotency_records WHERE expires_at <= ?').run(r.created_at);
        const res = db
          .prepare(
            `INSERT OR IGNORE INTO idempotency_records (principal, operation, idempotency_key, args_digest, args_json, outcome_json, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(r.scope.principal, r.scope.operation, r.scope.key, r.args_digest, r.args_json, r.outcome_json, r.created_at, r.expires_at);
        if (res.changes !== 1) throw new KeyRecordedMeanwhile();
      },
      journal(entry, at) {
        writeJournal(db, entry, at);
      },
      commit: () => Promise.resolve(),
    };
  }

  readJournal(filter: { campaign_id?: string; limit?: number; before?: number | undefined }) {
    return Promise.resolve(readJournal(this.db, filter));
  }

  beat(instanceId: string, now: number, leaseMs: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO instances (instance_id, started_at, heartbeat_at, lease_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until`,
      )
      .run(instanceId, now, now, now + leaseMs);
    return Promise.resolve();
  }

  dropInstance(instanceId: string): Promise<void> {
    this.db.prepare('DELETE FROM instances WHERE instance_id = ?').run(instanceId);
    return Promise.resolve();
  }

  sweepInstances(before: number): Promise<void> {
    this.db.prepare('DELETE FROM instances WHERE lease_until < ?').run(before);
    return Promise.resolve();
  }

  leaseUntil(instanceId: string): Promise<number | undefined> {
    return Promise.resolve(this.db.prepare('SELECT lease_until FROM instances WHERE instance_id = ?').pluck().get(instanceId) as number | undefined);
  }

  ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
    return Promise.resolve();
  }

  rateLimit(perMinute: number, now: () => number): RateLimit {
    const limiter = new RateLimiter(perMinute, now);
    return { take: (principal, n) => Promise.resolve(limiter.take(principal, n)) };
  }

  /** The database is closed by its owner (the app), which also keeps the workspace and job queue in it. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A token bucket per principal: `perMinute` calls, refilled continuously. Per process (a limit per instance). */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes n calls; 0 when allowed, else the milliseconds until they would be. */
  take(principal: string, n = 1): number {
    const t = this.now();
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(principal) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + (t - b.at) * rate);
    b.at = t;
    this.buckets.set(principal, b);
    if (this.buckets.size > 10_000) this.sweep(t);
    if (b.tokens >= n) {
      b.tokens -= n;
      return 0;
    }
    return Math.ceil((n - b.tokens) / rate);
  }

  private sweep(t: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + (t - b.at) * (this.perMinute / 60_000) >= this.perMinute) this.buckets.delete(k);
  }
}

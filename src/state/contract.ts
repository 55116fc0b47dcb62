// The server's own state, behind one interface with two implementations: SQLite in the data dir
// (the default; sqlite.ts) and PostgreSQL shared by several replicas (postgres.ts). It holds the
// preview ledger (tokens, claims, outcomes), the idempotency records, the journal, the instances'
// heartbeat leases and the per-principal rate-limit buckets. Methods return promises because
// PostgreSQL answers over the network; the SQLite implementation does its work synchronously
// before returning, so a caller inside a SQLite transaction (the local backend) stays in it.
import { ToolError } from '../errors.js';

/** One applied change as the journal keeps it (src/journal.ts writes and reads it). */
export interface JournalEntry {
  operation: string;
  principal: string;
  args_digest: string;
  token_id?: string | undefined;
  status: 'applied' | 'written';
  summary: string;
  ids: string[];
  campaign_id?: string | undefined;
}

export interface JournalRow extends Omit<JournalEntry, 'ids'> {
  entry_id: number;
  at: string;
  ids: string[];
}

export type TokenStatus = 'minted' | 'claimed' | 'applied' | 'failed' | 'stale' | 'unknown';

export interface TokenRow {
  token_id: string;
  secret_hash: string;
  mac: string;
  operation: string;
  principal: string;
  target: string;
  args_digest: string;
  args_json: string;
  state_digest: string;
  state_json: string;
  summary: string;
  created_at: number;
  expires_at: number;
  status: TokenStatus;
  claimed_by: string | null;
  outcome_json: string | null;
}

export type NewToken = Omit<TokenRow, 'status' | 'claimed_by' | 'outcome_json'>;

export interface KeyScope {
  principal: string;
  operation: string;
  key: string;
}

export interface KeyRecord {
  args_digest: string;
  args_json: string;
  outcome_json: string;
}

export interface NewKeyRecord extends KeyRecord {
  scope: KeyScope;
  created_at: number;
  expires_at: number;
}

/**
 * The records of one write's outcome: the token's outcome, the idempotency key's and the journal
 * entry. They commit together. On SQLite each is written at once, inside the transaction the
 * caller is in (the local backend's write), and a key recorded meanwhile throws there; on
 * PostgreSQL they are queued and commit() writes them in one transaction (and throws it there).
 */
export interface OutcomeBatch {
  finishToken(tokenId: string, status: TokenStatus, outcome: { result?: unknown; error?: unknown }, at: number): void;
  recordKey(record: NewKeyRecord): void;
  journal(entry: JournalEntry, at: Date): void;
  commit(): Promise<void>;
}

/** Takes n calls from a principal's bucket: 0 when allowed, else the milliseconds until they would be. */
export interface RateLimit {
  take(principal: string, n: number): Promise<number>;
}

export interface ServerStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the state lives, for logs and errors: a file, or host and database (never a password). */
  readonly where: string;

  /** A value of the store's own (the guard's HMAC key), created by the first process to ask. */
  metaGetOrCreate(key: string, make: () => string): Promise<string>;

  insertToken(row: NewToken): Promise<void>;
  getToken(tokenId: string): Promise<TokenRow | undefined>;
  /** Claims an unexpired minted token in one conditional update: exactly one caller across all replicas wins. */
  claimToken(tokenId: string, instanceId: string, now: number): Promise<'claimed' | 'lost' | 'expired'>;
  /** A claim whose claimant died: `unknown` for good, never run again. False when it was settled meanwhile. */
  abandonClaim(tokenId: string, now: number): Promise<boolean>;
  /** Drops unused tokens that expired before `before`. */
  sweepTokens(before: number): Promise<void>;

  /** The live idempotency record of a key, if any. */
  lookupKey(scope: KeyScope, now: number): Promise<KeyRecord | undefined>;

  batch(): OutcomeBatch;
  readJournal(filter: { campaign_id?: string; limit?: number; before?: number | undefined }): Promise<JournalRow[]>;

  /** Registers or renews an instance's heartbeat lease. */
  beat(instanceId: string, now: number, leaseMs: number): Promise<void>;
  dropInstance(instanceId: string): Promise<void>;
  /** Forgets instances whose lease ended before `before` (kept a while for diagnosis). */
  sweepInstances(before: number): Promise<void>;
  leaseUntil(instanceId: string): Promise<number | undefined>;

  /** Resolves when the store answers (the readiness check). */
  ping(): Promise<void>;

  /** The per-principal call limit: per process on SQLite, one bucket row per principal shared by every replica on PostgreSQL. */
  rateLimit(perMinute: number, now: () => number): RateLimit;

  close(): Promise<void>;
}

/** Another call with the same key recorded its outcome first; this call's write rolled back. */
export class KeyRecordedMeanwhile extends ToolError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'Another call with this idempotency_key recorded its outcome first; this call changed nothing.', {
      hint: 'Repeat the call with the same key and arguments to get the recorded outcome.',
      actionType: 'read_state',
    });
  }
}

/** The shared store did not answer: nothing was done that needed it; the call can be repeated. Where it is stays in the operator's log. */
export function storeUnavailable(): ToolError {
  return new ToolError('STORE_UNAVAILABLE', 'This server cannot reach its state store right now; nothing that needs it was done.', {
    hint: 'Repeat the call in a few seconds; the server reconnects by itself when the store is back.',
    actionType: 'retry_later',
  });
}

export const isStoreUnavailable = (err: unknown): boolean => err instanceof ToolError && err.code === 'STORE_UNAVAILABLE';

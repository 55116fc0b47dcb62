// Idempotency keys on writes. A write tool called with an `idempotency_key` has its outcome stored
// under (principal, operation, key); a repeat with the same arguments returns that outcome with
// `replayed: true` and runs nothing, the same key with other arguments is refused naming the
// fields that differ. The record is written by the write's own record hook, so on the local
// backend it commits in the write's transaction: a write never lands without its record, and of
// two concurrent calls with one key only the first to commit keeps its write (the other's insert
// conflicts and rolls its transaction back). Only successes are stored: a refused write changed
// nothing, so retrying it with the same key simply runs it again.
import { ToolError } from '../errors.js';
import { canonicalJson, diffPaths, digest } from './canonical.js';
import { createHash } from 'node:crypto';
import type { KeyScope, OutcomeBatch, ServerStore } from '../state/contract.js';

export { KeyRecordedMeanwhile, type KeyScope } from '../state/contract.js';

/** How long a key's outcome is kept (NoxInfluencer keeps its keys for retries of one operation). */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** Strings longer than this are kept in the record as their digest (file contents, long bodies). */
const VERBATIM_CHARS = 300;

export type Outcome = Record<string, unknown>;

export class IdempotencyStore {
  private readonly ttlMs: number;

  constructor(
    private readonly store: ServerStore,
    private readonly now: () => number,
    ttlMs = IDEMPOTENCY_TTL_MS,
  ) {
    this.ttlMs = ttlMs;
  }

  /**
   * The outcome stored for this key, or undefined when there is none (or it expired). Throws
   * IDEMPOTENCY_KEY_REUSED when the key was used with other arguments.
   */
  async lookup(scope: KeyScope, args: unknown): Promise<Outcome | undefined> {
    const row = await this.store.lookupKey(scope, this.now());
    if (!row) return undefined;
    if (row.args_digest !== digest(args)) {
      const fields = diffPaths(JSON.parse(row.args_json), JSON.parse(canonicalJson(compact(args))));
      throw new ToolError('IDEMPOTENCY_KEY_REUSED', `This idempotency_key was already used for ${scope.operation} with other arguments (they differ at: ${fields.join(', ')}).`, {
        hint: 'Use a new key for a new change; repeat a key only to retry exactly the same call.',
        details: { differing_fields: fields },
      });
    }
    return JSON.parse(row.outcome_json) as Outcome;
  }

  /**
   * Adds a write's outcome to the write's batch (inside its transaction where there is one). A
   * live record of the same key means another call won (KeyRecordedMeanwhile, from the batch).
   */
  record(batch: OutcomeBatch, scope: KeyScope, args: unknown, outcome: Outcome): void {
    const now = this.now();
    batch.recordKey({ scope, args_digest: digest(args), args_json: canonicalJson(compact(args)), outcome_json: JSON.stringify(outcome), created_at: now, expires_at: now + this.ttlMs });
  }
}
/** The arguments as kept for naming differing fields: long strings (file contents) as their digest. */
function compact(value: unknown): unknown {
  if (typeof value === 'string') return value.length > VERBATIM_CHARS ? `sha256:${createHash('sha256').update(value).digest('hex')}` : value;
  if (Array.isArray(value)) return value.map(compact);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  return value;
}

// The one stage runner: runs an operation's stage (run, validate, preview, apply) on a backend,
// checks what the backend produced against the contract's schemas, and journals every write in
// the write's own transaction (on SQLite), or with its outcome records in one transaction of the
// shared store (on PostgreSQL). The MCP tool path (invoke.ts) and the sandbox's REST routes both
// run stages through here; they differ only in what surrounds a stage (the guard, envelopes).
import type { z } from 'zod';
import type { CallInfo, Operation, PreviewReading, Problem } from './catalog.js';
import type { NoxBackend } from './backend/contract.js';
import { journalChange } from './journal.js';
import { ToolError } from './errors.js';
import { isStoreUnavailable, type OutcomeBatch, type ServerStore } from './state/contract.js';

export interface StageContext {
  backend: NoxBackend;
  store: ServerStore;
  now: () => Date;
  /** Finds the campaign of touched ids when a change names none (from the embedded workspace). */
  campaignOfIds?: ((ids: string[]) => string | undefined) | undefined;
}

export type Output = Record<string, unknown>;

/** What an apply is held to, and the hook that adds its outcome records to the write's batch. */
export interface ApplyTerms {
  stateDigest: string;
  idempotencyKey: string;
  /** The batch the outcome records go into (the guard's, with the token's outcome); a new one when absent. */
  batch?: OutcomeBatch;
  record?: (result: Output, batch: OutcomeBatch) => void;
}

/** Adds a write's records (beside its journal entry) to the batch that commits with it. */
export type Remember = (result: Output, batch: OutcomeBatch) => void;

/** Keys derived from a preview token name it, so the journal can point at the token. */
export const TOKEN_KEY_PREFIX = 'nox-';

export function stageRunner(ctx: StageContext) {
  const checkOutput = (op: Operation, schema: z.ZodType, value: unknown) => checkResult(ctx.backend, op, schema, value);
  const journal = (batch: OutcomeBatch, op: Operation, input: Output, out: Output, principal: string, tokenId: string | undefined, status: 'applied' | 'written') =>
    journalChange(batch, { op, input, out, principal, tokenId, status, at: ctx.now(), campaignOfIds: ctx.campaignOfIds });

  return {
    /** Reads and low-risk writes; a write is journaled (and `remember`ed) inside its own transaction. */
    async run(op: Operation, input: Output, call: CallInfo, remember?: Remember): Promise<Output> {
      if (op.kind === 'read') return checkOutput(op, op.output, await ctx.backend.run(op, input, call));
      let out: Output | undefined;
      const batch = ctx.store.batch();
      await ctx.backend.run(op, input, call, (result) => {
        out = checkOutput(op, op.output, result);
        journal(batch, op, input, out, call.principal, undefined, 'written');
        remember?.(out, batch);
      });
      await commitAfterWrite(batch);
      return out!;
    },

    validate(op: Operation, input: Output, call: CallInfo): Promise<Problem[]> {
      return ctx.backend.validate(op, input, call);
    },

    async preview(op: Operation, input: Output, call: CallInfo): Promise<PreviewReading<Output>> {
      const reading = await ctx.backend.preview(op, input, call);
      return { ...reading, effect: checkOutput(op, op.effect!, reading.effect) };
    },

    /** The apply of a previewed operation: executed, its outcome recorded and journaled in one transaction. */
    async apply(op: Operation, input: Output, call: CallInfo, terms: ApplyTerms): Promise<Output> {
      const tokenId = terms.idempotencyKey.startsWith(TOKEN_KEY_PREFIX) ? terms.idempotencyKey.slice(TOKEN_KEY_PREFIX.length) : undefined;
      let out: Output | undefined;
      const batch = terms.batch ?? ctx.store.batch();
      await ctx.backend.apply(op, input, call, {
        stateDigest: terms.stateDigest,
        idempotencyKey: terms.idempotencyKey,
        record: (result) => {
          out = checkOutput(op, op.output, result);
          terms.record?.(out, batch);
          journal(batch, op, input, out, call.principal, tokenId, 'applied');
        },
      });
      await commitAfterWrite(batch);
      return out!;
    },
  };
}

export type StageRunner = ReturnType<typeof stageRunner>;

/**
 * Commits a write's outcome records once the backend has written. Where the write is elsewhere
 * (an upstream API, the CLI) and the store is lost in between, the change stands unrecorded: the
 * caller is told to read it back, never to simply repeat it.
 */
async function commitAfterWrite(batch: OutcomeBatch): Promise<void> {
  try {
    await batch.commit();
  } catch (err) {
    if (!isStoreUnavailable(err)) throw err;
    throw new ToolError('STORE_UNAVAILABLE', 'The change was made, but this server could not record its outcome: its state store stopped answering.', {
      hint: 'Read the affected records back before repeating anything; repeating it blindly may make the change twice.',
      actionType: 'read_state',
      details: { written: true },
    });
  }
}

/** A result as the backend's `outputs` says: checked against the contract, or passed through as an object. */
export function checkResult(backend: NoxBackend, op: Operation, schema: z.ZodType, value: unknown): Output {
  if (backend.outputs !== 'passthrough') return checkOutput(op, schema, value);
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Output;
  throw new Error(`${op.name}: the backend produced a result that is not an object`);
}

/** Backend results are checked against the contract: a mismatch is our defect, never the caller's. */
export function checkOutput(op: Operation, schema: z.ZodType, value: unknown): Output {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new Error(
      `${op.name} produced output that does not match its schema: ${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  return r.data as Output;
}

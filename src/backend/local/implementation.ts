// How an embedded workspace implements the catalog's contracts. Generic over the context its
// handlers work with (the workspace), so the engine never names it. An implementation carries the
// contract it implements, and its input, output and effect types flow from that contract.
import type { z } from 'zod';
import type { CallInfo, Contract, Obj, Operation, Problem } from '../../catalog.js';
import type { JobHandler } from '../../jobs.js';
import type { Db, Migration } from '../../store.js';
import type { FilesRoot } from '../../files.js';
import type { JobQueue } from '../../jobs.js';

type In<C> = C extends Contract<infer I, z.ZodType, z.ZodType> ? z.output<I> : never;
type Out<C> = C extends Contract<Obj, infer O, z.ZodType> ? z.input<O> : never;
type Eff<C> = C extends Contract<Obj, z.ZodType, infer E> ? z.input<E> : never;

/**
 * The handlers of one operation. Reads and low-risk writes have `run`. A high-risk operation
 * reads once per stage (`read`, writing nothing); `state` is the part of that reading the preview
 * token binds (apply re-reads and compares it), `effect` what the preview shows (computed on
 * preview only), and `run` the apply, given the apply's own reading.
 */
export interface ImplementationDef<Ctx, C, L, P> {
  /** Async work before the handlers, outside the store transaction (reading and parsing an input file). */
  load?: (ctx: Ctx, input: In<C>, call: CallInfo) => Promise<L>;
  /** Staged operations: cheap schema and reference checks. */
  validate?: (ctx: Ctx, input: In<C>, call: CallInfo, loaded: L) => Problem[];
  read?: (ctx: Ctx, input: In<C>, call: CallInfo, loaded: L) => P;
  state?: (plan: P, input: In<C>) => Record<string, unknown>;
  effect?: (ctx: Ctx, input: In<C>, plan: P) => { effect: Eff<C>; summary: string };
  /** Synchronous: it runs inside one store transaction. */
  run: (ctx: Ctx, input: In<C>, call: CallInfo, loaded: L, plan: P) => Out<C>;
}

declare const implemented: unique symbol;

/** An implementation bound to its contract, handlers type-erased for the backend. */
export interface Implementation<Ctx, C = Operation> {
  readonly contract: Operation;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly handlers: ImplementationDef<Ctx, any, any, any>;
  /** Carries the contract's type, so a family's implementations can be checked against its contracts. */
  readonly [implemented]?: C;
}

/** The implementations of a family of contracts, one per contract, no more and no fewer. */
export type ImplementationsOf<Ctx, T extends Record<string, Operation>> = { [K in keyof T]: Implementation<Ctx, T[K]> };

/** Returns `implement` for one context type: `implement(contract, handlers)`. */
export function implementer<Ctx>() {
  return function implement<C extends Operation, L = undefined, P = undefined>(contract: C, handlers: ImplementationDef<Ctx, C, L, P>): Implementation<Ctx, C> {
    const guarded = contract.risk === 'high';
    const previewParts = [handlers.read, handlers.state, handlers.effect].filter(Boolean).length;
    if (guarded && previewParts !== 3) throw new Error(`${contract.name}: a high-risk operation implements read, state and effect`);
    if (!guarded && previewParts !== 0) throw new Error(`${contract.name}: only high-risk operations have a preview`);
    if (contract.kind === 'staged' && !handlers.validate) throw new Error(`${contract.name}: a staged operation implements validate`);
    return { contract, handlers };
  };
}

/** Indexes implementations by operation name, refusing a contract implemented twice or not at all. */
export function indexImplementations<Ctx>(operations: Operation[], implementations: Implementation<Ctx>[]): Map<string, Implementation<Ctx>> {
  const byName = new Map<string, Implementation<Ctx>>();
  for (const impl of implementations) {
    if (byName.has(impl.contract.name)) throw new Error(`${impl.contract.name} is implemented twice`);
    byName.set(impl.contract.name, impl);
  }
  const names = new Set(operations.map((o) => o.name));
  const missing = operations.filter((o) => !byName.has(o.name)).map((o) => o.name);
  const extra = [...byName.keys()].filter((n) => !names.has(n));
  if (missing.length) throw new Error(`contracts without an implementation: ${missing.join(', ')}`);
  if (extra.length) throw new Error(`implementations of no contract in the catalog: ${extra.join(', ')}`);
  for (const o of operations) if (byName.get(o.name)!.contract !== o) throw new Error(`${o.name} is implemented against another definition of its contract`);
  return byName;
}

/** What the engine needs from an embedded workspace: its tables, demo data, handlers and jobs. */
export interface EmbeddedWorkspace<Ctx> {
  migrations: Migration[];
  isSeeded(db: Db): boolean;
  seed(db: Db, now: Date): void;
  open(parts: { db: Db; files: FilesRoot; jobs: JobQueue; now: () => Date }): Ctx;
  implementations: Implementation<Ctx>[];
  /** Async job kinds and their handlers (imports, exports, scheduled sends). */
  jobs: Record<string, (ctx: Ctx) => JobHandler>;
  /** The campaign that touched ids belong to (a collection or task of a campaign), for changes that name none. */
  campaignOfIds?: (db: Db, ids: string[]) => string | undefined;
}

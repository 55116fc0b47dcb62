// The local backend: operations run their implementations on the embedded workspace (SQLite).
// A preview reads in one read transaction; every apply is one IMMEDIATE transaction that re-reads
// the previewed state, compares it with the token's, writes, and records the outcome.
import type { CallInfo, Operation, PreviewReading, Problem } from '../../catalog.js';
import type { ApplyExpectation, Args, NoxBackend } from '../contract.js';
import { StaleStateError } from '../contract.js';
import { digest } from '../../guard/canonical.js';
import type { Db } from '../../store.js';
import type { Implementation } from './implementation.js';

export class LocalBackend<Ctx> implements NoxBackend {
  readonly target: string;

  constructor(
    private readonly ctx: Ctx,
    private readonly db: Db,
    private readonly implementations: Map<string, Implementation<Ctx>>,
    workspaceId: string,
  ) {
    this.target = `local:${workspaceId}`;
  }

  async run(op: Operation, input: Args, call: CallInfo, record?: (result: unknown) => void): Promise<unknown> {
    const { handlers: h } = this.implementation(op);
    const loaded = await this.load(op, input, call);
    if (op.kind === 'read') return h.run(this.ctx, input, call, loaded, undefined);
    return this.db
      .transaction(() => {
        const result = h.run(this.ctx, input, call, loaded, undefined);
        record?.(result);
        return result;
      })
      .immediate();
  }

  async validate(op: Operation, input: Args, call: CallInfo): Promise<Problem[]> {
    const { handlers: h } = this.implementation(op);
    const loaded = await this.load(op, input, call);
    return h.validate ? h.validate(this.ctx, input, call, loaded) : [];
  }

  async preview(op: Operation, input: Args, call: CallInfo): Promise<PreviewReading<unknown>> {
    const { handlers: h } = this.implementation(op);
    const loaded = await this.load(op, input, call);
    // A read transaction gives the preview one consistent snapshot of the state it describes.
    return this.db
      .transaction(() => {
        const plan = h.read!(this.ctx, input, call, loaded);
        const { effect, summary } = h.effect!(this.ctx, input, plan);
        return { effect, state: h.state!(plan, input), summary };
      })
      .deferred();
  }

  async apply(op: Operation, input: Args, call: CallInfo, expect: ApplyExpectation): Promise<unknown> {
    const { handlers: h } = this.implementation(op);
    const loaded = await this.load(op, input, call);
    return this.db
      .transaction(() => {
        // The apply's own reading: the state is compared with the token's, and run acts on it.
        const plan = h.read!(this.ctx, input, call, loaded);
        const state = h.state!(plan, input);
        if (digest(state) !== expect.stateDigest) throw new StaleStateError(state);
        const result = h.run(this.ctx, input, call, loaded, plan);
        expect.record(result);
        return result;
      })
      .immediate();
  }

  private implementation(op: Operation): Implementation<Ctx> {
    const impl = this.implementations.get(op.name);
    if (!impl) throw new Error(`${op.name} has no implementation in the embedded workspace`);
    return impl;
  }

  private load(op: Operation, input: Args, call: CallInfo): Promise<unknown> {
    const { handlers: h } = this.implementation(op);
    return h.load ? h.load(this.ctx, input, call) : Promise.resolve(undefined);
  }

  async close(): Promise<void> {
    /* the store is closed by its owner */
  }
}

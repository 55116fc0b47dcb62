// The local backend: operations run their handlers on the embedded SQLite workspace. Every apply
// is one IMMEDIATE transaction that re-reads the previewed state, writes, and records the outcome.
import type { CallInfo, Operation, PreviewReading, Problem } from '../../catalog.js';
import type { ApplyExpectation, Args, NoxBackend } from '../contract.js';
import { StaleStateError } from '../contract.js';
import { digest } from '../../guard/canonical.js';
import type { Workspace } from './workspace.js';

export class LocalBackend implements NoxBackend {
  readonly target: string;

  constructor(private readonly ws: Workspace, workspaceId: string) {
    this.target = `local:${workspaceId}`;
  }

  async run(op: Operation, input: Args, call: CallInfo, record?: (result: unknown) => void): Promise<unknown> {
    const loaded = await this.load(op, input, call);
    if (op.kind === 'read') return op.run(this.ws, input, call, loaded);
    return this.ws.db
      .transaction(() => {
        const result = op.run(this.ws, input, call, loaded);
        record?.(result);
        return result;
      })
      .immediate();
  }

  async validate(op: Operation, input: Args, call: CallInfo): Promise<Problem[]> {
    const loaded = await this.load(op, input, call);
    return op.validate ? op.validate(this.ws, input, call, loaded) : [];
  }

  async preview(op: Operation, input: Args, call: CallInfo): Promise<PreviewReading<unknown>> {
    const loaded = await this.load(op, input, call);
    // A read transaction gives the preview one consistent snapshot of the state it describes.
    return this.ws.db.transaction(() => op.preview!.read(this.ws, input, call, loaded) as PreviewReading<unknown>).deferred();
  }

  async apply(op: Operation, input: Args, call: CallInfo, expect: ApplyExpectation): Promise<unknown> {
    const loaded = await this.load(op, input, call);
    return this.ws.db
      .transaction(() => {
        const { state } = op.preview!.read(this.ws, input, call, loaded);
        if (digest(state) !== expect.stateDigest) throw new StaleStateError(state);
        const result = op.run(this.ws, input, call, loaded);
        expect.record(result);
        return result;
      })
      .immediate();
  }

  private load(op: Operation, input: Args, call: CallInfo): Promise<unknown> {
    return op.load ? op.load(this.ws, input, call) : Promise.resolve(undefined);
  }

  async close(): Promise<void> {
    /* the store is closed by its owner */
  }
}

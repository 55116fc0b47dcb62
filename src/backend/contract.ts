// The NoxBackend contract: how the engine executes an operation. The local backend runs the
// operation's handler on the embedded workspace; the http backend calls the operation's REST
// route on a Nox-compatible API. One contract, one test suite run against both.
import type { CallInfo, Operation, PreviewReading, Problem } from '../catalog.js';

/** Parsed tool arguments (the apply's preview_token already removed). */
export type Args = Record<string, unknown>;

export interface ApplyExpectation {
  /** Digest of the state the preview read; apply refuses (StaleStateError) if it changed. */
  stateDigest: string;
  /** Stable across retries of one apply (derived from the preview token). */
  idempotencyKey: string;
  /**
   * Records the outcome. Called with the result inside the backend's write transaction where the
   * backend has one, so the change and its outcome record commit (or roll back) together.
   */
  record: (result: unknown) => void;
}

export interface NoxBackend {
  /** Identifies where operations land (bound into every preview token). */
  readonly target: string;
  /** Reads and low-risk writes; a write's `record` runs inside the backend's transaction where it has one. */
  run(op: Operation, input: Args, call: CallInfo, record?: (result: unknown) => void): Promise<unknown>;
  validate(op: Operation, input: Args, call: CallInfo): Promise<Problem[]>;
  preview(op: Operation, input: Args, call: CallInfo): Promise<PreviewReading<unknown>>;
  apply(op: Operation, input: Args, call: CallInfo, expect: ApplyExpectation): Promise<unknown>;
  close(): Promise<void>;
  /** Whether this backend can run the operation at all; one that cannot is left out of tools/list. */
  supports?(op: Operation): boolean;
  /**
   * `contract` (the default): results are checked against the contract's output schemas, which
   * tools/list declares. `passthrough`: results are the upstream's data as it came (an upstream we do
   * not control), so neither is done and an unexpected shape never fails a client's validation.
   */
  readonly outputs?: 'contract' | 'passthrough';
}

/** Thrown by a backend's apply when the state a preview read has changed; nothing was written. */
export class StaleStateError extends Error {
  constructor(readonly state: Record<string, unknown>) {
    super('state changed since preview');
  }
}

// Which server processes sharing one store are alive. Each process registers a random instance id
// with a heartbeat lease in the store (table `instances`), and work it claims (a preview token, a
// job lease) names that id. An instance is alive while its lease runs; a clean shutdown deletes its
// row, so it is dead at once. Process ids are deliberately not used: in containers every server is
// PID 1, and processes in different PID namespaces cannot see each other's PIDs.
import { randomBytes } from 'node:crypto';
import type { ServerStore } from './state/contract.js';

/** How long an instance counts as alive after its last heartbeat (it beats every third of it). */
export const DEFAULT_INSTANCE_LEASE_MS = 15_000;

/** What the guard needs to know about the instances sharing the store. */
export interface Liveness {
  readonly id: string;
  /** Whether the instance `id` names holds a running lease (false for unknown or absent ids). */
  isAlive(id: string | null | undefined): Promise<boolean>;
  /** Settles once this instance's lease is registered (its claims may be judged by it only then). */
  ready?(): Promise<void>;
}

export interface InstanceOptions {
  leaseMs?: number;
  now?: () => number;
  /** A heartbeat that failed (e.g. the store was busy for longer than its timeout, or unreachable). */
  onError?: (err: unknown) => void;
}

export class Instance implements Liveness {
  readonly id = `inst_${randomBytes(16).toString('hex')}`;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private registered: Promise<void> | undefined;

  constructor(
    private readonly store: ServerStore,
    private readonly opts: InstanceOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_INSTANCE_LEASE_MS;
    // Three beats per lease: one late or failed beat does not make a live instance look dead.
    this.heartbeatMs = Math.max(1, Math.floor(this.leaseMs / 3));
    this.now = opts.now ?? Date.now;
  }

  /** Registers this instance and keeps its lease running until stop(). */
  start(): Promise<void> {
    this.running = true;
    const first = this.ready();
    // Rows of instances that died without a clean shutdown are kept a day for diagnosis, then dropped.
    void this.store.sweepInstances(this.now() - 24 * 3600_000).catch((err: unknown) => this.opts.onError?.(err));
    if (!this.timer) {
      this.timer = setInterval(() => {
        this.beat().catch((err: unknown) => this.opts.onError?.(err));
      }, this.heartbeatMs);
      this.timer.unref();
    }
    return first;
  }

  /** The first registration, retried on the next call when it failed (the store was unreachable). */
  ready(): Promise<void> {
    this.registered ??= this.beat().catch((err: unknown) => {
      this.registered = undefined;
      throw err;
    });
    return this.registered;
  }

  /** Renews the lease (re-registering if the row is gone). */
  beat(): Promise<void> {
    return this.store.beat(this.id, this.now(), this.leaseMs);
  }

  /** A clean shutdown: the row goes, so others treat this instance's claims as dead at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.store.dropInstance(this.id);
  }

  async isAlive(id: string | null | undefined): Promise<boolean> {
    if (!id) return false;
    // This process knows it runs even if its own heartbeat was delayed.
    if (id === this.id) return this.running;
    const until = await this.store.leaseUntil(id);
    return until !== undefined && until >= this.now();
  }
}

// Which server processes sharing one store are alive. Each process registers a random instance id
// with a heartbeat lease in the store (table `instances`), and work it claims (a preview token, a
// job lease) names that id. An instance is alive while its lease runs; a clean shutdown deletes its
// row, so it is dead at once. Process ids are deliberately not used: in containers every server is
// PID 1, and processes in different PID namespaces cannot see each other's PIDs.
import { randomBytes } from 'node:crypto';
import type { Db } from './store.js';

/** How long an instance counts as alive after its last heartbeat (it beats every third of it). */
export const DEFAULT_INSTANCE_LEASE_MS = 15_000;

/** What the guard and the job runner need to know about the instances sharing the store. */
export interface Liveness {
  readonly id: string;
  /** Whether the instance `id` names holds a running lease (false for unknown or absent ids). */
  isAlive(id: string | null | undefined): boolean;
}

export interface InstanceOptions {
  leaseMs?: number;
  now?: () => number;
  /** A heartbeat that failed (e.g. the store was busy for longer than its timeout). */
  onError?: (err: unknown) => void;
}

export class Instance implements Liveness {
  readonly id = `inst_${randomBytes(16).toString('hex')}`;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly opts: InstanceOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_INSTANCE_LEASE_MS;
    // Three beats per lease: one late or failed beat does not make a live instance look dead.
    this.heartbeatMs = Math.max(1, Math.floor(this.leaseMs / 3));
    this.now = opts.now ?? Date.now;
  }

  /** Registers this instance and keeps its lease running until stop(). */
  start(): void {
    this.running = true;
    this.beat();
    // Rows of instances that died without a clean shutdown are kept a day for diagnosis, then dropped.
    this.db.prepare('DELETE FROM instances WHERE lease_until < ?').run(this.now() - 24 * 3600_000);
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.beat();
      } catch (err) {
        this.opts.onError?.(err);
      }
    }, this.heartbeatMs);
    this.timer.unref();
  }

  /** Renews the lease (re-registering if the row is gone). */
  beat(): void {
    const t = this.now();
    this.db
      .prepare(
        `INSERT INTO instances (instance_id, started_at, heartbeat_at, lease_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until`,
      )
      .run(this.id, t, t, t + this.leaseMs);
  }

  /** A clean shutdown: the row goes, so others treat this instance's claims as dead at once. */
  stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.db.prepare('DELETE FROM instances WHERE instance_id = ?').run(this.id);
  }

  isAlive(id: string | null | undefined): boolean {
    if (!id) return false;
    // This process knows it runs even if its own heartbeat was delayed.
    if (id === this.id) return this.running;
    const until = this.db.prepare('SELECT lease_until FROM instances WHERE instance_id = ?').pluck().get(id) as number | undefined;
    return until !== undefined && until >= this.now();
  }
}

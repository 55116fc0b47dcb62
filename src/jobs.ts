// The in-process job runner for async work (imports, exports, scheduled sends) of the embedded
// workspace, so always in its SQLite store (the local backend never runs on a shared PostgreSQL
// store: its jobs write the workspace in the same transactions). Jobs live in the store, so they survive restarts and can be shared by several processes on one data dir: a job
// is leased by one runner at a time, naming its instance; a lease is taken over when it expires or
// when its owner instance is dead (its heartbeat lease ran out, or it shut down).
import { randomBytes } from 'node:crypto';
import type { Db } from './store.js';
import type { Logger } from './log.js';
import type { Liveness } from './instance.js';

export interface JobContext {
  readonly jobId: string;
  progress(done: number, total?: number): void;
  readonly signal: AbortSignal;
}

/** A job kind's handler. It should make its own writes atomic (one transaction or an all-or-nothing file). */
export type JobHandler = (params: Record<string, unknown>, ctx: JobContext) => Promise<unknown>;

export interface JobRow {
  job_id: string;
  kind: string;
  params_json: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  run_at: string;
  progress: number;
  total: number | null;
  result_json: string | null;
  error_json: string | null;
}

export interface JobQueue {
  enqueue(kind: string, params: Record<string, unknown>, runAt?: Date): string;
  get(jobId: string): JobRow | undefined;
  cancel(jobId: string): boolean;
  /** Called whenever a job run by this process changes state (progress or finish). */
  onUpdate(fn: (row: JobRow) => void): () => void;
}

const LEASE_MS = 30_000;

export class JobRunner implements JobQueue {
  private handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | undefined;
  private running = new Map<string, AbortController>();
  private listeners = new Set<(row: JobRow) => void>();
  private inflight = new Set<Promise<boolean>>();
  /** Set by stop(): nothing more is claimed (an interrupted job is requeued, not re-run at once). */
  private stopped = false;
  private readonly owner: string;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    instance: Pick<Liveness, 'id'>,
    private readonly now: () => Date = () => new Date(),
    private readonly pollMs = 100,
  ) {
    this.owner = instance.id;
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  enqueue(kind: string, params: Record<string, unknown>, runAt?: Date): string {
    const id = `job_${randomBytes(8).toString('hex')}`;
    const at = this.now().toISOString();
    this.db
      .prepare(`INSERT INTO jobs (job_id, kind, params_json, status, run_at, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)`)
      .run(id, kind, JSON.stringify(params), (runAt ?? this.now()).toISOString(), at, at);
    this.kick();
    return id;
  }

  get(jobId: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE job_id = ?').get(jobId) as JobRow | undefined;
  }

  cancel(jobId: string): boolean {
    const res = this.db.prepare(`UPDATE jobs SET status = 'cancelled', updated_at = ? WHERE job_id = ? AND status IN ('queued','running')`).run(this.now().toISOString(), jobId);
    this.running.get(jobId)?.abort();
    return res.changes === 1;
  }

  /** Called whenever a job this runner ran changes state (progress or finish). */
  onUpdate(fn: (row: JobRow) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    this.stopped = false;
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.timer.unref();
  }

  /** Stops polling and interrupts running jobs; they go back to the queue and resume after a restart. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    for (const c of this.running.values()) c.abort();
    await Promise.allSettled([...this.inflight]);
  }

  /** Runs every due job once now (tests use it instead of waiting for the poll). */
  async drain(): Promise<void> {
    this.stopped = false;
    while (await this.runOne()) {
      /* keep going */
    }
  }

  private kick(): void {
    if (this.timer) setImmediate(() => void this.tick());
  }

  private ticking = false;
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      while (this.timer && (await this.runOne())) {
        /* drain due jobs */
      }
    } catch (err) {
      this.log.error({ err: String(err) }, 'job runner tick failed');
    } finally {
      this.ticking = false;
    }
  }

  private claimDue(): JobRow | undefined {
    if (this.stopped) return undefined;
    const now = this.now();
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return undefined;
    return this.db
      .transaction(() => {
        // A lease held by an instance that is dead (shut down, or killed and its heartbeat ran out) is taken over now, not at expiry.
        this.db
          .prepare(
            `UPDATE jobs SET lease_until = 0 WHERE status = 'running' AND lease_until >= ? AND (lease_owner IS NULL OR lease_owner <> ?)
             AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.instance_id = jobs.lease_owner AND i.lease_until >= ?)`,
          )
          .run(now.getTime(), this.owner, now.getTime());
        const row = this.db
          .prepare(
            `SELECT * FROM jobs WHERE kind IN (${kinds.map(() => '?').join(',')})
             AND ((status = 'queued' AND run_at <= ?) OR (status = 'running' AND lease_until < ?))
           ORDER BY run_at LIMIT 1`,
          )
          .get(...kinds, now.toISOString(), now.getTime()) as JobRow | undefined;
        if (!row) return undefined;
        this.db
          .prepare(`UPDATE jobs SET status = 'running', lease_owner = ?, lease_until = ?, updated_at = ? WHERE job_id = ?`)
          .run(this.owner, now.getTime() + LEASE_MS, now.toISOString(), row.job_id);
        return { ...row, status: 'running' as const };
      })
      .immediate();
  }

  private runOne(): Promise<boolean> {
    const p = this.runDue();
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  private async runDue(): Promise<boolean> {
    const row = this.claimDue();
    if (!row) return false;
    const handler = this.handlers.get(row.kind)!;
    const ctl = new AbortController();
    this.running.set(row.job_id, ctl);
    // Every write names this runner as the lease owner: once another runner took the job over
    // (this one was judged dead), this one's writes leave the new owner's row alone.
    const update = this.db.prepare(`UPDATE jobs SET progress = ?, total = ?, lease_until = ?, updated_at = ? WHERE job_id = ? AND status = 'running' AND lease_owner = ?`);
    const ctx: JobContext = {
      jobId: row.job_id,
      signal: ctl.signal,
      progress: (done, total) => {
        const n = this.now();
        update.run(done, total ?? null, n.getTime() + LEASE_MS, n.toISOString(), row.job_id, this.owner);
        const current = this.get(row.job_id);
        if (current?.status === 'cancelled') ctl.abort();
        if (current) this.emit(current);
      },
    };
    try {
      const result = await handler(JSON.parse(row.params_json), ctx);
      this.db
        .prepare(`UPDATE jobs SET status = 'done', result_json = ?, lease_owner = NULL, updated_at = ? WHERE job_id = ? AND status = 'running' AND lease_owner = ?`)
        .run(JSON.stringify(result ?? null), this.now().toISOString(), row.job_id, this.owner);
    } catch (err) {
      const aborted = ctl.signal.aborted;
      // An abort is a cancellation only when cancel() marked the row; otherwise the runner was
      // stopped (shutdown) and the job goes back to the queue to run again from the start.
      const cancelled = aborted && this.get(row.job_id)?.status === 'cancelled';
      if (aborted && !cancelled) {
        this.db
          .prepare(`UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE job_id = ? AND status = 'running' AND lease_owner = ?`)
          .run(this.now().toISOString(), row.job_id, this.owner);
      } else {
        const envelope =
          err && typeof err === 'object' && 'toEnvelope' in err ? (err as { toEnvelope(): unknown }).toEnvelope() : { error_code: 'INTERNAL_ERROR', summary: String((err as Error)?.message ?? err) };
        this.db
          .prepare(`UPDATE jobs SET status = ?, error_json = ?, lease_owner = NULL, updated_at = ? WHERE job_id = ? AND status IN ('running','cancelled') AND lease_owner = ?`)
          .run(cancelled ? 'cancelled' : 'failed', JSON.stringify(envelope), this.now().toISOString(), row.job_id, this.owner);
        if (!cancelled) this.log.warn({ job_id: row.job_id, kind: row.kind, error: envelope }, 'job failed');
      }
    } finally {
      this.running.delete(row.job_id);
      const final = this.get(row.job_id);
      if (final) this.emit(final);
    }
    return true;
  }

  private emit(row: JobRow): void {
    for (const fn of this.listeners) fn(row);
  }
}

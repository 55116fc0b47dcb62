// Liveness of the processes sharing a store: instance ids with heartbeat leases, never PIDs. A job
// lease of a dead instance is taken over at once; one of a live instance (whatever its id looks
// like) is left alone while it heartbeats.
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../src/store.js';
import { Instance } from '../../src/instance.js';
import { SqliteState } from '../../src/state/sqlite.js';
import { JobRunner } from '../../src/jobs.js';
import { createLogger } from '../../src/log.js';

const log = createLogger('silent');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const started: Instance[] = [];
afterAll(() => Promise.all(started.map((i) => i.stop())));

function instanceOn(db: Db, opts: { leaseMs?: number; now?: () => number } = {}): Instance {
  const i = new Instance(new SqliteState(db), opts);
  i.start();
  started.push(i);
  return i;
}

const register = (db: Db, id: string, leaseUntil: number) =>
  db.prepare('INSERT INTO instances (instance_id, started_at, heartbeat_at, lease_until) VALUES (?, ?, ?, ?)').run(id, leaseUntil - 60_000, leaseUntil - 15_000, leaseUntil);

/** A job in the state a runner leaves it while running it. */
function leasedJob(db: Db, owner: string | null, leaseUntil: number, kind = 'k'): string {
  const id = `job_${Math.random().toString(16).slice(2)}`;
  const at = new Date().toISOString();
  db.prepare(`INSERT INTO jobs (job_id, kind, params_json, status, run_at, lease_owner, lease_until, created_at, updated_at) VALUES (?, ?, '{}', 'running', ?, ?, ?, ?, ?)`).run(
    id,
    kind,
    at,
    owner,
    leaseUntil,
    at,
    at,
  );
  return id;
}

const jobStatus = (db: Db, id: string) => db.prepare('SELECT status, lease_owner FROM jobs WHERE job_id = ?').get(id) as { status: string; lease_owner: string | null };

describe('instances', () => {
  it('is alive while it heartbeats, dead once stopped, and dead when its lease runs out without a beat', async () => {
    const db = openStore(':memory:');
    const clock = { t: 1_000_000 };
    const observer = instanceOn(db, { now: () => clock.t });
    const a = instanceOn(db, { leaseMs: 300 });
    expect(a.heartbeatMs).toBe(100);
    expect(observer.id).not.toBe(a.id);
    expect(a.id).not.toContain(String(process.pid));
    // Its own timer keeps it alive across many leases.
    const real = instanceOn(db);
    await sleep(1_000);
    expect(await real.isAlive(a.id)).toBe(true);
    await a.stop();
    expect(await real.isAlive(a.id)).toBe(false);
    expect(db.prepare('SELECT COUNT(*) FROM instances WHERE instance_id = ?').pluck().get(a.id)).toBe(0);

    // A killed process stops beating: dead once its lease ends, by the observer's clock.
    register(db, 'inst_killed', clock.t + 500);
    expect(await observer.isAlive('inst_killed')).toBe(true);
    clock.t += 500;
    expect(await observer.isAlive('inst_killed')).toBe(true);
    clock.t += 1;
    expect(await observer.isAlive('inst_killed')).toBe(false);

    // Unknown ids, and ids that name a PID (this process's own, or PID 1), are not alive.
    for (const id of [null, undefined, '', `${process.pid}:x`, '1:container', 'inst_never_registered']) expect(await observer.isAlive(id)).toBe(false);
  });

  it('re-registers on the next beat if its row went missing', async () => {
    const db = openStore(':memory:');
    const a = instanceOn(db);
    const b = instanceOn(db);
    db.prepare('DELETE FROM instances WHERE instance_id = ?').run(a.id);
    expect(await b.isAlive(a.id)).toBe(false);
    await a.beat();
    expect(await b.isAlive(a.id)).toBe(true);
  });
});

describe('job leases name instances', () => {
  it('takes over at once a job whose owner is gone or stopped beating, whatever PID its id names', async () => {
    const db = openStore(':memory:');
    const me = instanceOn(db);
    const stopped = instanceOn(db);
    await stopped.stop();
    register(db, 'inst_stale', Date.now() - 1);
    const owners = [`${process.pid}:dead`, '1:restarted-in-a-container', 'inst_stale', 'inst_never_registered', stopped.id, null];
    const runner = new JobRunner(db, log, me);
    const ran: string[] = [];
    runner.register('k', async (_p, ctx) => void ran.push(ctx.jobId));
    const jobs = owners.map((o) => leasedJob(db, o, Date.now() + 30_000));
    await runner.drain();
    expect(ran.sort()).toEqual([...jobs].sort());
    for (const j of jobs) expect(jobStatus(db, j).status).toBe('done');
  });

  it('leaves alone the running job of a live instance, even one whose id reads as an unseen PID', async () => {
    const db = openStore(':memory:');
    const clock = { t: Date.now() };
    const mine = instanceOn(db, { now: () => clock.t });
    const runner = new JobRunner(db, log, mine, () => new Date(clock.t));
    let ran = 0;
    runner.register('k', async () => void ran++);
    // A process in another PID namespace: its id parses as a PID this one cannot see.
    register(db, '999999999:other-namespace', clock.t + 300);
    const job = leasedJob(db, '999999999:other-namespace', clock.t + 30_000);
    await runner.drain();
    expect(ran).toBe(0);
    expect(jobStatus(db, job)).toEqual({ status: 'running', lease_owner: '999999999:other-namespace' });
    // Its heartbeat stops: after its lease the job is taken over, long before the job lease ends.
    clock.t += 301;
    await runner.drain();
    expect(ran).toBe(1);
    expect(jobStatus(db, job).status).toBe('done');
  });

  it("two runners heartbeating on one store never take over each other's running job", async () => {
    const db = openStore(':memory:');
    const a = new JobRunner(db, log, instanceOn(db, { leaseMs: 300 }));
    const b = new JobRunner(db, log, instanceOn(db, { leaseMs: 300 }));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const runs = { a: 0, b: 0 };
    a.register('k', async () => {
      runs.a++;
      await gate;
      return 'a';
    });
    b.register('k', async () => void runs.b++);
    const id = a.enqueue('k', {});
    const draining = a.drain();
    await sleep(20);
    expect(jobStatus(db, id).status).toBe('running');
    // Several of a's heartbeat leases pass while it runs; b must still see it alive.
    for (let i = 0; i < 5; i++) {
      await sleep(200);
      await b.drain();
    }
    release();
    await draining;
    expect(runs).toEqual({ a: 1, b: 0 });
    expect(jobStatus(db, id).status).toBe('done');
  });

  it("a runner whose job was taken over leaves the new owner's row alone", async () => {
    const db = openStore(':memory:');
    const a = new JobRunner(db, log, instanceOn(db));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    a.register('k', async () => {
      await gate;
      return 'late';
    });
    const id = a.enqueue('k', {});
    const draining = a.drain();
    await sleep(20);
    // Meanwhile another (live) instance judged a dead and took the job over.
    register(db, 'inst_new_owner', Date.now() + 60_000);
    db.prepare(`UPDATE jobs SET lease_owner = 'inst_new_owner' WHERE job_id = ?`).run(id);
    release();
    await draining;
    expect(jobStatus(db, id)).toEqual({ status: 'running', lease_owner: 'inst_new_owner' });
  });
});

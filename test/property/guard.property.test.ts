// Properties of the preview-token guard (DESIGN.md section 3): bound, short-lived, unforgeable,
// exact, fresh, once, crash-safe, and a declined confirmation changes nothing.
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Guard, type ApplyRequest, type Execution } from '../../src/guard/index.js';
import { canonicalJson, digest } from '../../src/guard/canonical.js';
import { openStore, type Db } from '../../src/store.js';
import { StaleStateError } from '../../src/backend/contract.js';
import { ToolError } from '../../src/errors.js';
import { Instance } from '../../src/instance.js';
import { SqliteState } from '../../src/state/sqlite.js';

const T0 = 1_700_000_000_000;
const TTL = 600_000;

interface Harness {
  db: Db;
  g: Guard;
  clock: { t: number };
  instance: Instance;
}

/** Every instance the tests start; their heartbeat timers stop when the file is done. */
const started: Instance[] = [];
afterAll(() => Promise.all(started.map((i) => i.stop())));

/** A registered, heartbeating instance on `db` (its clock is the real one unless given). */
function instanceOn(db: Db, opts: { leaseMs?: number; now?: () => number } = {}): Instance {
  const i = new Instance(new SqliteState(db), opts);
  i.start();
  started.push(i);
  return i;
}

function harness(opts: { ttlMs?: number; realClock?: boolean; inFlightWaitMs?: number } = {}): Harness {
  const db = openStore(':memory:');
  const clock = { t: T0 };
  const instance = instanceOn(db);
  const g = new Guard(new SqliteState(db), {
    ttlMs: opts.ttlMs ?? TTL,
    ...(opts.realClock ? {} : { now: () => clock.t }),
    inFlightWaitMs: opts.inFlightWaitMs ?? 30_000,
    instance,
  });
  return { db, g, clock, instance };
}

const BASE = { operation: 'collection_add_creators', principal: 'alice', target: 'local:workspace' } as const;

function mint(g: Guard, args: unknown, state: Record<string, unknown> = { s: 1 }, base: { operation: string; principal: string; target: string } = BASE) {
  return g.mint({ ...base, args, state, summary: 'Add 3 creators to collection C1' });
}

/** An execution that counts its calls and records `result`. */
function counting(result: unknown = { ok: true }, extra: Partial<Execution> = {}) {
  const calls = { n: 0, digests: [] as string[] };
  const exec: Execution = {
    ...extra,
    execute: async (bound) => {
      calls.n++;
      calls.digests.push(bound.stateDigest);
      bound.record(result);
      return result;
    },
  };
  return { calls, exec };
}

/** The ToolError a promise rejects with (fails if it resolves or rejects with anything else). */
async function refusal(p: Promise<unknown>): Promise<ToolError> {
  let value: unknown;
  try {
    value = await p;
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error(`expected a ToolError, got a result: ${JSON.stringify(value)}`);
}

const status = (db: Db, tokenId: string) => db.prepare('SELECT status FROM preview_tokens WHERE token_id = ?').pluck().get(tokenId) as string | undefined;

/** What a recorded result looks like after its JSON round trip through the ledger. */
const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

// ---------- JSON helpers: key re-ordering and single-leaf changes ----------

type Seg = { key: string } | { index: number };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isContainer = (v: unknown) => v !== null && typeof v === 'object';

/** Small seeded PRNG so that re-orderings are reproducible from the fast-check seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(xs: T[], rnd: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Sets an own data property (a "__proto__" key stays data). */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A deep copy whose object keys are inserted in another (random, or reversed) order at every depth. */
function reorder(v: unknown, rnd: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => reorder(x, rnd));
  if (!isObj(v)) return v;
  const keys = Object.keys(v);
  let order = shuffled(keys, rnd);
  if (keys.length > 1 && order.every((k, i) => k === keys[i])) order = [...keys].reverse();
  const out: Record<string, unknown> = {};
  for (const k of order) put(out, k, reorder(v[k], rnd));
  return out;
}

/** Paths to every leaf (a scalar, or an empty object/array). */
function leaves(v: unknown, path: Seg[] = []): Seg[][] {
  if (Array.isArray(v) && v.length > 0) return v.flatMap((x, i) => leaves(x, [...path, { index: i }]));
  if (isObj(v) && Object.keys(v).length > 0) return Object.keys(v).flatMap((k) => leaves(v[k], [...path, { key: k }]));
  return [path];
}

function getAt(v: unknown, path: Seg[]): unknown {
  let cur = v;
  for (const s of path) cur = 'key' in s ? (cur as Record<string, unknown>)[s.key] : (cur as unknown[])[s.index];
  return cur;
}

/** A deep copy with the value at `path` replaced. */
function setAt(v: unknown, path: Seg[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [s, ...rest] = path as [Seg, ...Seg[]];
  if ('index' in s) {
    const arr = [...(v as unknown[])];
    arr[s.index] = setAt(arr[s.index], rest, value);
    return arr;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as object)) put(out, k, k === s.key ? setAt((v as Record<string, unknown>)[k], rest, value) : (v as Record<string, unknown>)[k]);
  return out;
}

/** The path as diffPaths writes it: a.b[2].c */
function pathText(path: Seg[]): string {
  let out = '';
  for (const s of path) out = 'key' in s ? (out ? `${out}.${s.key}` : s.key) : `${out}[${s.index}]`;
  return out || '(root)';
}

/** A value that differs from `old` in canonical JSON, and whose difference sits exactly at the leaf. */
function differentLeaf(old: unknown, candidate: unknown): unknown {
  let next = candidate;
  // An empty container replaced by a non-empty one of the same kind would differ below the leaf.
  if (isContainer(old) && isContainer(next) && Array.isArray(old) === Array.isArray(next)) next = null;
  if (canonicalJson(next) === canonicalJson(old)) next = old === null ? 'changed' : null;
  return next;
}

// Top-level keys are non-empty (an empty top-level key is written as "(root)" by diffPaths);
// below that, anything fc.jsonValue makes (any string keys, nested objects and arrays).
const argsArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 4 }), { minKeys: 1, maxKeys: 6 });

describe('Guard properties', () => {
  it('bound to the arguments: key order never matters, any single leaf change is named and refused', async () => {
    const { g, db } = harness();
    await fc.assert(
      fc.asyncProperty(argsArb, fc.integer(), fc.nat(), fc.jsonValue({ maxDepth: 2 }), async (args, seed, pick, candidate) => {
        const rnd = prng(seed);
        const m = await mint(g, args);
        const paths = leaves(args);
        const path = paths[pick % paths.length]!;
        const changed = setAt(reorder(args, rnd), path, differentLeaf(getAt(args, path), candidate));
        expect(digest(changed)).not.toBe(digest(args));

        const refused = counting();
        const req = (a: unknown): ApplyRequest => ({ ...BASE, args: a, token: m.preview_token });
        const e = await refusal(g.apply(req(changed), refused.exec));
        expect(e.code).toBe('PREVIEW_MISMATCH');
        expect(e.details?.differing_fields).toEqual([pathText(path)]);
        expect(refused.calls.n).toBe(0);
        expect(status(db, m.token_id)).toBe('minted');

        const ok = counting({ done: 1 });
        const res = await g.apply(req(reorder(args, rnd)), ok.exec);
        expect(res.replayed).toBe(false);
        expect(res.result).toEqual({ done: 1 });
        expect(ok.calls.n).toBe(1);
      }),
      {
        numRuns: 150,
        // fc.jsonValue makes "__proto__" keys only rarely; always try them (they are data in JSON).
        examples: [
          [JSON.parse('{"k":{"__proto__":{"x":1}}}') as Record<string, fc.JsonValue>, 1, 0, { x: 2 }],
          [JSON.parse('{"__proto__":{"a":[1,2]},"b":true}') as Record<string, fc.JsonValue>, 2, 1, 'x'],
        ],
      },
    );
  });

  it('bound to the operation, the principal and the target: any other one is PREVIEW_INVALID', async () => {
    const { g } = harness();
    const name = fc.string({ minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(argsArb, name, name, name, async (args, otherOp, otherPrincipal, otherTarget) => {
        fc.pre(otherOp !== BASE.operation && otherPrincipal !== BASE.principal && otherTarget !== BASE.target);
        const m = await mint(g, args);
        const { calls, exec } = counting();
        for (const other of [{ operation: otherOp }, { principal: otherPrincipal }, { target: otherTarget }]) {
          const e = await refusal(g.apply({ ...BASE, ...other, args, token: m.preview_token }, exec));
          expect(e.code).toBe('PREVIEW_INVALID');
        }
        expect(calls.n).toBe(0);
        // The refusals did not use the token up.
        await g.apply({ ...BASE, args, token: m.preview_token }, exec);
        expect(calls.n).toBe(1);
      }),
      { numRuns: 100 },
    );
  });

  it('unforgeable: random strings, a changed secret character and another token id are PREVIEW_INVALID', async () => {
    const { g } = harness();
    const b64u = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const randomToken = fc.oneof(fc.string(), fc.stringMatching(/^nxp1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/), fc.constantFrom('', 'nxp1', 'nxp1..', 'nxp1.made-up', 'null'));
    await fc.assert(
      fc.asyncProperty(argsArb, randomToken, fc.nat(), fc.nat(), async (args, junk, pos, ch) => {
        const m = await mint(g, args);
        const other = await mint(g, { something: 'else' });
        const [prefix, id, secret] = m.preview_token.split('.') as [string, string, string];
        expect(prefix).toBe('nxp1');
        expect(id).toBe(m.token_id);
        const i = pos % secret.length;
        let c = b64u[ch % b64u.length]!;
        if (c === secret[i]) c = b64u[(ch + 1) % b64u.length]!;
        const oneCharSecret = `${prefix}.${id}.${secret.slice(0, i)}${c}${secret.slice(i + 1)}`;
        const otherId = `${prefix}.${other.token_id}.${secret}`;
        const randomId = `${prefix}.${randomBytes(16).toString('base64url')}.${secret}`;

        const { calls, exec } = counting();
        for (const token of [junk, oneCharSecret, otherId, randomId]) {
          const e = await refusal(g.apply({ ...BASE, args, token }, exec));
          expect(e.code).toBe('PREVIEW_INVALID');
        }
        expect(calls.n).toBe(0);
        // The genuine token still works.
        await g.apply({ ...BASE, args, token: m.preview_token }, exec);
        expect(calls.n).toBe(1);
      }),
      { numRuns: 100 },
    );
  });

  it('unforgeable: a ledger row tampered with in the database is PREVIEW_INVALID', async () => {
    const { g, db, clock } = harness();
    const column = fc.constantFrom('args_digest', 'operation', 'principal', 'target', 'state_digest', 'expires_at', 'secret_hash');
    await fc.assert(
      fc.asyncProperty(argsArb, argsArb, column, async (args, otherArgs, col) => {
        fc.pre(digest(otherArgs) !== digest(args));
        clock.t = T0;
        const m = await mint(g, args);
        const [, , secret] = m.preview_token.split('.') as [string, string, string];
        let req: ApplyRequest = { ...BASE, args, token: m.preview_token };
        const set = (value: unknown) => db.prepare(`UPDATE preview_tokens SET ${col} = ? WHERE token_id = ?`).run(value, m.token_id);
        switch (col) {
          case 'args_digest':
            // Re-point the token at other arguments and apply those.
            db.prepare('UPDATE preview_tokens SET args_digest = ?, args_json = ? WHERE token_id = ?').run(digest(otherArgs), canonicalJson(otherArgs), m.token_id);
            req = { ...req, args: otherArgs };
            break;
          case 'operation':
            set('user_delete');
            req = { ...req, operation: 'user_delete' };
            break;
          case 'principal':
            set('mallory');
            req = { ...req, principal: 'mallory' };
            break;
          case 'target':
            set('http://evil.example');
            req = { ...req, target: 'http://evil.example' };
            break;
          case 'state_digest':
            set(digest({ s: 2 }));
            break;
          case 'expires_at':
            // Extend the life of the token and use it after its real expiry.
            set(T0 + 100 * TTL);
            clock.t = T0 + TTL + 1;
            break;
          case 'secret_hash': {
            // Swap in the hash of a secret the attacker knows.
            const mine = randomBytes(32).toString('base64url');
            set(createHash('sha256').update(mine).digest('hex'));
            req = { ...req, token: m.preview_token.replace(secret, mine) };
            break;
          }
        }
        const { calls, exec } = counting();
        const e = await refusal(g.apply(req, exec));
        expect(e.code).toBe('PREVIEW_INVALID');
        expect(calls.n).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it('short-lived: works at expires-1ms, PREVIEW_EXPIRED (no execute) at expires+1ms', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 86_400_000 }), argsArb, fc.integer({ min: 1, max: 1_000_000 }), async (ttlMs, args, late) => {
        const { g, clock } = harness({ ttlMs });
        clock.t = T0;
        const early = await mint(g, args);
        const expired = await mint(g, args);
        const expires = T0 + ttlMs;
        expect(early.expires_at).toBe(new Date(expires).toISOString());

        clock.t = expires - 1;
        const ok = counting();
        expect((await g.apply({ ...BASE, args, token: early.preview_token }, ok.exec)).replayed).toBe(false);
        expect(ok.calls.n).toBe(1);

        const no = counting();
        for (const t of [expires + 1, expires + late]) {
          clock.t = t;
          const e = await refusal(g.apply({ ...BASE, args, token: expired.preview_token }, no.exec));
          expect(e.code).toBe('PREVIEW_EXPIRED');
        }
        expect(no.calls.n).toBe(0);

        // The outcome of a token applied in time is still replayed after expiry, never re-executed.
        const again = await g.apply({ ...BASE, args, token: early.preview_token }, ok.exec);
        expect(again.replayed).toBe(true);
        expect(ok.calls.n).toBe(1);
      }),
      { numRuns: 150 },
    );
  });

  it('once: N sequential applies execute once and replay the recorded result', async () => {
    const { g, db } = harness();
    await fc.assert(
      fc.asyncProperty(argsArb, fc.integer({ min: 2, max: 10 }), fc.jsonValue({ maxDepth: 3 }), async (args, n, result) => {
        const m = await mint(g, args);
        const { calls, exec } = counting(result);
        const results = [];
        for (let i = 0; i < n; i++) results.push(await g.apply({ ...BASE, args, token: m.preview_token }, exec));
        expect(calls.n).toBe(1);
        expect(results[0]!.replayed).toBe(false);
        expect(results[0]!.result).toEqual(result);
        for (const r of results.slice(1)) {
          expect(r.replayed).toBe(true);
          expect(r.result).toEqual(roundTrip(result));
          expect(r.token_id).toBe(m.token_id);
        }
        expect(status(db, m.token_id)).toBe('applied');
      }),
      { numRuns: 100 },
    );
  });

  it('once: K concurrent applies of one token execute exactly once; the others replay', async () => {
    const db = openStore(':memory:');
    // Up to three guards on one store stand for several processes sharing it.
    // Each with its own heartbeating instance: a claim of one is alive to the others.
    const guards = [0, 1, 2].map(() => new Guard(new SqliteState(db), { ttlMs: TTL, inFlightWaitMs: 30_000, instance: instanceOn(db) }));
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    await fc.assert(
      fc.asyncProperty(
        argsArb,
        fc.integer({ min: 2, max: 30 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 8 }),
        fc.option(fc.integer({ min: 0, max: 3 })),
        fc.jsonValue({ maxDepth: 2 }),
        async (args, k, nGuards, delay, confirmDelay, result) => {
          const m = await mint(guards[0]!, args);
          let executions = 0;
          const exec: Execution = {
            ...(confirmDelay === null ? {} : { confirm: () => sleep(confirmDelay) }),
            execute: async (bound) => {
              executions++;
              await sleep(delay);
              bound.record(result);
              return result;
            },
          };
          const outcomes = await Promise.all(Array.from({ length: k }, (_, i) => guards[i % nGuards]!.apply({ ...BASE, args, token: m.preview_token }, exec)));
          expect(executions).toBe(1);
          expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
          expect(outcomes.filter((o) => o.replayed)).toHaveLength(k - 1);
          for (const o of outcomes) expect(o.result).toEqual(o.replayed ? roundTrip(result) : result);
          expect(status(db, m.token_id)).toBe('applied');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('crash-safe: a claim whose claimant died becomes unknown and is never executed', async () => {
    // A short wait: a claimant wrongly judged alive answers APPLY_IN_PROGRESS quickly, and the test fails.
    const { g, db } = harness({ inFlightWaitMs: 200, realClock: true });
    // An instance that shut down cleanly (its row is gone) and one whose heartbeat stopped (killed).
    const gone = instanceOn(db);
    gone.stop();
    const stale = `inst_${randomBytes(8).toString('hex')}`;
    db.prepare('INSERT INTO instances (instance_id, started_at, heartbeat_at, lease_until) VALUES (?, ?, ?, ?)').run(stale, Date.now() - 60_000, Date.now() - 30_000, Date.now() - 1);
    // PIDs mean nothing now: this very process's PID, and PID 1 (every server's PID in a container).
    const deadClaimant = fc.constantFrom<string | null>('999999999:dead', 'not-a-pid', '0:zero', null, 'SELF', `${process.pid}:dead`, '1:restarted-in-a-container', 'GONE', 'STALE');
    await fc.assert(
      fc.asyncProperty(argsArb, deadClaimant, async (args, claimant) => {
        const m = await mint(g, args);
        // SELF: this very guard claimed it but has no apply in flight (its earlier life ended).
        const claimedBy = claimant === 'SELF' ? g.instanceId : claimant === 'GONE' ? gone.id : claimant === 'STALE' ? stale : claimant;
        db.prepare(`UPDATE preview_tokens SET status = 'claimed', claimed_by = ? WHERE token_id = ?`).run(claimedBy, m.token_id);
        const { calls, exec } = counting();
        const e1 = await refusal(g.apply({ ...BASE, args, token: m.preview_token }, exec));
        expect(e1.code).toBe('APPLY_OUTCOME_UNKNOWN');
        expect(e1.details?.token_id).toBe(m.token_id);
        expect(e1.action?.type).toBe('read_state');
        expect(status(db, m.token_id)).toBe('unknown');
        const e2 = await refusal(g.apply({ ...BASE, args, token: m.preview_token }, exec));
        expect(e2.code).toBe('APPLY_OUTCOME_UNKNOWN');
        expect(calls.n).toBe(0);
        expect(status(db, m.token_id)).toBe('unknown');
      }),
      { numRuns: 100 },
    );
  });

  it('a claim of a live instance is waited for, never judged dead, whatever its id looks like', async () => {
    const { g, db } = harness({ inFlightWaitMs: 150, realClock: true });
    const other = instanceOn(db);
    // Another process whose id would read as a PID this one cannot see (another PID namespace).
    const foreign = '999999999:other-pid-namespace';
    db.prepare('INSERT INTO instances (instance_id, started_at, heartbeat_at, lease_until) VALUES (?, ?, ?, ?)').run(foreign, Date.now(), Date.now(), Date.now() + 60_000);
    for (const owner of [other.id, foreign]) {
      const m = await mint(g, { owner });
      db.prepare(`UPDATE preview_tokens SET status = 'claimed', claimed_by = ? WHERE token_id = ?`).run(owner, m.token_id);
      const { calls, exec } = counting();
      const e = await refusal(g.apply({ ...BASE, args: { owner }, token: m.preview_token }, exec));
      expect(e.code).toBe('APPLY_IN_PROGRESS');
      expect(status(db, m.token_id)).toBe('claimed');
      // The owner records its outcome; the waiting side replays it and never executes.
      db.prepare(`UPDATE preview_tokens SET status = 'applied', outcome_json = ? WHERE token_id = ?`).run(JSON.stringify({ result: { by: owner } }), m.token_id);
      const r = await g.apply({ ...BASE, args: { owner }, token: m.preview_token }, exec);
      expect(r).toMatchObject({ replayed: true, result: { by: owner } });
      expect(calls.n).toBe(0);
    }
  });

  it('two guards heartbeating on one store: an apply that outlasts the lease many times is still waited for', async () => {
    const db = openStore(':memory:');
    // A 300 ms lease renewed every 100 ms; the apply takes over three leases.
    const a = new Guard(new SqliteState(db), { ttlMs: TTL, instance: instanceOn(db, { leaseMs: 300 }) });
    const b = new Guard(new SqliteState(db), { ttlMs: TTL, inFlightWaitMs: 10_000, instance: instanceOn(db, { leaseMs: 300 }) });
    expect(a.instanceId).not.toBe(b.instanceId);
    const m = await mint(a, { slow: true });
    let executions = 0;
    const exec: Execution = {
      execute: async (bound) => {
        executions++;
        await new Promise((r) => setTimeout(r, 1_000));
        bound.record('done');
        return 'done';
      },
    };
    const req = { ...BASE, args: { slow: true }, token: m.preview_token };
    const first = a.apply(req, exec);
    await new Promise((r) => setTimeout(r, 50)); // a holds the claim
    const [ra, rb] = await Promise.all([first, b.apply(req, exec)]);
    expect(ra.replayed).toBe(false);
    expect(rb).toMatchObject({ replayed: true, result: 'done' });
    expect(executions).toBe(1);
    expect(status(db, m.token_id)).toBe('applied');
  });

  it('expiry is checked again at the claim: a confirmation held open past the expiry applies nothing', async () => {
    const { g, db, clock } = harness();
    await fc.assert(
      fc.asyncProperty(argsArb, fc.integer({ min: 1, max: 10 * TTL }), async (args, late) => {
        clock.t = T0;
        const m = await mint(g, args);
        const expires = T0 + TTL;
        // The person answers yes, but only after the token expired.
        const slow = counting('never', { confirm: async () => void (clock.t = expires + late) });
        const e = await refusal(g.apply({ ...BASE, args, token: m.preview_token }, slow.exec));
        expect(e.code).toBe('PREVIEW_EXPIRED');
        expect(slow.calls.n).toBe(0);
        expect(status(db, m.token_id)).toBe('minted');

        // An answer at the very last valid moment still applies (the same boundary as before asking).
        clock.t = T0;
        const m2 = await mint(g, args);
        const inTime = counting('done', { confirm: async () => void (clock.t = expires) });
        expect(await g.apply({ ...BASE, args, token: m2.preview_token }, inTime.exec)).toMatchObject({ replayed: false, result: 'done' });
        expect(inTime.calls.n).toBe(1);
      }),
      { numRuns: 50 },
    );
  });

  it('fresh: a changed state is PREVIEW_STALE naming what changed; a repeat is stale again without executing', async () => {
    const { g, db } = harness();
    await fc.assert(
      fc.asyncProperty(argsArb, fc.integer(), fc.integer(), fc.array(fc.integer(), { maxLength: 5 }), async (args, x, x2, b) => {
        fc.pre(x !== x2);
        const state = { a: { x }, b };
        const current = { a: { x: x2 }, b };
        const m = await mint(g, args, state);
        let executions = 0;
        let writes = 0;
        const exec: Execution = {
          // A backend that re-reads the state and compares it with the bound digest.
          execute: async (bound) => {
            executions++;
            expect(bound.stateDigest).toBe(digest(state));
            if (digest(current) !== bound.stateDigest) throw new StaleStateError(current);
            writes++;
            bound.record('written');
            return 'written';
          },
        };
        const e = await refusal(g.apply({ ...BASE, args, token: m.preview_token }, exec));
        expect(e.code).toBe('PREVIEW_STALE');
        expect(e.details?.changed).toEqual([{ part: 'a', before: { x }, after: { x: x2 } }]);
        expect(e.message).toContain('a.x changed');
        expect(e.message).not.toContain('b changed');
        expect(status(db, m.token_id)).toBe('stale');

        const again = await refusal(g.apply({ ...BASE, args, token: m.preview_token }, exec));
        expect(again.code).toBe('PREVIEW_STALE');
        expect(again.details?.changed).toEqual(e.details?.changed);
        expect(again.details?.replayed).toBe(true);
        expect(executions).toBe(1);
        expect(writes).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it('a ToolError refusal by execute is recorded: the repeat gives the same code without executing', async () => {
    const { g, db } = harness();
    const code = fc.constantFrom('NOT_FOUND', 'CONFLICT', 'DUPLICATE_DATA', 'INVALID_REQUEST', 'LIMIT_EXCEEDED', 'INSUFFICIENT_CREDIT');
    await fc.assert(
      fc.asyncProperty(argsArb, code, fc.string(), fc.integer({ min: 2, max: 5 }), async (args, errorCode, summary, repeats) => {
        const m = await mint(g, args);
        let executions = 0;
        const exec: Execution = {
          execute: async () => {
            executions++;
            throw new ToolError(errorCode, summary || 'refused', { hint: 'look it up', actionType: 'look_up_id' });
          },
        };
        const first = await refusal(g.apply({ ...BASE, args, token: m.preview_token }, exec));
        expect(first.code).toBe(errorCode);
        expect(status(db, m.token_id)).toBe('failed');
        for (let i = 0; i < repeats; i++) {
          const e = await refusal(g.apply({ ...BASE, args, token: m.preview_token }, exec));
          expect(e.code).toBe(errorCode);
          expect(e.message).toBe(first.message);
          expect(e.action).toEqual(first.action);
          expect(e.details?.replayed).toBe(true);
        }
        expect(executions).toBe(1);
      }),
      { numRuns: 100 },
    );
  });

  it('an upstream failure of unknown effect leaves the outcome unknown; it is never executed again', async () => {
    const { g, db } = harness();
    await fc.assert(
      fc.asyncProperty(argsArb, fc.constantFrom('UPSTREAM_UNAVAILABLE', 'APPLY_OUTCOME_UNKNOWN'), async (args, errorCode) => {
        const m = await mint(g, args);
        let executions = 0;
        const exec: Execution = {
          execute: async () => {
            executions++;
            throw new ToolError(errorCode, 'the upstream timed out');
          },
        };
        for (let i = 0; i < 3; i++) {
          const e = await refusal(g.apply({ ...BASE, args, token: m.preview_token }, exec));
          expect(e.code).toBe('APPLY_OUTCOME_UNKNOWN');
        }
        expect(executions).toBe(1);
        expect(status(db, m.token_id)).toBe('unknown');
      }),
      { numRuns: 50 },
    );
  });

  it('human in the loop: a declined confirmation changes nothing and leaves the token usable', async () => {
    const { g, db } = harness();
    await fc.assert(
      fc.asyncProperty(argsArb, fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 3 }), async (args, summary, declines) => {
        const m = await g.mint({ ...BASE, args, state: { s: 1 }, summary });
        const shown: string[] = [];
        const declining = counting('never', {
          confirm: async (s) => {
            shown.push(s);
            throw new ToolError('CONFIRMATION_DECLINED', 'The person declined.');
          },
        });
        for (let i = 0; i < declines; i++) {
          const e = await refusal(g.apply({ ...BASE, args, token: m.preview_token }, declining.exec));
          expect(e.code).toBe('CONFIRMATION_DECLINED');
          expect(status(db, m.token_id)).toBe('minted');
        }
        expect(declining.calls.n).toBe(0);
        expect(shown).toEqual(Array(declines).fill(summary));

        const accepting = counting('done', { confirm: async (s) => void shown.push(s) });
        const r1 = await g.apply({ ...BASE, args, token: m.preview_token }, accepting.exec);
        expect(r1).toMatchObject({ replayed: false, result: 'done', summary });
        const r2 = await g.apply({ ...BASE, args, token: m.preview_token }, accepting.exec);
        expect(r2.replayed).toBe(true);
        expect(accepting.calls.n).toBe(1);
        expect(status(db, m.token_id)).toBe('applied');
      }),
      { numRuns: 100 },
    );
  });
});

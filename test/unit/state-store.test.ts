// The server's state store, the same tests on both implementations: SQLite (the data dir's file)
// and PostgreSQL (a real server started for this file, a fresh database per store). Claims are
// won exactly once, outcome batches commit whole, the rate limit and instance leases hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store.js';
import { SqliteState } from '../../src/state/sqlite.js';
import { openPostgresState, describeStoreUrl } from '../../src/state/postgres.js';
import { KeyRecordedMeanwhile, storeUnavailable, type NewToken, type OutcomeBatch, type ServerStore } from '../../src/state/contract.js';
import type { ToolError } from '../../src/errors.js';
import { Guard } from '../../src/guard/index.js';
import { Instance } from '../../src/instance.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import pgClient from 'pg';

let pg: TestPostgres;
const opened: ServerStore[] = [];
const instances: Instance[] = [];

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop().catch(() => undefined)));
  await Promise.all(opened.map((s) => s.close()));
  await pg?.dispose();
});

/** Two handles on one store: two replicas' pools on one database, or two processes' view of one SQLite file. */
async function pair(kind: 'sqlite' | 'postgres'): Promise<[ServerStore, ServerStore]> {
  if (kind === 'sqlite') {
    const db = openStore(':memory:');
    const s = new SqliteState(db);
    return [s, new SqliteState(db)];
  }
  const url = await pg.freshDatabase('state');
  const a = await openPostgresState(url);
  const b = await openPostgresState(url);
  opened.push(a, b);
  return [a, b];
}

const T = 1_700_000_000_000;
const token = (id: string, over: Partial<NewToken> = {}): NewToken => ({
  token_id: id,
  secret_hash: 'h',
  mac: 'm',
  operation: 'op',
  principal: 'alice',
  target: 't',
  args_digest: 'a',
  args_json: '{}',
  state_digest: 's',
  state_json: '{}',
  summary: 'sum',
  created_at: T,
  expires_at: T + 60_000,
  ...over,
});

describe.each(['sqlite', 'postgres'] as const)('state store on %s', (kind) => {
  it('keeps one meta value whoever asks first', async () => {
    const [a, b] = await pair(kind);
    const first = await a.metaGetOrCreate('guard_hmac_key', () => 'one');
    expect(await b.metaGetOrCreate('guard_hmac_key', () => 'two')).toBe(first);
    expect(first).toBe('one');
  });

  it('a token is claimed once across handles, only while unexpired, and a dead claim turns unknown once', async () => {
    const [a, b] = await pair(kind);
    await a.insertToken(token('tok1'));
    const row = await b.getToken('tok1');
    expect(row).toMatchObject({ token_id: 'tok1', status: 'minted', created_at: T, expires_at: T + 60_000, claimed_by: null });
    expect(typeof row!.expires_at).toBe('number');
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claimToken('tok1', `inst_${i}`, T + 1)));
    expect(claims.filter((c) => c === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c === 'lost')).toHaveLength(19);
    await a.insertToken(token('tok2'));
    expect(await b.claimToken('tok2', 'inst_x', T + 60_001)).toBe('expired');
    expect((await a.getToken('tok2'))!.status).toBe('minted');
    expect(await a.abandonClaim('tok1', T + 2)).toBe(true);
    expect(await b.abandonClaim('tok1', T + 3)).toBe(false);
    expect((await b.getToken('tok1'))!.status).toBe('unknown');
    expect(await a.getToken('nope')).toBeUndefined();
    await a.sweepTokens(T + 120_000);
    expect(await a.getToken('tok2')).toBeUndefined();
    expect(await a.getToken('tok1')).toBeDefined();
  });

  it("a write's outcome records commit together; a key recorded meanwhile leaves none of them", async () => {
    const [a, b] = await pair(kind);
    await a.insertToken(token('tok1'));
    const scope = { principal: 'alice', operation: 'op', key: 'key-1' };
    const record = { scope, args_digest: 'd', args_json: '{}', outcome_json: '{"ok":1}', created_at: T, expires_at: T + 1000 };
    const first = a.batch();
    first.finishToken('tok1', 'applied', { result: { ok: 1 } }, T);
    first.recordKey(record);
    first.journal({ operation: 'op', principal: 'alice', args_digest: 'd', token_id: 'tok1', status: 'applied', summary: 'did it', ids: ['x1'], campaign_id: 'cmp_1' }, new Date(T));
    await first.commit();
    await first.commit(); // nothing left: a second commit writes nothing twice
    expect((await b.getToken('tok1'))!).toMatchObject({ status: 'applied', outcome_json: '{"result":{"ok":1}}' });
    expect(await b.lookupKey(scope, T + 1)).toEqual({ args_digest: 'd', args_json: '{}', outcome_json: '{"ok":1}' });
    expect(await b.lookupKey(scope, T + 1000)).toBeUndefined();
    expect(await b.readJournal({})).toMatchObject([{ operation: 'op', token_id: 'tok1', ids: ['x1'], campaign_id: 'cmp_1' }]);

    await a.insertToken(token('tok2'));
    const second = b.batch();
    const racing = async () => {
      second.finishToken('tok2', 'applied', { result: 2 }, T);
      second.recordKey({ ...record, created_at: T + 1, expires_at: T + 2000 });
      second.journal({ operation: 'op', principal: 'alice', args_digest: 'd', status: 'applied', summary: 'again', ids: [] }, new Date(T));
      await second.commit();
    };
    await expect(racing()).rejects.toBeInstanceOf(KeyRecordedMeanwhile);
    if (kind === 'postgres') {
      // Queued, then rolled back as one: the token's outcome and the journal entry are not there either.
      expect((await a.getToken('tok2'))!.status).toBe('minted');
      expect(await a.readJournal({})).toHaveLength(1);
    }
  });

  it('pages the journal back by entry id, per campaign', async () => {
    const [a] = await pair(kind);
    for (let i = 0; i < 5; i++) {
      const batch = a.batch();
      batch.journal({ operation: `op${i}`, principal: 'p', args_digest: 'd', status: 'written', summary: 's', ids: [], campaign_id: i % 2 ? 'odd' : 'even' }, new Date(T + i));
      await batch.commit();
    }
    const all = await a.readJournal({});
    expect(all.map((r) => r.operation)).toEqual(['op4', 'op3', 'op2', 'op1', 'op0']);
    expect((await a.readJournal({ campaign_id: 'odd' })).map((r) => r.operation)).toEqual(['op3', 'op1']);
    expect((await a.readJournal({ limit: 2, before: all[1]!.entry_id })).map((r) => r.operation)).toEqual(['op2', 'op1']);
  });

  it('instance leases: registered, renewed, dropped, swept', async () => {
    const [a, b] = await pair(kind);
    await a.beat('inst_a', T, 300);
    expect(await b.leaseUntil('inst_a')).toBe(T + 300);
    await a.beat('inst_a', T + 100, 300);
    expect(await b.leaseUntil('inst_a')).toBe(T + 400);
    await b.sweepInstances(T + 401);
    expect(await a.leaseUntil('inst_a')).toBeUndefined();
    await a.beat('inst_b', T, 300);
    await a.dropInstance('inst_b');
    expect(await b.leaseUntil('inst_b')).toBeUndefined();
  });

  it('rate limit: a full bucket, then a wait, refilled with time', async () => {
    const [a] = await pair(kind);
    const clock = { t: T };
    const limit = a.rateLimit(6, () => clock.t);
    for (let i = 0; i < 6; i++) expect(await limit.take('alice', 1)).toBe(0);
    expect(await limit.take('alice', 1)).toBe(10_000);
    expect(await limit.take('bob', 1)).toBe(0);
    clock.t += 10_000;
    expect(await limit.take('alice', 1)).toBe(0);
    expect(await limit.take('alice', 2)).toBeGreaterThan(0);
  });

  it('the guard over two handles: K concurrent applies of one token execute once, the others replay', async () => {
    const [a, b] = await pair(kind);
    const guards = [a, b].map((s) => {
      const instance = new Instance(s);
      instances.push(instance);
      void instance.start();
      return new Guard(s, { ttlMs: 60_000, inFlightWaitMs: 20_000, instance });
    });
    const base = { operation: 'op', principal: 'alice', target: 't' };
    const m = await guards[0]!.mint({ ...base, args: { n: 1 }, state: { s: 1 }, summary: 'do it' });
    let runs = 0;
    const exec = {
      execute: async (bound: { record: (r: unknown) => void }) => {
        runs++;
        await new Promise((r) => setTimeout(r, 50));
        bound.record({ done: true });
        return { done: true };
      },
    };
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => guards[i % 2]!.apply({ ...base, args: { n: 1 }, token: m.preview_token }, exec)));
    expect(runs).toBe(1);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(outcomes.every((o) => JSON.stringify(o.result) === '{"done":true}')).toBe(true);
  });
});

describe('an outcome the store could not record', () => {
  it('after the write ran elsewhere: APPLY_OUTCOME_UNKNOWN, the token stays claimed and never runs again', async () => {
    const db = openStore(':memory:');
    const store = new SqliteState(db);
    let lost = false;
    // A store that queues outcome records until commit, as PostgreSQL does, and stops answering
    // between the upstream write and that commit.
    const failing = Object.assign(Object.create(store) as SqliteState, {
      batch: (): OutcomeBatch => {
        const queued: ((b: OutcomeBatch) => void)[] = [];
        return {
          finishToken: (...a) => queued.push((b) => b.finishToken(...a)),
          recordKey: (...a) => queued.push((b) => b.recordKey(...a)),
          journal: (...a) => queued.push((b) => b.journal(...a)),
          commit: async () => {
            if (lost) throw storeUnavailable();
            const b = store.batch();
            for (const q of queued.splice(0)) q(b);
          },
        };
      },
    });
    const instance = new Instance(failing);
    instances.push(instance);
    await instance.start();
    const guard = new Guard(failing, { ttlMs: 60_000, instance });
    const base = { operation: 'op', principal: 'alice', target: 't' };
    const m = await guard.mint({ ...base, args: {}, state: {}, summary: 'write upstream' });
    let runs = 0;
    const exec = {
      execute: async (bound: { record: (r: unknown) => void }) => {
        runs++;
        lost = true;
        bound.record({ written: true });
        return { written: true };
      },
    };
    const first = await guard.apply({ ...base, args: {}, token: m.preview_token }, exec).catch((e: ToolError) => e);
    expect(first).toMatchObject({ code: 'APPLY_OUTCOME_UNKNOWN' });
    expect((await store.getToken(m.token_id))!.status).toBe('claimed');
    lost = false;
    const again = await guard.apply({ ...base, args: {}, token: m.preview_token }, exec).catch((e: ToolError) => e);
    expect(again).toMatchObject({ code: 'APPLY_OUTCOME_UNKNOWN' });
    expect((await store.getToken(m.token_id))!.status).toBe('unknown');
    expect(runs).toBe(1);
  });
});

describe('a PostgreSQL store that does not answer in time', () => {
  it('a claim stuck behind a lock is STORE_UNAVAILABLE and rolled back: the token can be claimed after', async () => {
    const url = await pg.freshDatabase('slow');
    const store = await openPostgresState(url, { queryTimeoutMs: 400 });
    opened.push(store);
    await store.insertToken(token('tok_slow'));
    const holder = new pgClient.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM preview_tokens WHERE token_id = 'tok_slow' FOR UPDATE`);
      const stuck = await store.claimToken('tok_slow', 'inst_a', T).catch((e: ToolError) => e);
      expect(stuck).toMatchObject({ code: 'STORE_UNAVAILABLE', action: { type: 'retry_later' } });
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect((await store.getToken('tok_slow'))!.status).toBe('minted');
    expect(await store.claimToken('tok_slow', 'inst_a', T)).toBe('claimed');
  });
});

describe('the PostgreSQL store at start', () => {
  it('an unreachable server is an error naming host and database, never the password', async () => {
    const secret = 'Sup3r-secret-pw';
    const url = `postgres://nox:${secret}@127.0.0.1:${pg.port + 1}/ledger_db`;
    const err = await openPostgresState(url, { connectTimeoutMs: 2_000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain('127.0.0.1');
    expect(err!.message).toContain('ledger_db');
    expect(err!.message).not.toContain(secret);
  });

  it('a wrong password is refused without echoing it', async () => {
    const url = (await pg.freshDatabase('auth')).replace(`:${pg.password}@`, ':not-the-password-42@');
    const err = await openPostgresState(url).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/database auth_/);
    expect(err!.message).not.toContain('not-the-password-42');
  });

  it('describes a URL by host, port and database only', () => {
    expect(describeStoreUrl('postgres://u:pw@db.internal:6543/nox').where).toBe('PostgreSQL at db.internal:6543, database nox');
    expect(describeStoreUrl('postgresql://u:pw@db.internal/nox').where).not.toContain('pw');
  });
});

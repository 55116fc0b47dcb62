// The one stage runner: outputs checked against the contract, writes journaled inside the
// backend's transaction hook, applies journaled under the token their key names.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, type CallInfo, type Operation, type PreviewReading, type Problem } from '../../src/catalog.js';
import type { ApplyExpectation, Args, NoxBackend } from '../../src/backend/contract.js';
import { stageRunner } from '../../src/stages.js';
import { openStore, type Db } from '../../src/store.js';
import { SqliteState } from '../../src/state/sqlite.js';
import { readJournal } from '../../src/journal.js';

const widget = z.object({ widget_id: z.string(), campaign_id: z.string(), summary: z.string() });
const get = defineContract({
  name: 'widget.get',
  title: 'Get',
  description: 'd',
  kind: 'read',
  risk: 'low',
  route: { method: 'GET', path: '/w/:widget_id' },
  input: z.strictObject({ widget_id: z.string() }),
  output: widget,
});
const rename = defineContract({
  name: 'widget.rename',
  title: 'Rename',
  description: 'd',
  kind: 'write',
  risk: 'low',
  riskReason: 'Reversible.',
  route: { method: 'PATCH', path: '/w/:widget_id' },
  input: z.strictObject({ widget_id: z.string() }),
  output: widget,
  idsOf: (i) => [i.widget_id],
});
const remove = defineContract({
  name: 'widget.delete',
  title: 'Delete',
  description: 'd',
  kind: 'write',
  risk: 'high',
  riskReason: 'Irreversible.',
  route: { method: 'DELETE', path: '/w/:widget_id' },
  input: z.strictObject({ widget_id: z.string() }),
  output: widget,
  effect: z.object({ name: z.string() }),
});

/** A backend that answers from a script and records what the runner asked of it. */
class ScriptedBackend implements NoxBackend {
  readonly target = 'test:scripted';
  answer: unknown = { widget_id: 'w1', campaign_id: 'cmp_1', summary: 'done' };
  effect: unknown = { name: 'Widget one' };
  recordedInside = false;
  async run(_op: Operation, _input: Args, _call: CallInfo, record?: (result: unknown) => void): Promise<unknown> {
    record?.(this.answer);
    this.recordedInside = !!record;
    return this.answer;
  }
  async validate(): Promise<Problem[]> {
    return [{ field: 'widget_id', code: 'NOT_FOUND', message: 'no such widget' }];
  }
  async preview(): Promise<PreviewReading<unknown>> {
    return { effect: this.effect, state: { version: 1 }, summary: 'Delete widget one.' };
  }
  async apply(_op: Operation, _input: Args, _call: CallInfo, expect: ApplyExpectation): Promise<unknown> {
    expect.record(this.answer);
    return this.answer;
  }
  async close(): Promise<void> {}
}

let dir: string;
let store: Db;
let backend: ScriptedBackend;
const call = { principal: 'alice' };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nox-stages-'));
  store = openStore(join(dir, 'store.sqlite'));
  backend = new ScriptedBackend();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});
const runner = () => stageRunner({ backend, store: new SqliteState(store), now: () => new Date('2026-12-01T00:00:00Z'), campaignOfIds: () => 'cmp_from_ids' });

describe('the stage runner', () => {
  it('runs a read without journaling it', async () => {
    expect(await runner().run(get, { widget_id: 'w1' }, call)).toEqual(backend.answer);
    expect(readJournal(store, {})).toEqual([]);
  });

  it('journals a low-risk write inside the backend transaction hook, with its ids and campaign', async () => {
    const remembered: unknown[] = [];
    await runner().run(rename, { widget_id: 'w1' }, call, (out) => remembered.push(out));
    expect(backend.recordedInside).toBe(true);
    expect(remembered).toEqual([backend.answer]);
    const [entry] = readJournal(store, {});
    expect(entry).toMatchObject({ operation: 'widget.rename', principal: 'alice', status: 'written', summary: 'done', ids: ['w1'], campaign_id: 'cmp_1' });
  });

  it('refuses a backend result that does not match the contract, as our defect, and journals nothing', async () => {
    backend.answer = { widget_id: 1 };
    await expect(runner().run(rename, { widget_id: 'w1' }, call)).rejects.toThrow(/widget.rename produced output that does not match its schema/);
    expect(readJournal(store, {})).toEqual([]);
  });

  it('passes validation problems through and checks a preview effect against the contract', async () => {
    expect(await runner().validate(remove, { widget_id: 'w1' }, call)).toEqual([{ field: 'widget_id', code: 'NOT_FOUND', message: 'no such widget' }]);
    expect(await runner().preview(remove, { widget_id: 'w1' }, call)).toEqual({ effect: { name: 'Widget one' }, state: { version: 1 }, summary: 'Delete widget one.' });
    backend.effect = { name: 3 };
    await expect(runner().preview(remove, { widget_id: 'w1' }, call)).rejects.toThrow(/does not match its schema/);
  });

  it('records and journals an apply under the token its idempotency key names', async () => {
    const recorded: unknown[] = [];
    const out = await runner().apply(remove, { widget_id: 'w1' }, call, { stateDigest: 'd', idempotencyKey: 'nox-tok123', record: (r) => recorded.push(r) });
    expect(out).toEqual(backend.answer);
    expect(recorded).toEqual([backend.answer]);
    expect(readJournal(store, {})[0]).toMatchObject({ operation: 'widget.delete', status: 'applied', token_id: 'tok123' });
    await runner().apply(remove, { widget_id: 'w1' }, call, { stateDigest: 'd', idempotencyKey: 'client-key-1' });
    expect(readJournal(store, {})[0]!.token_id).toBeNull();
  });
});

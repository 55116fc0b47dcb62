// What the engine derives from a contract: its tools (stages, annotations, schemas), its REST
// routes, and the check that every contract has exactly one implementation.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, selectTools, stagesOf, toolsOf, type Operation } from '../../src/catalog.js';
import { restRoutes } from '../../src/backend/http/rest.js';
import { implementer, indexImplementations } from '../../src/backend/local/implementation.js';

const read = defineContract({
  name: 'widget.get',
  title: 'Get a widget',
  description: 'One widget.',
  kind: 'read',
  risk: 'low',
  route: { method: 'GET', path: '/widgets/:widget_id' },
  input: z.strictObject({ widget_id: z.string() }),
  output: z.object({ widget_id: z.string() }),
});
const rename = defineContract({
  name: 'widget.rename',
  title: 'Rename a widget',
  description: 'Renames one widget.',
  kind: 'write',
  risk: 'low',
  riskReason: 'Reversible edit of one widget.',
  hints: { idempotent: true },
  route: { method: 'PATCH', path: '/widgets/:widget_id' },
  input: z.strictObject({ widget_id: z.string(), name: z.string() }),
  output: z.object({ widget_id: z.string() }),
});
const remove = defineContract({
  name: 'widget.delete',
  toolset: 'gadgets',
  title: 'Delete a widget',
  description: 'Deletes one widget.',
  kind: 'write',
  risk: 'high',
  riskReason: 'Irreversible.',
  confirm: true,
  route: { method: 'DELETE', path: '/widgets/:widget_id' },
  input: z.strictObject({ widget_id: z.string() }),
  output: z.object({ deleted: z.boolean() }),
  effect: z.object({ name: z.string() }),
});
const batch = defineContract({
  name: 'widget.batch',
  title: 'Batch widgets',
  description: 'Moves widgets.',
  kind: 'staged',
  risk: 'high',
  riskReason: 'Bulk.',
  hints: { destructive: false },
  route: { method: 'POST', path: '/widgets/batch' },
  input: z.strictObject({ ids: z.array(z.string()) }),
  output: z.object({ moved: z.int() }),
  effect: z.object({ matched_count: z.int() }),
});
const ops: Operation[] = [read, rename, remove, batch];

describe('contracts', () => {
  it('derive the toolset from the name unless given', () => {
    expect(read.toolset).toBe('widget');
    expect(remove.toolset).toBe('gadgets');
  });

  it('refuse what no contract may be', () => {
    const base = { title: 't', description: 'd', kind: 'write' as const, riskReason: 'r', route: { method: 'POST' as const, path: '/x' }, input: z.strictObject({}), output: z.object({}) };
    expect(() => defineContract({ ...base, name: 'Bad-Name', risk: 'low' })).toThrow(/snake_case/);
    expect(() => defineContract({ ...base, name: 'x.high', risk: 'high' })).toThrow(/preview effect/);
    expect(() => defineContract({ ...base, name: 'x.low', risk: 'low', effect: z.object({}) })).toThrow(/only high-risk/);
    expect(() => defineContract({ ...base, name: 'x.staged', kind: 'staged', risk: 'low' })).toThrow(/staged/);
    const { riskReason: _reason, ...unreasoned } = base;
    expect(() => defineContract({ ...unreasoned, name: 'x.write', risk: 'low' })).toThrow(/riskReason/);
    expect(() => defineContract({ ...base, name: 'x.read', kind: 'read', risk: 'low' })).toThrow(/only writes/);
  });
});

describe('tools derived from a contract', () => {
  it('gives reads and low-risk writes one tool, high-risk ones preview and apply, staged ones validate too', () => {
    expect(toolsOf(read).map((t) => [t.name, t.stage])).toEqual([['widget_get', 'run']]);
    expect(toolsOf(rename).map((t) => [t.name, t.stage])).toEqual([['widget_rename', 'run']]);
    expect(toolsOf(remove).map((t) => [t.name, t.stage])).toEqual([
      ['widget_delete_preview', 'preview'],
      ['widget_delete_apply', 'apply'],
    ]);
    expect(toolsOf(batch).map((t) => t.stage)).toEqual(['validate', 'preview', 'apply']);
    expect(ops.map(stagesOf)).toEqual([['run'], ['run'], ['preview', 'apply'], ['validate', 'preview', 'apply']]);
  });

  it('derives annotations from kind, risk and hints', () => {
    const [get] = toolsOf(read);
    expect(get!.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    expect(toolsOf(rename)[0]!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
    const [preview, apply] = toolsOf(remove);
    expect(preview!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(apply!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(toolsOf(batch)[2]!.annotations.destructiveHint).toBe(false);
  });

  it('adds preview_token to the apply input and wraps the output in the apply envelope', () => {
    const apply = toolsOf(remove)[1]!;
    expect(Object.keys(apply.input.shape)).toEqual(['widget_id', 'preview_token', 'idempotency_key']);
    expect(Object.keys(apply.output.shape)).toEqual(['operation', 'applied', 'replayed', 'token_id', 'summary', 'result']);
    const preview = toolsOf(remove)[0]!;
    expect(Object.keys(preview.output.shape)).toEqual(['operation', 'preview_token', 'expires_at', 'summary', 'effect']);
  });

  it('gives every write tool (a low-risk write, an apply) an optional idempotency_key and a replayed flag; reads and previews none', () => {
    const [get] = toolsOf(read);
    const [renameTool] = toolsOf(rename);
    const [preview, apply] = toolsOf(remove);
    expect(get!.input.shape).not.toHaveProperty('idempotency_key');
    expect(preview!.input.shape).not.toHaveProperty('idempotency_key');
    for (const t of [renameTool!, apply!]) {
      const key = t.input.shape.idempotency_key as z.ZodType;
      expect(key.safeParse(undefined).success).toBe(true);
      expect(key.safeParse('abc-1234').success).toBe(true);
      expect(key.safeParse('abc-123').success).toBe(false); // under 8
      expect(key.safeParse('k'.repeat(129)).success).toBe(false);
      expect(key.safeParse('with space 1').success).toBe(false);
      expect(t.output.shape).toHaveProperty('replayed');
    }
    expect(get!.output.shape).not.toHaveProperty('replayed');
  });

  it('selects by toolset, read-only and allow-list, and refuses unknown names', () => {
    expect(selectTools(ops, { toolsets: ['gadgets'] }).map((t) => t.name)).toEqual(['widget_delete_preview', 'widget_delete_apply']);
    expect(selectTools(ops, { readOnly: true }).map((t) => t.name)).toEqual(['widget_get', 'widget_delete_preview', 'widget_batch_validate', 'widget_batch_preview']);
    expect(() => selectTools(ops, { toolsets: ['nope'] })).toThrow(/unknown toolsets: nope/);
    expect(() => selectTools(ops, { tools: ['widget_nope'] })).toThrow(/unknown tools: widget_nope/);
  });
});

describe('REST routes derived from a contract', () => {
  it('gives one route per operation and stage; stages are POST below the operation path', () => {
    const routes = restRoutes(ops).map((r) => `${r.method} ${r.path} ${r.op.name}#${r.stage}${r.write ? ' write' : ''}`);
    expect(routes).toEqual([
      'GET /widgets/:widget_id widget.get#run',
      'PATCH /widgets/:widget_id widget.rename#run write',
      'POST /widgets/:widget_id/preview widget.delete#preview',
      'POST /widgets/:widget_id/apply widget.delete#apply write',
      'POST /widgets/batch/validate widget.batch#validate',
      'POST /widgets/batch/preview widget.batch#preview',
      'POST /widgets/batch/apply widget.batch#apply write',
    ]);
  });

  it('keeps two high-risk operations on one path apart by their method', () => {
    const replace = defineContract({ ...remove, name: 'widget.replace', route: { method: 'PUT', path: '/widgets/:widget_id' } });
    const paths = restRoutes([remove, replace]).map((r) => `${r.op.name}#${r.stage} ${r.path}`);
    expect(paths).toEqual([
      'widget.delete#preview /widgets/:widget_id/delete/preview',
      'widget.delete#apply /widgets/:widget_id/delete/apply',
      'widget.replace#preview /widgets/:widget_id/put/preview',
      'widget.replace#apply /widgets/:widget_id/put/apply',
    ]);
  });

  it('refuses two operations claiming one route', () => {
    const twin = defineContract({ ...read, name: 'widget.twin' });
    expect(() => restRoutes([read, twin])).toThrow(/claimed by both widget.get \(run\) and widget.twin \(run\)/);
  });
});

describe('implementations', () => {
  const implement = implementer<{ now: number }>();
  const getImpl = implement(read, { run: (_ctx, input) => ({ widget_id: input.widget_id }) });
  const renameImpl = implement(rename, { run: (_ctx, input) => ({ widget_id: input.widget_id }) });

  it('must give a high-risk operation read, state and effect, and a staged one validate', () => {
    expect(() => implement(remove, { run: () => ({ deleted: true }) })).toThrow(/read, state and effect/);
    expect(() => implement(read, { read: () => 1, state: () => ({}), effect: () => ({ effect: { widget_id: 'x' } as never, summary: '' }), run: () => ({ widget_id: 'x' }) })).toThrow(
      /only high-risk/,
    );
    expect(() => implement(batch, { read: () => 1, state: () => ({}), effect: () => ({ effect: { matched_count: 1 }, summary: '' }), run: () => ({ moved: 1 }) })).toThrow(/validate/);
  });

  it('are indexed one per contract: a missing, extra or doubled implementation is refused', () => {
    expect([...indexImplementations([read, rename], [getImpl, renameImpl]).keys()]).toEqual(['widget.get', 'widget.rename']);
    expect(() => indexImplementations([read, rename], [getImpl])).toThrow(/without an implementation: widget.rename/);
    expect(() => indexImplementations([read], [getImpl, renameImpl])).toThrow(/of no contract in the catalog: widget.rename/);
    expect(() => indexImplementations([read], [getImpl, getImpl])).toThrow(/implemented twice/);
    const copy = defineContract({ ...read });
    expect(() => indexImplementations([copy], [getImpl])).toThrow(/another definition/);
  });
});

// The tool surfaces a server can list. `default`: one MCP tool per operation stage. `compact`: a
// small static list that still reaches every selected tool: the catalog's core reads as
// themselves, find_tools to discover the rest, and three call-by-name tools split by risk (reads,
// validates and previews / low-risk writes / applies), so a client can auto-approve the first and
// ask before the last. A call by name runs invokeTool with the granular tool's own spec: the same
// input checks, guard, elicitation, journal, errors and structured output. The list is computed
// once per server and never changes (no list_changed).
import { z } from 'zod';
import type { Catalog, Listable, Operation, SurfaceGuide, ToolSpec } from './catalog.js';
import { inputJsonSchema, outputJsonSchema, toolBaseName, toolsOf } from './catalog.js';
import { invokeTool, type CallHooks, type CallOutcome, type Engine } from './invoke.js';
import { issuesOf, ToolError } from './errors.js';

export type SurfaceKind = 'default' | 'compact';

/** A tool as a server lists and calls it; call-by-name tools list no output (theirs is the called tool's, which find_tools gives). */
export interface SurfaceTool extends Listable {
  call(engine: Engine, args: unknown, hooks: CallHooks): Promise<CallOutcome>;
}

/** The tools a server lists for the selected granular tools on a surface. */
export function surfaceOf(kind: SurfaceKind, selected: ToolSpec[], catalog: Catalog): SurfaceTool[] {
  if (kind === 'default') return selected.map(servedAsItself);
  return compactSurface(selected, {
    catalogToolNames: catalog.operations.flatMap(toolsOf).map((t) => t.name),
    core: catalog.compactCore ?? [],
    workflowSteps: catalog.workflowSteps ?? [],
  });
}

/** The granular tool as it is listed and called on either surface. */
export function servedAsItself(spec: ToolSpec): SurfaceTool {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: spec.input,
    output: spec.output,
    annotations: spec.annotations,
    ...(spec.fieldsDescribedOn ? { fieldsDescribedOn: spec.fieldsDescribedOn } : {}),
    call: (engine, args, hooks) => invokeTool(engine, spec, args, hooks),
  };
}

export const FIND_TOOL = 'find_tools';
export type Route = 'read' | 'write' | 'apply';
export const CALL_TOOLS = { read: 'call_read', write: 'call_write', apply: 'call_apply' } as const satisfies Record<Route, string>;
/** The refusal that names the call tool a granular tool belongs to. */
const WRONG_ROUTE = { read: 'USE_CALL_READ', write: 'USE_CALL_WRITE', apply: 'USE_CALL_APPLY' } as const satisfies Record<Route, string>;

/** Which call-by-name tool carries a granular tool: applies, low-risk writes, or everything read-only. */
export function routeOf(spec: ToolSpec): Route {
  if (spec.stage === 'apply') return 'apply';
  return spec.annotations.readOnlyHint ? 'read' : 'write';
}

export interface CompactOptions {
  /** Every tool of the catalog, so a name left out by --toolsets/--read-only/--tools is told apart from a typo. */
  catalogToolNames: string[];
  /** Granular tools listed as themselves. */
  core: string[];
  /** The workflow guide's steps; each step's text names its tools. */
  workflowSteps: string[];
}

export function compactSurface(selected: ToolSpec[], opts: CompactOptions): SurfaceTool[] {
  const byName = new Map(selected.map((t) => [t.name, t]));
  const own = [FIND_TOOL, ...Object.values(CALL_TOOLS)];
  const clash = own.filter((n) => opts.catalogToolNames.includes(n));
  if (clash.length) throw new Error(`the compact surface's tool names clash with the catalog: ${clash.join(', ')}`);
  const strayCore = opts.core.filter((n) => !opts.catalogToolNames.includes(n));
  if (strayCore.length) throw new Error(`compact core names no tool of the catalog: ${strayCore.join(', ')}`);
  const core = selected.filter((t) => opts.core.includes(t.name)).map(servedAsItself);
  const calls = (Object.keys(CALL_TOOLS) as Route[]).flatMap((route) => {
    const routed = selected.filter((t) => routeOf(t) === route);
    return routed.length ? [callByName(route, routed, byName, opts)] : [];
  });
  return [...core, findTool(selected, opts), ...calls];
}

// ---------------------------------------------------------------------------------------------
// The call-by-name tools

const CALL_DESCRIPTIONS: Record<Route, string> = {
  read: 'Calls a read, *_validate or *_preview tool by name; changes nothing.',
  write: 'Calls a low-risk write tool by name (creates, updates, saves; no preview needed).',
  apply: "Calls an *_apply tool by name: arguments are exactly the preview's plus its preview_token.",
};

const callInput = z.object({
  tool: z.string().min(1).max(200).describe('Tool name from find_tools.'),
  arguments: z.record(z.string(), z.unknown()).optional().describe("That tool's arguments."),
});

function callByName(route: Route, routed: ToolSpec[], byName: Map<string, ToolSpec>, opts: CompactOptions): SurfaceTool {
  const name = CALL_TOOLS[route];
  return {
    name,
    title: `Call a tool (${route === 'read' ? 'read-only' : route === 'write' ? 'low-risk write' : 'apply'})`,
    description: CALL_DESCRIPTIONS[route],
    input: callInput,
    annotations: {
      readOnlyHint: routed.every((t) => t.annotations.readOnlyHint),
      destructiveHint: routed.some((t) => t.annotations.destructiveHint),
      idempotentHint: routed.every((t) => t.annotations.idempotentHint),
      openWorldHint: routed.some((t) => t.annotations.openWorldHint),
    },
    call: async (engine, raw, hooks) => {
      const parsed = callInput.safeParse(raw ?? {});
      if (!parsed.success) return refused(invalidCall(name, parsed.error));
      const { tool, arguments: args } = parsed.data;
      const spec = byName.get(tool);
      if (!spec) return refused(unknownTool(tool, [...byName.keys()], opts.catalogToolNames));
      const right = routeOf(spec);
      if (right !== route) {
        const use = CALL_TOOLS[right];
        return refused(
          new ToolError(WRONG_ROUTE[right], `${tool} is ${right === 'apply' ? 'an apply' : right === 'write' ? 'a low-risk write' : 'read-only'}: call it through ${use}, not ${name}.`, {
            hint: `Call ${use} with the same {tool, arguments}.`,
            actionType: 'use_other_tool',
            details: { tool, use },
          }),
        );
      }
      return invokeTool(engine, spec, args ?? {}, { ...hooks, schemaSource: `${FIND_TOOL} {schemas: ["${tool}"]} gives its input schema` });
    },
  };
}

const refused = (err: ToolError): CallOutcome => ({ ok: false, error: err.toEnvelope() });

function invalidCall(name: string, error: z.ZodError): ToolError {
  const issues = issuesOf(error, '(arguments)');
  return new ToolError('INVALID_REQUEST', `Invalid arguments for ${name}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, {
    hint: `${name} takes {tool: "<tool name>", arguments: {...}}.`,
    details: { issues },
  });
}

function unknownTool(tool: string, served: string[], catalogNames: string[]): ToolError {
  if (catalogNames.includes(tool)) {
    return new ToolError('TOOL_DISABLED', `${tool} is not served here (--toolsets, --read-only or --tools leave it out).`, {
      hint: 'Ask the operator to widen the selection, or use a tool this server serves.',
      actionType: 'ask_user',
    });
  }
  const closest = closestNames(tool, served, 3);
  return new ToolError('UNKNOWN_TOOL', `There is no tool named ${JSON.stringify(tool)}.${closest.length ? ` Closest: ${closest.join(', ')}.` : ''}`, {
    hint: `Use one of the closest names, or find the tool with ${FIND_TOOL} {query: "<words>"}.`,
    actionType: 'find_tool',
    details: { closest },
  });
}

/** The served names nearest to a mistyped one: by edit distance, a name containing it first. */
export function closestNames(wanted: string, names: string[], n: number): string[] {
  const w = wanted.toLowerCase();
  return names
    .map((name) => ({ name, d: editDistance(w, name) - (name.includes(w) ? w.length : 0) }))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, n)
    .map((x) => x.name);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

// ---------------------------------------------------------------------------------------------
// find_tools: the catalog, searchable

/** Words can match much of the catalog: their ranked matches stop here (a toolset or step is listed whole). */
const MAX_RANKED = 20;

function findTool(selected: ToolSpec[], opts: CompactOptions): SurfaceTool {
  const ops = [...new Map(selected.map((t) => [t.op.name, t.op])).values()];
  const toolsets = [...new Set(ops.map((o) => o.toolset))];
  const steps = opts.workflowSteps.map((text) => opsNamedIn(text, selected));
  const via = (t: ToolSpec) => (opts.core.includes(t.name) ? 'direct' : CALL_TOOLS[routeOf(t)]);
  const byName = new Map(selected.map((t) => [t.name, t]));
  const input = z.object({
    query: z.string().max(200).optional().describe('Words, e.g. "send email".'),
    toolset: z.enum(toolsets as [string, ...string[]]).optional(),
    step: z.number().int().min(1).max(Math.max(1, steps.length)).optional().describe('Workflow guide step.'),
    schemas: z.array(z.string()).max(10).optional().describe('Tool names whose input schemas to return.'),
    with_output: z.boolean().optional().describe('Also their output schemas, where the backend declares them.'),
  });
  const stage = z.object({ tool: z.string(), call: z.string().describe('direct, or the call tool that carries it') });
  const output = z.object({
    matches: z.array(z.object({ operation: z.string(), toolset: z.string(), summary: z.string(), risk: z.enum(['low', 'high']), stages: z.array(stage) })),
    total: z.number().int().describe('All matches; a word query lists its best 20.'),
    schemas: z.array(
      z.object({ tool: z.string(), call: z.string(), description: z.string(), input_schema: z.record(z.string(), z.unknown()), output_schema: z.record(z.string(), z.unknown()).optional() }),
    ),
    toolsets: z
      .array(z.object({ toolset: z.string(), operations: z.number().int() }))
      .optional()
      .describe('Given when no filter is.'),
    steps: z
      .array(z.object({ step: z.number().int(), text: z.string() }))
      .optional()
      .describe('Given when no filter is.'),
  });
  const entry = (op: Operation) => ({
    operation: toolBaseName(op),
    toolset: op.toolset,
    summary: firstSentence(op.description),
    risk: op.risk,
    stages: selected.filter((t) => t.op === op).map((t) => ({ tool: t.name, call: via(t) })),
  });
  return {
    name: FIND_TOOL,
    title: 'Find tools',
    description: `Finds tools by words, toolset or workflow step (each with risk, stages and the tool that calls it); with schemas, gives named tools' input schemas. Call them via call_read, call_write or call_apply.`,
    input,
    output,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    call: async (engine, raw) => {
      const parsed = input.safeParse(raw ?? {});
      if (!parsed.success) return refused(invalidCall(FIND_TOOL, parsed.error));
      const q = parsed.data;
      const unknown = (q.schemas ?? []).find((n) => !byName.has(n));
      if (unknown) return refused(unknownTool(unknown, [...byName.keys()], opts.catalogToolNames));
      let found = ops;
      if (q.toolset) found = found.filter((o) => o.toolset === q.toolset);
      if (q.step) found = found.filter((o) => steps[q.step! - 1]!.has(o));
      if (q.query) found = rank(found, q.query);
      const filtered = Boolean(q.toolset || q.step || q.query || q.schemas?.length);
      // As in tools/list: no output schema where the backend passes results through unchecked.
      const withOutputs = engine.backend.outputs !== 'passthrough';
      const matches = q.schemas?.length && !q.toolset && !q.step && !q.query ? [] : found;
      const structured = {
        matches: (q.query ? matches.slice(0, MAX_RANKED) : matches).map(entry),
        total: matches.length,
        schemas: (q.schemas ?? []).map((n) => {
          const t = byName.get(n)!;
          return { tool: t.name, call: via(t), description: t.description, input_schema: inputJsonSchema(t), ...(q.with_output && withOutputs ? { output_schema: outputJsonSchema(t) } : {}) };
        }),
        ...(filtered
          ? {}
          : {
              toolsets: toolsets.map((ts) => ({ toolset: ts, operations: ops.filter((o) => o.toolset === ts).length })),
              steps: opts.workflowSteps.map((text, i) => ({ step: i + 1, text: firstLine(text) })),
            }),
      };
      return { ok: true, structured: output.parse(structured) as Record<string, unknown>, links: [] };
    },
  };
}

/** Operations ranked by how many of the query's words their name, title and description hold. */
function rank(ops: Operation[], query: string): Operation[] {
  const words = [
    ...new Set(
      query
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w.length > 1),
    ),
  ].map((w) => (w.length > 3 ? w.replace(/s$/, '') : w));
  const scored = ops.map((op) => {
    const name = toolBaseName(op);
    const title = op.title.toLowerCase();
    const desc = op.description.toLowerCase();
    let hits = 0;
    let score = 0;
    for (const w of words) {
      const s = (name.includes(w) ? 4 : 0) + (title.includes(w) ? 2 : 0) + (desc.includes(w) ? 1 : 0);
      if (s > 0) hits++;
      score += s;
    }
    return { op, hits, score };
  });
  return scored
    .filter((x) => x.hits > 0)
    .sort((a, b) => b.hits - a.hits || b.score - a.score)
    .map((x) => x.op);
}

/** The operations a guide step names: a tool name, or a family's base name (`collection_refresh_validate/_preview/_apply`). */
function opsNamedIn(text: string, tools: ToolSpec[]): Set<Operation> {
  const names = new Set(text.match(/[a-z]+(?:_[a-z]+)+/g) ?? []);
  const out = new Set<Operation>();
  for (const t of tools) if (names.has(t.name) || names.has(toolBaseName(t.op))) out.add(t.op);
  return out;
}

function firstSentence(s: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(s);
  return m ? m[1]! : s;
}

const firstLine = (s: string) => s.split('\n')[0]!.trim();

// ---------------------------------------------------------------------------------------------
// What the guide, the prompts and the instructions say about the surface in use

export function surfaceGuide(kind: SurfaceKind, listed: SurfaceTool[]): SurfaceGuide {
  if (kind === 'default') return { kind, note: '' };
  const own = new Set([FIND_TOOL, ...Object.values(CALL_TOOLS)]);
  const direct = listed.filter((t) => !own.has(t.name)).map((t) => t.name);
  const has = (n: string) => listed.some((t) => t.name === n);
  const calls = [
    has(CALL_TOOLS.read) && `${CALL_TOOLS.read} for reads, *_validate and *_preview`,
    has(CALL_TOOLS.write) && `${CALL_TOOLS.write} for low-risk writes`,
    has(CALL_TOOLS.apply) && `${CALL_TOOLS.apply} for *_apply`,
  ].filter(Boolean);
  return {
    kind,
    note:
      `This server lists a compact surface. ${direct.length ? `${direct.join(', ')} are tools of their own; every` : 'Every'} other tool named here is called by name ` +
      `with {tool: "<name>", arguments: {...}}: ${calls.join('; ')}. ${FIND_TOOL} {query | toolset | step} finds tools and ` +
      `${FIND_TOOL} {schemas: ["<name>"]} gives a tool's input schema.`,
  };
}

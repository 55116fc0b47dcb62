// The catalog mechanism. An operation is defined once, as a contract: data only (name, risk,
// route, schemas, descriptions), no handler. Everything else (the MCP tools and their stages,
// schemas and annotations, the REST route, the docs page and the schema snapshot) is derived here
// from that one contract; backends execute it (the embedded workspace implements it, the http
// backend calls its route). Nothing in this file knows a single business operation by name.
import { z } from 'zod';

export type OperationKind = 'read' | 'write' | 'staged' | 'job';
export type Risk = 'low' | 'high';
export type Stage = 'run' | 'validate' | 'preview' | 'apply';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Route {
  method: HttpMethod;
  /** Path with `:field` placeholders taken from the input, e.g. `/campaigns/:campaign_id`. */
  path: string;
}

/** What the caller is: who asks, and the hooks a long operation may use. */
export interface CallInfo {
  principal: string;
  /** Reports progress of long work (the MCP progress notification when the client asked for it). */
  progress?: (done: number, total: number | undefined, message?: string) => void;
  signal?: AbortSignal;
  /**
   * The caller's idempotency_key on a write (a low-risk write's run or an apply), when given.
   * Backends forward it upstream (the http backend as Idempotency-Key), so a retry after an
   * unknown outcome is recognised there too.
   */
  idempotencyKey?: string;
}

export interface Problem {
  field: string;
  code: string;
  message: string;
}

/** What a preview reads: the effect shown to the agent, and the state the token is bound to. */
export interface PreviewReading<E> {
  effect: E;
  /** Plain JSON of the state apply depends on; apply re-reads it and refuses if it changed. */
  state: Record<string, unknown>;
  summary: string;
}

export type Obj = z.ZodObject<z.ZodRawShape>;

/** An operation's contract: what it is, never how a backend does it. */
export interface Contract<I extends Obj = Obj, O extends z.ZodType = z.ZodType, E extends z.ZodType = z.ZodType> {
  /** Dotted name `<domain>.<action>`; tool names are derived (`collection.add_creators` → `collection_add_creators_*`). */
  name: string;
  /** The toolset; the name's domain unless the definition says otherwise. */
  toolset: string;
  title: string;
  /** One or two sentences an agent can act on: what it does, which ids it needs and where they come from. */
  description: string;
  kind: OperationKind;
  risk: Risk;
  /**
   * Why a write has its risk, in one sentence for the approvals table (docs/approvals.md): high
   * when it is bulk, irreversible, visible to creators or teammates, or changes access.
   */
  riskReason?: string;
  route: Route;
  input: I;
  output: O;
  /** High-risk operations: the schema of what a preview shows. */
  effect?: E;
  /** Annotations that cannot be derived from kind and risk. */
  hints?: { destructive?: boolean; idempotent?: boolean; openWorld?: boolean };
  /** Ask the person (MCP elicitation) before apply: sends, deletes, access changes. */
  confirm?: boolean;
  /**
   * The campaign an applied change belongs to, for the campaign journal; null when the change
   * belongs to none even though its fields say campaign_id (affiliate campaigns are not campaigns).
   */
  campaignOf?(input: z.output<I>, result: z.output<O>): string | null | undefined;
  /** Ids touched by an applied change, for the journal. */
  idsOf?(input: z.output<I>, result: z.output<O>): string[];
  /**
   * The command of NoxInfluencer's official CLI that performs it, where the name does not derive it
   * (`collection.add_creators` → `collection add-creators`): a command, or one command per value of
   * an input field (`by`), which then selects the command and is not sent.
   */
  cli?: CliBinding;
}

/** How an operation is named on the CLI: one command, or one per value of the input field `by`. */
export type CliBinding = string | { by: string; commands: Record<string, string> };

/** The CLI command derived from an operation's name: `<domain> <action>`, words joined by dashes. */
export function derivedCliCommand(name: string): string {
  const [domain, action] = name.split('.') as [string, string];
  return `${domain.replace(/_/g, '-')} ${action.replace(/_/g, '-')}`;
}

/** The operation's CLI binding: its own, else the one derived from its name. */
export function cliBindingOf(op: Pick<Contract, 'name' | 'cli'>): CliBinding {
  return op.cli ?? derivedCliCommand(op.name);
}

/** A contract as the engine holds it, its schema types erased. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Operation = Contract<Obj, z.ZodType, any>;

/** The contract as written: the toolset may be left to the name. */
export type ContractDef<I extends Obj, O extends z.ZodType, E extends z.ZodType> = Omit<Contract<I, O, E>, 'toolset'> & { toolset?: string };

/** Defines an operation's contract, checking what every contract must satisfy; keeps its schema types for implementations. */
export function defineContract<I extends Obj, O extends z.ZodType, E extends z.ZodType = z.ZodNever>(def: ContractDef<I, O, E>): Contract<I, O, E> {
  if (!/^[a-z_]+\.[a-z_]+$/.test(def.name)) throw new Error(`${def.name}: names are <domain>.<action> in snake_case`);
  if (def.risk === 'high' && !def.effect) throw new Error(`${def.name}: a high-risk operation declares its preview effect`);
  if (def.risk === 'low' && def.effect) throw new Error(`${def.name}: only high-risk operations have a preview`);
  if (def.kind === 'staged' && def.risk !== 'high') throw new Error(`${def.name}: a staged operation is high-risk`);
  if (def.kind !== 'read' && !def.riskReason?.trim()) throw new Error(`${def.name}: a write says why it has its risk (riskReason)`);
  if (def.kind === 'read' && def.riskReason) throw new Error(`${def.name}: only writes carry a riskReason`);
  return { ...def, toolset: def.toolset ?? def.name.split('.')[0]! };
}

/**
 * defineContract for a family whose operations belong to a toolset other than their domain's (a
 * domain too large for one toolset is split by family).
 */
export function defineInToolset(toolset: string) {
  return <I extends Obj, O extends z.ZodType, E extends z.ZodType = z.ZodNever>(def: Omit<ContractDef<I, O, E>, 'toolset'>): Contract<I, O, E> => defineContract<I, O, E>({ ...def, toolset });
}

export const isGuarded = (op: Operation): boolean => op.risk === 'high';

/** The stages a backend runs for an operation: run for reads and low-risk writes; (validate,) preview and apply otherwise. */
export function stagesOf(op: Operation): Stage[] {
  if (!isGuarded(op)) return ['run'];
  return op.kind === 'staged' ? ['validate', 'preview', 'apply'] : ['preview', 'apply'];
}

// ---------------------------------------------------------------------------------------------
// Tools derived from operations

/** MCP tool annotations; the title is the tool's own `title`, not repeated here. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolSpec {
  name: string;
  op: Operation;
  stage: Stage;
  title: string;
  description: string;
  input: Obj;
  output: Obj;
  annotations: ToolAnnotations;
  /**
   * Validate and apply take the preview's arguments: their fields are described once, on the
   * preview, and their listed input schema keeps the types without repeating those descriptions.
   */
  fieldsDescribedOn?: string;
}

/** What tools/list shows of a tool; granular tool specs and the surface's own tools both have it. */
export interface Listable {
  name: string;
  title: string;
  description: string;
  input: Obj;
  output?: Obj;
  annotations: ToolAnnotations;
  /** Validate and apply: the preview whose listing describes their fields. */
  fieldsDescribedOn?: string;
}

export const PREVIEW_TOKEN_FIELD = 'preview_token';
export const IDEMPOTENCY_KEY_FIELD = 'idempotency_key';

const unlisted = new WeakSet<z.ZodType>();

/**
 * Marks a string schema whose bounds are checked but left out of the listed schema: they would
 * repeat on many tools and tell a model nothing it acts on.
 */
function boundsUnlisted<T extends z.ZodType>(schema: T): T {
  unlisted.add(schema);
  return schema;
}

/**
 * Marks a string schema as an opaque id (or token): still checked (non-empty, bounded), but its
 * bounds are left out of the listed schema, since an agent copies ids from results and never composes one.
 */
export const opaqueId = boundsUnlisted;

/**
 * Every write tool (a low-risk write, an apply) takes an optional idempotency_key, as
 * NoxInfluencer's own mutations do (8 to 128 characters; visible ASCII here, since it travels
 * upstream as an HTTP header). Its meaning and rules are stated once, in the server's instructions
 * (IDEMPOTENCY_KEY_RULE), not on each of the hundred-odd write tools that take it: the field is
 * listed as a plain string and checked here.
 */
const idempotencyKeyInput = {
  [IDEMPOTENCY_KEY_FIELD]: boundsUnlisted(
    z
      .string()
      .min(8)
      .max(128)
      .refine((k) => /^[\x21-\x7e]+$/.test(k), 'visible ASCII characters only (no spaces)'),
  ).optional(),
};

/** What the instructions say about idempotency_key, the one place it is explained. */
export const IDEMPOTENCY_KEY_RULE =
  'Every write tool takes an optional idempotency_key (8-128 visible ASCII characters): a retry with the same key and arguments returns the first outcome with replayed: true and runs nothing again; the same key with other arguments is refused.';

const replayedOutput = z.boolean().describe('True when this is the recorded outcome of an earlier call with the same idempotency_key (nothing ran again).');

/** Whether a tool writes (and so takes an idempotency_key): a low-risk write's run, or an apply. */
export const isWriteTool = (t: Pick<ToolSpec, 'op' | 'stage'>): boolean => t.stage === 'apply' || (t.stage === 'run' && t.op.kind !== 'read');

const problemSchema = z.object({ field: z.string(), code: z.string(), message: z.string() });

export function toolBaseName(op: Operation): string {
  return op.name.replace('.', '_');
}

/** The MCP tools of one operation: one for reads and low-risk writes; preview + apply (and validate for staged) otherwise. */
export function toolsOf(op: Operation): ToolSpec[] {
  const base = toolBaseName(op);
  const openWorld = op.hints?.openWorld ?? false;
  if (!isGuarded(op)) {
    const read = op.kind === 'read';
    return [
      {
        name: base,
        op,
        stage: 'run',
        title: op.title,
        description: op.description,
        input: read ? op.input : op.input.extend(idempotencyKeyInput),
        output: read ? asObject(op.output) : asObject(op.output).extend({ replayed: replayedOutput }),
        annotations: {
          readOnlyHint: read,
          destructiveHint: read ? false : (op.hints?.destructive ?? false),
          idempotentHint: read ? true : (op.hints?.idempotent ?? false),
          openWorldHint: openWorld,
        },
      },
    ];
  }
  const readOnly: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
  const tools: ToolSpec[] = [];
  if (op.kind === 'staged') {
    tools.push({
      name: `${base}_validate`,
      op,
      stage: 'validate',
      title: `${op.title} (validate)`,
      // The operation is described once, on its preview (the agent's entry point); the other stages point there.
      description: `Checks a ${base}_preview body and lists its problems; changes nothing.`,
      input: op.input,
      fieldsDescribedOn: `${base}_preview`,
      output: z.object({
        operation: z.literal(op.name),
        valid: z.boolean(),
        problems: z.array(problemSchema),
        summary: z.string(),
      }),
      annotations: readOnly,
    });
  }
  tools.push({
    name: `${base}_preview`,
    op,
    stage: 'preview',
    title: `${op.title} (preview)`,
    description: `${op.description} Dry run.`,
    input: op.input,
    output: z.object({
      operation: z.literal(op.name),
      preview_token: z.string().describe('Pass unchanged to the apply tool together with exactly the same arguments.'),
      expires_at: z.string().describe('ISO 8601 time after which the token is refused (PREVIEW_EXPIRED).'),
      summary: z.string(),
      effect: asObject(op.effect!),
    }),
    annotations: readOnly,
  });
  tools.push({
    name: `${base}_apply`,
    op,
    stage: 'apply',
    title: `${op.title} (apply)`,
    description: `Applies ${base}_preview.`,
    input: op.input.extend({
      // Opaque; the instructions say once where it comes from (and the description names the preview).
      [PREVIEW_TOKEN_FIELD]: opaqueId(z.string().min(1).max(512)),
      ...idempotencyKeyInput,
    }),
    fieldsDescribedOn: `${base}_preview`,
    output: z.object({
      operation: z.literal(op.name),
      applied: z.literal(true),
      replayed: z.boolean().describe('True when this is the recorded outcome of an earlier apply of the same token or idempotency_key.'),
      token_id: z.string(),
      summary: z.string(),
      result: asObject(op.output),
    }),
    annotations: {
      readOnlyHint: false,
      destructiveHint: op.hints?.destructive ?? true,
      // A repeated apply of one token returns the recorded outcome, so apply is idempotent by construction.
      idempotentHint: true,
      openWorldHint: openWorld,
    },
  });
  return tools;
}

function asObject(schema: z.ZodType): Obj {
  if (schema instanceof z.ZodObject) return schema as Obj;
  throw new Error('tool inputs, outputs and preview effects are zod objects (MCP needs an object at the root)');
}

// ---------------------------------------------------------------------------------------------
// Selecting the tools a server exposes

export interface ToolSelection {
  toolsets?: string[];
  readOnly?: boolean;
  tools?: string[];
}

export function selectTools(ops: Operation[], sel: ToolSelection): ToolSpec[] {
  const all = ops.flatMap(toolsOf);
  // A misspelt name would silently serve fewer tools: refuse it, naming what exists.
  const unknown = (given: string[] | undefined, known: string[], what: string) => {
    const bad = (given ?? []).filter((g) => !known.includes(g));
    if (bad.length) throw new Error(`unknown ${what}: ${bad.join(', ')}; known ${what}: ${known.join(', ')}`);
  };
  unknown(sel.toolsets, toolsetsOf(ops), 'toolsets');
  unknown(
    sel.tools,
    all.map((t) => t.name),
    'tools',
  );
  return all.filter((t) => {
    if (sel.toolsets && sel.toolsets.length > 0 && !sel.toolsets.includes(t.op.toolset)) return false;
    if (sel.readOnly && !t.annotations.readOnlyHint) return false;
    if (sel.tools && sel.tools.length > 0 && !sel.tools.includes(t.name)) return false;
    return true;
  });
}

export function toolsetsOf(ops: Operation[]): string[] {
  return [...new Set(ops.map((o) => o.toolset))];
}

/** The highest page number any list takes (checked, not listed). */
export const PAGE_MAX = 100_000;

export function inputJsonSchema(t: { input: Obj; fieldsDescribedOn?: string }): Record<string, unknown> {
  const js = jsonSchema(t.input, 'input');
  return t.fieldsDescribedOn ? (asPreviewed(js) as Record<string, unknown>) : js;
}

/**
 * What validate and apply list of the preview's arguments: names, types, enums and required fields.
 * Descriptions, defaults and bounds are listed once, on the preview: an apply is refused unless its
 * arguments are exactly the previewed ones, and every stage checks them all again. preview_token
 * and idempotency_key, the apply's own, carry no description (the tool's description names the
 * preview; the instructions explain the key).
 */
const PREVIEW_ONLY_KEYWORDS = new Set(['description', 'default', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'pattern', 'format']);

function asPreviewed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asPreviewed);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (PREVIEW_ONLY_KEYWORDS.has(k)) continue;
    // A properties map is keyed by field names, which may be spelt like keywords (export's `format`).
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([f, sub]) => [f, asPreviewed(sub)])) : asPreviewed(v);
  }
  return out;
}

export function outputJsonSchema(t: { output: Obj }): Record<string, unknown> {
  return jsonSchema(t.output, 'output');
}

function jsonSchema(schema: Obj, io: 'input' | 'output'): Record<string, unknown> {
  const override = (ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }) => {
    if (!unlisted.has(ctx.zodSchema as z.ZodType)) return;
    delete ctx.jsonSchema.minLength;
    delete ctx.jsonSchema.maxLength;
  };
  const js = compact(z.toJSONSchema(schema, { io, unrepresentable: 'any', override: override as never }), io) as Record<string, unknown>;
  delete js.$schema;
  return js;
}

/**
 * Trims what costs an agent's context and says nothing: the safe-integer bounds zod puts on every
 * integer, the pattern zod repeats a date-time format with, in inputs `minLength: 1` and the page
 * cap, and (in outputs, which the server itself produces) closed objects and required lists.
 * Also writes every union of types portably (see singleTypes).
 */
function compact(node: unknown, io: 'input' | 'output'): unknown {
  if (Array.isArray(node)) return node.map((n) => compact(n, io));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'minimum' && v === Number.MIN_SAFE_INTEGER) || (k === 'maximum' && v === Number.MAX_SAFE_INTEGER)) continue;
    // zod spells `format: date-time` out again as a 300-character pattern; the format says it.
    if (k === 'pattern' && (node as Record<string, unknown>).format === 'date-time') continue;
    // In inputs, a non-empty string and a page number from 1 (default 1, capped) are what any
    // caller assumes; the server checks them, and listing them on every field cost 520 tokens.
    if (io === 'input' && k === 'minLength' && v === 1) continue;
    if (io === 'input' && (node as Record<string, unknown>).maximum === PAGE_MAX && ['minimum', 'maximum', 'default'].includes(k)) continue;
    // Outputs are produced by the server and checked against their zod schemas before they leave;
    // their `required` lists and closed objects would only repeat every property name.
    if (io === 'output' && ((k === 'additionalProperties' && v === false) || (k === 'required' && Array.isArray(v)))) continue;
    out[k] = compact(v, io);
  }
  return singleTypes(out);
}

/** Keywords that describe a value rather than constrain it: they stay beside an `anyOf`. */
const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly']);

/**
 * zod writes a nullable scalar as `type: ["string", "null"]`. That is legal JSON Schema, but
 * consumers that translate tool schemas into a single-`type` dialect (the OpenAPI 3.0 subset of
 * Gemini function declarations, for one) drop or refuse it, and the MCP Inspector flags it as a
 * portability warning suggesting `anyOf` branches of one type each. Validation is unchanged:
 * every constraint moves into each non-null branch, where it applies to its own type only.
 */
function singleTypes(node: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(node.type)) return node;
  const types = node.type as string[];
  if (types.length === 1) return { ...node, type: types[0] };
  const kept: Record<string, unknown> = {};
  const constraints: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'type') continue;
    (ANNOTATIONS.has(k) ? kept : constraints)[k] = v;
  }
  return { ...kept, anyOf: types.map((t) => (t === 'null' ? { type: 'null' } : { type: t, ...constraints })) };
}

// ---------------------------------------------------------------------------------------------
// The whole catalog as the engine receives it

export interface Catalog {
  operations: Operation[];
  /** Server instructions shown to the agent at initialization. */
  instructions: string;
  /** MCP resources, resource templates and prompts; they read through the catalog's own read operations and speak the surface in use. */
  resources?: (reader: CatalogReader, surface: SurfaceGuide) => ResourceDef[];
  resourceTemplates?: (reader: CatalogReader) => ResourceTemplateDef[];
  prompts?: (reader: CatalogReader, surface: SurfaceGuide) => PromptDef[];
  /** Tool names the compact surface lists as themselves: the anchors a session starts from. */
  compactCore?: string[];
  /** The workflow guide's steps in order; each step's text names its tools (find_tools {step}). */
  workflowSteps?: string[];
  /** What each toolset is for, in a phrase (README's toolset table). */
  toolsetPurposes?: Record<string, string>;
  /**
   * Fields listed without a description because they mean the same on every tool, and what each is
   * ("task_id" → "comes from email_list"): the instructions say it once; docs/tools.md fills them in.
   */
  sharedFields?: Record<string, string>;
}

/** How the surface in use reaches the tools a guide names: empty on the default surface. */
export interface SurfaceGuide {
  kind: 'default' | 'compact';
  /** A paragraph to put before text that names tools; empty when tools are called as named. */
  note: string;
}

/**
 * Runs a read operation of the catalog by name on the configured backend, so resources and prompts
 * show the same workspace as the tools do, embedded or upstream.
 */
export interface CatalogReader {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  read(operation: string, input: Record<string, unknown>): Promise<any>;
}

export interface ResourceDef {
  name: string;
  uri: string;
  title: string;
  description: string;
  mimeType: string;
  read: () => string | Promise<string>;
}

/** Suggests values for one argument from what is typed so far (MCP completion/complete); `arguments` are the others already given. */
export type Completer = (value: string, context?: { arguments?: Record<string, string> }) => Promise<string[]>;

export interface ResourceTemplateDef {
  name: string;
  uriTemplate: string;
  title: string;
  description: string;
  mimeType: string;
  list: () => Promise<{ uri: string; name: string }[]>;
  read: (vars: Record<string, string>) => Promise<string>;
  /** Completers of the template's variables, by variable name. */
  complete?: Record<string, Completer>;
}

export interface PromptDef {
  name: string;
  title: string;
  description: string;
  args: z.ZodRawShape;
  render: (args: Record<string, string | undefined>) => Promise<string>;
  /** Completers of the prompt's arguments, by argument name. */
  complete?: Record<string, Completer>;
}

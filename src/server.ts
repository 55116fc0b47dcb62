// Builds the MCP server from the selected tools (and the resources and prompts given to it).
// Every SDK call of the server side lives here and in http.ts.
//
// tools/list and tools/call are served by our own handlers rather than McpServer.registerTool:
// the SDK turns an input-validation failure into plain text, and every refusal of this server must
// carry the structured envelope (error_code, summary, action). JSON Schemas still come from zod's
// own z.toJSONSchema, as the SDK would produce them.
import { McpServer, ResourceTemplate, type ReadResourceCallback, type ReadResourceTemplateCallback, type ResourceMetadata } from '@modelcontextprotocol/sdk/server/mcp.js';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult, type GetPromptResult, type ReadResourceResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Completer, Listable, PromptDef, ResourceDef, ResourceTemplateDef } from './catalog.js';
import { deriveSchemas, type SchemaTable } from './listing.js';
import type { CallHooks, ConfirmAnswer, Engine } from './invoke.js';
import type { SurfaceTool } from './surface.js';
import { ToolError } from './errors.js';
import type { FilesRoot } from './files.js';
import { FILES_URI_PREFIX } from './file-names.js';

export const SERVER_NAME = 'nox-campaign-mcp';
export const SERVER_VERSION = '0.1.0';

export interface ServerParts {
  engine: Engine;
  /** The listed tools: the granular ones, or the compact surface (src/surface.ts). */
  tools: SurfaceTool[];
  /** List outputSchema (default); off for clients that only relay text. */
  outputSchemas: boolean;
  /** The build's tools/list schemas (src/listing.ts); tools it lacks are derived. */
  schemas?: SchemaTable;
  /** The principal for calls that carry no authentication (stdio, loopback HTTP without a token). */
  defaultPrincipal: string;
  instructions: string;
  resources?: ResourceDef[];
  resourceTemplates?: ResourceTemplateDef[];
  prompts?: PromptDef[];
  /** This server's files root, served read-only as resources under nox://files/ (nothing outside it). */
  files?: FilesRoot;
}

const listingCache = new WeakMap<Listable[], Map<boolean, Tool[]>>();

/**
 * tools/list entries, computed once per tool list (stateless HTTP builds a server per request), so
 * the list never varies. Schemas come from `schemas` (the build's, src/listing.ts) where it holds
 * the tool, and are derived from zod otherwise: both give the same list.
 */
export function listTools(tools: Listable[], opts: { outputSchemas?: boolean; schemas?: SchemaTable } = {}): Tool[] {
  const withOutput = opts.outputSchemas ?? true;
  let byOption = listingCache.get(tools);
  if (!byOption) listingCache.set(tools, (byOption = new Map()));
  let listed = byOption.get(withOutput);
  if (!listed) {
    listed = tools.map((t) => {
      const { inputSchema, outputSchema } = opts.schemas?.get(t.name) ?? deriveSchemas(t);
      return {
        name: t.name,
        title: t.title,
        description: t.description,
        inputSchema: inputSchema as Tool['inputSchema'],
        ...(withOutput && outputSchema ? { outputSchema: outputSchema as Tool['outputSchema'] } : {}),
        annotations: t.annotations,
      };
    });
    byOption.set(withOutput, listed);
  }
  return listed;
}

/** Model-visible tokens of a list: name, description and input schema (what model APIs carry), as JSON bytes / 4. */
export function modelVisibleTokens(listed: Tool[]): number {
  return Math.ceil(Buffer.byteLength(JSON.stringify(listed.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })))) / 4);
}

/**
 * One JSON Schema validator for every server of the process: by default each McpServer builds its
 * own Ajv instance, most of the cost of the fresh server that stateless HTTP makes per request.
 */
let sharedValidator: AjvJsonSchemaValidator | undefined;

/**
 * `toolsOnly`: leave out resources and prompts (stateless HTTP, for a request that holds nothing
 * but tool calls and pings: registering them is most of the cost of the server it builds for it).
 */
export function createMcpServer(parts: ServerParts, opts: { toolsOnly?: boolean } = {}): McpServer {
  sharedValidator ??= new AjvJsonSchemaValidator();
  const mcp = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION, title: 'NoxInfluencer campaign workflows' },
    { capabilities: { tools: { listChanged: false }, logging: {} }, instructions: parts.instructions, jsonSchemaValidator: sharedValidator },
  );
  const byName = toolsByName(parts.tools);
  // Output schemas are declared only where results are checked to fit them (not on a passthrough backend).
  const listed = listTools(parts.tools, { outputSchemas: parts.outputSchemas && parts.engine.backend.outputs !== 'passthrough', ...(parts.schemas ? { schemas: parts.schemas } : {}) });

  mcp.server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }));
  mcp.server.setRequestHandler(CallToolRequestSchema, async (req, extra): Promise<CallToolResult> => {
    const tool = byName.get(req.params.name);
    if (!tool) {
      return errorResult(
        new ToolError('TOOL_DISABLED', `There is no tool named ${JSON.stringify(req.params.name)} on this server.`, {
          hint: 'Call tools/list for the tools this server exposes (toolsets, --read-only and --tools narrow it).',
          actionType: 'list_tools',
        }).toEnvelope(),
      );
    }
    const progressToken = req.params._meta?.progressToken;
    const hooks: CallHooks = {
      principal: extra.authInfo?.clientId ?? parts.defaultPrincipal,
      signal: extra.signal,
      ...(progressToken !== undefined
        ? {
            progress: (done: number, total: number | undefined, message?: string) => {
              void extra
                .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: done, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) } })
                .catch(() => undefined);
            },
          }
        : {}),
      confirm: (message) => askPerson(mcp, message, parts.engine.confirmTimeoutMs ?? CONFIRM_TIMEOUT_MS, extra.signal),
    };
    const outcome = await tool.call(parts.engine, req.params.arguments, hooks);
    if (!outcome.ok) return errorResult(outcome.error);
    // A written file travels as a resource_link block beside the JSON; resources/read serves its URI.
    const links = outcome.links.map((l) => ({ type: 'resource_link' as const, ...l }));
    return { content: [{ type: 'text', text: JSON.stringify(outcome.structured) }, ...links], structuredContent: outcome.structured };
  });

  if (opts.toolsOnly) return mcp;
  // Stateless HTTP builds a server per request: what is registered is built once per definition.
  for (const r of parts.resources ?? []) {
    const { metadata, read } = resourceRegistration(r);
    mcp.registerResource(r.name, r.uri, metadata, read);
  }
  for (const t of parts.resourceTemplates ?? []) {
    const { template, metadata, read } = templateRegistration(t);
    mcp.registerResource(t.name, template, metadata, read);
  }
  if (parts.files) {
    const { template, metadata, read } = filesRegistration(parts.files);
    mcp.registerResource('files', template, metadata, read);
  }
  for (const p of parts.prompts ?? []) {
    const { config, render } = promptRegistration(p);
    mcp.registerPrompt(p.name, config, render);
  }
  return mcp;
}

/** The largest file resources/read returns inline; larger ones are used by path. */
const MAX_RESOURCE_BYTES = 8 * 1024 * 1024;
const TEXT_MIME = /^(text\/|application\/json)/;

/** One registration's pieces, built once per definition and shared by every server of the process. */
interface Registration<Read> {
  metadata: ResourceMetadata;
  read: Read;
}

/** Built once per key (a definition or the files root): nothing in them depends on the request. */
function memo<K extends object, V>(build: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) cache.set(key, (v = build(key)));
    return v;
  };
}

const toolsByName = memo((tools: SurfaceTool[]) => new Map(tools.map((t) => [t.name, t])));

const resourceRegistration = memo((r: ResourceDef): Registration<ReadResourceCallback> => ({
  metadata: { title: r.title, description: r.description, mimeType: r.mimeType },
  read: async (uri) => ({ contents: [{ uri: uri.href, mimeType: r.mimeType, text: await r.read() }] }),
}));

const templateRegistration = memo((t: ResourceTemplateDef): Registration<ReadResourceTemplateCallback> & { template: ResourceTemplate } => ({
  template: new ResourceTemplate(t.uriTemplate, {
    list: async () => ({ resources: (await t.list()).map((x) => ({ ...x, mimeType: t.mimeType })) }),
    ...(t.complete ? { complete: Object.fromEntries(Object.entries(t.complete).map(([k, c]) => [k, quietly(c)])) } : {}),
  }),
  metadata: { title: t.title, description: t.description, mimeType: t.mimeType },
  read: async (uri, vars) => ({
    contents: [{ uri: uri.href, mimeType: t.mimeType, text: await t.read(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.isArray(v) ? v[0]! : v]))) }],
  }),
}));

const promptRegistration = memo((p: PromptDef) => ({
  config: { title: p.title, description: p.description, argsSchema: markCompleters(p.args, p.complete) },
  render: async (args: Record<string, unknown>): Promise<GetPromptResult> => ({
    messages: [{ role: 'user', content: { type: 'text', text: await p.render(args as Record<string, string | undefined>) } }],
  }),
}));

/**
 * The files root as resources: nox://files/<path> reads one file inside it (text or base64 blob).
 * Anything else (outside the root, through a link out of it, not a regular file, missing) is
 * refused with the same summary and hint a tool would give, as an InvalidParams error.
 */
const filesRegistration = memo((files: FilesRoot): Registration<ReadResourceTemplateCallback> & { template: ResourceTemplate } => ({
  template: new ResourceTemplate(`${FILES_URI_PREFIX}{+path}`, {
    list: async () => ({
      resources: files.list(undefined, 50).files.map((f) => ({ uri: `${FILES_URI_PREFIX}${f.path.split('/').map(encodeURIComponent).join('/')}`, name: f.path, size: f.bytes })),
    }),
  }),
  metadata: { title: 'Files root', description: 'A file of the files root (downloads, exports, staged files), read-only; nothing outside the root is served.' },
  read: async (uri, vars): Promise<ReadResourceResult> => {
    const raw = Array.isArray(vars.path) ? vars.path.join('/') : (vars.path ?? '');
    try {
      const relPath = raw
        .split('/')
        .map((seg) => decodeURIComponent(seg))
        .join('/');
      const file = files.readResource(relPath, MAX_RESOURCE_BYTES);
      const content = TEXT_MIME.test(file.mimeType) ? { text: file.bytes.toString('utf8') } : { blob: file.bytes.toString('base64') };
      return { contents: [{ uri: uri.href, mimeType: file.mimeType, ...content }] };
    } catch (err) {
      const envelope =
        err instanceof ToolError
          ? err.toEnvelope()
          : { error_code: 'FILE_REFUSED', summary: `${uri.href} is not a readable file of the files root.`, action: { type: 'fix_path', hint: files.howToGive() } };
      throw new McpError(ErrorCode.InvalidParams, `${envelope.summary} ${envelope.action?.hint ?? ''}`.trim(), envelope);
    }
  },
}));

/** Completion never fails the request: a read that fails suggests nothing. */
function quietly(c: Completer): Completer {
  return async (value, context) => {
    try {
      return (await c(value, context)).slice(0, 100);
    } catch {
      return [];
    }
  };
}

/**
 * Prompt arguments with their completers attached the SDK's way (completable). An optional
 * argument is marked on both its wrapper (which the completion handler reads) and its inner
 * schema (which registerPrompt inspects to declare the completions capability). completable()
 * marks a schema once for good, so this runs once per prompt (promptRegistration).
 */
function markCompleters(args: z.ZodRawShape, complete: Record<string, Completer> | undefined): z.ZodRawShape {
  if (!complete) return args;
  const out: Record<string, z.core.$ZodType> = { ...args };
  for (const [name, c] of Object.entries(complete)) {
    const field = args[name] as z.ZodType | undefined;
    if (!field) throw new Error(`a completer names ${name}, which is not an argument of the prompt`);
    const fn = quietly(c);
    const suggest = (value: unknown, context?: { arguments?: Record<string, string> }) => fn(typeof value === 'string' ? value : '', context);
    if (field instanceof z.ZodOptional) completable(field.unwrap() as z.ZodType, suggest);
    out[name] = completable(field, suggest);
  }
  return out;
}

/**
 * A refusal: isError with the error envelope as JSON text. It is not also sent as structuredContent
 * because SDK 1.32 clients validate structuredContent against the tool's outputSchema even on
 * errors, which would replace the envelope with a schema complaint.
 */
function errorResult(error: ReturnType<ToolError['toEnvelope']>): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(error) }] };
}

/** How long a person has to answer a confirmation before the apply is refused. */
const CONFIRM_TIMEOUT_MS = 5 * 60_000;

/**
 * MCP elicitation: asks the person to approve an apply. 'unavailable' only when the client declares
 * no elicitation; a dialog that errors, is aborted or times out is 'failed', never a yes (so is a
 * client that declares only URL elicitation, which cannot show this form).
 */
async function askPerson(mcp: McpServer, message: string, timeoutMs: number, signal: AbortSignal): Promise<ConfirmAnswer> {
  if (!mcp.server.getClientCapabilities()?.elicitation) return 'unavailable';
  try {
    const res = await mcp.server.elicitInput(
      {
        message,
        requestedSchema: {
          type: 'object',
          properties: { approve: { type: 'boolean', title: 'Apply this change', description: 'Yes applies exactly what the preview showed.' } },
          required: ['approve'],
        },
      },
      { timeout: timeoutMs, signal },
    );
    return res.action === 'accept' && res.content?.approve === true ? 'accept' : 'decline';
  } catch {
    return 'failed';
  }
}

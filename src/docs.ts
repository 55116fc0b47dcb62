// docs/tools.md, docs/api.md and docs/approvals.md, generated from the catalog (npm run docs); a test keeps tools.md
// and approvals.md in step.
import { z } from 'zod';
import type { Operation, ToolSpec } from './catalog.js';
import { IDEMPOTENCY_KEY_RULE, inputJsonSchema, toolsOf } from './catalog.js';
import { restRoutes } from './backend/http/rest.js';
import { isServerOperation } from './server-tools.js';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  default?: unknown;
}

export function renderToolsDoc(tools: ToolSpec[], sharedFields: Record<string, string> = {}): string {
  const out: string[] = [
    '# Tools',
    '',
    '<!-- Generated from the catalog by `npm run docs`; do not edit by hand. -->',
    '',
    `${tools.length} tools. High-side-effect operations come as \`_preview\` + \`_apply\` (staged ones also \`_validate\`):`,
    'apply needs the `preview_token` of a preview of exactly the same arguments. Annotations: R read-only,',
    'D destructive, I idempotent, O open world (reaches people or systems outside the workspace).',
    // Said once here and in the server's instructions, as the tools/list leaves the field undescribed.
    IDEMPOTENCY_KEY_RULE,
    '',
  ];
  const toolsets = [...new Set(tools.map((t) => t.op.toolset))];
  for (const ts of toolsets) {
    out.push(`## ${ts}`, '', '| tool | hints | what it does |', '| --- | --- | --- |');
    for (const t of tools.filter((x) => x.op.toolset === ts)) out.push(`| [\`${t.name}\`](#${t.name}) | ${hints(t)} | ${cell(stageSummary(t))} |`);
    out.push('');
    for (const t of tools.filter((x) => x.op.toolset === ts)) {
      out.push(`### ${t.name}`, '', `**${t.title}** · ${hints(t) || 'write'} · ${routeOf(t)}`, '', t.description, '');
      const schema = inputJsonSchema(t) as JsonSchema;
      const props = Object.entries(schema.properties ?? {});
      if (props.length === 0) out.push('No arguments.', '');
      else {
        out.push('| argument | type | required | description |', '| --- | --- | --- | --- |');
        for (const [name, p] of props) out.push(`| \`${name}\` | ${cell(typeOf(p))} | ${schema.required?.includes(name) ? 'yes' : 'no'} | ${cell(describe(p, sharedFields[name]))} |`);
        out.push('');
      }
    }
  }
  return out.join('\n');
}

/**
 * docs/approvals.md: every write of the catalog, whether it needs approval (preview/apply) and
 * why, from each contract's riskReason, with the annotation rule the writes follow.
 */
export function renderApprovalsDoc(ops: Operation[]): string {
  const writes = ops.filter((o) => o.kind !== 'read');
  const high = writes.filter((o) => o.risk === 'high').length;
  const out: string[] = [
    '# Which writes need approval',
    '',
    '<!-- Generated from the catalog by `npm run docs`; do not edit by hand. -->',
    '',
    `${writes.length} writes; ${high} need approval: they are a \`_preview\` that changes nothing and an \`_apply\` that needs its`,
    '`preview_token` (and, marked "asks", the person\'s yes through MCP elicitation). A write needs approval when it is',
    "bulk, irreversible, visible to creators or teammates, or changes access. NoxInfluencer's own CLI makes every write",
    'a dry run until `--force` ("Mutation commands default to dry-run; `--force` executes the write after user approval",',
    '`cli-response-format.md` in the public NoxInfluencer/skills repository), and its CRM tool reference lists update,',
    'archive, restore, export, group create/update/delete and add-to-email apply as needing explicit approval; this',
    'table follows both. Every write also takes an optional `idempotency_key`.',
    '',
    'Annotations follow one rule: **destructive** (D) when the write removes or overwrites data, or sends to creators',
    'now (cannot be taken back); a schedule is not destructive (it can be cancelled before it sends), nor is an',
    'archive (it can be restored). **Open world** (O) when it reaches people outside the workspace.',
    '',
    '| write | tools | approval | D | O | why |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const op of writes) {
    const tools = toolsOf(op).filter((t) => t.stage !== 'validate');
    const writer = tools[tools.length - 1]!;
    const approval = op.risk === 'high' ? (op.confirm ? 'preview/apply, asks' : 'preview/apply') : 'none';
    out.push(
      `| \`${op.name}\` | ${tools.map((t) => `\`${t.name}\``).join(' ')} | ${approval} | ${writer.annotations.destructiveHint ? 'D' : ''} | ${writer.annotations.openWorldHint ? 'O' : ''} | ${cell(op.riskReason ?? '')} |`,
    );
  }
  return out.join('\n');
}

/** The tool's REST route (docs/api.md): the operation's own route, or POST <path>/<stage> for stages. */
function routeOf(t: ToolSpec): string {
  if (isServerOperation(t.op)) return 'runs in this server (no REST route)';
  const r = restRoutes([t.op]).find((x) => x.stage === t.stage)!;
  return `route \`${r.method} ${r.path}\``;
}

function hints(t: ToolSpec): string {
  const a = t.annotations;
  return [a.readOnlyHint && 'R', a.destructiveHint && 'D', a.idempotentHint && 'I', a.openWorldHint && 'O'].filter(Boolean).join(' ');
}

function typeOf(p: JsonSchema): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (p.const !== undefined) return JSON.stringify(p.const);
  if (p.anyOf) return p.anyOf.map(typeOf).join(' \\| ');
  if (p.type === 'array') return `${p.items ? typeOf(p.items) : 'any'}[]`;
  if (Array.isArray(p.type)) return p.type.join(' \\| ');
  return p.type ?? 'any';
}

/** A field's description; a shared field listed without one says what it is (the catalog's sharedFields). */
function describe(p: JsonSchema, shared?: string): string {
  const d = p.description ?? p.anyOf?.find((x) => x.description)?.description ?? (shared ? `${shared.charAt(0).toUpperCase()}${shared.slice(1)}.` : '');
  return p.default !== undefined ? `${d} Default ${JSON.stringify(p.default)}.`.trim() : d;
}

/**
 * The summary row says what this stage does: a preview's description opens with its operation's
 * sentence ("Deletes one campaign."), which alone would read as if the preview deleted.
 */
function stageSummary(t: ToolSpec): string {
  const first = firstSentence(t.description);
  if (t.stage !== 'preview') return first;
  const action = first.charAt(0).toLowerCase() + first.slice(1).replace(/[.!?]$/, '');
  return `Shows what ${t.name.replace(/_preview$/, '_apply')} would do (${action}) and returns its preview_token; changes nothing.`;
}

function firstSentence(s: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(s);
  return m ? m[1]! : s;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The configuration table of README.md, between its config markers. */
export function renderConfigTable(rows: { flag?: string; env?: string; default: string; meaning: string }[]): string {
  return [
    '| flag | environment | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.flag ? `\`${r.flag}\`` : '—'} | ${r.env ? `\`${r.env}\`` : '—'} | ${cell(r.default)} | ${cell(r.meaning)} |`),
  ].join('\n');
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` of README.md: the parts it derives. */
export function withSection(readme: string, name: string, content: string): string {
  const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md lacks the ${name} markers`);
  return `${readme.slice(0, i + start.length)}\n${content}\n${readme.slice(j)}`;
}

/** README's toolset table: each toolset, its tool count and what it is for, with the catalog's total. */
export function renderToolsetTable(tools: ToolSpec[], purposes: Record<string, string>): string {
  const toolsets = [...new Set(tools.map((t) => t.op.toolset))];
  return [
    `${tools.length} tools, in these toolsets:`,
    '',
    '| toolset | tools | what for |',
    '| --- | --- | --- |',
    ...toolsets.map((ts) => `| \`${ts}\` | ${tools.filter((t) => t.op.toolset === ts).length} | ${cell(purposes[ts] ?? '')} |`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// docs/api.md: the REST contract of the http backend and the sandbox, from the same catalog.

export function renderApiDoc(ops: Operation[]): string {
  const routes = restRoutes(ops);
  const out: string[] = [
    '# REST API',
    '',
    '<!-- Generated from the catalog by `npm run docs`; do not edit by hand. -->',
    '',
    'The contract the **http backend** speaks (`--backend http`) and `nox-campaign-mcp sandbox` serves. Every route is',
    'derived from an operation of the catalog: the same names, fields and rules as the MCP tools in [tools.md](tools.md).',
    '',
    '## Conventions',
    '',
    '- **Base URL**: `NOX_API_BASE_URL` (may carry a path prefix such as `/v1`); routes below are relative to it.',
    '- **Auth**: the API key in the `X-Api-Key` header on every request (never in a URL). A missing or wrong key is',
    '  `401` with `error_code: "INVALID_API_KEY"`. `X-Nox-Principal` names who the call acts for (the MCP principal).',
    '- **Arguments**: `:name` path segments are taken from the field of that name (URL-encoded). A fixed word wins over',
    '  a parameter (`GET /crm/labels` is the labels list), so the client refuses, sending nothing, an id spelled like',
    '  the fixed word at its position, as it refuses `.`, `..` and separators. `GET` routes take the',
    '  other fields as a query: scalars as text, non-empty arrays of scalars as a repeated parameter (`ids=a&ids=b`),',
    "  anything else (objects, empty arrays) as JSON text; the server reads them back with the operation's input schema.",
    '  Every other method takes the other fields as a JSON object body (`Content-Type: application/json`).',
    '- **Stages**: a high-risk operation has no plain route. It is `POST <path>/preview` and `POST <path>/apply`, and',
    '  for staged families also `POST <path>/validate`, each with the full argument body (when two high-risk operations',
    "  share a path, the non-POST one's stages add the method: `<path>/delete/preview`).",
    '- **Success envelope** (HTTP 200): `{"success": true, "data": ..., "summary": "...", "meta": {"operation", "stage", "request_id"}}`.',
    '  `data` is the operation\'s output (for validate `{"problems": [...]}`, for preview `{"effect": ...}` with the state',
    '  the preview read in `meta.state`).',
    '- **Error envelope**: `{"success": false, "error_code": "...", "summary": "...", "action": {"type", "hint", "url"?}, "details"?: {...}}`',
    '  with the status by code: 400 `INVALID_REQUEST`, 401 `INVALID_API_KEY`, 404 `NOT_FOUND`, 409 `CONFLICT`,',
    '  `DUPLICATE_DATA`, `STATE_CHANGED`, `IDEMPOTENCY_IN_PROGRESS`, 422 `IDEMPOTENCY_KEY_REUSED`, the domain codes',
    '  (`LIMIT_EXCEEDED`, `FILE_REFUSED`, ...), 429 `RATE_LIMITED` with `Retry-After`, 500 `INTERNAL_ERROR`. The http',
    '  backend passes `error_code`, `summary`, `action` and `details` through to the tool error unchanged; a failure',
    '  that is not an envelope becomes `UPSTREAM_<status>` with a short excerpt of the body and no action.',
    '- **Idempotency**: every write (a low-risk write route and every `/apply`) carries `Idempotency-Key`, scoped to the',
    "  principal and the operation and kept 24 hours. The server records the key with the write's answer in the same",
    '  transaction: a repeat of the key with the same request returns the first answer (header `Idempotent-Replayed: true`)',
    "  and changes nothing (an apply's `X-Nox-State-Digest` is not part of the request compared, so a key reused after a",
    '  fresh preview gets the recorded answer); the same key with another request is `422 IDEMPOTENCY_KEY_REUSED`; a repeat',
    '  while the first is still running is `409 IDEMPOTENCY_IN_PROGRESS` with `Retry-After`. The http backend sends the',
    "  tool call's `idempotency_key` when the caller gave one; otherwise it derives an apply's key from its preview token",
    '  (`nox-<token id>`) and gives other writes a random key, each kept across its retries.',
    '- **Preview freshness**: `/apply` carries `X-Nox-State-Digest`, the digest of `meta.state` from its preview. The',
    "  server re-reads that state in the apply's transaction; if it changed, nothing is written and the answer is",
    '  `409 STATE_CHANGED` with the current state in `meta.state` (the MCP server reports `PREVIEW_STALE`, naming what changed).',
    '- **Retries** (http backend): reads, validates and previews are retried on 429, 5xx and connection errors with',
    '  jittered exponential backoff, honouring `Retry-After`; writes are retried only with their same `Idempotency-Key`.',
    '  An apply never confirmed after the last retry is `UPSTREAM_UNAVAILABLE` to the guard, which records its outcome',
    '  as unknown (`APPLY_OUTCOME_UNKNOWN`: read the state back) and never executes it again.',
    "- **Files**: file fields travel as they are. A `path` names a file in the API's own files root (the sandbox started",
    "  on the same machine shares the server's files root); a remote client sends `content_base64` + `filename` instead.",
    '  Outputs (exports, downloads) are written by the API into its files root and named by the `path` in the result.',
    '- `GET /healthz` answers `200` without auth.',
    '',
    `## Routes (${routes.length})`,
    '',
  ];
  const toolsets = [...new Set(ops.map((o) => o.toolset))];
  for (const ts of toolsets) {
    out.push(`### ${ts}`, '', '| route | operation | stage | fields |', '| --- | --- | --- | --- |');
    for (const r of routes.filter((x) => x.op.toolset === ts)) {
      const schema = z.toJSONSchema(r.op.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      const fields = Object.keys(schema.properties ?? {})
        .filter((f) => !r.params.includes(f))
        .map((f) => `\`${f}\`${schema.required?.includes(f) ? '*' : ''}`);
      const where = fields.length === 0 ? '—' : `${r.method === 'GET' ? 'query' : 'body'}: ${fields.join(', ')}`;
      const tags = [r.write ? 'Idempotency-Key' : '', r.stage === 'apply' ? 'X-Nox-State-Digest' : ''].filter(Boolean).join(', ');
      out.push(`| \`${r.method} ${r.path}\` | \`${r.op.name}\` | ${r.stage}${tags ? ` (${tags})` : ''} | ${cell(where)} |`);
    }
    out.push('');
  }
  out.push('`*` required. Field types, limits and descriptions are those of the matching tool in [tools.md](tools.md).', '');
  return out.join('\n');
}

// docs/tools.md, generated from the catalog (npm run docs); a test keeps the file in step.
import type { ToolSpec } from './catalog.js';
import { inputJsonSchema } from './catalog.js';

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

export function renderToolsDoc(tools: ToolSpec[]): string {
  const out: string[] = [
    '# Tools',
    '',
    '<!-- Generated from the catalog by `npm run docs`; do not edit by hand. -->',
    '',
    `${tools.length} tools. High-side-effect operations come as \`_preview\` + \`_apply\` (staged ones also \`_validate\`):`,
    'apply needs the `preview_token` of a preview of exactly the same arguments. Annotations: R read-only,',
    'D destructive, I idempotent, O open world (reaches people or systems outside the workspace).',
    '',
  ];
  const toolsets = [...new Set(tools.map((t) => t.op.toolset))];
  for (const ts of toolsets) {
    out.push(`## ${ts}`, '', '| tool | hints | what it does |', '| --- | --- | --- |');
    for (const t of tools.filter((x) => x.op.toolset === ts)) out.push(`| [\`${t.name}\`](#${t.name}) | ${hints(t)} | ${cell(firstSentence(t.description))} |`);
    out.push('');
    for (const t of tools.filter((x) => x.op.toolset === ts)) {
      out.push(`### ${t.name}`, '', `**${t.title}** · ${hints(t) || 'write'} · route \`${t.op.route.method} ${routeOf(t)}\``, '', t.description, '');
      const schema = inputJsonSchema(t) as JsonSchema;
      const props = Object.entries(schema.properties ?? {});
      if (props.length === 0) out.push('No arguments.', '');
      else {
        out.push('| argument | type | required | description |', '| --- | --- | --- | --- |');
        for (const [name, p] of props) out.push(`| \`${name}\` | ${cell(typeOf(p))} | ${schema.required?.includes(name) ? 'yes' : 'no'} | ${cell(describe(p))} |`);
        out.push('');
      }
    }
  }
  return out.join('\n');
}

function routeOf(t: ToolSpec): string {
  const base = t.op.route.path;
  if (t.stage === 'run') return base;
  return `${base}/${t.stage}`;
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

function describe(p: JsonSchema): string {
  const d = p.description ?? p.anyOf?.find((x) => x.description)?.description ?? '';
  return p.default !== undefined ? `${d} Default ${JSON.stringify(p.default)}.`.trim() : d;
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

export const CONFIG_MARKERS = ['<!-- config:start -->', '<!-- config:end -->'] as const;

export function withConfigTable(readme: string, table: string): string {
  const [start, end] = CONFIG_MARKERS;
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error('README.md lacks the config markers');
  return `${readme.slice(0, i + start.length)}\n${table}\n${readme.slice(j)}`;
}

// Every tool an agent is pointed at exists. Walks what the agent reads (tools/list descriptions and
// schema descriptions, the server instructions, the guide resource, the rendered prompts) and the
// prose strings of tools/, workspace/ and src/ sources (descriptions, hints, summaries), and fails
// on a snake_case word that starts like a tool (a domain prefix) but names no tool.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../tools/index.js';
import { outputJsonSchema } from '../../src/catalog.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * Words with a tool-like prefix that are values, not tools: a message project kind, a batch
 * failure reason and a refresh outcome, each described in prose.
 */
const VALUES = new Set(['email_task', 'creator_not_found', 'email_found']);

const root = new URL('../../', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(root, p)).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The prose strings of a source file: literals with a space in them, so table names and keys stay out. */
function proseOf(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
      if (/\s/.test(n.text) && !/\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE|FROM \w+|JOIN \w+)\b/.test(n.text)) out.push(n.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Every description, property name and enum value of a JSON Schema. */
function walkSchema(node: unknown, texts: string[], words: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => walkSchema(n, texts, words));
  if (!node || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  if (typeof n.description === 'string') texts.push(n.description);
  for (const k of Object.keys((n.properties as object | undefined) ?? {})) words.add(k);
  for (const v of [...((n.enum as unknown[] | undefined) ?? []), n.const]) if (typeof v === 'string') words.add(v);
  for (const v of Object.values(n)) walkSchema(v, texts, words);
}

describe('tool names in prose', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('names only tools that exist', async () => {
    const listed = (await s.client.listTools()).tools;
    const tools = new Set(listed.map((t) => t.name));
    // An operation's base name (collection_batch for its _validate/_preview/_apply) names its stages.
    const known = new Set([...tools, ...[...tools].map((n) => n.replace(/_(validate|preview|apply)$/, '')), ...VALUES]);
    const texts: string[] = [s.client.getInstructions() ?? ''];
    // A backend that passes results through (cli) lists no output schemas; the contracts' own still
    // define the fields prose may name.
    const specs = new Map(s.app.tools.map((t) => [t.name, t]));
    for (const t of listed) {
      texts.push(t.description ?? '');
      walkSchema(t.inputSchema, texts, known);
      const spec = specs.get(t.name);
      walkSchema(t.outputSchema ?? (spec?.output ? outputJsonSchema({ output: spec.output }) : undefined), texts, known);
    }
    for (const r of (await s.client.listResources()).resources) {
      const read = await s.client.readResource({ uri: r.uri });
      texts.push(...read.contents.map((c) => ('text' in c ? c.text : '')));
    }
    const campaignId = ((await s.ok('campaign_list', {})).items as { campaign_id: string }[])[0]!.campaign_id;
    const taskId = ((await s.ok('email_list', {})).items as { task_id: string }[])[0]?.task_id ?? 'unknown';
    for (const p of (await s.client.listPrompts()).prompts) {
      for (const args of [{}, { campaign_id: campaignId }, { campaign_id: campaignId, goal: 'reach ten creators' }, { task_id: taskId }] as Record<string, string>[]) {
        const names = new Set((p.arguments ?? []).map((a) => a.name));
        if ((p.arguments ?? []).some((a) => a.required && !(a.name in args)) || Object.keys(args).some((k) => !names.has(k))) continue;
        const got = await s.client.getPrompt({ name: p.name, arguments: args });
        texts.push(...got.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')));
      }
    }
    const sources = ['tools', 'workspace', 'src'].flatMap(sourceFiles);
    const prefixes = [...new Set([...operations.map((o) => o.name.split('.')[0]!), ...listed.map((t) => t.name.split('_')[0]!)])];
    const word = new RegExp(`(?<![\\w.])(?:${prefixes.join('|')})_[a-z0-9_]*[a-z0-9](?!\\w)`, 'g');
    const unknown = new Map<string, string>();
    const check = (text: string, where: string) => {
      for (const [w] of text.matchAll(word)) if (!known.has(w) && !unknown.has(w)) unknown.set(w, `${where}: ${text.slice(0, 120)}`);
    };
    texts.forEach((t) => check(t, 'served text'));
    for (const f of sources) for (const t of proseOf(f)) check(t, f);
    expect(Object.fromEntries(unknown)).toEqual({});
    expect(sources.length).toBeGreaterThan(50); // the walk really read the sources
  });
});

// The built CLI, spawned as an MCP client would: over stdio from mcp.json, and over Streamable HTTP.
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawnHttpServer } from '../helpers/spawn.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = JSON.parse(readFileSync(join(root, 'mcp.json'), 'utf8')).mcpServers['nox-campaign'];
let dataDir: string;

beforeAll(() => {
  if (!existsSync(join(root, 'dist/src/cli.js'))) throw new Error('build first: npm run build (npm test does it)');
  dataDir = mkdtempSync(join(tmpdir(), 'nox-e2e-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function text(res: any): any {
  return JSON.parse(res.content[0].text);
}

describe('stdio, started from mcp.json', () => {
  it('lists tools, reads, and runs a preview/apply round trip with nothing but MCP on stdout', async () => {
    const transport = new StdioClientTransport({
      command: entry.command,
      args: entry.args,
      cwd: root,
      env: { ...process.env, ...entry.env, NOX_DATA_DIR: join(dataDir, 'stdio'), NOX_LOG_LEVEL: 'debug' } as Record<string, string>,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d) => (stderr += d));
    const protocolErrors: Error[] = [];
    transport.onerror = (e) => protocolErrors.push(e);
    const client = new Client({ name: 'e2e', version: '0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(15);
      for (const t of tools) expect(t.title && t.description && t.outputSchema && t.annotations).toBeTruthy();
      const campaigns = await client.callTool({ name: 'campaign_list', arguments: {} });
      expect((campaigns.structuredContent as any).total).toBeGreaterThanOrEqual(3);
      const col = (await client.callTool({ name: 'collection_list', arguments: {} })).structuredContent as any;
      const cid = col.items[0].collection_id;
      const p = (await client.callTool({ name: 'collection_delete_preview', arguments: { collection_id: cid } })).structuredContent as any;
      const a = await client.callTool({ name: 'collection_delete_apply', arguments: { collection_id: cid, preview_token: p.preview_token } });
      expect((a.structuredContent as any).result.deleted).toBe(true);
      const again = await client.callTool({ name: 'collection_delete_apply', arguments: { preview_token: p.preview_token, collection_id: cid } });
      expect((again.structuredContent as any).replayed).toBe(true);
      const bad = await client.callTool({ name: 'collection_get', arguments: { collection_id: 42 } });
      expect(bad.isError).toBe(true);
      expect(text(bad).error_code).toBe('INVALID_REQUEST');
      expect(protocolErrors).toEqual([]);
      expect(stderr).toContain('serving MCP over stdio');
      expect(stderr).not.toContain(p.preview_token);
    } finally {
      await client.close();
    }
  });
});

describe('Streamable HTTP', () => {
  let child: ChildProcess;
  let url: string;
  beforeAll(async () => {
    ({ child, url } = await spawnHttpServer({ NOX_DATA_DIR: join(dataDir, 'http') }));
  });
  afterAll(() => {
    child.kill('SIGTERM');
  });

  it('serves the first workflow steps to an SDK client', async () => {
    const client = new Client({ name: 'e2e-http', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('campaign_get');
      const list = (await client.callTool({ name: 'campaign_list', arguments: {} })).structuredContent as any;
      const got = (await client.callTool({ name: 'campaign_get', arguments: { campaign_id: list.items[0].campaign_id } })).structuredContent as any;
      expect(got.campaign_id).toBe(list.items[0].campaign_id);
    } finally {
      await client.close();
    }
    const health = await fetch(url.replace('/mcp', '/healthz'));
    expect(await health.json()).toEqual({ status: 'ok' });
    // fetch does not let a caller set Host, so a raw request plays the DNS-rebinding page.
    const foreign = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(foreign).toBe(403);
  });
});

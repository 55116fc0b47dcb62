// A newcomer's first hour: `npm start` serves MCP with nothing else on stdout (npm's banner and any
// build output go to stderr) and does not rebuild a current build; the package packs into a
// tarball whose files alone start the server on the demo workspace.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli, repoRoot } from '../helpers/spawn.js';

const dirs: string[] = [];
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const newestSource = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newestSource(join(dir, e.name)) : e.name.endsWith('.ts') ? statSync(join(dir, e.name)).mtimeMs : 0), 0);

/** Connects an SDK client to a command; any non-MCP line on its stdout is a protocol error. */
async function connect(command: string, args: string[], cwd: string, dataDir: string) {
  const transport = new StdioClientTransport({ command, args, cwd, env: { ...(process.env as Record<string, string>), NOX_DATA_DIR: dataDir, NOX_LOG_LEVEL: 'error' }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const protocolErrors: Error[] = [];
  transport.onerror = (e) => protocolErrors.push(e);
  const client = new Client({ name: 'newcomer', version: '0' });
  await client.connect(transport);
  return { client, protocolErrors, stderr: () => stderr };
}

describe('newcomer', () => {
  it('npm start, from another directory, puts nothing but MCP on stdout and does not rebuild a current build', async () => {
    const current = existsSync(builtCli) && statSync(builtCli).mtimeMs >= Math.max(...['src', 'tools', 'workspace'].map((d) => newestSource(join(repoRoot, d))));
    const s = await connect('npm', ['start', '--prefix', repoRoot], temp('nox-elsewhere-'), temp('nox-start-'));
    try {
      const tools = (await s.client.listTools()).tools;
      expect(tools.map((t) => t.name)).toContain('files_stage');
      expect((await s.client.callTool({ name: 'campaign_list', arguments: {} })).isError).toBeFalsy();
      expect(s.protocolErrors).toEqual([]);
      expect(s.stderr()).toContain('> nox-campaign-mcp@'); // npm's banner, on stderr
      if (current) expect(s.stderr()).not.toContain('building');
    } finally {
      await s.client.close();
    }
  });

  it('packs a tarball that is fit for a registry and starts the server from its own files', async () => {
    const out = temp('nox-pack-');
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = packed!.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'mcp.json', 'dist/src/cli.js', 'dist/tools/index.js', 'dist/workspace/index.js', 'docs/tools.md']));
    expect(paths.filter((p) => /^(src|tools|workspace|test|scripts)\/|\.map$|\.npmrc$/.test(p))).toEqual([]);
    const pkg = JSON.parse(execFileSync('tar', ['-xzOf', join(out, packed!.filename), 'package/package.json'], { encoding: 'utf8' }));
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toMatch(/^[A-Za-z0-9.-]+$/);
    // What npx would run: the tarball's bin, with the dependencies npm installs beside it.
    execFileSync('tar', ['-xzf', join(out, packed!.filename), '-C', out]);
    symlinkSync(join(repoRoot, 'node_modules'), join(out, 'package', 'node_modules'));
    const s = await connect(process.execPath, [join(out, 'package', pkg.bin['nox-campaign-mcp'])], out, temp('nox-pkdata-'));
    try {
      const campaigns = await s.client.callTool({ name: 'campaign_list', arguments: {} });
      expect(campaigns.isError).toBeFalsy();
      expect((campaigns.structuredContent as { items: unknown[] }).items.length).toBeGreaterThan(0);
      expect(s.protocolErrors).toEqual([]);
    } finally {
      await s.client.close();
    }
  });
});

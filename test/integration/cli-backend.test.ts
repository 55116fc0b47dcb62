// The cli backend against the stand-in CLI, and the ways a real CLI fails: hangs, crashes
// mid-apply, prints garbage, lacks a command, is logged out or missing, runs out of quota, leaks a
// credential on stderr, fails with a retryable exit code. Runs in the local project only: it sets
// up its own stand-in per server.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fakeCliExecutable, startServer, stopFakeCli, workspaceChecksum, type TestServer } from '../helpers/server.js';

const homeOf = (s: TestServer) => join(s.dir, 'fake-cli');
const setFaults = (s: TestServer, faults: Record<string, unknown>) => writeFileSync(join(homeOf(s), 'faults.json'), JSON.stringify(faults));
/** Every call the stand-in received: its argv and stdin. */
const calls = (s: TestServer) =>
  readFileSync(join(homeOf(s), 'argv.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { argv: string[]; stdin: string });

/** A server on the cli backend whose stand-in starts with these faults. */
async function cliServer(faults: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nox-cli-'));
  mkdirSync(join(dir, 'fake-cli'), { recursive: true });
  writeFileSync(join(dir, 'fake-cli', 'faults.json'), JSON.stringify(faults));
  const s = await startServer({ mode: 'cli', dir, env });
  const close = s.close;
  return { ...s, close: async () => (await close(), rmSync(dir, { recursive: true, force: true })) };
}

describe('cli backend', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await cliServer({ omit: ['brand-monitor get'] }, { NOX_CLI_TIMEOUT_MS: '4000' });
  });
  afterAll(() => s.close());
  afterEach(() => setFaults(s, {}));

  it('lists only what the installed CLI maps, with no output schemas', async () => {
    const tools = (await s.client.listTools()).tools;
    const names = tools.map((t) => t.name);
    expect(names).toContain('campaign_get');
    expect(names).toContain('brand_monitor_list');
    expect(names).not.toContain('brand_monitor_get');
    expect(tools.every((t) => t.outputSchema === undefined)).toBe(true);
  });

  it('passes the CLI data through, positional arguments and options from the schema', async () => {
    const list = await s.ok('campaign_list', { page_size: 2 });
    expect(list.items).toHaveLength(2);
    const id = list.items[0].campaign_id;
    const got = await s.ok('campaign_get', { campaign_id: id });
    expect(got.campaign_id ?? got.campaign?.campaign_id).toBe(id);
    const argv = calls(s).map((c) => c.argv);
    // Defaults the input schema fills in travel too: the CLI sees exactly what the tool call meant.
    expect(argv).toContainEqual(['campaign', 'list', '--page', '1', '--page_size', '2']);
    expect(argv).toContainEqual(['campaign', 'get', id]);
  });

  it('an argument with shell metacharacters reaches the CLI as one literal argument', async () => {
    const marker = join(s.dir, 'pwned');
    const evil = `x; touch ${marker} $(touch ${marker}) | & > '${marker}' "q" \`id\``;
    const e = await s.err('campaign_get', { campaign_id: evil });
    expect(e.error_code).toBe('NOT_FOUND');
    expect(calls(s).at(-1)!.argv).toEqual(['campaign', 'get', evil]);
    expect(existsSync(marker)).toBe(false);
    // A value that would read as an option never leaves.
    expect((await s.err('campaign_get', { campaign_id: '--force' })).error_code).toBe('INVALID_REQUEST');
  });

  it('preview is the dry run; apply runs --force once with the token-derived key, and a repeat replays', async () => {
    const col = await s.ok('collection_create', { name: 'CLI apply' });
    const creators = (await s.ok('creator_search', { platform: 'youtube', page_size: 2 })).items.map((c: any) => c.creator_id);
    const args = { collection_ids: [col.collection_id], platform: 'youtube', creator_ids: creators };
    const before = workspaceChecksum(s.workspaceDb);
    const p = await s.ok('collection_add_creators_preview', args);
    expect(workspaceChecksum(s.workspaceDb)).toBe(before);
    const a = await s.ok('collection_add_creators_apply', { ...args, preview_token: p.preview_token });
    expect(a.replayed).toBe(false);
    const again = await s.ok('collection_add_creators_apply', { ...args, preview_token: p.preview_token });
    expect(again.replayed).toBe(true);
    const forced = calls(s).filter((c) => c.argv[0] === 'collection' && c.argv[1] === 'add-creators' && c.argv.includes('--force'));
    expect(forced).toHaveLength(1);
    expect(forced[0]!.argv).toEqual(['collection', 'add-creators', '--body-file', '-', '--force']);
    expect(JSON.parse(forced[0]!.stdin).idempotency_key).toBe(`nox-${a.token_id}`);
  });

  it('staged families run the CLI stages of the command the selector names', async () => {
    const col = await s.ok('collection_create', { name: 'CLI staged' });
    const body = { collection_id: col.collection_id, platform: 'youtube', what: 'base' };
    await s.ok('collection_refresh_validate', body);
    const p = await s.ok('collection_refresh_preview', body);
    await s.ok('collection_refresh_apply', { ...body, preview_token: p.preview_token });
    const seen = calls(s)
      .filter((c) => c.argv[1] === 'refresh-base')
      .map((c) => c.argv.slice(0, 3).join(' ') + (c.argv.includes('--force') ? ' --force' : ''));
    // apply dry-runs the preview again before --force
    expect(seen).toEqual(['collection refresh-base validate', 'collection refresh-base preview', 'collection refresh-base preview', 'collection refresh-base apply --force']);
    expect(
      calls(s)
        .filter((c) => c.argv[1] === 'refresh-base')
        .every((c) => !('what' in JSON.parse(c.stdin || '{}'))),
    ).toBe(true);
  });

  it('an apply whose dry run changed since the preview is PREVIEW_STALE and never forced', async () => {
    const col = await s.ok('collection_create', { name: 'CLI stale' });
    const creators = (await s.ok('creator_search', { platform: 'youtube', page_size: 3 })).items.map((c: any) => c.creator_id);
    const args = { collection_ids: [col.collection_id], platform: 'youtube', creator_ids: creators };
    const p = await s.ok('collection_add_creators_preview', args);
    await s.previewApply('collection_add_creators', { ...args, creator_ids: [creators[0]] });
    const forcedBefore = calls(s).filter((c) => c.argv.includes('--force')).length;
    expect((await s.err('collection_add_creators_apply', { ...args, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect(calls(s).filter((c) => c.argv.includes('--force')).length).toBe(forcedBefore);
  });

  it('a crash mid-apply is APPLY_OUTCOME_UNKNOWN and is never re-run', async () => {
    const col = await s.ok('collection_create', { name: 'CLI crash' });
    const creators = (await s.ok('creator_search', { platform: 'youtube', page_size: 1 })).items.map((c: any) => c.creator_id);
    const args = { collection_ids: [col.collection_id], platform: 'youtube', creator_ids: creators };
    const p = await s.ok('collection_add_creators_preview', args);
    setFaults(s, { crash_on_force: ['collection add-creators'] });
    expect((await s.err('collection_add_creators_apply', { ...args, preview_token: p.preview_token })).error_code).toBe('APPLY_OUTCOME_UNKNOWN');
    expect((await s.err('collection_add_creators_apply', { ...args, preview_token: p.preview_token })).error_code).toBe('APPLY_OUTCOME_UNKNOWN');
    expect(calls(s).filter((c) => c.argv[1] === 'add-creators' && c.argv.includes('--force') && JSON.parse(c.stdin).collection_ids[0] === col.collection_id)).toHaveLength(1);
    // It did happen upstream: reading back shows it.
    setFaults(s, {});
    expect((await s.ok('collection_items', { collection_id: col.collection_id, platform: 'youtube' })).items).toHaveLength(1);
  });

  it('a hanging CLI is stopped at the timeout; garbage output is reported with the exit code', async () => {
    setFaults(s, { hang: ['campaign list'], garbage: ['campaign dropdown'] });
    const t0 = Date.now();
    const hung = await s.err('campaign_list', {});
    expect(hung.error_code).toBe('UPSTREAM_UNAVAILABLE');
    expect(hung.summary).toMatch(/no answer within 4000 ms/);
    expect(Date.now() - t0).toBeLessThan(4000 * 4 + 10_000);
    const junk = await s.err('campaign_dropdown', {});
    expect(junk).toMatchObject({ error_code: 'UPSTREAM_UNAVAILABLE' });
    expect(junk.summary).toMatch(/exited with code 0 \(OK\) without a response envelope/);
  });

  it('keeps upstream errors and their action; quota says so; credentials on stderr are redacted', async () => {
    setFaults(s, { quota: ['campaign list'], leak: ['campaign dropdown'] });
    const q = await s.err('campaign_list', {});
    expect(q).toMatchObject({ error_code: 'INSUFFICIENT_CREDIT', action: { type: 'redirect', url: 'https://www.noxinfluencer.com/skills/usage-billing' } });
    expect(q.summary).toMatch(/quota is exhausted/);
    const leak = await s.err('campaign_dropdown', {});
    expect(leak.summary).toMatch(/exited with code 1 \(GENERAL_ERROR\)/);
    expect(JSON.stringify(leak)).not.toMatch(/sk_live_0123456789abcdef|abcdef0123456789/);
    expect(leak.summary).toContain('[redacted]');
  });

  it('reads retry on retryable exit codes', async () => {
    setFaults(s, { flaky: { 'campaign dropdown': 2 } });
    await s.ok('campaign_dropdown', {});
  });
});

describe('cli backend without a usable CLI', () => {
  it('logged out: the server starts and every tool answers AUTH_REQUIRED with the login hint', async () => {
    const s = await cliServer({ logged_out: true });
    try {
      expect((await s.client.listTools()).tools.length).toBeGreaterThan(50);
      const e = await s.err('campaign_list', {});
      expect(e.error_code).toBe('AUTH_REQUIRED');
      expect(e.action?.hint).toMatch(/noxinfluencer login/);
    } finally {
      await s.close();
    }
  });

  it('missing: every tool answers BACKEND_UNAVAILABLE naming the install command', async () => {
    const s = await startServer({
      mode: 'local',
      backend: undefined,
      argv: ['--backend', 'cli'],
      env: { NOX_CLI: '/nonexistent/noxinfluencer' },
      cliProbe: await (await import('../../src/backend/cli/index.js')).probeCli({ executable: '/nonexistent/noxinfluencer', timeoutMs: 5000, env: process.env }),
    });
    try {
      const e = await s.err('campaign_list', {});
      expect(e.error_code).toBe('BACKEND_UNAVAILABLE');
      expect(e.action?.hint).toMatch(/npm install -g @noxinfluencer\/cli/);
    } finally {
      await s.close();
    }
  });
});

describe('nox-campaign-mcp doctor', () => {
  const cli = join(process.cwd(), 'dist', 'src', 'cli.js');
  it('reports the version, the login and what maps; a missing CLI names how to install it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nox-doctor-'));
    try {
      const exe = fakeCliExecutable(join(dir, 'home'), join(dir, 'files'));
      writeFileSync(join(dir, 'home', 'faults.json'), JSON.stringify({ omit: ['brand-monitor get'] }));
      const ok = spawnSync(process.execPath, [cli, 'doctor'], { env: { ...process.env, NOX_CLI: exe, NOX_DATA_DIR: dir }, encoding: 'utf8' });
      expect(ok.status).toBe(0);
      expect(ok.stdout).toBe('');
      expect(ok.stderr).toMatch(/0\.5\.9/);
      expect(ok.stderr).toMatch(/logged in/);
      expect(ok.stderr).toMatch(/brand_monitor\.get: the CLI has no `brand-monitor get`/);
      const missing = spawnSync(process.execPath, [cli, 'doctor'], { env: { ...process.env, NOX_CLI: join(dir, 'nope'), NOX_DATA_DIR: dir }, encoding: 'utf8' });
      expect(missing.status).toBe(1);
      expect(missing.stdout).toBe('');
      expect(missing.stderr).toMatch(/npm install -g @noxinfluencer\/cli/);
    } finally {
      // The doctor's calls started a stand-in server of their own (no test server hosts this home).
      await stopFakeCli(join(dir, 'home'));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The built CLI over raw stdio: a start records its initialize and tools/list answers in the data
// dir, and the next start with the same inputs sends them before the server has loaded. Each
// request gets exactly one answer, the same bytes either way; a recording that differs from the
// server is said on stderr and recorded anew; other inputs have their own recording; a start whose
// list depends on more than its inputs records nothing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, repoRoot, spawnServer } from '../helpers/spawn.js';
import { inputsKey } from '../../src/start-answers.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nox-start-'));
  await (await spawnServer(dataDir)).close(); // seeds the workspace (a client start records nothing it does not list)
  rmSync(join(dataDir, 'start-answers'), { recursive: true, force: true });
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } };
const SESSION = [
  INIT,
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/list' },
  { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'campaign_list', arguments: {} } },
];

interface Session {
  /** Every line the server wrote on stdout, in order. */
  lines: string[];
  stderr: string;
}

/** Sends the messages at once, waits for the answer to the last one and for the server to settle, then stops it. */
function session(messages: object[], args: string[] = [], env: Record<string, string> = {}): Promise<Session> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli, ...args], { env: { ...process.env, NOX_DATA_DIR: dataDir, NOX_LOG_LEVEL: 'warn', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    const last = (messages.at(-1) as { id?: number }).id;
    const timer = setTimeout(() => child.kill(), 30_000);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      out += d;
      const whole = out.split('\n').slice(0, -1); // a long answer arrives in several chunks
      const answered = whole.some((l) => (JSON.parse(l) as { id?: number }).id === last);
      // The server compares and records just after it answers: give it a moment before stopping it.
      if (answered) setTimeout(() => child.stdin.end(), 300);
    });
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve({ lines: out.split('\n').filter(Boolean), stderr });
    });
    for (const m of messages) child.stdin.write(`${JSON.stringify(m)}\n`);
  });
}

const ids = (s: Session) => s.lines.map((l) => (JSON.parse(l) as { id?: unknown }).id);
const recordings = () => (existsSync(join(dataDir, 'start-answers')) ? readdirSync(join(dataDir, 'start-answers')).filter((f) => f.endsWith('.json')) : []);

describe('recorded start answers', () => {
  it('the first start records; the next one answers the same bytes, once per request, and serves calls', async () => {
    const first = await session(SESSION);
    expect(ids(first)).toEqual([1, 2, 3]);
    expect(recordings()).toHaveLength(1);
    const second = await session(SESSION);
    expect(ids(second)).toEqual([1, 2, 3]);
    expect(second.lines.slice(0, 2)).toEqual(first.lines.slice(0, 2));
    expect(JSON.parse(second.lines[2]!).result.isError).toBeFalsy();
    expect(second.stderr).not.toContain('differed');
  });

  it('a recording that differs from the server is said and recorded anew', async () => {
    await session(SESSION);
    const file = join(dataDir, 'start-answers', recordings()[0]!);
    const recording = JSON.parse(readFileSync(file, 'utf8')) as { tools: string };
    writeFileSync(file, JSON.stringify({ ...recording, tools: recording.tools.replace('"campaign_list"', '"campaign_listed"') }));
    const stale = await session(SESSION);
    expect(ids(stale)).toEqual([1, 2, 3]); // the server's own answer to tools/list is still dropped
    expect(stale.lines[1]).toContain('"campaign_listed"');
    expect(stale.stderr).toContain('the recorded answer differed');
    const fixed = await session(SESSION);
    expect(fixed.lines[1]).toContain('"campaign_list"');
    expect(fixed.lines[1]).not.toContain('"campaign_listed"');
    expect(fixed.stderr).not.toContain('differed');
  });

  it('a recording made by other modules (a rebuild, an upgrade) is not replayed', async () => {
    await session(SESSION);
    const file = join(dataDir, 'start-answers', recordings()[0]!);
    const recording = JSON.parse(readFileSync(file, 'utf8')) as { tools: string };
    writeFileSync(file, JSON.stringify({ ...recording, tools: recording.tools.replace('"campaign_list"', '"campaign_listed"') }));
    const module = join(repoRoot, 'dist/src/stdio.js');
    const { atime, mtime } = statSync(module);
    utimesSync(module, atime, new Date(mtime.getTime() + 1000)); // what a rebuild does to the stamp
    const after = await session(SESSION);
    expect(after.lines[1]).toContain('"campaign_list"');
    expect(after.lines[1]).not.toContain('"campaign_listed"');
    expect(after.stderr).not.toContain('differed');
  });

  it('other inputs get their own recording, and another protocol version is not replayed', async () => {
    const before = recordings().length;
    const readOnly = await session(SESSION, ['--read-only']);
    expect(recordings()).toHaveLength(before + 1);
    expect(readOnly.lines[1]).not.toContain('"campaign_delete_apply"');
    const older = { ...INIT, params: { ...INIT.params, protocolVersion: '2025-03-26' } };
    const other = await session([older, ...SESSION.slice(1)]);
    expect(ids(other)).toEqual([1, 2, 3]);
    expect(JSON.parse(other.lines[0]!).result.protocolVersion).toBe('2025-03-26');
  });

  it('a malformed initialize gets the server’s own error, not a recorded answer', async () => {
    await session(SESSION); // a recording exists for these inputs
    const bad = await session([
      { ...INIT, params: { protocolVersion: '2025-06-18' } },
      { jsonrpc: '2.0', id: 2, method: 'ping' },
    ]);
    expect(ids(bad)).toEqual([1, 2]);
    expect(JSON.parse(bad.lines[0]!).error).toBeDefined();
  });

  it('a tools/list reusing the initialize id, and a second initialize, get the server’s answers, once each', async () => {
    await session(SESSION); // a recording exists for these inputs
    const reused = await session([
      INIT,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { ...INIT, id: 4 },
      { jsonrpc: '2.0', id: 5, method: 'ping' },
    ]);
    expect(ids(reused)).toEqual([1, 1, 4, 5]);
    expect(JSON.parse(reused.lines[1]!).result.tools.length).toBeGreaterThan(100);
    expect(reused.stderr).not.toContain('differed');
  });

  it('a start on the cli backend records nothing (its list depends on the installed CLI)', async () => {
    const before = recordings().length;
    const cli = await session(SESSION, ['--backend', 'cli'], { NOX_CLI: join(dataDir, 'no-such-cli') });
    expect(ids(cli)).toContain(2);
    expect(recordings()).toHaveLength(before);
  });
});

describe('inputsKey', () => {
  it('tells inputs apart, and sees a secret only as set or not', () => {
    const env = { NOX_DATA_DIR: '/d', NOX_API_KEY: 'one', PATH: '/bin' };
    expect(inputsKey([], env)).toBe(inputsKey([], { ...env, NOX_API_KEY: 'two', PATH: '/usr/bin' }));
    expect(inputsKey([], env)).not.toBe(inputsKey([], { NOX_DATA_DIR: '/d', PATH: '/bin' }));
    expect(inputsKey([], env)).not.toBe(inputsKey(['--read-only'], env));
    expect(inputsKey([], env)).not.toBe(inputsKey([], { ...env, NOX_SURFACE: 'compact' }));
  });
});

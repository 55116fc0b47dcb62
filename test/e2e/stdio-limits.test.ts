// The built CLI over stdio: an upload within the documented limit (~9 MB, 12 M characters of
// base64) gets a normal answer instead of closing the transport, and whenever the server stops it
// says why on stderr (stdout stays MCP only).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, spawnServer } from '../helpers/spawn.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nox-stdio-'));
  await (await spawnServer(dataDir)).close(); // seeds the workspace once
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('stdio message size', () => {
  it('answers a preview of a ~9 MB attachment sent as base64, and keeps serving', async () => {
    const s = await spawnServer(dataDir);
    try {
      const bytes = randomBytes(9 * 1024 * 1024);
      const content = bytes.toString('base64');
      expect(content.length).toBeGreaterThan(10 * 1024 * 1024); // over the SDK's default stdio limit
      const r = await s.client.callTool({ name: 'message_attachments_upload_preview', arguments: { thread_id: 'thr_0001', content_base64: content, filename: 'deck.pdf' } }, undefined, {
        timeout: 120_000,
      });
      expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
      expect((r.structuredContent as any).effect).toMatchObject({ file_name: 'deck.pdf', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      expect((await s.client.callTool({ name: 'campaign_list', arguments: {} })).isError).toBeFalsy();
      expect(s.protocolErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

/** The CLI with raw pipes; resolves once it serves, with a way to wait for its exit. */
async function startRaw() {
  const child = spawn(process.execPath, [builtCli], { env: { ...process.env, NOX_DATA_DIR: dataDir, NOX_LOG_LEVEL: 'info' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start: ${stderr}`)), 30_000);
    const check = () => {
      if (stderr.includes('serving MCP over stdio')) {
        clearTimeout(timer);
        child.stderr.off('data', check);
        resolve();
      }
    };
    child.stderr.on('data', check);
    void exited.then(() => reject(new Error(`exited: ${stderr}`)));
  });
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

/** The structured log line that says why the server stopped. */
const stopLine = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; reason?: string; error?: string; exit_code?: number })
    .find((l) => l.msg.startsWith('stopping:'));

describe('the server says why it stops', () => {
  it('when the client closes stdin', async () => {
    const p = await startRaw();
    p.child.stdin.end();
    expect(await p.exited).toBe(0);
    expect(stopLine(p.stderr())).toMatchObject({ reason: expect.stringContaining('stdin ended'), exit_code: 0 });
    expect(p.stdout()).toBe('');
  });

  it('when the client closes stdin before the server has loaded', async () => {
    // stdin is read from the process's start (src/start-answers.ts), so its end may come first.
    const child = spawn(process.execPath, [builtCli], { env: { ...process.env, NOX_DATA_DIR: dataDir, NOX_LOG_LEVEL: 'info' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stopLine(stderr)).toMatchObject({ reason: expect.stringContaining('stdin ended'), exit_code: 0 });
  });

  it('when a message is over the transport limit', async () => {
    const p = await startRaw();
    p.child.stdin.on('error', () => {}); // the server may stop reading before all of it is written
    p.child.stdin.write(Buffer.alloc(17 * 1024 * 1024, 0x61));
    expect(await p.exited).toBe(1);
    const line = stopLine(p.stderr());
    expect(line).toMatchObject({ reason: 'stdio transport closed after an error', exit_code: 1 });
    expect(line?.error).toContain('maximum size');
    expect(p.stdout()).toBe('');
  });

  it('when it gets a signal', async () => {
    const p = await startRaw();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(stopLine(p.stderr())).toMatchObject({ reason: 'signal SIGTERM', exit_code: 0 });
  });
});

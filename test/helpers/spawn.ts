// The built CLI as a child process with an SDK client over stdio (e2e, fuzz and crash tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const builtCli = join(repoRoot, 'dist/src/cli.js');

export interface Spawned {
  client: Client;
  transport: StdioClientTransport;
  pid: number;
  /** Errors the transport saw (a non-MCP line on stdout is one). */
  protocolErrors: Error[];
  stderr(): string;
  close(): Promise<void>;
  /** SIGKILL: no shutdown code runs. */
  kill(): void;
}

export async function spawnServer(dataDir: string, env: Record<string, string> = {}, args: string[] = []): Promise<Spawned> {
  if (!existsSync(builtCli)) throw new Error('build first: npm run build (npm test does it)');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [builtCli, ...args],
    env: { ...(process.env as Record<string, string>), NOX_DATA_DIR: dataDir, NOX_LOG_LEVEL: 'error', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const protocolErrors: Error[] = [];
  transport.onerror = (e) => protocolErrors.push(e);
  const client = new Client({ name: 'spawn-test', version: '0' });
  await client.connect(transport);
  await client.listTools();
  const pid = transport.pid!;
  return {
    client,
    transport,
    pid,
    protocolErrors,
    stderr: () => stderr,
    close: () => client.close(),
    kill: () => process.kill(pid, 'SIGKILL'),
  };
}

/** The built CLI serving Streamable HTTP on a free loopback port; resolves once it logs its URL. */
export async function spawnHttpServer(env: Record<string, string>, args: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  if (!existsSync(builtCli)) throw new Error('build first: npm run build');
  const child = spawn(process.execPath, [builtCli, '--http', '--port', '0', ...args], {
    env: { ...process.env, NOX_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`the HTTP server did not start: ${buf}`)), 30_000);
    child.stderr!.on('data', (d) => {
      buf += d;
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+\/mcp)"/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the HTTP server exited (${code}): ${buf}`));
    });
  });
  return { child, url };
}

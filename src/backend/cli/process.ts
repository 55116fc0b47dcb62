// Runs the CLI once: spawned without a shell (each argument reaches it as one literal string),
// with a timeout, a cap on what it may print, and a bound on how many run at once.
import { spawn } from 'node:child_process';

export interface RunOptions {
  stdin?: string;
  timeoutMs: number;
  maxOutputBytes: number;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface RunResult {
  /** Exit code; null when the process was killed or never started. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** What went wrong around the process itself, if anything. */
  failure?: 'not_found' | 'spawn_failed' | 'timeout' | 'output_too_large' | 'killed' | 'cancelled';
}

export function runProcess(executable: string, argv: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(executable, argv, { shell: false, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      resolve({ code: null, stdout: '', stderr: '', failure: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not_found' : 'spawn_failed' });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let failure: RunResult['failure'];
    let settled = false;
    const stop = (why: NonNullable<RunResult['failure']>) => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
    const onAbort = () => stop('cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > opts.maxOutputBytes) stop('output_too_large');
      else out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      // stderr is only ever excerpted: keep its first part.
      if (errBytes < 64 * 1024) err.push(b);
      errBytes += b.length;
    });
    // A CLI that exits before reading its stdin must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin ?? '');
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (spawnError) failure ??= spawnError.code === 'ENOENT' ? 'not_found' : 'spawn_failed';
      else if (code === null && signal) failure ??= 'killed';
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(failure ? { failure } : {}) });
    };
    child.on('error', (e) => finish(null, null, e as NodeJS.ErrnoException));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** At most `max` processes at once; the others wait in order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

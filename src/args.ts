// The command line as flags and positionals, and where the data dir is: what a start needs before
// it loads anything else (src/start-answers.ts reads it ahead of zod and the SDK; src/config.ts
// validates the rest).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const FLAGS = {
  http: { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'store-url': { type: 'string' },
  'files-dir': { type: 'string' },
  backend: { type: 'string' },
  'api-base-url': { type: 'string' },
  toolsets: { type: 'string' },
  'read-only': { type: 'boolean' },
  tools: { type: 'string' },
  surface: { type: 'string' },
  'no-output-schemas': { type: 'boolean' },
  'preview-ttl': { type: 'string' },
  'require-confirmation': { type: 'boolean' },
  'log-level': { type: 'string' },
  reset: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** The flags and positionals of argv; throws on an unknown flag or a missing value. */
export function readArgs(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: FLAGS });
}

/** The data dir: --data-dir, else NOX_DATA_DIR, else ~/.nox-campaign-mcp, as an absolute path. */
export function dataDirOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolve(flag ?? env.NOX_DATA_DIR ?? join(homedir(), '.nox-campaign-mcp'));
}

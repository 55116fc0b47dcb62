#!/usr/bin/env node
// Entry point (docs/architecture.md). A `serve` over stdio starts listening before anything else
// loads, so it can answer initialize and tools/list from the last start's recording while the
// server loads (src/start-answers.ts); then src/main.ts, the composition root, runs the command.
import { StdioStart } from './start-answers.js';

const argv = process.argv.slice(2);
// The MCP channel is the process's stdin and stdout; logs and messages go to stderr.
const stdio = StdioStart.open(argv, process.env, { stdin: process.stdin, stdout: process.stdout });
import('./main.js').then(
  ({ run }) => run(argv, stdio),
  (err: unknown) => {
    process.stderr.write(`nox-campaign-mcp: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);

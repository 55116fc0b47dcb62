// The stdio transport, sized for the largest message a tool accepts.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Readable, Writable } from 'node:stream';

/**
 * The largest stdio message accepted. The SDK's default (10 MiB) is smaller than a tools/call
 * carrying the largest file a schema accepts (10 MB is 13.4 M characters of base64), and a message
 * over the limit closes the transport, which stopped the server. 16 MiB fits that file with its
 * JSON envelope; test/unit/stdio.test.ts checks it against the catalog's largest content_base64.
 */
export const STDIO_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Over the given streams (the stdio start's, src/start-answers.ts), else the process's own. */
export function stdioTransport(streams?: { input: Readable; output: Writable }): StdioServerTransport {
  return new StdioServerTransport(streams?.input ?? process.stdin, streams?.output ?? process.stdout, { maxBufferSize: STDIO_MAX_MESSAGE_BYTES });
}

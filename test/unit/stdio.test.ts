// The stdio transport's message limit fits the largest file a tool accepts as base64 (files_stage included).
import { describe, expect, it } from 'vitest';
import { selectTools } from '../../src/catalog.js';
import { listTools } from '../../src/server.js';
import { STDIO_MAX_MESSAGE_BYTES } from '../../src/stdio.js';
import { servedOperations } from '../../src/app.js';
import { catalog } from '../../tools/index.js';

describe('STDIO_MAX_MESSAGE_BYTES', () => {
  it('fits the largest content_base64 any tool accepts, with room for the rest of the message', () => {
    const largest = Math.max(...listTools(selectTools(servedOperations(catalog), {})).map((t) => (t.inputSchema.properties?.content_base64 as { maxLength?: number } | undefined)?.maxLength ?? 0));
    expect(largest).toBeGreaterThan(10 * 1024 * 1024); // a 10 MB file is more than the SDK's default limit as base64
    expect(STDIO_MAX_MESSAGE_BYTES).toBeGreaterThanOrEqual(largest + 64 * 1024);
  });
});

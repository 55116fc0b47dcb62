// Every _preview (and _validate) tool of the catalog leaves the workspace unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectTools } from '../../src/catalog.js';
import { operations } from '../../tools/index.js';
import { startServer, workspaceChecksum, type TestServer } from '../helpers/server.js';
import type { PreviewExamples } from '../helpers/examples/types.js';

const modules = import.meta.glob<{ previewExamples: PreviewExamples }>('../helpers/examples/*.ts', { eager: true });
const examples: PreviewExamples = Object.assign({}, ...Object.values(modules).map((m) => m.previewExamples ?? {}));
const previewTools = selectTools(operations, {}).filter((t) => t.stage === 'preview');

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

describe('previews are side-effect free', () => {
  it('has an example for every preview tool', () => {
    const missing = previewTools.map((t) => t.name.replace(/_preview$/, '')).filter((base) => !examples[base]);
    expect(missing).toEqual([]);
  });

  for (const tool of previewTools) {
    const base = tool.name.replace(/_preview$/, '');
    it(`${tool.name} (and its validate) writes nothing`, async () => {
      const example = examples[base];
      if (!example) return; // reported by the test above
      const args = await example(s);
      const before = workspaceChecksum(s.workspaceDb);
      if (tool.op.kind === 'staged') await s.ok(`${base}_validate`, args);
      const p = await s.ok(tool.name, args);
      expect(p.preview_token).toBeTruthy();
      expect(workspaceChecksum(s.workspaceDb)).toBe(before);
    });
  }
});

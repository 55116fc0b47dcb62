// On the http backend the API has files of its own: a path given to this server is read here and
// sent upstream as bytes, so imports and uploads work against a remote API.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ mode: 'http', separateFiles: true });
});
afterAll(() => s.close());

describe('file inputs over the http backend', () => {
  it('sends a local spreadsheet upstream as bytes for preview and apply', async () => {
    mkdirSync(join(s.app.files.root, 'imports'), { recursive: true });
    writeFileSync(join(s.app.files.root, 'imports', 'picks.csv'), 'url\nhttps://www.tiktok.com/@remote_first_pick\nhttps://www.tiktok.com/@remote_second_pick\n');
    const args = { collection_id: 'col_004', path: 'imports/picks.csv' };
    const p = await s.ok('collection_import_file_preview', args);
    expect(p.effect).toMatchObject({ row_count: 2 });
    await s.ok('collection_import_file_apply', { ...args, preview_token: p.preview_token });
    await s.drainJobs();
    const items = await s.ok('collection_items', { collection_id: 'col_004', platform: 'tiktok', keyword: 'remote_', page_size: 10 });
    expect(items.items.map((i: any) => i.channel_id).sort()).toEqual(['remote_first_pick', 'remote_second_pick']);
    // the API never saw the path: the file is not in its own files root
    expect(existsSync(join(s.dir, 'sandbox', 'files', 'imports', 'picks.csv'))).toBe(false);
  });

  it('a file changed after its preview makes the apply stale upstream', async () => {
    const file = join(s.app.files.root, 'imports', 'later.csv');
    writeFileSync(file, 'url\nhttps://www.tiktok.com/@remote_third_pick\n');
    const args = { collection_id: 'col_004', path: 'imports/later.csv' };
    const p = await s.ok('collection_import_file_preview', args);
    writeFileSync(file, 'url\nhttps://www.tiktok.com/@remote_other_pick\n');
    expect((await s.err('collection_import_file_apply', { ...args, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');
  });

  it("refuses a path outside this server's files root before anything is sent", async () => {
    const e = await s.err('collection_import_file_preview', { collection_id: 'col_004', path: '../outside.csv' });
    expect(e.error_code).toBe('FILE_REFUSED');
  });
});

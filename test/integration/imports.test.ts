// Spreadsheet imports through the MCP client: collection import (async, through the job runner)
// and CRM import (synchronous), from real .xlsx and .csv files written here, with bad rows, wrong
// extensions, oversized files and paths outside the files root. Nothing is ever half-imported.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, workspaceChecksum, type TestServer } from '../helpers/server.js';
import { readTable } from '../../src/spreadsheet.js';
import { repeat, sheetXml, workbook } from '../helpers/zip.js';

let s: TestServer;
let root: string;
const db = () => s.workspaceDb;
const creatorCount = () => db().prepare('SELECT COUNT(*) FROM creators').pluck().get() as number;

beforeAll(async () => {
  s = await startServer();
  root = s.app.files.root;
});
afterAll(() => s.close());

function put(rel: string, data: Buffer | string): string {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), data);
  return rel;
}

async function xlsx(rel: string, rows: string[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Creators');
  for (const r of rows) sheet.addRow(r);
  return put(rel, Buffer.from(await wb.xlsx.writeBuffer()));
}

const csv = (rel: string, rows: string[][]) => put(rel, rows.map((r) => r.join(',')).join('\r\n') + '\r\n');

/** Seeded creators of each platform that are in no CRM channel and not in the collection. */
function seeded(platformName: string, n: number, notIn?: string): { creator_id: string; channel_url: string; channel_id: string }[] {
  return db()
    .prepare(
      `SELECT creator_id, channel_url, channel_id FROM creators WHERE platform = ? AND creator_id NOT IN (SELECT creator_id FROM crm_channels)
       AND creator_id NOT IN (SELECT creator_id FROM collection_items WHERE collection_id = ?) AND creator_id LIKE 'cr_0%' ORDER BY creator_id LIMIT ?`,
    )
    .all(platformName, notIn ?? '', n) as any[];
}

describe('collection_import_template', () => {
  it('writes the template into the files root, never over an existing file', async () => {
    const r = await s.ok('collection_import_template', { output_path: 'templates/col.xlsx' });
    expect(r).toMatchObject({ path: 'templates/col.xlsx' });
    expect(r.bytes).toBeGreaterThan(1000);
    const { readFileSync } = await import('node:fs');
    const table = await readTable({ name: 'col.xlsx', ext: '.xlsx', bytes: readFileSync(join(root, 'templates/col.xlsx')) }, { maxRows: 10 });
    expect(table.header[0]).toContain('Creator URL');
    expect(table.rows.length).toBeGreaterThan(0);
    expect((await s.err('collection_import_template', { output_path: 'templates/col.xlsx' })).error_code).toBe('FILE_REFUSED');
    expect((await s.err('collection_import_template', { output_path: '../escape.xlsx' })).error_code).toBe('FILE_REFUSED');
  });
});

describe('collection_import_file', () => {
  it('previews an .xlsx without writing, then imports it through the job runner', async () => {
    const col = await s.ok('collection_create', { name: 'Imported', campaign_id: 'cmp_001' });
    const yt = seeded('youtube', 1, col.collection_id)[0]!;
    const tt = seeded('tiktok', 1, col.collection_id)[0]!;
    const ig = seeded('instagram', 1, col.collection_id)[0]!;
    const path = await xlsx('imports/creators.xlsx', [
      ['Creator URL', 'Email'],
      [yt.channel_url, ''], // row 2: existing youtube creator by /channel/<id>
      [`tiktok.com/@${tt.channel_id}?lang=en`, 'TT@Example.com'], // row 3: existing, URL without scheme
      [ig.channel_url, ''], // row 4
      ['https://www.tiktok.com/@brand.new.creator', 'new@example.com'], // row 5: unknown → new creator
      ['https://youtube.com/@FreshChannel', ''], // row 6: unknown youtube handle
      ['https://example.com/not-a-creator', ''], // row 7: bad URL
      ['https://www.instagram.com/good.handle/', 'not-an-email'], // row 8: bad email
      [yt.channel_url, ''], // row 9: duplicate of row 2
      ['', 'orphan@example.com'], // row 10: missing URL
    ]);
    const body = { collection_id: col.collection_id, path };
    const before = workspaceChecksum(db());
    const p = await s.ok('collection_import_file_preview', body);
    expect(workspaceChecksum(db())).toBe(before);
    expect(p.effect).toMatchObject({
      file_name: 'creators.xlsx',
      row_count: 9,
      importable_count: 5,
      by_platform: { youtube: 2, tiktok: 2, instagram: 1 },
      will_add_count: 3,
      new_creator_count: 2,
      already_in_collection_count: 0,
      duplicate_count: 1,
      duplicates: [{ row: 9, duplicate_of_row: 2 }],
      failed_count: 3,
    });
    expect(p.effect.failed_items).toEqual([
      expect.objectContaining({ row: 7, column: 'A', value: 'https://example.com/not-a-creator' }),
      expect.objectContaining({ row: 8, column: 'B', value: 'not-an-email' }),
      expect.objectContaining({ row: 10, column: 'A', reason: 'Missing creator URL.' }),
    ]);

    const creatorsBefore = creatorCount();
    const a = await s.ok('collection_import_file_apply', { ...body, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ status: 'queued', queued_row_count: 5, failed_count: 3, duplicate_count: 1, campaign_id: 'cmp_001' });
    const queued = await s.ok('collection_import_status', { import_id: a.result.import_id });
    expect(queued).toMatchObject({ status: 'queued', progress: 0, total: 5 });
    expect(queued.failed_items).toHaveLength(3);
    expect(creatorCount()).toBe(creatorsBefore); // nothing happens before the job runs

    await s.drainJobs();
    const done = await s.ok('collection_import_status', { import_id: a.result.import_id });
    expect(done).toMatchObject({ status: 'done', progress: 5, total: 5, imported_count: 5, already_present_count: 0, created_creators_count: 2, duplicate_count: 1, error: null });
    expect(done.failed_items.map((f: any) => `${f.row}${f.column}`)).toEqual(['7A', '8B', '10A']);
    expect(creatorCount()).toBe(creatorsBefore + 2);

    const items = async (platformName: string) => (await s.ok('collection_items', { collection_id: col.collection_id, platform: platformName, page_size: 100 })).items as any[];
    const tiktok = await items('tiktok');
    expect(tiktok.map((i) => i.channel_id).sort()).toEqual(['brand.new.creator', tt.channel_id].sort());
    expect(tiktok.every((i) => i.source === 'imported')).toBe(true);
    expect(tiktok.find((i) => i.creator_id === tt.creator_id).email).toBe('tt@example.com');
    const youtube = await items('youtube');
    expect(youtube.map((i) => i.channel_id).sort()).toEqual(['@freshchannel', yt.channel_id].sort());
    const fresh = youtube.find((i) => i.channel_id === '@freshchannel');
    expect(fresh).toMatchObject({ nickname: 'freshchannel', followers: 0, channel_url: 'https://www.youtube.com/@freshchannel' });
    expect((await items('instagram')).map((i) => i.creator_id)).toEqual([ig.creator_id]);
  });

  it('imports a .csv without a header row and from content_base64; repeats are already present', async () => {
    const col = await s.ok('collection_create', { name: 'CSV import' });
    const tt = seeded('tiktok', 2, col.collection_id);
    const text = tt.map((c) => c.channel_url).join('\n') + '\n';
    const p = await s.ok('collection_import_file_preview', { collection_id: col.collection_id, content_base64: Buffer.from(text).toString('base64'), filename: 'list.csv' });
    expect(p.effect).toMatchObject({ row_count: 2, importable_count: 2, will_add_count: 2, failed_count: 0 });
    expect(p.effect.sample.map((r: any) => r.row)).toEqual([1, 2]);
    const path = csv('imports/list.csv', [['url'], ...tt.map((c) => [c.channel_url])]);
    const r1 = await s.previewApply('collection_import_file', { collection_id: col.collection_id, path });
    await s.drainJobs();
    expect(await s.ok('collection_import_status', { import_id: r1.result.import_id })).toMatchObject({ status: 'done', imported_count: 2 });
    const again = await s.ok('collection_import_file_preview', { collection_id: col.collection_id, path });
    expect(again.effect).toMatchObject({ will_add_count: 0, already_in_collection_count: 2 });
    const r2 = await s.ok('collection_import_file_apply', { collection_id: col.collection_id, path, preview_token: again.preview_token });
    await s.drainJobs();
    expect(await s.ok('collection_import_status', { import_id: r2.result.import_id })).toMatchObject({ status: 'done', imported_count: 0, already_present_count: 2 });
  });

  it('reports progress while a large import runs', async () => {
    const col = await s.ok('collection_create', { name: 'Big import' });
    const rows = Array.from({ length: 600 }, (_, i) => [`https://www.instagram.com/bulk.import.${i}/`]);
    const path = csv('imports/big.csv', [['Creator URL'], ...rows]);
    const seen: number[] = [];
    const off = s.app.jobs.onUpdate((row) => {
      if (row.status === 'running') seen.push(row.progress);
    });
    const a = await s.previewApply('collection_import_file', { collection_id: col.collection_id, path });
    await s.drainJobs();
    off();
    expect(seen).toEqual(expect.arrayContaining([0, 250, 500, 600]));
    expect(await s.ok('collection_import_status', { import_id: a.result.import_id })).toMatchObject({ status: 'done', imported_count: 600, created_creators_count: 600 });
    expect((await s.ok('collection_get', { collection_id: col.collection_id })).item_counts.instagram).toBe(600);
  });

  it('collection_import_status waits for the import, with progress notifications', async () => {
    const col = await s.ok('collection_create', { name: 'Waited import' });
    const path = csv('imports/wait.csv', [['url'], ...Array.from({ length: 40 }, (_, i) => [`https://www.tiktok.com/@waited.${i}`])]);
    const a = await s.previewApply('collection_import_file', { collection_id: col.collection_id, path });
    const t0 = Date.now();
    const early = await s.ok('collection_import_status', { import_id: a.result.import_id, wait_seconds: 1 });
    expect(early.status).toBe('queued'); // nothing runs the job: the wait ends after a second
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const progress: { progress: number; total?: number }[] = [];
    const waiting = s.client.callTool({ name: 'collection_import_status', arguments: { import_id: a.result.import_id, wait_seconds: 20 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    await new Promise((r) => setTimeout(r, 250));
    await s.drainJobs();
    const res = (await waiting).structuredContent as any;
    expect(res).toMatchObject({ status: 'done', imported_count: 40, progress: 40, total: 40 });
    // progress is relayed where the import runs in this process (the local backend)
    if (process.env.NOX_TEST_BACKEND !== 'http') {
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress.at(-1)).toMatchObject({ progress: 40, total: 40 });
    }
  });

  it('a later email refresh keeps an email imported from the file when the creator data has none', async () => {
    const col = await s.ok('collection_create', { name: 'Email kept' });
    const path = csv('imports/emails.csv', [['url', 'email'], ['https://www.instagram.com/kept.email.creator/', 'kept@example.com']]);
    const a = await s.previewApply('collection_import_file', { collection_id: col.collection_id, path });
    await s.drainJobs();
    expect((await s.ok('collection_import_status', { import_id: a.result.import_id })).status).toBe('done');
    const item = (await s.ok('collection_items', { collection_id: col.collection_id, platform: 'instagram' })).items[0];
    expect(item.email).toBe('kept@example.com');
    db().prepare('UPDATE creators SET email = NULL, has_email = 0 WHERE creator_id = ?').run(item.creator_id);
    const r = await s.previewApply('collection_refresh', { collection_id: col.collection_id, platform: 'instagram', what: 'email' });
    expect(r.result.outcome_counts).toEqual({ no_email_available: 1 });
    const after = (await s.ok('collection_items', { collection_id: col.collection_id, platform: 'instagram' })).items[0];
    expect(after).toMatchObject({ email: 'kept@example.com' });
    expect(after.email_refreshed_at).toBeTruthy();
  });

  it('refuses bad files with the documented codes and writes nothing', async () => {
    const col = await s.ok('collection_create', { name: 'Refusals' });
    const cid = col.collection_id;
    const before = workspaceChecksum(db());
    const refuse = async (args: Record<string, unknown>) => (await s.err('collection_import_file_preview', { collection_id: cid, ...args })).error_code;
    expect(await refuse({ path: put('imports/notes.txt', 'https://www.tiktok.com/@someone\n') })).toBe('FILE_REFUSED');
    expect(await refuse({ path: put('imports/old.xls', 'not really excel') })).toBe('FILE_REFUSED');
    expect(await refuse({ path: put('imports/fake.xlsx', 'this is not a zip') })).toBe('FILE_REFUSED');
    expect(await refuse({ path: put('imports/huge.csv', Buffer.alloc(10 * 1024 * 1024 + 1, 0x61)) })).toBe('LIMIT_EXCEEDED');
    const tooMany = Array.from({ length: 5001 }, (_, i) => [`https://www.tiktok.com/@too.many.${i}`]);
    const many = await s.err('collection_import_file_preview', { collection_id: cid, path: csv('imports/many.csv', [['url'], ...tooMany]) });
    expect(many.error_code).toBe('LIMIT_EXCEEDED');
    expect(many.summary).toContain('5000');
    expect(await refuse({ path: '../outside.csv' })).toBe('FILE_REFUSED');
    expect(await refuse({ path: '/etc/passwd' })).toBe('FILE_REFUSED');
    expect(await refuse({ path: 'imports/missing.csv' })).toBe('NOT_FOUND');
    expect(await refuse({ path: put('imports/empty-rows.csv', 'Creator URL\n') })).toBe('FILE_REFUSED');
    expect(await refuse({})).toBe('INVALID_REQUEST');
    const allBad = await s.err('collection_import_file_preview', { collection_id: cid, path: csv('imports/bad.csv', [['url', 'email'], ['hello', ''], ['https://www.tiktok.com/@ok.handle', 'nope']]) });
    expect(allBad.error_code).toBe('INVALID_REQUEST');
    expect(allBad.summary).toContain('row 2, column A');
    expect(allBad.summary).toContain('row 3, column B');
    expect((await s.err('collection_import_file_preview', { collection_id: 'col_nope', path: csv('imports/ok.csv', [['url'], ['https://www.tiktok.com/@ok.handle']]) })).error_code).toBe('NOT_FOUND');
    expect(workspaceChecksum(db())).toBe(before);
  });

  it('refuses a spreadsheet bomb with LIMIT_EXCEEDED in seconds while other calls are served', async () => {
    const col = await s.ok('collection_create', { name: 'Bomb' });
    // Three sheets of identical rows: small once compressed, hundreds of MB once read whole.
    const sheet = sheetXml(repeat('<row><c t="inlineStr"><is><t>https://www.tiktok.com/@same.creator</t></is></c></row>', 300_000));
    const bomb = workbook({ sheets: [sheet, sheet, sheet] });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = workspaceChecksum(db());
    for (const file of [{ path: put('imports/bomb.xlsx', bomb) }, { content_base64: bomb.toString('base64'), filename: 'bomb.xlsx' }]) {
      const answered: string[] = [];
      const t0 = Date.now();
      const refused = s.err('collection_import_file_preview', { collection_id: col.collection_id, ...file }).then((e) => {
        answered.push('bomb');
        return e;
      });
      const other = s.ok('campaign_list', {}).then(() => answered.push('campaign_list'));
      const [e] = await Promise.all([refused, other]);
      expect(e.error_code).toBe('LIMIT_EXCEEDED');
      expect(e.summary).toContain('5000');
      expect(Date.now() - t0).toBeLessThan(5000); // a sanity bound: the whole-workbook reader took minutes
      expect(answered).toEqual(['campaign_list', 'bomb']);
    }
    expect(workspaceChecksum(db())).toBe(before);
  });

  it('a file changed after the preview is a stale preview; a job whose collection vanished imports nothing', async () => {
    const col = await s.ok('collection_create', { name: 'Stale import' });
    const path = csv('imports/stale.csv', [['url'], ['https://www.tiktok.com/@stale.one']]);
    const p = await s.ok('collection_import_file_preview', { collection_id: col.collection_id, path });
    csv('imports/stale.csv', [['url'], ['https://www.tiktok.com/@stale.two']]);
    expect((await s.err('collection_import_file_apply', { collection_id: col.collection_id, path, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');

    const rows = Array.from({ length: 30 }, (_, i) => [`https://www.tiktok.com/@vanishing.${i}`]);
    const path2 = csv('imports/vanish.csv', [['url'], ...rows]);
    const a = await s.previewApply('collection_import_file', { collection_id: col.collection_id, path: path2 });
    await s.previewApply('collection_delete', { collection_id: col.collection_id });
    const creators = creatorCount();
    await s.drainJobs();
    const st = await s.ok('collection_import_status', { import_id: a.result.import_id });
    expect(st).toMatchObject({ status: 'failed', error: { error_code: 'NOT_FOUND' } });
    expect(st.summary).toContain('Nothing was imported');
    expect(creatorCount()).toBe(creators);
    expect((await s.err('collection_import_status', { import_id: 'job_nope' })).error_code).toBe('NOT_FOUND');
  });
});

describe('crm import', () => {
  it('writes the CRM template', async () => {
    const r = await s.ok('crm_import_template', {});
    expect(r.path).toBe('templates/crm-import-template.xlsx');
    expect(r.columns).toHaveLength(5);
    expect((await s.err('crm_import_template', {})).error_code).toBe('FILE_REFUSED');
  });

  it('imports valid new rows, returns failed_items and repeated_items, overwrites only when asked', async () => {
    const fresh = seeded('youtube', 2);
    const inCrm = db().prepare(`SELECT ch.creator_id, c.channel_url, ch.coop_status, ch.remark FROM crm_channels ch JOIN creators c USING (creator_id) WHERE ch.platform = 'instagram' ORDER BY ch.creator_id LIMIT 1`).get() as any;
    const path = await xlsx('imports/crm.xlsx', [
      ['Creator URL', 'Email', 'Coop status', 'Labels', 'Remark'],
      [fresh[0]!.channel_url, 'first@example.com', 'Contacted', 'VIP, gifted', 'Met at launch'], // row 2: new channel
      [fresh[1]!.channel_url, '', '', '', ''], // row 3: new channel, default status
      ['https://www.tiktok.com/@crm.new.person', '', '3', '', ''], // row 4: new creator + channel; a status by its id
      [inCrm.channel_url, 'over@example.com', 'completed', 'Replied', 'Overwritten'], // row 5: repeated (already in CRM)
      [fresh[0]!.channel_url, '', '', '', ''], // row 6: duplicate of row 2
      ['https://www.tiktok.com/@crm.bad.status', '', 'friends', '', ''], // row 7: bad coop status
      ['https://www.tiktok.com/@crm.bad.label', '', '', 'No such label', ''], // row 8: unknown label
      ['https://www.tiktok.com/@crm.bad.email', 'nope', '', '', ''], // row 9: bad email
      ['not a url', '', '', '', ''], // row 10: bad URL
    ]);
    const before = workspaceChecksum(db());
    const p = await s.ok('crm_import_file_preview', { path });
    expect(workspaceChecksum(db())).toBe(before);
    expect(p.effect).toMatchObject({ row_count: 9, will_create_count: 3, new_creator_count: 1, will_overwrite_count: 0, repeated_count: 2, failed_count: 4 });
    expect(p.effect.failed_items.map((f: any) => `${f.row}${f.column}`)).toEqual(['7C', '8D', '9B', '10A']);
    expect(p.effect.repeated_items).toEqual([
      { row: 5, creator_id: inCrm.creator_id, reason: 'already_in_crm' },
      { row: 6, creator_id: null, reason: 'duplicate_of_row_2' },
    ]);
    // the flag is bound to the preview: applying with another value is a mismatch
    expect((await s.err('crm_import_file_apply', { path, overwrite_existing: true, preview_token: p.preview_token })).error_code).toBe('PREVIEW_MISMATCH');
    const a = await s.ok('crm_import_file_apply', { path, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ created_count: 3, created_creators_count: 1, overwritten_count: 0 });
    expect(a.result.failed_items).toHaveLength(4);
    expect(a.result.repeated_items).toHaveLength(2);
    const first = await s.ok('crm_get', { creator_id: fresh[0]!.creator_id });
    expect(first).toMatchObject({ coop_status: '2', email: 'first@example.com', remark: 'Met at launch', label_ids: ['lbl_001', 'lbl_004'], owner_uid: 'u_001' });
    expect((await s.ok('crm_get', { creator_id: fresh[1]!.creator_id })).coop_status).toBe('1');
    const untouched = await s.ok('crm_get', { creator_id: inCrm.creator_id });
    expect(untouched).toMatchObject({ coop_status: inCrm.coop_status, remark: inCrm.remark });

    // overwrite_existing: true in the previewed body overwrites the repeated row; new rows are now repeated too
    const p2 = await s.ok('crm_import_file_preview', { path, overwrite_existing: true });
    expect(p2.effect).toMatchObject({ will_create_count: 0, will_overwrite_count: 4, repeated_count: 5 });
    const a2 = await s.ok('crm_import_file_apply', { path, overwrite_existing: true, preview_token: p2.preview_token });
    expect(a2.result.overwritten_count).toBe(4);
    expect(await s.ok('crm_get', { creator_id: inCrm.creator_id })).toMatchObject({ coop_status: '5', remark: 'Overwritten', email: 'over@example.com', label_ids: ['lbl_002'] });
  });

  it('refuses oversized, over-long, wrong-type and outside files, and all-bad files, writing nothing', async () => {
    const before = workspaceChecksum(db());
    const refuse = async (args: Record<string, unknown>) => (await s.err('crm_import_file_preview', args)).error_code;
    const rows = Array.from({ length: 501 }, (_, i) => [`https://www.tiktok.com/@crm.many.${i}`]);
    expect(await refuse({ path: await xlsx('imports/crm-many.xlsx', [['url'], ...rows]) })).toBe('LIMIT_EXCEEDED');
    expect(await refuse({ path: put('imports/crm-huge.xlsx', Buffer.alloc(10 * 1024 * 1024 + 1, 0x61)) })).toBe('LIMIT_EXCEEDED');
    // The documented formats are .xlsx and .xls: the schema refuses any other name.
    expect(await refuse({ path: put('imports/crm.pdf', '%PDF-1.4') })).toBe('INVALID_REQUEST');
    expect(await refuse({ path: csv('imports/crm.csv', [['url'], ['https://www.tiktok.com/@crm.csv']]) })).toBe('INVALID_REQUEST');
    expect(await refuse({ path: '../../crm.xlsx' })).toBe('FILE_REFUSED');
    // .xls passes the schema (it is documented) and is refused by the embedded reader with the "save as .xlsx" hint.
    const xls = await s.err('crm_import_file_preview', { path: put('imports/old.xls', Buffer.from('d0cf11e0a1b11ae1', 'hex')) });
    expect(xls.error_code).toBe('FILE_REFUSED');
    expect(xls.action?.hint).toContain('save it as .xlsx');
    const bad = await s.err('crm_import_file_preview', { path: await xlsx('imports/crm-bad.xlsx', [['url', 'email', 'status'], ['https://www.tiktok.com/@x.y', '', 'maybe']]) });
    expect(bad.error_code).toBe('INVALID_REQUEST');
    expect(bad.summary).toContain('row 2, column C');
    expect(workspaceChecksum(db())).toBe(before);
  });

  it('a file changed after the preview is stale', async () => {
    const path = await xlsx('imports/crm-stale.xlsx', [['url'], ['https://www.tiktok.com/@crm.stale.one']]);
    const p = await s.ok('crm_import_file_preview', { path });
    await xlsx('imports/crm-stale.xlsx', [['url'], ['https://www.tiktok.com/@crm.stale.two']]);
    expect((await s.err('crm_import_file_apply', { path, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect(db().prepare(`SELECT COUNT(*) FROM creators WHERE channel_id LIKE 'crm.stale.%'`).pluck().get()).toBe(0);
  });
});

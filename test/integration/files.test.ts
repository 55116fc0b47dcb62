// The files root without dead ends: files_stage puts a file there once and returns its path (so a
// preview and its apply pass the path, not the bytes twice), files_list shows what is there, every
// file refusal names both ways to give a file and where the root is, and a written file comes back
// as a resource_link block whose URI resources/read serves (inside the files root only).
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
const filesDir = () => join(s.dir, 'files');
const b64 = (text: string) => Buffer.from(text).toString('base64');

beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

/** A file refusal a newcomer can act on: both ways to give a file, and the files root's location. */
function expectWayOut(hint: string | undefined) {
  expect(hint).toContain('path');
  expect(hint).toContain('content_base64 + filename');
  expect(hint).toContain(filesDir());
  expect(hint).toContain('files_stage');
  expect(hint).toContain('files_list');
}

describe('files_stage and files_list', () => {
  it('stages a file once, lists it, and a preview and its apply pass only its path', async () => {
    const empty = await s.ok('files_list', {});
    expect(empty.files_root).toBe(filesDir());
    const staged = await s.ok('files_stage', { content_base64: b64('%PDF-1.4 the brief'), filename: 'brief.pdf' });
    expect(staged).toMatchObject({ path: 'uploads/brief.pdf', bytes: 18, already_present: false, files_root: filesDir() });
    expect(readFileSync(join(filesDir(), 'uploads/brief.pdf'), 'utf8')).toBe('%PDF-1.4 the brief');
    // The same bytes again: nothing written, the same path back.
    expect(await s.ok('files_stage', { content_base64: b64('%PDF-1.4 the brief'), filename: 'brief.pdf' })).toMatchObject({ path: 'uploads/brief.pdf', already_present: true });
    // Different bytes at that path: never replaced.
    const clash = await s.err('files_stage', { content_base64: b64('%PDF-1.4 another'), filename: 'brief.pdf' });
    expect(clash.error_code).toBe('FILE_REFUSED');
    expect(clash.action?.hint).toContain('files_list');
    expect(readFileSync(join(filesDir(), 'uploads/brief.pdf'), 'utf8')).toBe('%PDF-1.4 the brief');

    const listed = await s.ok('files_list', {});
    expect(listed.files.map((f: { path: string }) => f.path)).toContain('uploads/brief.pdf');
    expect((await s.ok('files_list', { folder: 'uploads' })).files).toEqual([expect.objectContaining({ path: 'uploads/brief.pdf', bytes: 18 })]);

    const task = await s.ok('email_create', { name: 'Staged attachment' });
    const args = { task_id: task.task_id, path: staged.path };
    const p = await s.ok('email_attachments_upload_preview', args);
    expect(p.effect).toMatchObject({ file_name: 'brief.pdf', size: 18 });
    const a = await s.ok('email_attachments_upload_apply', { ...args, preview_token: p.preview_token });
    expect(a.result.attachment).toMatchObject({ file_name: 'brief.pdf', size: 18 });
  });

  it('refuses executables (by either name), escapes and bad base64, each with a way out', async () => {
    for (const bad of [
      { content_base64: b64('echo hi'), filename: 'run.sh' },
      { content_base64: b64('echo hi'), filename: 'notes.txt', path: 'uploads/run.sh' },
      { content_base64: b64('x'), filename: 'x.txt', path: '../outside.txt' },
      { content_base64: '***', filename: 'x.txt' },
    ]) {
      const e = await s.err('files_stage', bad);
      expect(['FILE_REFUSED', 'INVALID_REQUEST']).toContain(e.error_code);
      expect(e.action?.hint).toContain(filesDir());
    }
    expect((await s.err('files_list', { folder: '../' })).error_code).toBe('FILE_REFUSED');
  });

  it('names both ways to give a file and where the files root is in every file refusal', async () => {
    const task = await s.ok('email_create', { name: 'Refusals' });
    const missing = await s.err('email_attachments_upload_preview', { task_id: task.task_id, path: 'uploads/nothing-here.pdf' });
    expect(missing.error_code).toBe('NOT_FOUND');
    expectWayOut(missing.action?.hint);
    expectWayOut((await s.err('email_attachments_upload_preview', { task_id: task.task_id })).action?.hint);
    expectWayOut((await s.err('email_attachments_upload_preview', { task_id: task.task_id, path: '../../etc/hosts' })).action?.hint);
    expectWayOut((await s.err('email_attachments_upload_preview', { task_id: task.task_id, content_base64: b64('x') })).action?.hint);
  });

  it('lists only regular files inside the root: no dot-files, no links', async () => {
    mkdirSync(join(filesDir(), 'mixed'), { recursive: true });
    writeFileSync(join(filesDir(), 'mixed', 'a.csv'), 'a,b\n');
    writeFileSync(join(filesDir(), 'mixed', '.a.csv.123.tmp'), 'partial');
    symlinkSync(join(s.dir, 'nox.sqlite'), join(filesDir(), 'mixed', 'store-link.csv'));
    const got = await s.ok('files_list', { folder: 'mixed' });
    expect(got.files.map((f: { path: string }) => f.path)).toEqual(['mixed/a.csv']);
  });

  it('never lists through a folder link out of the root, nor walks into one', async () => {
    const outside = join(s.dir, 'outside-folder');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'private.csv'), 'secret\n');
    mkdirSync(join(filesDir(), 'walk'), { recursive: true });
    writeFileSync(join(filesDir(), 'walk', 'in.csv'), 'x\n');
    symlinkSync(outside, join(filesDir(), 'walk', 'out'));
    symlinkSync(outside, join(filesDir(), 'out-link'));
    expect((await s.ok('files_list', { folder: 'walk' })).files.map((f: { path: string }) => f.path)).toEqual(['walk/in.csv']);
    expect((await s.ok('files_list', { limit: 500 })).files.map((f: { path: string }) => f.path)).not.toContainEqual(expect.stringContaining('private.csv'));
    for (const folder of ['out-link', 'walk/out']) {
      const e = await s.err('files_list', { folder });
      expect(e.error_code, folder).toBe('FILE_REFUSED');
      expectWayOut(e.action?.hint);
    }
    expect(await s.ok('files_list', { folder: 'not-there' })).toMatchObject({ files: [], total: 0, complete: true });
  });

  it('stages once per idempotency_key, refuses the key with another file, and checks the stored name as a load would', async () => {
    const args = { content_base64: b64('%PDF-1.4 keyed'), filename: 'keyed.pdf', idempotency_key: 'stage-key-0001' };
    const first = await s.ok('files_stage', args);
    expect(first).toMatchObject({ path: 'uploads/keyed.pdf', already_present: false, replayed: false });
    expect(await s.ok('files_stage', args)).toMatchObject({ path: 'uploads/keyed.pdf', already_present: false, replayed: true });
    expect((await s.err('files_stage', { ...args, content_base64: b64('%PDF-1.4 other') })).error_code).toBe('IDEMPOTENCY_KEY_REUSED');
    // A stored name that Windows would make an executable ("run.exe." is run.exe) is refused.
    expect((await s.err('files_stage', { content_base64: b64('x'), filename: 'notes.txt', path: 'uploads/run.exe.' })).error_code).toBe('FILE_REFUSED');
  });
});

describe('resource links', () => {
  it('returns a written file as a resource_link block that resources/read serves', async () => {
    const res = await s.client.callTool({ name: 'files_stage', arguments: { content_base64: b64('creator_id,reason\nc1,fit\n'), filename: 'picks.csv' } });
    const content = res.content as { type: string; uri?: string; name?: string; mimeType?: string; size?: number }[];
    expect(content[0]!.type).toBe('text');
    const link = content.find((c) => c.type === 'resource_link')!;
    expect(link).toEqual({ type: 'resource_link', uri: 'nox://files/uploads/picks.csv', name: 'picks.csv', mimeType: 'text/csv', size: 25 });
    const read = await s.client.readResource({ uri: link.uri! });
    expect(read.contents[0]).toMatchObject({ uri: link.uri, mimeType: 'text/csv', text: 'creator_id,reason\nc1,fit\n' });
    // Binary files come back as a blob.
    const png = await s.ok('files_stage', { content_base64: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'), filename: 'p.png' });
    const blob = await s.client.readResource({ uri: `nox://files/${png.path}` });
    expect(blob.contents[0]).toMatchObject({ mimeType: 'image/png', blob: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64') });
    // Listed as resources too.
    expect((await s.client.listResources()).resources.map((r) => r.uri)).toContain('nox://files/uploads/picks.csv');
  });

  it('links the file a download writes', async () => {
    const tmpl = await s.client.callTool({ name: 'collection_import_template', arguments: { output_path: 'templates/creators.xlsx' } });
    const link = (tmpl.content as { type: string; uri?: string }[]).find((c) => c.type === 'resource_link');
    expect(link?.uri).toBe('nox://files/templates/creators.xlsx');
    const read = await s.client.readResource({ uri: link!.uri! });
    expect(Buffer.from((read.contents[0] as { blob: string }).blob, 'base64')).toEqual(readFileSync(join(filesDir(), 'templates/creators.xlsx')));
    // A read or a preview writes nothing and links nothing.
    const list = await s.client.callTool({ name: 'files_list', arguments: {} });
    expect((list.content as { type: string }[]).map((c) => c.type)).toEqual(['text']);
  });

  it('refuses every URI outside the files root with a clear error', async () => {
    writeFileSync(join(s.dir, 'secret.txt'), 'not yours');
    symlinkSync(join(s.dir, 'secret.txt'), join(filesDir(), 'secret-link.txt'));
    for (const uri of ['nox://files/%2e%2e/secret.txt', 'nox://files/..%2Fsecret.txt', 'nox://files/secret-link.txt', 'nox://files/uploads', 'nox://files/none.csv']) {
      const e = await s.client.readResource({ uri }).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(e, uri).toBeInstanceOf(Error);
      expect(e!.message, uri).toMatch(/files root|No file/);
      expect(e!.message, uri).not.toContain('not yours');
    }
  });
});

describe('selection', () => {
  it('counts the server tools in --toolsets, --read-only and --tools', async () => {
    const ro = await startServer({ argv: ['--toolsets', 'files', '--read-only'] });
    try {
      expect((await ro.client.listTools()).tools.map((t) => t.name)).toEqual(['files_list']);
    } finally {
      await ro.close();
    }
    const one = await startServer({ argv: ['--tools', 'files_stage,campaign_get'] });
    try {
      expect((await one.client.listTools()).tools.map((t) => t.name).sort()).toEqual(['campaign_get', 'files_stage']);
      expect((await one.err('files_list', {})).error_code).toBe('TOOL_DISABLED');
    } finally {
      await one.close();
    }
  });
});

// Every tool that takes a path, against a corpus of escapes: all refused, nothing read or written
// outside the files root.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectTools } from '../../src/catalog.js';
import { listTools } from '../../src/server.js';
import { operations } from '../../tools/index.js';
import { startServer, type CallResult, type TestServer } from '../helpers/server.js';
import { whileSwapping } from '../helpers/swapper.js';

let s: TestServer;
let root: string;
let outside: string;
let evil: string;
const ids: Record<string, string> = {};

/** Valid arguments besides the path for every tool with a path field; the extension its files need. */
const base: Record<string, { args: () => Record<string, unknown>; ext: string }> = {
  collection_import_template: { args: () => ({}), ext: 'xlsx' },
  collection_import_file: { args: () => ({ collection_id: 'col_001' }), ext: 'csv' },
  crm_import_template: { args: () => ({}), ext: 'xlsx' },
  crm_import_file: { args: () => ({}), ext: 'xlsx' },
  crm_import_report: { args: () => ({ failed_items: [{ row: 2, column: 'A', value: 'x', reason: 'Missing creator URL.' }] }), ext: 'xlsx' },
  product_image_upload: { args: () => ({}), ext: 'png' },
  file_image_upload: { args: () => ({}), ext: 'png' },
  email_recipients_import_template: { args: () => ({}), ext: 'xlsx' },
  email_recipients_import: { args: () => ({ task_id: 'task_1822' }), ext: 'xlsx' },
  email_attachments_upload: { args: () => ({ task_id: 'task_1822' }), ext: 'pdf' },
  email_attachments_download: { args: () => ({ attachment_id: ids.emailAttachment }), ext: 'pdf' },
  message_attachments_upload: { args: () => ({ thread_id: 'thr_0001' }), ext: 'pdf' },
  message_attachments_download: { args: () => ({ thread_id: ids.thread, attachment_id: ids.threadAttachment }), ext: 'pdf' },
  message_template_attachments_upload: { args: () => ({ template_id: 'tpl_001' }), ext: 'pdf' },
  message_template_attachments_download: { args: () => ({ template_id: ids.template, attachment_id: ids.templateAttachment }), ext: 'pdf' },
  affiliation_members_import_template: { args: () => ({}), ext: 'xlsx' },
  affiliation_members_import_file: { args: () => ({ campaign_id: 'affc_001' }), ext: 'xlsx' },
  affiliation_campaigns_export: { args: () => ({ campaign_id: 'affc_001' }), ext: 'xlsx' },
  export_download: { args: () => ({ export_id: ids.export }), ext: 'csv' },
};

const pathTools = listTools(selectTools(operations, {}))
  .map((t) => ({ name: t.name, field: Object.keys(t.inputSchema.properties ?? {}).find((k) => k === 'path' || k === 'output_path') ?? '' }))
  .filter((t) => t.field !== '');
const baseName = (tool: string) => tool.replace(/_(preview|apply)$/, '');

function corpus(ext: string): string[] {
  return [
    `../outside.${ext}`,
    `a/../../outside.${ext}`,
    `../../../../../../../../tmp/escape.${ext}`,
    join(outside, `target.${ext}`),
    join(evil, `target.${ext}`),
    `link.${ext}`,
    `linkdir/target.${ext}`,
    `linkdir/new/deeper.${ext}`,
    `%2e%2e/outside.${ext}`,
    `..%2Foutside.${ext}`,
    `nul\u0000.${ext}`,
    `C:\\Windows\\target.${ext}`,
    `C:/Windows/target.${ext}`,
    `\\\\server\\share\\target.${ext}`,
  ];
}

/** Names, sizes and modification times of everything below a folder. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const st = statSync(p);
      out.push(`${p}:${st.size}:${st.mtimeMs}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

beforeAll(async () => {
  s = await startServer();
  root = s.app.files.root;
  mkdirSync(root, { recursive: true });
  outside = mkdtempSync(join(tmpdir(), 'nox-outside-'));
  evil = `${root}-evil`;
  mkdirSync(evil, { recursive: true });
  for (const ext of ['csv', 'png', 'pdf', 'xlsx']) {
    const body = ext === 'csv' ? 'url\nhttps://www.tiktok.com/@outside_secret\n' : `outside ${ext}`;
    for (const p of [join(outside, `target.${ext}`), join(evil, `target.${ext}`), join(dirname(root), `outside.${ext}`)]) writeFileSync(p, body);
    symlinkSync(join(outside, `target.${ext}`), join(root, `link.${ext}`));
    writeFileSync(join(root, `exists.${ext}`), 'already here');
  }
  symlinkSync(outside, join(root, 'linkdir'));
  const db = s.workspaceDb;
  ids.emailAttachment = db.prepare(`SELECT attachment_id FROM email_attachments LIMIT 1`).pluck().get() as string;
  const threadAtt = db.prepare(`SELECT attachment_id, owner_id FROM message_attachments WHERE owner_kind = 'thread' LIMIT 1`).get() as { attachment_id: string; owner_id: string };
  const templateAtt = db.prepare(`SELECT attachment_id, owner_id FROM message_attachments WHERE owner_kind = 'template' LIMIT 1`).get() as { attachment_id: string; owner_id: string };
  Object.assign(ids, { thread: threadAtt.owner_id, threadAttachment: threadAtt.attachment_id, template: templateAtt.owner_id, templateAttachment: templateAtt.attachment_id });
  const body = { kind: 'collection', collection_id: 'col_001', platform: 'youtube', format: 'csv', reason: 'path corpus' };
  ids.export = (await s.previewApply('export_create', body)).result.export_id;
  await s.drainJobs();
  expect((await s.ok('export_get', { export_id: ids.export })).status).toBe('ready');
});

afterAll(async () => {
  await s.close();
  rmSync(outside, { recursive: true, force: true });
  rmSync(evil, { recursive: true, force: true });
});

describe('path corpus', () => {
  it('knows valid arguments for every tool that takes a path', () => {
    expect(pathTools.length).toBeGreaterThan(10);
    expect(pathTools.map((t) => baseName(t.name)).filter((b) => !base[b])).toEqual([]);
  });

  it('refuses every escape on every path tool and touches nothing outside the files root', async () => {
    const before = [...tree(outside), ...tree(evil), ...readdirSync(dirname(root)).filter((n) => !n.startsWith('nox.sqlite'))].sort();
    let tried = 0;
    for (const tool of pathTools) {
      const b = base[baseName(tool.name)]!;
      const apply = tool.name.endsWith('_apply');
      for (const path of corpus(b.ext)) {
        const args = { ...b.args(), [tool.field]: path, ...(apply ? { preview_token: 'nxp1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } : {}) };
        const r = await s.call(tool.name, args);
        tried++;
        expect(r.ok, `${tool.name} accepted ${JSON.stringify(path)}`).toBe(false);
        // An apply stops at its (invalid) token; an input path that resolves to no file inside the
        // root may say NOT_FOUND; everything else is FILE_REFUSED.
        const allowed = apply ? ['PREVIEW_INVALID', 'FILE_REFUSED'] : tool.field === 'path' ? ['FILE_REFUSED', 'NOT_FOUND'] : ['FILE_REFUSED'];
        if (!r.ok) expect(allowed, `${tool.name} ${JSON.stringify(path)}: ${r.error.summary}`).toContain(r.error.error_code);
      }
      // an existing output is refused unless overwrite was previewed
      if (tool.field === 'output_path' && !apply) {
        const r = await s.call(tool.name, { ...b.args(), output_path: `exists.${b.ext}` });
        expect(r.ok ? 'written' : r.error.error_code, tool.name).toBe('FILE_REFUSED');
      }
    }
    const after = [...tree(outside), ...tree(evil), ...readdirSync(dirname(root)).filter((n) => !n.startsWith('nox.sqlite'))].sort();
    expect(after).toEqual(before);
    expect(tried).toBeGreaterThan(pathTools.length * 10);
  });

  it('a folder swapped for a link to outside while tools write and read through it: nothing escapes', async () => {
    const target = mkdtempSync(join(tmpdir(), 'nox-race-target-'));
    writeFileSync(join(target, 'in.csv'), 'url\nhttps://www.tiktok.com/@outside_secret\n');
    const swap = join(root, 'race'); // written into
    const readSwap = join(root, 'race-read'); // read from
    mkdirSync(swap);
    mkdirSync(readSwap);
    writeFileSync(join(readSwap, 'in.csv'), 'url\nhttps://www.tiktok.com/@inside.creator\n');
    const seen = { write: new Set<string>(), read: new Set<string>() };
    const answers: string[] = [];
    const note = (kind: 'write' | 'read', r: CallResult) => {
      seen[kind].add(r.ok ? 'ok' : r.error.error_code);
      answers.push(JSON.stringify(r));
    };
    try {
      const { swaps } = await whileSwapping([swap, readSwap], target, async () => {
        // Until writes were both done and refused (the race really happened), within bounds.
        for (let i = 0; i < 400 && (i < 60 || !seen.write.has('ok') || !seen.write.has('FILE_REFUSED')); i++) {
          const download = s.call('message_attachments_download', { ...base.message_attachments_download!.args(), output_path: `race/m-${i}.pdf` });
          const exported = (async () => {
            const args = { export_id: ids.export, output_path: `race/e-${i}.csv` };
            const p = await s.call('export_download_preview', args);
            return p.ok ? s.call('export_download_apply', { ...args, preview_token: p.data.preview_token }) : p;
          })();
          const read = s.call('collection_import_file_preview', { collection_id: 'col_001', path: 'race-read/in.csv' });
          const [d, e, r] = await Promise.all([download, exported, read]);
          note('write', d);
          note('write', e);
          note('read', r);
        }
      });
      expect(swaps).toBeGreaterThan(0);
      expect([...seen.write].sort()).toEqual(['FILE_REFUSED', 'ok']);
      // a read may also find its folder momentarily renamed away
      expect(['FILE_REFUSED', 'NOT_FOUND', 'ok']).toEqual(expect.arrayContaining([...seen.read]));
      expect(answers.filter((a) => a.includes('outside_secret'))).toEqual([]);
      expect(readdirSync(target)).toEqual(['in.csv']);
      const leftovers: string[] = [];
      const walk = (d: string) => {
        for (const name of readdirSync(d)) {
          const st = lstatSync(join(d, name));
          if (st.isDirectory()) walk(join(d, name));
          else if (name.endsWith('.tmp')) leftovers.push(join(d, name));
        }
      };
      walk(root);
      expect(leftovers).toEqual([]);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });
});

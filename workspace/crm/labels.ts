// CRM labels in the embedded workspace.
import type { z } from 'zod';
import { labels, type label } from '../../tools/crm/labels.js';
import { WHERE } from '../../tools/hints.js';
import { notFound } from '../../src/errors.js';
import { implement, type Implemented } from '../implement.js';
import { escapeLike, pageQuery, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { deleteTag, uniqueName } from './tags.js';

type LabelRow = z.input<typeof label>;

const LABEL_SELECT = `l.label_id, l.name, l.color, l.created_at, (SELECT COUNT(*) FROM crm_channel_labels x WHERE x.label_id = l.label_id) AS channel_count`;

function loadLabel(ws: Workspace, labelId: string): LabelRow {
  const row = ws.db.prepare(`SELECT ${LABEL_SELECT} FROM crm_labels l WHERE l.label_id = ?`).get(labelId) as LabelRow | undefined;
  if (!row) throw notFound('CRM label', labelId, WHERE.crmLabel);
  return row;
}

export const labelImplementations = {
  list: implement(labels.list, {
    run: (ws, input) => {
      const w = new Where().maybe(input.keyword, `l.name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return pageQuery<LabelRow, LabelRow>(ws, { select: LABEL_SELECT, from: `FROM crm_labels l ${w.sql}`, order: 'l.name COLLATE NOCASE, l.label_id', params: w.params }, input, (r) => r);
    },
  }),
  create: implement(labels.create, {
    run: (ws, input) => {
      const lid = ws.newId('lbl');
      uniqueName('label', input.name, () => ws.db.prepare('INSERT INTO crm_labels (label_id, name, color, created_at) VALUES (?, ?, ?, ?)').run(lid, input.name, input.color, ws.now().toISOString()));
      return { ...loadLabel(ws, lid), summary: `Created label "${input.name}" (${lid}).` };
    },
  }),
  update: implement(labels.update, {
    run: (ws, input) => {
      const row = loadLabel(ws, input.label_id);
      const name = input.name ?? row.name;
      uniqueName('label', name, () => ws.db.prepare('UPDATE crm_labels SET name = ?, color = ? WHERE label_id = ?').run(name, input.color ?? row.color, row.label_id));
      return { ...loadLabel(ws, row.label_id), summary: `Updated label ${row.label_id}.` };
    },
  }),
  delete: implement(labels.delete, {
    // One reading: the label and how many collection items and threads carry it.
    read: (ws, input) => {
      const row = loadLabel(ws, input.label_id);
      const items = ws.db.prepare(`SELECT COUNT(*) FROM collection_items WHERE EXISTS (SELECT 1 FROM json_each(label_ids_json) WHERE value = ?)`).pluck().get(row.label_id) as number;
      const threads = ws.db.prepare('SELECT COUNT(*) FROM message_thread_labels WHERE label_id = ?').pluck().get(row.label_id) as number;
      return { row, items, threads };
    },
    state: ({ row, items, threads }) => ({ label: { name: row.name, channels: row.channel_count, items, threads } }),
    effect: (_ws, _input, { row, items, threads }) => ({
      effect: { label: row, collection_item_count: items, thread_count: threads },
      summary: `Delete label "${row.name}" (${row.label_id}), carried by ${row.channel_count} channel(s), ${items} collection item(s) and ${threads} thread(s).`,
    }),
    run: (ws, _input, _call, _loaded, { row }) => {
      const items = ws.db
        .prepare(
          `UPDATE collection_items SET label_ids_json = (SELECT json_group_array(value) FROM json_each(collection_items.label_ids_json) WHERE value <> @label)
           WHERE EXISTS (SELECT 1 FROM json_each(collection_items.label_ids_json) WHERE value = @label)`,
        )
        .run({ label: row.label_id }).changes;
      const channels = deleteTag(ws, 'label', row.label_id);
      return {
        deleted: true,
        label_id: row.label_id,
        removed_from_channels: channels,
        removed_from_items: items,
        summary: `Deleted label "${row.name}" from ${channels} channel(s) and ${items} collection item(s).`,
      };
    },
  }),
} satisfies Implemented<typeof labels>;

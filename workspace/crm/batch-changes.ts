// What a CRM batch update changes, by name and count: the cooperation status from → to, each label
// gained or lost, the new owner, archiving. The preview's effect and summary say it; a count of
// channels alone does not tell a person what they approve.
import type { z } from 'zod';
import type { batchChanges } from '../../tools/crm/batch.js';
import { inJson } from '../shared.js';
import type { Workspace } from '../workspace.js';

export interface ChangeRequest {
  coop_status?: string | undefined;
  labels?: { operation: 'add' | 'remove'; label_ids: string[] } | undefined;
  owner_uid?: string | null | undefined;
  archived?: boolean | undefined;
}

type Changes = z.input<typeof batchChanges>;

const quote = (s: string) => JSON.stringify(s);

/** The changes to `existing` channels and to the `created` ones, with the phrases that say them. */
export function describeChanges(ws: Workspace, existing: string[], created: string[], req: ChangeRequest): { changes: Changes; phrases: string[] } {
  const ids = JSON.stringify(existing);
  const changes: Changes = {};
  const phrases: string[] = [];
  const all = existing.length + created.length;
  if (req.coop_status !== undefined) {
    const name = (id: string | null) => (id === null ? 'none' : ((ws.db.prepare('SELECT name FROM coop_statuses WHERE coop_status = ?').pluck().get(id) as string | undefined) ?? id));
    const from = (
      ws.db.prepare(`SELECT coop_status, COUNT(*) AS count FROM crm_channels WHERE ${inJson('creator_id')} GROUP BY coop_status ORDER BY count DESC, coop_status`).all(ids) as {
        coop_status: string | null;
        count: number;
      }[]
    )
      .filter((r) => r.coop_status !== req.coop_status)
      .map((r) => ({ coop_status: r.coop_status, name: name(r.coop_status), count: r.count }));
    const unchanged = existing.length - from.reduce((n, r) => n + r.count, 0);
    changes.coop_status = { to: req.coop_status, to_name: name(req.coop_status), from, unchanged_count: unchanged };
    const parts = [...from.map((r) => `${r.count} from "${r.name}"`), ...(created.length ? [`${created.length} new`] : []), ...(unchanged ? [`${unchanged} already`] : [])];
    phrases.push(`coop_status to "${name(req.coop_status)}" (${parts.join(', ')})`);
  }
  if (req.labels) {
    const { operation, label_ids } = req.labels;
    const names = new Map(
      (ws.db.prepare(`SELECT label_id, name FROM crm_labels WHERE ${inJson('label_id')}`).all(JSON.stringify(label_ids)) as { label_id: string; name: string }[]).map((l) => [l.label_id, l.name]),
    );
    const having = ws.db.prepare(`SELECT COUNT(*) FROM crm_channel_labels WHERE label_id = ? AND ${inJson('creator_id')}`).pluck();
    const items = [...new Set(label_ids)].map((labelId) => {
      const has = having.get(labelId, ids) as number;
      // Adding: every channel that lacks it gains it (a new channel lacks all). Removing: those that have it lose it.
      const change = operation === 'add' ? all - has : has;
      return { label_id: labelId, name: names.get(labelId) ?? labelId, change_count: change, unchanged_count: all - change };
    });
    changes.labels = { operation, items };
    phrases.push(
      ...items.map(
        (l) =>
          `${operation} label ${quote(l.name)} ${operation === 'add' ? 'to' : 'from'} ${l.change_count}${l.unchanged_count ? ` (${l.unchanged_count} ${operation === 'add' ? 'already have it' : 'do not have it'})` : ''}`,
      ),
    );
  }
  if (req.owner_uid !== undefined) {
    const from = (
      ws.db.prepare(`SELECT owner_uid, COUNT(*) AS count FROM crm_channels WHERE ${inJson('creator_id')} GROUP BY owner_uid ORDER BY count DESC, owner_uid`).all(ids) as {
        owner_uid: string | null;
        count: number;
      }[]
    ).filter((r) => r.owner_uid !== req.owner_uid);
    changes.owner_uid = { to: req.owner_uid, from, unchanged_count: existing.length - from.reduce((n, r) => n + r.count, 0) };
    phrases.push(`owner to ${req.owner_uid ?? 'nobody'} (${from.map((r) => `${r.count} from ${r.owner_uid ?? 'nobody'}`).join(', ') || 'no change'})`);
  }
  if (req.archived !== undefined) {
    const change = ws.db
      .prepare(`SELECT COUNT(*) FROM crm_channels WHERE archived = ? AND ${inJson('creator_id')}`)
      .pluck()
      .get(req.archived ? 0 : 1, ids) as number;
    changes.archived = { to: req.archived, change_count: change, unchanged_count: existing.length - change };
    phrases.push(`${req.archived ? 'archive' : 'restore'} ${change}${existing.length - change ? ` (${existing.length - change} already ${req.archived ? 'archived' : 'active'})` : ''}`);
  }
  return { changes, phrases };
}

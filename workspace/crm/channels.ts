// CRM channels one at a time in the embedded workspace.
import { channels } from '../../tools/crm/channels.js';
import { WHERE } from '../../tools/hints.js';
import { checkCoopStatus, DEFAULT_COOP_STATUS } from '../coop-statuses.js';
import { invalid, ToolError } from '../../src/errors.js';
import { implement, type Implemented } from '../implement.js';
import { actingUser, checkTeamMember, escapeLike, getRow, inJson, pageQuery, trimmed, Where } from '../shared.js';
import { CHANNEL_FROM, CHANNEL_SELECT, checkGroups, checkLabels, createChannels, findChannel, loadChannel, setLabels, toChannel, type Channel, type ChannelRow } from './channel-rows.js';

export const channelImplementations = {
  list: implement(channels.list, {
    run: (ws, input) => {
      if (input.coop_status !== undefined) checkCoopStatus(ws, input.coop_status);
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .add('ch.archived = ?', input.archived ? 1 : 0)
        .maybe(input.coop_status, 'ch.coop_status = ?', input.coop_status)
        .maybe(input.owner_uid, 'ch.owner_uid = ?', input.owner_uid)
        .maybe(input.platform, 'ch.platform = ?', input.platform)
        .maybe(input.group_id, 'EXISTS (SELECT 1 FROM crm_channel_groups g WHERE g.creator_id = ch.creator_id AND g.group_id = ?)', input.group_id)
        .maybe(
          input.label_ids?.length ? true : undefined,
          `EXISTS (SELECT 1 FROM crm_channel_labels l WHERE l.creator_id = ch.creator_id AND ${inJson('l.label_id')})`,
          JSON.stringify(input.label_ids ?? []),
        )
        .maybe(input.keyword, `(c.nickname LIKE ? ESCAPE '\\' OR c.channel_id LIKE ? ESCAPE '\\' OR ch.email LIKE ? ESCAPE '\\' OR ch.remark LIKE ? ESCAPE '\\')`, like, like, like, like);
      return pageQuery<ChannelRow, Channel>(ws, { select: CHANNEL_SELECT, from: `${CHANNEL_FROM} ${w.sql}`, order: 'ch.updated_at DESC, ch.creator_id', params: w.params }, input, (r) => {
        const c = toChannel(r);
        return { ...c, remark: trimmed(c.remark, 200) };
      });
    },
  }),
  get: implement(channels.get, {
    run: (ws, input) => loadChannel(ws, input.creator_id),
  }),
  update: implement(channels.update, {
    // Everything apply refuses is checked here, so the preview refuses it too; the state is the channel as read.
    read: (ws, input) => {
      const { creator_id: cid, ...changes } = input;
      if (Object.values(changes).every((v) => v === undefined)) throw invalid('No change given.', 'Set at least one of coop_status, label_ids, group_ids, owner_uid, email, url or remark.');
      getRow(ws, 'creators', 'creator_id', cid, 'creator', WHERE.creator);
      if (input.coop_status !== undefined) checkCoopStatus(ws, input.coop_status);
      checkTeamMember(ws, input.owner_uid);
      checkLabels(ws, input.label_ids);
      checkGroups(ws, input.group_ids);
      const before = findChannel(ws, cid) ?? null;
      if (!before && input.coop_status === undefined && input.label_ids === undefined) {
        throw new ToolError('NOT_FOUND', `Creator ${cid} has no CRM channel; owner, email, url, remark and group changes need an existing one.`, {
          hint: 'Create the channel first with a coop_status or label_ids change (crm_update_preview or crm_batch_update_preview), or add its collection with collection_add_to_crm.',
          actionType: 'look_up_id',
        });
      }
      return before;
    },
    state: (before) => ({ channel: before }),
    effect: (_ws, input, before) => {
      const { creator_id: cid, ...given } = input;
      const changes = Object.entries(given)
        .filter(([, after]) => after !== undefined)
        .map(([field, after]) => ({ field, before: before ? (before as Record<string, unknown>)[field] : null, after }))
        .filter((c) => JSON.stringify(c.before) !== JSON.stringify(c.after));
      const what = changes.map((c) => c.field).join(', ') || 'nothing';
      return {
        effect: { channel: before, will_create: !before, changes },
        summary: before ? `Change ${what} on the CRM channel of ${cid}.` : `Create the CRM channel of ${cid} with ${what}.`,
      };
    },
    run: (ws, input, call, _loaded, before) => {
      const cid = input.creator_id;
      if (!before) createChannels(ws, [cid], { coop_status: input.coop_status ?? DEFAULT_COOP_STATUS, owner_uid: input.owner_uid !== undefined ? input.owner_uid : actingUser(ws, call) });
      const sets: string[] = ['updated_at = ?'];
      const params: unknown[] = [ws.now().toISOString()];
      for (const k of ['coop_status', 'owner_uid', 'email', 'url', 'remark'] as const) {
        if (input[k] === undefined) continue;
        sets.push(`${k} = ?`);
        params.push(input[k]);
      }
      ws.db.prepare(`UPDATE crm_channels SET ${sets.join(', ')} WHERE creator_id = ?`).run(...params, cid);
      if (input.label_ids) setLabels(ws, [cid], input.label_ids, 'replace');
      if (input.group_ids) {
        ws.db.prepare('DELETE FROM crm_channel_groups WHERE creator_id = ?').run(cid);
        ws.db.prepare('INSERT OR IGNORE INTO crm_channel_groups (creator_id, group_id) SELECT ?, value FROM json_each(?)').run(cid, JSON.stringify(input.group_ids));
      }
      return { ...loadChannel(ws, cid), created: !before, summary: `${before ? 'Updated' : 'Created'} the CRM channel of ${cid}.` };
    },
  }),
  restore: implement(channels.restore, {
    read: (ws, input) => loadChannel(ws, input.creator_id),
    state: (ch) => ({ archived: ch.archived }),
    effect: (_ws, input, ch) => ({
      effect: { channel: ch, will_restore: ch.archived },
      summary: ch.archived ? `Restore the archived CRM channel of ${input.creator_id} to the active list.` : `The CRM channel of ${input.creator_id} is not archived; apply changes nothing.`,
    }),
    run: (ws, input, _call, _loaded, ch) => {
      if (ch.archived) ws.db.prepare('UPDATE crm_channels SET archived = 0, updated_at = ? WHERE creator_id = ?').run(ws.now().toISOString(), input.creator_id);
      return {
        ...loadChannel(ws, input.creator_id),
        restored: ch.archived,
        summary: ch.archived ? `Restored the CRM channel of ${input.creator_id}.` : `The CRM channel of ${input.creator_id} was not archived.`,
      };
    },
  }),
} satisfies Implemented<typeof channels>;

// Many creators at once in the embedded workspace. Each operation reads its plan once per stage:
// the preview shows it, and the apply acts on its own reading after the token's state matched.
import type { z } from 'zod';
import type { CallInfo, Problem } from '../../src/catalog.js';
import { batch, type batchEffect, type failure } from '../../tools/crm/batch.js';
import { WHERE } from '../../tools/hints.js';
import { checkCoopStatus, DEFAULT_COOP_STATUS } from '../coop-statuses.js';
import { invalid, ToolError } from '../../src/errors.js';
import { implement, type Implemented } from '../implement.js';
import { actingUser, checkTeamMember, fingerprint, inJson, sample } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { describeChanges } from './batch-changes.js';
import { checkLabels, createChannels, nicknames, setLabels } from './channel-rows.js';

type Failure = z.infer<typeof failure>;

// ---------------------------------------------------------------------------------------------
// Channel changes: shared by crm_batch_update and crm_archive

interface BatchChanges {
  coop_status?: string | undefined;
  labels?: { operation: 'add' | 'remove'; label_ids: string[] } | undefined;
  owner_uid?: string | null | undefined;
  archived?: boolean | undefined;
}

interface BatchPlan {
  requested: string[];
  existing: { creator_id: string; archived: number; updated_at: string }[];
  create: string[];
  failed: Failure[];
}

type ExistingOutcome = (e: BatchPlan['existing'][number]) => string;

function planChannels(ws: Workspace, creatorIds: string[], changes: BatchChanges): BatchPlan {
  const requested = [...new Set(creatorIds)];
  const json = JSON.stringify(requested);
  const known = new Set(
    ws.db
      .prepare(`SELECT creator_id FROM creators WHERE ${inJson('creator_id')}`)
      .pluck()
      .all(json) as string[],
  );
  const existing = ws.db.prepare(`SELECT creator_id, archived, updated_at FROM crm_channels WHERE ${inJson('creator_id')} ORDER BY creator_id`).all(json) as BatchPlan['existing'];
  const has = new Set(existing.map((e) => e.creator_id));
  const autoCreate = changes.coop_status !== undefined || changes.labels !== undefined;
  const create: string[] = [];
  const failed: Failure[] = [];
  for (const cid of requested) {
    if (!known.has(cid)) failed.push({ creator_id: cid, reason: 'creator_not_found' });
    else if (has.has(cid)) continue;
    else if (autoCreate) create.push(cid);
    else failed.push({ creator_id: cid, reason: 'no_crm_channel' });
  }
  create.sort();
  return { requested, existing, create, failed };
}

/** The reference checks of a change, each for its field; validate lists them all, preview and apply stop at the first. */
function changeChecks(ws: Workspace, changes: BatchChanges): [string, () => void][] {
  return [
    [
      'coop_status, labels, owner_uid, archived',
      () => {
        if (changes.coop_status === undefined && changes.labels === undefined && changes.owner_uid === undefined && changes.archived === undefined) {
          throw invalid('No change given.', 'Set at least one of coop_status, labels, owner_uid or archived.');
        }
      },
    ],
    ['coop_status', () => changes.coop_status !== undefined && checkCoopStatus(ws, changes.coop_status)],
    ['owner_uid', () => checkTeamMember(ws, changes.owner_uid)],
    ['labels.label_ids', () => checkLabels(ws, changes.labels?.label_ids)],
  ];
}

function checkChanges(ws: Workspace, changes: BatchChanges): void {
  for (const [, check] of changeChecks(ws, changes)) check();
}

function changeProblems(ws: Workspace, changes: BatchChanges): Problem[] {
  const problems: Problem[] = [];
  for (const [field, check] of changeChecks(ws, changes)) {
    try {
      check();
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      problems.push({ field, code: e.code, message: e.action ? `${e.message} ${e.action.hint}` : e.message });
    }
  }
  return problems;
}

function batchState(plan: BatchPlan, changes: BatchChanges) {
  return {
    channels: fingerprint(plan.existing.map((e) => [e.creator_id, e.updated_at])),
    create: fingerprint(plan.create.map((c) => [c])),
    failed: fingerprint(plan.failed.map((f) => [f.creator_id, f.reason])),
    labels: changes.labels ? [...changes.labels.label_ids].sort() : [],
  };
}

function batchSample(ws: Workspace, plan: BatchPlan, existingOutcome: ExistingOutcome) {
  const rows = [
    ...plan.create.slice(0, 10).map((c) => ({ creator_id: c, outcome: 'will_create' })),
    ...plan.existing.slice(0, 10).map((e) => ({ creator_id: e.creator_id, outcome: existingOutcome(e) })),
    ...plan.failed.slice(0, 10).map((f) => ({ creator_id: f.creator_id, outcome: f.reason })),
  ];
  const names = nicknames(
    ws,
    rows.map((r) => r.creator_id),
  );
  return sample(rows).map((r) => ({ ...r, nickname: names.get(r.creator_id) ?? null }));
}

function batchEffectOf(ws: Workspace, plan: BatchPlan, existingOutcome: ExistingOutcome): z.input<typeof batchEffect> {
  return {
    requested_count: plan.requested.length,
    matched_count: plan.existing.length + plan.create.length + plan.failed.filter((f) => f.reason === 'no_crm_channel').length,
    existing_count: plan.existing.length,
    will_create_count: plan.create.length,
    failed_count: plan.failed.length,
    failed: plan.failed.slice(0, 50),
    sample: batchSample(ws, plan, existingOutcome),
  };
}

/** Applies the changes set-based, in the caller's transaction. */
function applyChanges(ws: Workspace, call: CallInfo, plan: BatchPlan, changes: BatchChanges): { created: number; updated: number } {
  const existingIds = plan.existing.map((e) => e.creator_id);
  const created = createChannels(ws, plan.create, {
    coop_status: changes.coop_status ?? DEFAULT_COOP_STATUS,
    owner_uid: changes.owner_uid !== undefined ? changes.owner_uid : actingUser(ws, call),
    archived: changes.archived ?? false,
  });
  const sets: string[] = ['updated_at = ?'];
  const params: unknown[] = [ws.now().toISOString()];
  if (changes.coop_status !== undefined) {
    sets.push('coop_status = ?');
    params.push(changes.coop_status);
  }
  if (changes.owner_uid !== undefined) {
    sets.push('owner_uid = ?');
    params.push(changes.owner_uid);
  }
  if (changes.archived !== undefined) {
    sets.push('archived = ?');
    params.push(changes.archived ? 1 : 0);
  }
  const updated = existingIds.length ? ws.db.prepare(`UPDATE crm_channels SET ${sets.join(', ')} WHERE ${inJson('creator_id')}`).run(...params, JSON.stringify(existingIds)).changes : 0;
  if (changes.labels) setLabels(ws, [...existingIds, ...plan.create], changes.labels.label_ids, changes.labels.operation);
  return { created, updated };
}

// ---------------------------------------------------------------------------------------------
// Adding channels to an email task

interface TaskRow {
  task_id: string;
  name: string;
  status: string;
  campaign_id: string | null;
  updated_at: string;
}

interface EmailPlan {
  task: TaskRow;
  add: string[];
  already: string[];
  failed: Failure[];
}

function emailProblems(ws: Workspace, taskId: string): { task?: TaskRow; problems: Problem[] } {
  const task = ws.db.prepare('SELECT task_id, name, status, campaign_id, updated_at FROM email_tasks WHERE task_id = ?').get(taskId) as TaskRow | undefined;
  if (!task) return { problems: [{ field: 'task_id', code: 'NOT_FOUND', message: `No email task with id ${JSON.stringify(taskId)}. ${WHERE.emailTask}` }] };
  if (task.status !== 'draft')
    return { task, problems: [{ field: 'task_id', code: 'CONFLICT', message: `Task ${task.task_id} is ${task.status}: recipients can only be added before the send flow starts (draft).` }] };
  return { task, problems: [] };
}

function planEmail(ws: Workspace, taskId: string, creatorIds: string[]): EmailPlan {
  const { task, problems } = emailProblems(ws, taskId);
  const p = problems[0];
  if (p)
    throw new ToolError(p.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'CONFLICT', p.message, {
      hint: p.code === 'NOT_FOUND' ? WHERE.emailTask : 'Choose a draft task (email_list), or cancel the scheduled send first.',
    });
  const requested = [...new Set(creatorIds)];
  const json = JSON.stringify(requested);
  const known = new Set(
    ws.db
      .prepare(`SELECT creator_id FROM creators WHERE ${inJson('creator_id')}`)
      .pluck()
      .all(json) as string[],
  );
  const channels = new Map(
    (ws.db.prepare(`SELECT creator_id, archived FROM crm_channels WHERE ${inJson('creator_id')}`).all(json) as { creator_id: string; archived: number }[]).map((r) => [r.creator_id, r.archived]),
  );
  const present = new Set(
    ws.db
      .prepare(`SELECT creator_id FROM email_recipients WHERE task_id = ? AND ${inJson('creator_id')}`)
      .pluck()
      .all(task!.task_id, json) as string[],
  );
  const plan: EmailPlan = { task: task!, add: [], already: [], failed: [] };
  for (const cid of requested) {
    const archived = channels.get(cid);
    if (!known.has(cid)) plan.failed.push({ creator_id: cid, reason: 'creator_not_found' });
    else if (archived === undefined) plan.failed.push({ creator_id: cid, reason: 'no_crm_channel' });
    else if (archived) plan.failed.push({ creator_id: cid, reason: 'archived' });
    else if (present.has(cid)) plan.already.push(cid);
    else plan.add.push(cid);
  }
  plan.add.sort();
  return plan;
}

// ---------------------------------------------------------------------------------------------

export const batchImplementations = {
  update: implement(batch.update, {
    validate: (ws, input) => changeProblems(ws, input),
    read: (ws, input) => {
      checkChanges(ws, input);
      const plan = planChannels(ws, input.selector.creator_ids, input);
      return {
        ...plan,
        described: describeChanges(
          ws,
          plan.existing.map((e) => e.creator_id),
          plan.create,
          input,
        ),
      };
    },
    // The named changes are bound too: a label or status edited elsewhere after the preview changes what the person approved.
    state: (plan, input) => ({ ...batchState(plan, input), changes: plan.described.changes }),
    effect: (ws, _input, plan) => {
      const { changes, phrases } = plan.described;
      return {
        effect: { ...batchEffectOf(ws, plan, () => 'will_update'), changes },
        summary: `Update ${plan.existing.length} CRM channel(s) and create ${plan.create.length}: ${phrases.join('; ')}; ${plan.failed.length} creator(s) fail.`,
      };
    },
    run: (ws, input, call, _loaded, plan) => {
      const { created, updated } = applyChanges(ws, call, plan, input);
      return {
        created_count: created,
        updated_count: updated,
        failed_count: plan.failed.length,
        failed: plan.failed.slice(0, 100),
        summary: `Created ${created} and updated ${updated} CRM channel(s); ${plan.failed.length} failed.`,
      };
    },
  }),
  archive: implement(batch.archive, {
    read: (ws, input) => planChannels(ws, input.creator_ids, { archived: true }),
    state: (plan) => batchState(plan, {}),
    effect: (ws, _input, plan) => {
      const { will_create_count: _none, ...effect } = batchEffectOf(ws, plan, (e) => (e.archived ? 'already_archived' : 'will_archive'));
      const already = plan.existing.filter((e) => e.archived).length;
      return {
        effect: { ...effect, will_archive_count: plan.existing.length - already, already_archived_count: already },
        summary: `Archive ${plan.existing.length - already} CRM channel(s); ${already} already archived, ${plan.failed.length} creator(s) without a channel.`,
      };
    },
    run: (ws, _input, call, _loaded, plan) => {
      const already = plan.existing.filter((e) => e.archived);
      const active = { ...plan, existing: plan.existing.filter((e) => !e.archived) };
      const { updated } = applyChanges(ws, call, active, { archived: true });
      return {
        archived_count: updated,
        already_archived_count: already.length,
        failed_count: plan.failed.length,
        failed: plan.failed.slice(0, 100),
        summary: `Archived ${updated} CRM channel(s); ${plan.failed.length} failed.`,
      };
    },
  }),
  addToEmail: implement(batch.addToEmail, {
    validate: (ws, input) => emailProblems(ws, input.task_id).problems,
    read: (ws, input) => planEmail(ws, input.task_id, input.selector.creator_ids),
    state: (plan) => ({
      task: { status: plan.task.status, updated_at: plan.task.updated_at },
      add: plan.add,
      already: [...plan.already].sort(),
      failed: plan.failed.map((f) => `${f.creator_id}:${f.reason}`),
    }),
    effect: (ws, _input, plan) => {
      // Sample rows keep the request's order of the existing recipients; only the bound state sorts them.
      const rows = [...plan.add.map((c) => ({ creator_id: c, outcome: 'will_add' })), ...plan.already.map((c) => ({ creator_id: c, outcome: 'already_recipient' }))].slice(0, 10);
      const names = nicknames(
        ws,
        rows.map((r) => r.creator_id),
      );
      return {
        effect: {
          task_id: plan.task.task_id,
          task_name: plan.task.name,
          requested_count: plan.add.length + plan.already.length + plan.failed.length,
          will_add_count: plan.add.length,
          already_recipient_count: plan.already.length,
          failed_count: plan.failed.length,
          failed: plan.failed.slice(0, 50),
          sample: rows.map((r) => ({ ...r, nickname: names.get(r.creator_id) ?? null })),
        },
        summary: `Add ${plan.add.length} CRM channel(s) to email task "${plan.task.name}" (${plan.task.task_id}); ${plan.already.length} already recipients, ${plan.failed.length} fail.`,
      };
    },
    run: (ws, _input, _call, _loaded, plan) => {
      const at = ws.now().toISOString();
      const added = ws.db
        .prepare(
          `INSERT INTO email_recipients (recipient_id, task_id, creator_id, platform, channel_id, email_address, status, added_at)
           SELECT 'rcp_' || lower(hex(randomblob(8))), ?, c.creator_id, c.platform, c.channel_id, NULL, 'pending', ? FROM creators c WHERE ${inJson('c.creator_id')}`,
        )
        .run(plan.task.task_id, at, JSON.stringify(plan.add)).changes;
      if (added) ws.db.prepare('UPDATE email_tasks SET updated_at = ? WHERE task_id = ?').run(at, plan.task.task_id);
      return {
        task_id: plan.task.task_id,
        campaign_id: plan.task.campaign_id,
        added_count: added,
        already_recipient_count: plan.already.length,
        failed_count: plan.failed.length,
        failed: plan.failed.slice(0, 100),
        summary: `Added ${added} recipient(s) to email task ${plan.task.task_id}; ${plan.already.length} already there, ${plan.failed.length} failed.`,
      };
    },
  }),
} satisfies Implemented<typeof batch>;

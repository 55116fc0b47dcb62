// Who besides the owner can see or edit an email task. The owner always stays.
import { z } from 'zod';
import { idString } from '../shared.js';
import { collaborator, taskId, defineRecipientsContract } from './schemas.js';

const grantable = z.enum(['edit', 'view', 'manage_members']).describe('Access level.');
const permissionChange = z.object({ user_uid: z.string(), permission: z.string() });
/** What an add or remove shows before it changes anyone's access. */
const accessEffect = z.object({ task_id: z.string(), task_name: z.string(), user_uid: z.string(), name: z.string(), permission: z.string().nullable(), previous_permission: z.string().nullable() });

export const collaborators = {
  list: defineRecipientsContract({
    name: 'email.collaborators_list',
    cli: 'email collaborators list',
    title: 'List collaborators',
    description: "Without task_id: the team members (user_uid, name, role). With task_id: that task's collaborators and permissions.",
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/collaborators' },
    input: z.strictObject({ task_id: taskId.optional() }),
    output: z.object({
      task_id: z.string().nullable(),
      team_members: z.array(z.object({ user_uid: z.string(), name: z.string(), email: z.string(), role: z.string() })),
      collaborators: z.array(collaborator),
    }),
  }),
  add: defineRecipientsContract({
    name: 'email.collaborators_add',
    cli: 'email collaborators add',
    title: 'Add a collaborator',
    description: 'Gives a team member access to a task, or changes their permission.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Access: gives a teammate access to an email task (manage_members lets them change who else has it).',
    confirm: true,
    hints: { destructive: false },
    // Its own path: replace holds PUT …/collaborators, and their stage routes would clash.
    route: { method: 'POST', path: '/email/tasks/:task_id/collaborators/add' },
    input: z.strictObject({ task_id: taskId, user_uid: idString(), permission: grantable }),
    output: z.object({ task_id: z.string(), user_uid: z.string(), permission: z.string(), previous_permission: z.string().nullable(), collaborators: z.array(collaborator), summary: z.string() }),
    effect: accessEffect,
    idsOf: (i) => [i.task_id, i.user_uid],
  }),
  remove: defineRecipientsContract({
    name: 'email.collaborators_remove',
    cli: 'email collaborators remove',
    title: 'Remove a collaborator',
    description: "Removes a team member's access to a task; the owner always stays.",
    kind: 'write',
    risk: 'high',
    riskReason: "Access: takes a teammate's access to an email task away.",
    confirm: true,
    route: { method: 'DELETE', path: '/email/tasks/:task_id/collaborators/:user_uid' },
    input: z.strictObject({ task_id: taskId, user_uid: idString() }),
    output: z.object({ task_id: z.string(), removed: z.boolean(), collaborators: z.array(collaborator), summary: z.string() }),
    effect: accessEffect,
    idsOf: (i) => [i.task_id, i.user_uid],
  }),
  replace: defineRecipientsContract({
    name: 'email.collaborators_replace',
    cli: 'email collaborators replace',
    title: 'Replace collaborators',
    description: 'Replaces the collaborators of a task; the owner stays and is left out ([] leaves only the owner).',
    kind: 'write',
    risk: 'high',
    riskReason: 'Access: replaces who may work on an email task.',
    confirm: true,
    route: { method: 'PUT', path: '/email/tasks/:task_id/collaborators' },
    input: z.strictObject({
      task_id: taskId,
      collaborators: z
        .array(z.strictObject({ user_uid: idString(), permission: grantable }))
        .max(50)
        .describe('The whole new set.'),
    }),
    output: z.object({ task_id: z.string(), added: z.int(), removed: z.int(), changed: z.int(), collaborators: z.array(collaborator), summary: z.string() }),
    effect: z.object({
      owner_uid: z.string(),
      will_add: z.array(permissionChange),
      will_remove: z.array(z.string()),
      will_change: z.array(permissionChange),
    }),
    idsOf: (i) => [i.task_id],
  }),
};

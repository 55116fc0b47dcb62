// What CRM labels and groups share in the embedded workspace: unique names, and deletion that
// marks the channels carrying them changed.
import { ToolError } from '../../src/errors.js';
import type { Workspace } from '../workspace.js';
import { touchChannels } from './channel-rows.js';

/** Inserts or renames a label/group row, turning a name clash into DUPLICATE_DATA. */
export function uniqueName<T>(what: 'label' | 'group', name: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw duplicateName(what, name);
    throw e;
  }
}

/** The refusal of a label/group name that is taken (a preview gives it before the apply's insert would). */
export function duplicateName(what: 'label' | 'group', name: string): ToolError {
  return new ToolError('DUPLICATE_DATA', `A CRM ${what} named ${JSON.stringify(name)} already exists.`, { hint: `Use the existing ${what} (crm_${what}s_list) or choose another name.` });
}

/** Deletes a label or group after marking its channels changed; returns how many channels carried it. */
export function deleteTag(ws: Workspace, kind: 'label' | 'group', tagId: string): number {
  const link = kind === 'label' ? 'crm_channel_labels' : 'crm_channel_groups';
  const carriers = ws.db.prepare(`SELECT creator_id FROM ${link} WHERE ${kind}_id = ?`).pluck().all(tagId) as string[];
  touchChannels(ws, carriers);
  ws.db.prepare(`DELETE FROM crm_${kind}s WHERE ${kind}_id = ?`).run(tagId);
  return carriers.length;
}

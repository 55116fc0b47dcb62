// Cooperation statuses are server-defined in NoxInfluencer: ids that `message coop-statuses`
// returns and every other command takes (its docs pass `--coop_status 2`). The embedded workspace
// serves these six from its coop_statuses table; the catalog only knows "an id from
// message_coop_statuses", so a backend with other ids needs no catalog change.
import { notFound } from '../src/errors.js';
import type { Workspace } from './workspace.js';

/** The workspace's statuses in order, by name; the first is the default of auto-created channels. */
export const COOP_STATUS_NAMES = ['pending', 'contacted', 'negotiating', 'cooperating', 'completed', 'rejected'] as const;
export type CoopStatusName = (typeof COOP_STATUS_NAMES)[number];

/** Each name's id: numeric strings, as NoxInfluencer's own are. */
export const COOP_STATUS_ID = Object.fromEntries(COOP_STATUS_NAMES.map((n, i) => [n, String(i + 1)])) as Record<CoopStatusName, string>;
export const DEFAULT_COOP_STATUS = COOP_STATUS_ID.pending;

const LOOKUP_HINT = 'Cooperation status ids come from message_coop_statuses (e.g. "2"); pass the id, not the name.';

/** The id, if the workspace defines it; an unknown id is refused naming the lookup tool. */
export function checkCoopStatus(ws: Workspace, id: string): string {
  if (!ws.db.prepare('SELECT 1 FROM coop_statuses WHERE coop_status = ?').get(id)) throw notFound('cooperation status', id, LOOKUP_HINT);
  return id;
}

/** The id a spreadsheet cell names, by id or (case-insensitive) name; null when it names none. */
export function coopStatusFromCell(ws: Workspace, cell: string): string | null {
  return (ws.db.prepare('SELECT coop_status FROM coop_statuses WHERE coop_status = ? OR lower(name) = lower(?)').pluck().get(cell, cell) as string | undefined) ?? null;
}

/** The statuses, in order: id and name. */
export function coopStatuses(ws: Workspace): { coop_status: string; name: string }[] {
  return ws.db.prepare('SELECT coop_status, name FROM coop_statuses ORDER BY position').all() as { coop_status: string; name: string }[];
}

/** The migration that defines them and turns the names older workspaces stored into ids. */
export const coopStatusMigrationSql = `
  CREATE TABLE coop_statuses (
    coop_status TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, position INTEGER NOT NULL, is_default INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO coop_statuses (coop_status, name, position, is_default) VALUES
    ${COOP_STATUS_NAMES.map((n, i) => `('${COOP_STATUS_ID[n]}', '${n}', ${i + 1}, ${i === 0 ? 1 : 0})`).join(',\n    ')};
  UPDATE crm_channels SET coop_status = (SELECT s.coop_status FROM coop_statuses s WHERE s.name = crm_channels.coop_status)
    WHERE coop_status IN (SELECT name FROM coop_statuses);
  UPDATE message_threads SET coop_status = (SELECT s.coop_status FROM coop_statuses s WHERE s.name = message_threads.coop_status)
    WHERE coop_status IN (SELECT name FROM coop_statuses);
`;

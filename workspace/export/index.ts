// The export domain in the embedded workspace.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace, WorkspaceJobs } from '../workspace.js';
import { exportImplementations } from './exports.js';
import { buildExport, EXPORT_JOB } from './files.js';

export const exportDomain: Implementation<Workspace>[] = Object.values(exportImplementations);
export const exportJobs: WorkspaceJobs = { [EXPORT_JOB]: buildExport };

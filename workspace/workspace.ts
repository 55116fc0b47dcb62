// What an operation's handler works with in the embedded workspace: the store, the clock, id
// minting, the files root and the job queue.
import { randomBytes } from 'node:crypto';
import type { Db } from '../src/store.js';
import type { FilesRoot } from '../src/files.js';
import type { JobHandler, JobQueue } from '../src/jobs.js';

export interface Workspace {
  readonly db: Db;
  readonly files: FilesRoot;
  readonly jobs: JobQueue;
  now(): Date;
  /** A new opaque id such as `col_9f2c4a1b7e03d5c8`. */
  newId(prefix: string): string;
}

export function makeWorkspace(db: Db, files: FilesRoot, jobs: JobQueue, now: () => Date = () => new Date()): Workspace {
  return {
    db,
    files,
    jobs,
    now,
    newId: (prefix) => `${prefix}_${randomBytes(8).toString('hex')}`,
  };
}

/** The workspace's async job kinds and their handlers (imports, exports, scheduled sends). */
export type WorkspaceJobs = Record<string, (ws: Workspace) => JobHandler>;

// The email jobs. Scheduled sends fire from the job runner (they live in the jobs table, so they
// survive restarts); simulated replies follow a send.
import { simulateReplies } from '../simulator.js';
import type { WorkspaceJobs } from '../workspace.js';
import { evaluate } from './recipient-filter.js';
import { performSend } from './send.js';
import { JOB_REPLIES, JOB_SCHEDULED_SEND, readFilter, type TaskRow } from './task-store.js';

export const emailJobs: WorkspaceJobs = {
  [JOB_SCHEDULED_SEND]: (ws) => async (params) => {
    const tid = String(params.task_id);
    return ws.db
      .transaction(() => {
        const t = ws.db.prepare('SELECT * FROM email_tasks WHERE task_id = ?').get(tid) as TaskRow | undefined;
        // A schedule that was cancelled, moved or deleted since it was queued does nothing.
        if (!t || t.status !== 'scheduled' || t.plan_send_at !== params.plan_send_at) return { skipped: true };
        return performSend(ws, t, evaluate(ws, tid, readFilter(t.recipient_filter_json)));
      })
      .immediate();
  },
  [JOB_REPLIES]: (ws) => async (params) => ws.db.transaction(() => simulateReplies(ws, String(params.task_id), ws.now())).immediate(),
};

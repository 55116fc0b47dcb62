// A tag naming one server process among those sharing a store ("<pid>:<random>"), so that work a
// process claimed (a preview token, a job lease) can be told apart from work of a process that died.
import { randomBytes } from 'node:crypto';

export function newProcessTag(): string {
  return `${process.pid}:${randomBytes(6).toString('hex')}`;
}

/** Whether the process a tag names is still running on this machine. */
export function processAlive(tag: string | null | undefined): boolean {
  const pid = Number(tag?.split(':')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

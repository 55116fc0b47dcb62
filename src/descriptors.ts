// The file system steps the files root takes through open descriptors, so that a path checked is
// the path used: folders opened and named through their descriptors, quiet closes and stats,
// whole reads, and what a concurrent change of the tree turns into (a refusal, never a crash).
import { closeSync, existsSync, lstatSync, readSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ToolError } from './errors.js';

export const refuse = (summary: string, hint = 'Give a path inside the files root, relative to it (e.g. "imports/creators.xlsx").') =>
  new ToolError('FILE_REFUSED', summary, { hint, actionType: 'fix_path' });

/** An open folder: entries are named through its descriptor where the system allows it. */
export interface Folder {
  fd: number;
  /** Its real path when it was opened (checked inside the root). */
  real: string;
  entry(name: string): string;
  /** Whether it is still inside the root. */
  inside(): boolean;
  close(): void;
}

/** Linux names an open descriptor's directory as /proc/self/fd/<fd>: openat without openat. */
export const PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd');

export function makeFolder(fd: number, real: string, inside: () => boolean): Folder {
  let open = true;
  return {
    fd,
    real,
    entry: (name) => (PROC_FD ? `/proc/self/fd/${fd}/${name}` : join(real, name)),
    inside,
    close: () => {
      if (open) closeQuietly(fd);
      open = false;
    },
  };
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}

export function lstatQuiet(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** Reads an open file's bytes, at most `size` (the size it had when checked). */
export function readAll(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buf, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return got === size ? buf : buf.subarray(0, got);
}

/** A filesystem error while opening or placing a file: what a concurrent change of the tree causes. */
export function raced(p: string, e: unknown, hint: string): Error {
  if (e instanceof ToolError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code && ['ENOENT', 'ENOTDIR', 'ELOOP', 'EEXIST', 'EISDIR', 'ENOTEMPTY', 'EXDEV', 'EMLINK', 'EACCES', 'EPERM', 'ENAMETOOLONG', 'EBUSY', 'EINVAL'].includes(code)) {
    return refuse(`The path ${JSON.stringify(p)} changed or could not be used while the file was opened (${code}); nothing was read or written.`, hint);
  }
  return e as Error;
}

export function within(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

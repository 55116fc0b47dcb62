// The files root: every file a tool reads or writes lives under one directory. Paths are resolved
// and contained (no `..` escape, no symlink escape, no NUL, no encoded or Windows forms); outputs
// are written whole (temp file + link/rename) and never replace an existing file unless the
// caller previewed an overwrite. Remote clients may send content_base64 + filename instead.
//
// Someone else may change the tree while a tool runs (swap a folder for a link to elsewhere), so
// checking a path and then using it is not enough: files are opened first and the opened
// descriptor is checked. On Linux every step below the root goes through /proc/self/fd/<dir>/name,
// which names the entry of the directory already opened and checked (like openat), so a folder
// swapped afterwards changes nothing.
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ToolError } from './errors.js';

export interface FileInput {
  path?: string | undefined;
  content_base64?: string | undefined;
  filename?: string | undefined;
}

export interface InputRules {
  maxBytes: number;
  /** Lower-case extensions with the dot, e.g. ['.xlsx', '.csv']. */
  extensions?: string[];
  /** Extensions refused whatever the list says (executables and scripts). */
  refuse?: string[];
}

export interface LoadedFile {
  name: string;
  ext: string;
  bytes: Buffer;
  /** Path relative to the files root when the input was a path. */
  path?: string;
}

export const EXECUTABLE_EXTENSIONS = ['.exe', '.bat', '.cmd', '.com', '.msi', '.scr', '.ps1', '.sh', '.bash', '.js', '.mjs', '.vbs', '.jar', '.app', '.dll', '.py', '.php', '.pl', '.rb'];

const refuse = (summary: string, hint = 'Give a path inside the files root, relative to it (e.g. "imports/creators.xlsx").') =>
  new ToolError('FILE_REFUSED', summary, { hint, actionType: 'fix_path' });

export class FilesRoot {
  readonly root: string;
  private realRoot: string | undefined;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private real(): string {
    if (!this.realRoot) {
      mkdirSync(this.root, { recursive: true });
      this.realRoot = realpathSync(this.root);
    }
    return this.realRoot;
  }

  /** Lexical resolution and containment; symlinks are checked by the callers against the real root. */
  resolvePath(p: string): string {
    if (typeof p !== 'string' || p.length === 0) throw refuse('The path is empty.');
    if (p.length > 1024) throw refuse('The path is longer than 1024 characters.');
    if (p.includes('\0')) throw refuse('The path contains a NUL character.');
    if (/%(2e|2f|5c|00)/i.test(p)) throw refuse('The path contains percent-encoded separators or dots; give a plain path.');
    if (p.includes('\\') || /^[a-zA-Z]:/.test(p)) throw refuse('Windows drive, UNC and backslash paths are not accepted; use forward slashes relative to the files root.');
    const abs = isAbsolute(p) ? resolve(p) : resolve(this.root, p);
    if (!within(this.root, abs)) throw refuse(`The path ${JSON.stringify(p)} is outside the files root.`);
    return abs;
  }

  /** The path as shown to agents: relative to the files root. */
  display(abs: string): string {
    return relative(this.root, abs).split(sep).join('/');
  }

  /** Resolves an existing regular file inside the root, following no link out of it. */
  resolveExisting(p: string): string {
    const f = this.openExisting(p);
    closeSync(f.fd);
    return f.real;
  }

  /**
   * Opens an existing regular file inside the root: its real path must be inside the real root,
   * and so must the path of the descriptor actually opened (a link swapped in meanwhile is caught).
   */
  private openExisting(p: string): { fd: number; real: string; size: number } {
    const abs = this.resolvePath(p);
    const realRoot = this.real();
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new ToolError('NOT_FOUND', `No file at ${JSON.stringify(p)} in the files root.`, { hint: 'List or create the file first; paths are relative to the files root.', actionType: 'fix_path' });
      }
      throw refuse(`The path ${JSON.stringify(p)} cannot be resolved (${code ?? 'error'}).`);
    }
    if (!within(realRoot, real)) throw refuse(`The path ${JSON.stringify(p)} leads outside the files root through a symbolic link.`);
    let fd: number;
    try {
      // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below as not a file.
      fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      throw raced(p, e);
    }
    try {
      if (!this.openedInside(fd, real)) throw refuse(`The path ${JSON.stringify(p)} leads outside the files root through a symbolic link.`);
      const st = fstatSync(fd);
      if (!st.isFile()) throw refuse(`The path ${JSON.stringify(p)} is not a regular file.`);
      return { fd, real, size: st.size };
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /**
   * Whether an open descriptor is inside the real root: by its own path where the system tells it
   * (Linux), else by being the same file as `expected` whose real path is inside.
   */
  private openedInside(fd: number, expected: string): boolean {
    const realRoot = this.real();
    if (PROC_FD) {
      let now: string;
      try {
        now = readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return false;
      }
      return !now.endsWith(' (deleted)') && within(realRoot, now);
    }
    try {
      const a = fstatSync(fd);
      const b = statSync(expected);
      return a.dev === b.dev && a.ino === b.ino && within(realRoot, realpathSync(expected));
    } catch {
      return false;
    }
  }

  /** Loads a file given as a path in the root or as content_base64 + filename, enforcing size and type. */
  load(input: FileInput, rules: InputRules): LoadedFile {
    let name: string;
    let bytes: Buffer;
    let shownPath: string | undefined;
    if (input.path !== undefined && input.content_base64 !== undefined) {
      throw new ToolError('INVALID_REQUEST', 'Give either path or content_base64 + filename, not both.', { hint: 'Use path for files in the files root; content_base64 when the file is on the client.' });
    }
    if (input.path !== undefined) {
      const f = this.openExisting(input.path);
      try {
        name = normalizeName(basename(f.real), (why) => refuse(`The file name ${JSON.stringify(basename(f.real))} ${why}.`, 'Rename the file to a plain name such as "creators.xlsx".'));
        checkType(name, rules);
        if (f.size > rules.maxBytes) throw tooLarge(name, f.size, rules.maxBytes);
        bytes = readAll(f.fd, f.size);
      } finally {
        closeSync(f.fd);
      }
      shownPath = this.display(join(this.root, relative(this.real(), f.real)));
    } else if (input.content_base64 !== undefined) {
      if (!input.filename) throw new ToolError('INVALID_REQUEST', 'content_base64 needs a filename.', { hint: 'Pass the original file name, e.g. "brief.pdf".' });
      name = safeFileName(input.filename);
      checkType(name, rules);
      if (!/^[A-Za-z0-9+/=\s_-]*$/.test(input.content_base64)) throw new ToolError('INVALID_REQUEST', 'content_base64 is not base64.', { hint: 'Encode the file bytes as standard base64.' });
      if (Math.floor((input.content_base64.length * 3) / 4) > rules.maxBytes + 4) throw tooLarge(name, Math.floor((input.content_base64.length * 3) / 4), rules.maxBytes);
      bytes = Buffer.from(input.content_base64, 'base64');
      if (bytes.length > rules.maxBytes) throw tooLarge(name, bytes.length, rules.maxBytes);
    } else {
      throw new ToolError('INVALID_REQUEST', 'No file given.', { hint: 'Pass path (inside the files root) or content_base64 with filename.' });
    }
    if (bytes.length === 0) throw new ToolError('FILE_REFUSED', `The file ${name} is empty.`, { hint: 'Give a file with content.' });
    return { name, ext: extname(name).toLowerCase(), bytes, ...(shownPath ? { path: shownPath } : {}) };
  }

  /** Checks that an output can be written (contained, parent real path inside root, absent unless overwrite). */
  checkOutput(p: string, overwrite: boolean): { abs: string; exists: boolean } {
    const abs = this.resolvePath(p);
    if (abs === this.root) throw refuse('The output path names the files root itself; give a file name.');
    // The nearest folder on the way that exists (a link counts) must really be inside the root,
    // or creating the missing folders below it would follow a link out of the root.
    const realRoot = this.real(); // creates the root if it is missing
    let parent = dirname(abs);
    while (!lexists(parent) && dirname(parent) !== parent) parent = dirname(parent);
    let realParent: string;
    try {
      realParent = realpathSync(parent);
    } catch {
      throw refuse(`The folder of ${JSON.stringify(p)} goes through a broken symbolic link.`);
    }
    if (!within(realRoot, realParent)) throw refuse(`The folder of ${JSON.stringify(p)} leads outside the files root through a symbolic link.`);
    let exists = false;
    try {
      const st = lstatSync(abs);
      exists = true;
      if (st.isSymbolicLink()) throw refuse(`The output ${JSON.stringify(p)} is a symbolic link; it is never written through.`);
      if (!st.isFile()) throw refuse(`The output ${JSON.stringify(p)} exists and is not a regular file.`);
    } catch (e) {
      if (e instanceof ToolError) throw e;
    }
    if (exists && !overwrite) {
      throw new ToolError('FILE_REFUSED', `The file ${JSON.stringify(this.display(abs))} already exists.`, {
        hint: 'Choose another output path, or preview again with overwrite: true to replace it.',
        actionType: 'choose_output',
      });
    }
    return { abs, exists };
  }

  /** Writes a whole file atomically: a temp file in the same folder, then linked (exclusive) or renamed (overwrite). */
  writeOutput(p: string, data: Buffer | string, overwrite: boolean): { path: string; bytes: number } {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const out = this.openOutputStream(p, overwrite);
    try {
      out.write(buf);
      return { path: out.commit(), bytes: buf.length };
    } catch (e) {
      out.abort();
      throw e;
    }
  }

  /**
   * Opens an output: a temp file created exclusively in the output's folder (opened and checked
   * inside the root), written through its descriptor; commit links it into place (exclusive) or
   * renames it over the old file (overwrite previewed). abort, or any failure, removes it.
   */
  openOutputStream(p: string, overwrite: boolean): OutputStream {
    const { abs } = this.checkOutput(p, overwrite);
    const name = basename(abs);
    const dir = this.openFolder(p, dirname(abs));
    const tmpName = `.${name.slice(0, 200)}.${randomBytes(6).toString('hex')}.tmp`;
    let fd: number | undefined;
    let tmpExists = false;
    let done = false;
    const cleanup = () => {
      if (fd !== undefined) closeQuietly(fd);
      fd = undefined;
      if (tmpExists) {
        try {
          unlinkSync(dir.entry(tmpName));
        } catch {
          /* already gone */
        }
        tmpExists = false;
      }
      dir.close();
    };
    try {
      fd = openSync(dir.entry(tmpName), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      tmpExists = true;
      if (!this.openedInside(fd, join(dir.real, tmpName))) throw refuse(`The folder of ${JSON.stringify(p)} left the files root while writing; nothing was written.`);
    } catch (e) {
      cleanup();
      throw raced(p, e);
    }
    const writeFd = () => {
      if (done || fd === undefined) throw new Error('output already committed or aborted');
      return fd;
    };
    return {
      finalPath: abs,
      write: (chunk) => {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        const f = writeFd();
        for (let off = 0; off < b.length; ) off += writeSync(f, b, off, b.length - off);
      },
      copyFrom: (source) => {
        const f = writeFd();
        const src = openSync(source, constants.O_RDONLY);
        try {
          const chunk = Buffer.allocUnsafe(1024 * 1024);
          for (let n = readSync(src, chunk, 0, chunk.length, null); n > 0; n = readSync(src, chunk, 0, chunk.length, null)) {
            for (let off = 0; off < n; ) off += writeSync(f, chunk, off, n - off);
          }
        } finally {
          closeSync(src);
        }
      },
      commit: () => {
        const f = writeFd();
        try {
          fsyncSync(f);
          closeSync(f);
          fd = undefined;
          if (!dir.inside()) throw refuse(`The folder of ${JSON.stringify(p)} left the files root while writing; nothing was written.`);
          if (overwrite) {
            const st = lstatQuiet(dir.entry(name));
            if (st && !st.isFile()) throw refuse(`The output ${JSON.stringify(p)} is not a regular file (a link or folder appeared there); it was not replaced.`);
            renameSync(dir.entry(tmpName), dir.entry(name)); // replaces a file, never writes through a link
            tmpExists = false;
          } else {
            linkSync(dir.entry(tmpName), dir.entry(name)); // fails if anything appeared there: never replaces it
            unlinkSync(dir.entry(tmpName));
            tmpExists = false;
          }
          if (!dir.inside()) {
            // The folder was moved out of the root meanwhile: take back what was just placed there.
            try {
              unlinkSync(dir.entry(name));
            } catch {
              /* gone already */
            }
            throw refuse(`The folder of ${JSON.stringify(p)} left the files root while writing; the file was removed.`);
          }
          try {
            fsyncSync(dir.fd); // the new name is durable too
          } catch {
            /* not supported here */
          }
          done = true;
          cleanup();
          return this.display(abs);
        } catch (e) {
          cleanup();
          done = true;
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw refuse(`The file ${JSON.stringify(p)} appeared while writing; it was not replaced.`, 'Choose another output path, or preview again with overwrite: true to replace it.');
          throw raced(p, e);
        }
      },
      abort: () => {
        if (done) return;
        done = true;
        cleanup();
      },
    };
  }

  /**
   * Opens the folder an output goes into, creating missing folders one at a time, each inside a
   * folder already opened and checked; a link on the way is followed only to a folder inside.
   */
  private openFolder(p: string, absDir: string): Folder {
    const realRoot = this.real();
    const parts = relative(this.root, absDir).split(sep).filter((x) => x !== '');
    let dir: Folder;
    try {
      dir = this.folderAt(realRoot);
    } catch (e) {
      throw raced(p, e);
    }
    try {
      for (const part of parts) {
        const next = this.childFolder(p, dir, part);
        dir.close();
        dir = next;
      }
      return dir;
    } catch (e) {
      dir.close();
      throw e;
    }
  }

  private folderAt(real: string): Folder {
    const fd = openSync(real, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    const folder = makeFolder(fd, real, () => this.openedInside(fd, real));
    if (!folder.inside()) {
      folder.close();
      throw refuse(`The folder ${JSON.stringify(this.display(real))} is outside the files root.`);
    }
    return folder;
  }

  private childFolder(p: string, dir: Folder, name: string): Folder {
    const entry = dir.entry(name);
    const open = () => {
      const fd = openSync(entry, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      const real = join(dir.real, name);
      const folder = makeFolder(fd, real, () => this.openedInside(fd, real));
      if (!folder.inside()) {
        folder.close();
        throw refuse(`The folder of ${JSON.stringify(p)} leads outside the files root.`);
      }
      return folder;
    };
    try {
      return open();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (e instanceof ToolError) throw e;
      if (code === 'ENOENT') {
        try {
          mkdirSync(entry, 0o755);
        } catch (m) {
          if ((m as NodeJS.ErrnoException).code !== 'EEXIST') throw raced(p, m);
        }
        try {
          return open();
        } catch (again) {
          if (again instanceof ToolError) throw again;
          throw raced(p, again);
        }
      }
      if (code === 'ENOTDIR' || code === 'ELOOP') {
        // A link (followed only to a folder inside the root) or not a folder at all.
        const st = lstatQuiet(entry);
        if (!st?.isSymbolicLink()) throw refuse(`The path ${JSON.stringify(p)} goes through ${JSON.stringify(name)}, which is not a folder.`);
        let real: string;
        try {
          real = realpathSync(entry);
        } catch {
          throw refuse(`The folder of ${JSON.stringify(p)} goes through a broken symbolic link.`);
        }
        if (!within(this.real(), real)) throw refuse(`The folder of ${JSON.stringify(p)} leads outside the files root through a symbolic link.`);
        try {
          return this.folderAt(real);
        } catch (again) {
          if (again instanceof ToolError) throw again;
          throw raced(p, again);
        }
      }
      throw raced(p, e);
    }
  }
}

/** An output being written: through its descriptor only, then committed or aborted. */
export interface OutputStream {
  /** Where the file will be, as an absolute path (for file:// links). */
  finalPath: string;
  write(chunk: Buffer | string): void;
  /** Appends a whole file (e.g. a finished export) to the output. */
  copyFrom(source: string): void;
  /** Puts the file in place; returns its path relative to the files root. */
  commit(): string;
  /** Removes the temp file; nothing is left behind. */
  abort(): void;
}

/** An open folder: entries are named through its descriptor where the system allows it. */
interface Folder {
  fd: number;
  /** Its real path when it was opened (checked inside the root). */
  real: string;
  entry(name: string): string;
  /** Whether it is still inside the root. */
  inside(): boolean;
  close(): void;
}

/** Linux names an open descriptor's directory as /proc/self/fd/<fd>: openat without openat. */
const PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd');

function makeFolder(fd: number, real: string, inside: () => boolean): Folder {
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

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}

function lstatQuiet(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** Reads an open file's bytes, at most `size` (the size it had when checked). */
function readAll(fd: number, size: number): Buffer {
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
function raced(p: string, e: unknown): Error {
  if (e instanceof ToolError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code && ['ENOENT', 'ENOTDIR', 'ELOOP', 'EEXIST', 'EISDIR', 'ENOTEMPTY', 'EXDEV', 'EMLINK', 'EACCES', 'EPERM', 'ENAMETOOLONG', 'EBUSY', 'EINVAL'].includes(code)) {
    return refuse(`The path ${JSON.stringify(p)} changed or could not be used while the file was opened (${code}); nothing was read or written.`);
  }
  return e as Error;
}

function within(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function checkType(name: string, rules: InputRules): void {
  const ext = extname(name).toLowerCase();
  const refused = rules.refuse ?? EXECUTABLE_EXTENSIONS;
  if (refused.includes(ext)) throw new ToolError('FILE_REFUSED', `Files of type ${ext} are refused (executables and scripts are never accepted).`, { hint: 'Send a document such as PDF, DOCX, PNG or XLSX.' });
  if (rules.extensions && !rules.extensions.includes(ext)) {
    throw new ToolError('FILE_REFUSED', `The file ${name} has extension ${ext || '(none)'}; accepted: ${rules.extensions.join(', ')}.`, { hint: `Save the file as one of ${rules.extensions.join(', ')}.` });
  }
}

function tooLarge(name: string, size: number, max: number): ToolError {
  return new ToolError('LIMIT_EXCEEDED', `The file ${name} is ${formatBytes(size)}; the limit is ${formatBytes(max)}.`, { hint: 'Split or compress the file below the limit.' });
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/** A bare file name from a client: no folders, no control characters, normalised as normalizeName does. */
export function safeFileName(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  const unusable = () => new ToolError('INVALID_REQUEST', `The file name ${JSON.stringify(name)} is not usable.`, { hint: 'Pass a plain file name such as "brief.pdf".' });
  if (!base || base === '.' || base === '..' || base.length > 255) throw unusable();
  return normalizeName(base, unusable);
}

/**
 * A file name as Windows would create it, which is what the type checks must see: trailing dots
 * and spaces (and an NTFS "::$DATA" stream suffix) are dropped, so "x.exe." or "x.exe " is x.exe.
 * Refused when empty afterwards or holding control characters.
 */
export function normalizeName(name: string, fail: (why: string) => ToolError): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw fail('contains control characters');
  const n = name.replace(/::\$DATA$/i, '').replace(/[. ]+$/, '');
  if (n === '') throw fail('is empty once trailing dots and spaces are removed');
  return n;
}

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
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
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
import { checkType, EXECUTABLE_EXTENSIONS, type InputRules, mimeTypeOf, normalizeName, safeFileName, tooLarge } from './file-names.js';
import { closeQuietly, lexists, lstatQuiet, makeFolder, PROC_FD, raced, readAll, refuse, within, type Folder } from './descriptors.js';

export interface FileInput {
  path?: string | undefined;
  content_base64?: string | undefined;
  filename?: string | undefined;
}

export type { InputRules };

export interface LoadedFile {
  name: string;
  ext: string;
  bytes: Buffer;
  /** Path relative to the files root when the input was a path. */
  path?: string;
}

/** The most entries one listing walks: a listing answers quickly whatever the root holds. */
const MAX_WALK = 5000;

/** The tools of this server that stage a file into the files root and list it (src/server-tools.ts). */
export const STAGE_TOOL = 'files_stage';
export const LIST_TOOL = 'files_list';

/** A file of the files root as listed: its path relative to the root. */
export interface ListedFile {
  path: string;
  bytes: number;
  modified_at: string;
}

/** A folder on the way that does not exist (listing a missing folder lists nothing). */
class NoSuchFolder extends Error {}

/** Whether a path is a file or folder to read (refusals say how to give one) or an output to write. */
type Role = 'input' | 'output';

export class FilesRoot {
  readonly root: string;
  /** How clients are told where the root is: its path on this machine, or for remote clients (HTTP) a name that does not reveal the server's folders. */
  readonly shown: string;
  private realRoot: string | undefined;

  constructor(root: string, opts: { shownAs?: string } = {}) {
    this.root = resolve(root);
    this.shown = opts.shownAs ?? this.root;
  }

  /** Both ways to give a file, and where the files root is: every refusal of an input file says it. */
  howToGive(): string {
    return `Give either path: a file inside the files root (${this.shown}), relative to it, e.g. "uploads/brief.pdf" (${LIST_TOOL} shows what is there; ${STAGE_TOOL} puts a file there once from content_base64 + filename and returns its path, so a preview and its apply pass the path, not the bytes twice), or content_base64 + filename in the call itself.`;
  }

  /** Outputs are written inside the root too; their refusals say where it is. */
  private outputHint(): string {
    return `Give an output path inside the files root (${this.shown}), relative to it, e.g. "exports/list.csv".`;
  }

  private refuseInput(summary: string): ToolError {
    return refuse(summary, this.howToGive());
  }

  private refuseOutput(summary: string, hint = this.outputHint()): ToolError {
    return refuse(summary, hint);
  }

  private real(): string {
    if (!this.realRoot) {
      mkdirSync(this.root, { recursive: true });
      this.realRoot = realpathSync(this.root);
    }
    return this.realRoot;
  }

  /** Lexical resolution and containment; symlinks are checked by the callers against the real root. */
  resolvePath(p: string, role: 'input' | 'output' = 'input'): string {
    const refuse = (summary: string) => (role === 'input' ? this.refuseInput(summary) : this.refuseOutput(summary));
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
        throw new ToolError('NOT_FOUND', `No file at ${JSON.stringify(p)} in the files root (${this.shown}).`, { hint: this.howToGive(), actionType: 'fix_path' });
      }
      throw this.refuseInput(`The path ${JSON.stringify(p)} cannot be resolved (${code ?? 'error'}).`);
    }
    if (!within(realRoot, real)) throw this.refuseInput(`The path ${JSON.stringify(p)} leads outside the files root through a symbolic link.`);
    let fd: number;
    try {
      // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below as not a file.
      fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      throw raced(p, e, this.howToGive());
    }
    try {
      if (!this.openedInside(fd, real)) throw this.refuseInput(`The path ${JSON.stringify(p)} leads outside the files root through a symbolic link.`);
      const st = fstatSync(fd);
      if (!st.isFile()) throw this.refuseInput(`The path ${JSON.stringify(p)} is not a regular file.`);
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
      throw new ToolError('INVALID_REQUEST', 'Give either path or content_base64 + filename, not both.', { hint: this.howToGive() });
    }
    if (input.path !== undefined) {
      const f = this.openExisting(input.path);
      try {
        name = normalizeName(basename(f.real), (why) =>
          refuse(`The file name ${JSON.stringify(basename(f.real))} ${why}.`, `Rename the file to a plain name such as "creators.xlsx". ${this.howToGive()}`),
        );
        checkType(name, rules, this.howToGive());
        if (f.size > rules.maxBytes) throw tooLarge(name, f.size, rules.maxBytes, this.howToGive());
        bytes = readAll(f.fd, f.size);
      } finally {
        closeSync(f.fd);
      }
      shownPath = this.display(join(this.root, relative(this.real(), f.real)));
    } else if (input.content_base64 !== undefined) {
      if (!input.filename) throw new ToolError('INVALID_REQUEST', 'content_base64 needs a filename.', { hint: `Pass the original file name with it, e.g. "brief.pdf". ${this.howToGive()}` });
      name = safeFileName(input.filename);
      checkType(name, rules, this.howToGive());
      if (!/^[A-Za-z0-9+/=\s_-]*$/.test(input.content_base64))
        throw new ToolError('INVALID_REQUEST', 'content_base64 is not base64.', { hint: `Encode the file bytes as standard base64. ${this.howToGive()}` });
      if (Math.floor((input.content_base64.length * 3) / 4) > rules.maxBytes + 4) throw tooLarge(name, Math.floor((input.content_base64.length * 3) / 4), rules.maxBytes, this.howToGive());
      bytes = Buffer.from(input.content_base64, 'base64');
      if (bytes.length > rules.maxBytes) throw tooLarge(name, bytes.length, rules.maxBytes, this.howToGive());
    } else {
      throw new ToolError('INVALID_REQUEST', 'No file given.', { hint: this.howToGive() });
    }
    if (bytes.length === 0) throw new ToolError('FILE_REFUSED', `The file ${name} is empty.`, { hint: `Give a file with content. ${this.howToGive()}` });
    return { name, ext: extname(name).toLowerCase(), bytes, ...(shownPath ? { path: shownPath } : {}) };
  }

  /**
   * The regular files under a folder of the root, newest first, by descriptors as outputs are
   * written: every folder is opened (O_NOFOLLOW) inside a folder already opened and checked, and
   * its entries are named through it. Links are never followed (a link is not listed), nor are
   * dot-files (writes in progress); the walk stops after MAX_WALK entries.
   */
  list(folder: string | undefined, limit: number): { folder: string; files: ListedFile[]; total: number; complete: boolean } {
    const start = folder ? this.resolvePath(folder) : this.root;
    const shown = folder ? this.display(start) : '';
    const found: ListedFile[] = [];
    let seen = 0;
    // Folders still to walk, relative to the root; each is opened afresh from the root.
    const pending = [relative(this.root, start)];
    while (pending.length > 0 && seen <= MAX_WALK) {
      const rel = pending.pop()!;
      let dir: Folder;
      try {
        dir = this.openFolder(folder ?? '.', join(this.root, rel), 'input');
      } catch (e) {
        if (e instanceof NoSuchFolder) {
          if (rel === relative(this.root, start)) return { folder: shown, files: [], total: 0, complete: true };
          continue; // removed while listing
        }
        if (e instanceof ToolError && rel !== relative(this.root, start)) continue; // swapped while listing: left out
        throw e;
      }
      try {
        for (const entry of readdirSync(dir.entry('.'), { withFileTypes: true })) {
          if (++seen > MAX_WALK) break;
          if (entry.name.startsWith('.')) continue;
          const childRel = rel ? join(rel, entry.name) : entry.name;
          if (entry.isDirectory()) pending.push(childRel);
          else if (entry.isFile()) {
            const st = lstatQuiet(dir.entry(entry.name));
            if (st?.isFile()) found.push({ path: this.display(join(this.root, childRel)), bytes: st.size, modified_at: st.mtime.toISOString() });
          }
        }
      } finally {
        dir.close();
      }
    }
    found.sort((a, b) => b.modified_at.localeCompare(a.modified_at) || a.path.localeCompare(b.path));
    return { folder: shown, files: found.slice(0, limit), total: found.length, complete: seen <= MAX_WALK && pending.length === 0 };
  }

  /** An existing regular file inside the root: its path relative to the root and its size. */
  stat(relPath: string): { path: string; bytes: number } {
    const f = this.openExisting(relPath);
    closeSync(f.fd);
    return { path: this.display(join(this.root, relative(this.real(), f.real))), bytes: f.size };
  }

  /** An existing regular file's bytes, read through the descriptor opened and checked inside the root; at most maxBytes. */
  readExisting(relPath: string, maxBytes: number, tooLargeHint = this.howToGive()): { path: string; bytes: Buffer } {
    const f = this.openExisting(relPath);
    try {
      if (f.size > maxBytes) throw tooLarge(basename(f.real), f.size, maxBytes, tooLargeHint);
      return { path: this.display(join(this.root, relative(this.real(), f.real))), bytes: readAll(f.fd, f.size) };
    } finally {
      closeSync(f.fd);
    }
  }

  /** A file for resources/read: a regular file inside the root (links never lead out), at most maxBytes. */
  readResource(relPath: string, maxBytes: number): { path: string; bytes: Buffer; mimeType: string } {
    const file = this.readExisting(relPath, maxBytes, `Use its path ${JSON.stringify(relPath)} with a tool instead of reading it as a resource.`);
    return { ...file, mimeType: mimeTypeOf(file.path) };
  }

  /** Checks that an output can be written (contained, parent real path inside root, absent unless overwrite). */
  checkOutput(p: string, overwrite: boolean): { abs: string; exists: boolean } {
    const abs = this.resolvePath(p, 'output');
    if (abs === this.root) throw this.refuseOutput('The output path names the files root itself; give a file name.');
    // What the files root never accepts in, it never writes out either: a downloaded attachment
    // named x.exe (or "x.sh." as Windows would save it) is not written where someone may run it.
    const ext = extname(normalizeName(basename(abs), (why) => this.refuseOutput(`The output name ${JSON.stringify(basename(abs))} ${why}.`))).toLowerCase();
    if (EXECUTABLE_EXTENSIONS.includes(ext))
      throw this.refuseOutput(`Outputs of type ${ext} are refused (executables and scripts are never written).`, 'Give an output path with a document extension such as .xlsx, .pdf or .png.');
    // The nearest folder on the way that exists (a link counts) must really be inside the root,
    // or creating the missing folders below it would follow a link out of the root.
    const realRoot = this.real(); // creates the root if it is missing
    let parent = dirname(abs);
    while (!lexists(parent) && dirname(parent) !== parent) parent = dirname(parent);
    let realParent: string;
    try {
      realParent = realpathSync(parent);
    } catch {
      throw this.refuseOutput(`The folder of ${JSON.stringify(p)} goes through a broken symbolic link.`);
    }
    if (!within(realRoot, realParent)) throw this.refuseOutput(`The folder of ${JSON.stringify(p)} leads outside the files root through a symbolic link.`);
    let exists = false;
    try {
      const st = lstatSync(abs);
      exists = true;
      if (st.isSymbolicLink()) throw this.refuseOutput(`The output ${JSON.stringify(p)} is a symbolic link; it is never written through.`);
      if (!st.isFile()) throw this.refuseOutput(`The output ${JSON.stringify(p)} exists and is not a regular file.`);
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
      if (!this.openedInside(fd, join(dir.real, tmpName))) throw this.refuseOutput(`The folder of ${JSON.stringify(p)} left the files root while writing; nothing was written.`);
    } catch (e) {
      cleanup();
      throw raced(p, e, this.outputHint());
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
        for (let off = 0; off < b.length;) off += writeSync(f, b, off, b.length - off);
      },
      copyFrom: (source) => {
        const f = writeFd();
        const src = openSync(source, constants.O_RDONLY);
        try {
          const chunk = Buffer.allocUnsafe(1024 * 1024);
          for (let n = readSync(src, chunk, 0, chunk.length, null); n > 0; n = readSync(src, chunk, 0, chunk.length, null)) {
            for (let off = 0; off < n;) off += writeSync(f, chunk, off, n - off);
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
          if (!dir.inside()) throw this.refuseOutput(`The folder of ${JSON.stringify(p)} left the files root while writing; nothing was written.`);
          if (overwrite) {
            const st = lstatQuiet(dir.entry(name));
            if (st && !st.isFile()) throw this.refuseOutput(`The output ${JSON.stringify(p)} is not a regular file (a link or folder appeared there); it was not replaced.`);
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
            throw this.refuseOutput(`The folder of ${JSON.stringify(p)} left the files root while writing; the file was removed.`);
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
          if ((e as NodeJS.ErrnoException).code === 'EEXIST')
            throw this.refuseOutput(`The file ${JSON.stringify(p)} appeared while writing; it was not replaced.`, 'Choose another output path, or preview again with overwrite: true to replace it.');
          throw raced(p, e, this.outputHint());
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
   * As an input (a folder to list) nothing is created: a missing folder is NoSuchFolder.
   */
  private openFolder(p: string, absDir: string, role: Role = 'output'): Folder {
    const realRoot = this.real();
    const parts = relative(this.root, absDir)
      .split(sep)
      .filter((x) => x !== '');
    let dir: Folder;
    try {
      dir = this.folderAt(realRoot, role);
    } catch (e) {
      throw raced(p, e, this.hintAs(role));
    }
    try {
      for (const part of parts) {
        const next = this.childFolder(p, dir, part, role);
        dir.close();
        dir = next;
      }
      return dir;
    } catch (e) {
      dir.close();
      throw e;
    }
  }

  private folderAt(real: string, role: Role): Folder {
    const fd = openSync(real, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    const folder = makeFolder(fd, real, () => this.openedInside(fd, real));
    if (!folder.inside()) {
      folder.close();
      throw this.refuseAs(role, `The folder ${JSON.stringify(this.display(real))} is outside the files root.`);
    }
    return folder;
  }

  private childFolder(p: string, dir: Folder, name: string, role: Role): Folder {
    const entry = dir.entry(name);
    const open = () => {
      const fd = openSync(entry, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      const real = join(dir.real, name);
      const folder = makeFolder(fd, real, () => this.openedInside(fd, real));
      if (!folder.inside()) {
        folder.close();
        throw this.refuseAs(role, `The folder of ${JSON.stringify(p)} leads outside the files root.`);
      }
      return folder;
    };
    try {
      return open();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (e instanceof ToolError) throw e;
      if (code === 'ENOENT') {
        // Only an output creates the folders on its way; a listing of a missing folder lists nothing.
        if (role === 'input') throw new NoSuchFolder(p);
        try {
          mkdirSync(entry, 0o755);
        } catch (m) {
          if ((m as NodeJS.ErrnoException).code !== 'EEXIST') throw raced(p, m, this.hintAs(role));
        }
        try {
          return open();
        } catch (again) {
          if (again instanceof ToolError) throw again;
          throw raced(p, again, this.hintAs(role));
        }
      }
      if (code === 'ENOTDIR' || code === 'ELOOP') {
        // A link (followed only to a folder inside the root) or not a folder at all.
        const st = lstatQuiet(entry);
        if (!st?.isSymbolicLink()) throw this.refuseAs(role, `The path ${JSON.stringify(p)} goes through ${JSON.stringify(name)}, which is not a folder.`);
        let real: string;
        try {
          real = realpathSync(entry);
        } catch {
          throw this.refuseAs(role, `The folder of ${JSON.stringify(p)} goes through a broken symbolic link.`);
        }
        if (!within(this.real(), real)) throw this.refuseAs(role, `The folder of ${JSON.stringify(p)} leads outside the files root through a symbolic link.`);
        try {
          return this.folderAt(real, role);
        } catch (again) {
          if (again instanceof ToolError) throw again;
          throw raced(p, again, this.hintAs(role));
        }
      }
      throw raced(p, e, this.hintAs(role));
    }
  }

  private refuseAs(role: Role, summary: string): ToolError {
    return role === 'input' ? this.refuseInput(summary) : this.refuseOutput(summary);
  }

  private hintAs(role: Role): string {
    return role === 'input' ? this.howToGive() : this.outputHint();
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

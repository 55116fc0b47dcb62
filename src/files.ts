// The files root: every file a tool reads or writes lives under one directory. Paths are resolved
// and contained (no `..` escape, no symlink escape, no NUL, no encoded or Windows forms); outputs
// are written whole (temp file + link/rename) and never replace an existing file unless the
// caller previewed an overwrite. Remote clients may send content_base64 + filename instead.
import { closeSync, existsSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
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
    const abs = this.resolvePath(p);
    if (!existsSync(abs)) throw new ToolError('NOT_FOUND', `No file at ${JSON.stringify(p)} in the files root.`, { hint: 'List or create the file first; paths are relative to the files root.', actionType: 'fix_path' });
    const real = realpathSync(abs);
    if (!within(this.real(), real)) throw refuse(`The path ${JSON.stringify(p)} leads outside the files root through a symbolic link.`);
    if (!statSync(real).isFile()) throw refuse(`The path ${JSON.stringify(p)} is not a regular file.`);
    return real;
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
      const real = this.resolveExisting(input.path);
      const size = statSync(real).size;
      name = basename(real);
      checkType(name, rules);
      if (size > rules.maxBytes) throw tooLarge(name, size, rules.maxBytes);
      bytes = readFileSync(real);
      shownPath = this.display(real.startsWith(this.real()) ? join(this.root, relative(this.real(), real)) : real);
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
    const { abs } = this.checkOutput(p, overwrite);
    mkdirSync(dirname(abs), { recursive: true });
    const { abs: again } = this.checkOutput(p, overwrite); // the folder now exists: re-check its real path
    const tmp = join(dirname(again), `.${basename(again)}.${randomBytes(6).toString('hex')}.tmp`);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeSync(fd, buf);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      if (overwrite) renameSync(tmp, again);
      else {
        linkSync(tmp, again); // fails if the file appeared meanwhile: never replaces it
        unlinkSync(tmp);
      }
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* already gone */
      }
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw refuse(`The file ${JSON.stringify(p)} appeared while writing; it was not replaced.`);
      throw e;
    }
    return { path: this.display(again), bytes: buf.length };
  }

  /** Streams rows into an output file created exclusively (or replacing, if overwrite was previewed). */
  openOutputStream(p: string, overwrite: boolean): { tmp: string; finalPath: string; commit: () => string; abort: () => void } {
    const { abs } = this.checkOutput(p, overwrite);
    mkdirSync(dirname(abs), { recursive: true });
    const tmp = join(dirname(abs), `.${basename(abs)}.${randomBytes(6).toString('hex')}.tmp`);
    return {
      tmp,
      finalPath: abs,
      commit: () => {
        this.checkOutput(p, overwrite);
        if (overwrite) renameSync(tmp, abs);
        else {
          linkSync(tmp, abs);
          unlinkSync(tmp);
        }
        return this.display(abs);
      },
      abort: () => {
        try {
          unlinkSync(tmp);
        } catch {
          /* nothing to remove */
        }
      },
    };
  }
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

/** A bare file name from a client: no folders, no control characters. */
export function safeFileName(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  if (!base || base === '.' || base === '..' || /[\u0000-\u001f]/.test(base) || base.length > 255) {
    throw new ToolError('INVALID_REQUEST', `The file name ${JSON.stringify(name)} is not usable.`, { hint: 'Pass a plain file name such as "brief.pdf".' });
  }
  return base;
}

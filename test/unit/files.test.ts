// The files root: containment (no .., no symlink escape, no encoded or Windows forms), input limits
// and types, content_base64 inputs, and whole-file outputs that never replace or write through links.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesRoot } from '../../src/files.js';
import { ToolError } from '../../src/errors.js';
import { whileSwapping } from '../helpers/swapper.js';

let base: string; // the temp dir holding everything of one test
let rootDir: string; // the files root
let outside: string; // a folder next to the root that must never be written
let evil: string; // a sibling whose name starts with the root's name
let files: FilesRoot;
let outsideBefore: string[];

/** Everything under a folder (links are listed, never followed), with sizes and link targets. */
function listAll(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = lstatSync(p);
    const shown = `${prefix}${name}`;
    if (st.isSymbolicLink()) out.push(`${shown} -> link`);
    else if (st.isDirectory()) out.push(`${shown}/`, ...listAll(p, `${shown}/`));
    else out.push(`${shown} (${st.size}) ${readFileSync(p).toString('hex')}`);
  }
  return out;
}

/** Everything in the temp dir except the root itself. */
const outsideState = () => listAll(base).filter((e) => !e.startsWith('root/') && e !== 'root/');

function refused(f: () => unknown): ToolError {
  try {
    f();
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw new Error(`expected a ToolError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a refusal, but it succeeded');
}

const tmpLeftovers = () => listAll(rootDir).filter((e) => /\.tmp\b/.test(e));

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'nox-files-test-'));
  rootDir = join(base, 'root');
  outside = join(base, 'outside');
  evil = `${rootDir}-evil`;
  mkdirSync(rootDir);
  mkdirSync(outside);
  mkdirSync(evil);
  writeFileSync(join(outside, 'secret.csv'), 'secret,data\n');
  writeFileSync(join(evil, 'x'), 'evil\n');
  writeFileSync(join(evil, 'x.csv'), 'evil,csv\n');
  files = new FilesRoot(rootDir);
  outsideBefore = outsideState();
});

afterEach(() => {
  // Whatever a test did, nothing outside the root was created, changed or removed.
  expect(outsideState()).toEqual(outsideBefore);
  rmSync(base, { recursive: true, force: true });
});

const escapes = () => [
  '../x',
  '../outside/secret.csv',
  'a/../../x',
  'a/b/../../../outside/secret.csv',
  join(outside, 'x'),
  join(outside, 'secret.csv'),
  '/etc/passwd',
  `${evil}/x`,
  `${evil}/x.csv`,
  '../root-evil/x',
];
const malformed = ['%2e%2e/x', '%2E%2E/x', 'a%2fb', '..%5cx', 'x\0y', 'x.csv\0.png', 'C:\\x', 'C:/x', 'c:x', '\\\\server\\share\\x', 'a\\..\\..\\x', ''];

describe('FilesRoot.resolvePath', () => {
  it('refuses paths that leave the root lexically (.., absolute outside, sibling prefix)', () => {
    for (const p of escapes()) {
      const e = refused(() => files.resolvePath(p));
      expect(e.code, p).toBe('FILE_REFUSED');
      expect(e.message).toContain('outside the files root');
    }
  });

  it('refuses encoded, NUL, Windows drive, UNC and backslash forms', () => {
    for (const p of malformed) expect(refused(() => files.resolvePath(p)).code, JSON.stringify(p)).toBe('FILE_REFUSED');
    expect(refused(() => files.resolvePath('a/'.repeat(600))).code).toBe('FILE_REFUSED');
  });

  it('accepts a normal relative path and an absolute path inside the root', () => {
    expect(files.resolvePath('imports/creators.csv')).toBe(join(rootDir, 'imports', 'creators.csv'));
    expect(files.resolvePath('./a/../b.csv')).toBe(join(rootDir, 'b.csv'));
    expect(files.resolvePath(join(rootDir, 'x', 'y.csv'))).toBe(join(rootDir, 'x', 'y.csv'));
    expect(files.resolvePath('..notes.csv')).toBe(join(rootDir, '..notes.csv'));
    expect(files.display(files.resolvePath('a/b.csv'))).toBe('a/b.csv');
  });
});

describe('FilesRoot.load', () => {
  const rules = { maxBytes: 1000, extensions: ['.csv', '.xlsx'] };

  it('loads a file by relative path and by absolute path inside the root', () => {
    mkdirSync(join(rootDir, 'imports'));
    writeFileSync(join(rootDir, 'imports', 'a.csv'), 'id\n1\n');
    const rel = files.load({ path: 'imports/a.csv' }, rules);
    expect(rel).toEqual({ name: 'a.csv', ext: '.csv', bytes: Buffer.from('id\n1\n'), path: 'imports/a.csv' });
    const abs = files.load({ path: join(rootDir, 'imports', 'a.csv') }, rules);
    expect(abs.bytes.toString()).toBe('id\n1\n');
    expect(abs.path).toBe('imports/a.csv');
  });

  it('refuses every escaping or malformed path without reading it', () => {
    for (const p of [...escapes(), ...malformed]) {
      const e = refused(() => files.load({ path: p }, rules));
      expect(e.code, JSON.stringify(p)).toBe('FILE_REFUSED');
      expect(e.message).not.toContain('secret,data');
    }
  });

  it('refuses a symlink inside the root that points to a file outside', () => {
    symlinkSync(join(outside, 'secret.csv'), join(rootDir, 'link.csv'));
    const e = refused(() => files.load({ path: 'link.csv' }, rules));
    expect(e.code).toBe('FILE_REFUSED');
    expect(e.message).toContain('symbolic link');
  });

  it('refuses a file under a symlinked folder that points outside', () => {
    symlinkSync(outside, join(rootDir, 'dirlink'));
    expect(refused(() => files.load({ path: 'dirlink/secret.csv' }, rules)).code).toBe('FILE_REFUSED');
    symlinkSync(evil, join(rootDir, 'evil-link'));
    expect(refused(() => files.load({ path: 'evil-link/x.csv' }, rules)).code).toBe('FILE_REFUSED');
  });

  it('follows a symlink that stays inside the root', () => {
    writeFileSync(join(rootDir, 'real.csv'), 'a\n');
    symlinkSync(join(rootDir, 'real.csv'), join(rootDir, 'alias.csv'));
    expect(files.load({ path: 'alias.csv' }, rules).bytes.toString()).toBe('a\n');
  });

  it('says NOT_FOUND for a missing file and FILE_REFUSED for a folder or an empty file', () => {
    expect(refused(() => files.load({ path: 'nope.csv' }, rules)).code).toBe('NOT_FOUND');
    mkdirSync(join(rootDir, 'folder.csv'));
    expect(refused(() => files.load({ path: 'folder.csv' }, rules)).code).toBe('FILE_REFUSED');
    writeFileSync(join(rootDir, 'empty.csv'), '');
    expect(refused(() => files.load({ path: 'empty.csv' }, rules)).code).toBe('FILE_REFUSED');
  });

  it('enforces maxBytes', () => {
    writeFileSync(join(rootDir, 'ten.csv'), '0123456789');
    writeFileSync(join(rootDir, 'eleven.csv'), '0123456789A');
    expect(files.load({ path: 'ten.csv' }, { maxBytes: 10 }).bytes.length).toBe(10);
    expect(refused(() => files.load({ path: 'eleven.csv' }, { maxBytes: 10 })).code).toBe('LIMIT_EXCEEDED');
  });

  it('enforces the accepted extensions', () => {
    writeFileSync(join(rootDir, 'doc.pdf'), '%PDF');
    writeFileSync(join(rootDir, 'noext'), 'x');
    writeFileSync(join(rootDir, 'UPPER.CSV'), 'x');
    expect(refused(() => files.load({ path: 'doc.pdf' }, rules)).code).toBe('FILE_REFUSED');
    expect(refused(() => files.load({ path: 'noext' }, rules)).code).toBe('FILE_REFUSED');
    expect(files.load({ path: 'UPPER.CSV' }, rules).ext).toBe('.csv');
    expect(files.load({ path: 'doc.pdf' }, { maxBytes: 100 }).ext).toBe('.pdf');
  });

  it('refuses executables and scripts by default, even when listed as accepted', () => {
    for (const name of ['tool.exe', 'run.sh', 'RUN.SH', 'x.ps1', 'a.js']) {
      writeFileSync(join(rootDir, name), 'MZ');
      expect(refused(() => files.load({ path: name }, { maxBytes: 100 })).code, name).toBe('FILE_REFUSED');
      expect(refused(() => files.load({ path: name }, { maxBytes: 100, extensions: ['.exe', '.sh', '.ps1', '.js'] })).code, name).toBe('FILE_REFUSED');
    }
  });

  it('loads content_base64 + filename, keeping only the bare file name', () => {
    const data = Buffer.from('name,email\nA,a@x.io\n');
    expect(files.load({ content_base64: data.toString('base64'), filename: 'list.csv' }, rules)).toEqual({ name: 'list.csv', ext: '.csv', bytes: data });
    expect(files.load({ content_base64: data.toString('base64'), filename: '../../outside/evil.csv' }, rules).name).toBe('evil.csv');
    expect(files.load({ content_base64: data.toString('base64'), filename: 'C:\\Users\\me\\list.csv' }, rules).name).toBe('list.csv');
    // Nothing is written for an inline file.
    expect(listAll(rootDir)).toEqual([]);
  });

  it('refuses content that is not base64, a missing or unusable filename, and oversize or wrong-type content', () => {
    const ok = Buffer.from('a,b\n').toString('base64');
    expect(refused(() => files.load({ content_base64: 'not base64!!', filename: 'a.csv' }, rules)).code).toBe('INVALID_REQUEST');
    expect(refused(() => files.load({ content_base64: '<script>', filename: 'a.csv' }, rules)).code).toBe('INVALID_REQUEST');
    expect(refused(() => files.load({ content_base64: ok }, rules)).code).toBe('INVALID_REQUEST');
    expect(refused(() => files.load({ content_base64: ok, filename: '..' }, rules)).code).toBe('INVALID_REQUEST');
    expect(refused(() => files.load({ content_base64: ok, filename: 'a\u0001.csv' }, rules)).code).toBe('INVALID_REQUEST');
    expect(refused(() => files.load({ content_base64: ok, filename: 'run.sh' }, rules)).code).toBe('FILE_REFUSED');
    expect(refused(() => files.load({ content_base64: ok, filename: 'a.pdf' }, rules)).code).toBe('FILE_REFUSED');
    expect(refused(() => files.load({ content_base64: Buffer.alloc(11, 1).toString('base64'), filename: 'a.csv' }, { maxBytes: 10 })).code).toBe('LIMIT_EXCEEDED');
    expect(refused(() => files.load({ content_base64: Buffer.alloc(5000, 1).toString('base64'), filename: 'a.csv' }, { maxBytes: 10 })).code).toBe('LIMIT_EXCEEDED');
    expect(refused(() => files.load({ content_base64: '', filename: 'a.csv' }, rules)).code).toBe('FILE_REFUSED');
  });

  it('normalises names ending in dots or spaces before checking the type (Windows drops them)', () => {
    const ok = Buffer.from('MZ').toString('base64');
    for (const filename of ['x.exe.', 'x.exe ', 'x.exe. . ', 'X.EXE...', 'run.sh ', 'x.exe::$DATA']) {
      const e = refused(() => files.load({ content_base64: ok, filename }, { maxBytes: 100 }));
      expect(e.code, JSON.stringify(filename)).toBe('FILE_REFUSED');
      expect(e.message).toContain('refused');
    }
    for (const name of ['x.exe.', 'x.exe ', 'x.exe. . ', 'tool.bat..']) {
      writeFileSync(join(rootDir, name), 'MZ');
      expect(refused(() => files.load({ path: name }, { maxBytes: 100 })).code, JSON.stringify(name)).toBe('FILE_REFUSED');
    }
    // a document with a trailing dot is accepted under its normalised name
    expect(files.load({ content_base64: ok, filename: 'brief.pdf. ' }, { maxBytes: 100 }).name).toBe('brief.pdf');
    writeFileSync(join(rootDir, 'list.csv.'), 'a\n');
    expect(files.load({ path: 'list.csv.' }, rules)).toMatchObject({ name: 'list.csv', ext: '.csv', path: 'list.csv.' });
  });

  it('refuses names that are empty once normalised or hold control characters', () => {
    const ok = Buffer.from('a').toString('base64');
    for (const filename of ['...', ' . ', '  ', 'a\u0007.csv', 'a\u007f.csv', 'a.csv\u0085']) {
      expect(refused(() => files.load({ content_base64: ok, filename }, { maxBytes: 100 })).code, JSON.stringify(filename)).toBe('INVALID_REQUEST');
    }
    for (const name of ['...', ' . ', 'bell\u0007.csv', 'esc\u001b.csv']) {
      writeFileSync(join(rootDir, name), 'a');
      expect(refused(() => files.load({ path: name }, { maxBytes: 100 })).code, JSON.stringify(name)).toBe('FILE_REFUSED');
    }
  });

  it('refuses both path and content, and neither', () => {
    writeFileSync(join(rootDir, 'a.csv'), 'x');
    expect(refused(() => files.load({ path: 'a.csv', content_base64: 'eA==', filename: 'a.csv' }, rules)).code).toBe('INVALID_REQUEST');
    expect(refused(() => files.load({}, rules)).code).toBe('INVALID_REQUEST');
  });
});

describe('FilesRoot.writeOutput', () => {
  it('writes a whole new file, creating its folders, and leaves no temp file', () => {
    expect(files.writeOutput('exports/2024/report.csv', 'a,b\n1,2\n', false)).toEqual({ path: 'exports/2024/report.csv', bytes: 8 });
    expect(readFileSync(join(rootDir, 'exports', '2024', 'report.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(files.writeOutput(join(rootDir, 'abs.bin'), Buffer.from([1, 2, 3]), false)).toEqual({ path: 'abs.bin', bytes: 3 });
    expect(readFileSync(join(rootDir, 'abs.bin'))).toEqual(Buffer.from([1, 2, 3]));
    expect(tmpLeftovers()).toEqual([]);
  });

  it('refuses an existing file unless overwrite is true, then replaces it whole', () => {
    files.writeOutput('out.csv', 'first', false);
    const e = refused(() => files.writeOutput('out.csv', 'second', false));
    expect(e.code).toBe('FILE_REFUSED');
    expect(e.message).toContain('already exists');
    expect(readFileSync(join(rootDir, 'out.csv'), 'utf8')).toBe('first');
    expect(files.writeOutput('out.csv', 'second', true)).toEqual({ path: 'out.csv', bytes: 6 });
    expect(readFileSync(join(rootDir, 'out.csv'), 'utf8')).toBe('second');
    expect(tmpLeftovers()).toEqual([]);
    expect(listAll(rootDir)).toEqual([`out.csv (6) ${Buffer.from('second').toString('hex')}`]);
  });

  it('refuses escaping and malformed output paths, writing nothing', () => {
    for (const p of [...escapes(), ...malformed, '.', rootDir]) {
      for (const overwrite of [false, true]) {
        expect(refused(() => files.writeOutput(p, 'pwned', overwrite)).code, JSON.stringify(p)).toBe('FILE_REFUSED');
      }
    }
    expect(listAll(rootDir)).toEqual([]);
  });

  it('refuses executable and script outputs, as Windows would name them too, writing nothing', () => {
    for (const p of ['payload.exe', 'run.SH', 'dl/tool.ps1', 'x.js.', 'y.bat ']) {
      const e = refused(() => files.writeOutput(p, 'data', false));
      expect(e.code, p).toBe('FILE_REFUSED');
      expect(e.message, p).toMatch(/executables and scripts/);
    }
    expect(listAll(rootDir)).toEqual([]);
  });

  it('never writes through a symlinked output file, even with overwrite', () => {
    symlinkSync(join(outside, 'secret.csv'), join(rootDir, 'link.csv'));
    symlinkSync(join(outside, 'new.csv'), join(rootDir, 'dangling.csv'));
    symlinkSync(join(rootDir, 'inside.csv'), join(rootDir, 'inner-link.csv'));
    writeFileSync(join(rootDir, 'inside.csv'), 'inside');
    for (const p of ['link.csv', 'dangling.csv', 'inner-link.csv']) {
      for (const overwrite of [false, true]) {
        const e = refused(() => files.writeOutput(p, 'pwned', overwrite));
        expect(e.code, p).toBe('FILE_REFUSED');
      }
    }
    expect(readFileSync(join(rootDir, 'inside.csv'), 'utf8')).toBe('inside');
    expect(lstatSync(join(rootDir, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(tmpLeftovers()).toEqual([]);
  });

  it('never writes through a symlinked folder that points outside (existing or new subfolders)', () => {
    symlinkSync(outside, join(rootDir, 'dirlink'));
    symlinkSync(evil, join(rootDir, 'evil-link'));
    symlinkSync(join(outside, 'missing-dir'), join(rootDir, 'dangling-dir'));
    for (const p of ['dirlink/new.csv', 'dirlink/secret.csv', 'dirlink/sub/new.csv', 'dirlink/a/b/c.csv', 'evil-link/y.csv', 'dangling-dir/x.csv', 'dangling-dir/sub/x.csv']) {
      for (const overwrite of [false, true]) {
        const e = refused(() => files.writeOutput(p, 'pwned', overwrite));
        expect(e.code, p).toBe('FILE_REFUSED');
      }
    }
    expect(tmpLeftovers()).toEqual([]);
    // (afterEach also checks that nothing appeared outside the root)
    expect(existsSync(join(outside, 'sub'))).toBe(false);
    expect(existsSync(join(outside, 'a'))).toBe(false);
    expect(existsSync(join(outside, 'missing-dir'))).toBe(false);
  });

  it('creates a missing files root on first write', () => {
    const fresh = new FilesRoot(join(rootDir, 'not-yet', 'there'));
    expect(fresh.writeOutput('a/b.csv', 'x', false)).toEqual({ path: 'a/b.csv', bytes: 1 });
    expect(readFileSync(join(rootDir, 'not-yet', 'there', 'a', 'b.csv'), 'utf8')).toBe('x');
  });

  it('refuses to replace a folder', () => {
    mkdirSync(join(rootDir, 'taken'));
    expect(refused(() => files.writeOutput('taken', 'x', true)).code).toBe('FILE_REFUSED');
    expect(lstatSync(join(rootDir, 'taken')).isDirectory()).toBe(true);
  });
});

// A folder inside the root swapped back and forth for a link to a folder outside, by another
// thread, while files are written into it and read from it: nothing may land outside, no outside
// content may come back, no temp file may be left, and every refusal is FILE_REFUSED (a read may
// also find the folder momentarily gone: NOT_FOUND).
describe('FilesRoot under a racing symlink swap', () => {
  it('never writes or reads outside the root, leaves no temp file and refuses only with FILE_REFUSED', async () => {
    const target = join(outside, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'in.csv'), 'OUTSIDE-SECRET\n');
    const swap = join(rootDir, 'swap'); // written into
    const readSwap = join(rootDir, 'read'); // read from (a write may replace a missing folder)
    mkdirSync(swap);
    mkdirSync(readSwap);
    writeFileSync(join(readSwap, 'in.csv'), 'inside,data\n');
    const outcomes = { write: new Map<string, number>(), read: new Map<string, number>() };
    const written: string[] = []; // unique names of files answered as written
    const note = (kind: 'write' | 'read', f: () => unknown, name?: string) => {
      let outcome = 'ok';
      try {
        const r = f();
        if (kind === 'read') expect((r as { bytes: Buffer }).bytes.toString()).toBe('inside,data\n');
        if (name) written.push(name);
      } catch (e) {
        if (!(e instanceof ToolError)) throw e; // would be INTERNAL_ERROR
        expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain('OUTSIDE-SECRET');
        outcome = e.code;
      }
      const m = outcomes[kind];
      m.set(outcome, (m.get(outcome) ?? 0) + 1);
    };
    const { swaps } = await whileSwapping([swap, readSwap], target, () => {
      // Until both outcomes were seen (the race really happened), within bounds.
      for (let i = 0; i < 2000 && (i < 200 || !outcomes.write.has('ok') || !outcomes.write.has('FILE_REFUSED')); i++) {
        note('write', () => files.writeOutput(`swap/w-${i}.csv`, 'written', false), `w-${i}.csv`);
        note('write', () => files.writeOutput(`swap/d-${i}/deeper/w.csv`, 'written', false));
        note('write', () => files.writeOutput('swap/over.csv', `v${i}`, true));
        note(
          'write',
          () => {
            const out = files.openOutputStream(`swap/s-${i}.csv`, false);
            try {
              out.write('streamed');
              return out.commit();
            } catch (e) {
              out.abort();
              throw e;
            }
          },
          `s-${i}.csv`,
        );
        note('read', () => files.load({ path: 'read/in.csv' }, { maxBytes: 100, extensions: ['.csv'] }));
      }
    });
    expect(swaps).toBeGreaterThan(0);
    expect([...outcomes.write.keys()].sort()).toEqual(['FILE_REFUSED', 'ok']);
    expect(['FILE_REFUSED', 'NOT_FOUND', 'ok']).toEqual(expect.arrayContaining([...outcomes.read.keys()]));
    // nothing was created outside, and no temp file is left anywhere in the root
    expect(readdirSync(target)).toEqual(['in.csv']);
    expect(tmpLeftovers()).toEqual([]);
    // what was answered as written is in the root (its folder may have been renamed aside since)
    const inRoot = listAll(rootDir);
    for (const name of written)
      expect(
        inRoot.some((e) => e.includes(`/${name} (`)),
        name,
      ).toBe(true);
    rmSync(target, { recursive: true }); // afterEach checks the rest of the outside tree
  });
});

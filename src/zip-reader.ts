// A minimal reader of zip archives held in memory (an .xlsx is one): the central directory is read
// first, so sizes are known and checked before anything is inflated, and one entry at a time is
// inflated as a stream, counting the bytes actually produced (a directory can lie about them).
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { ToolError } from './errors.js';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  /** The uncompressed size the central directory declares. */
  size: number;
  localOffset: number;
}

export interface ZipLimits {
  maxEntries: number;
  /** The most the whole archive may declare uncompressed (all entries together). */
  maxArchiveBytes: number;
}

/** Bytes inflated so far across every entry read, against one cap. */
export class InflateBudget {
  used = 0;
  constructor(
    readonly max: number,
    private readonly label: string,
  ) {}

  take(n: number): void {
    this.used += n;
    if (this.used > this.max) throw tooBig(this.label, `expands to more than ${mb(this.max)} when uncompressed`);
  }
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Compressed input is fed to zlib in slices this small, so one step inflates at most ~1000x it. */
const INPUT_SLICE = 16 * 1024;

export class ZipArchive {
  private constructor(
    private readonly buf: Buffer,
    private readonly entries: Map<string, ZipEntry>,
    private readonly label: string,
  ) {}

  /** Reads the central directory; refuses a damaged archive, too many entries or too much declared data. */
  static open(buf: Buffer, limits: ZipLimits, label: string): ZipArchive {
    const corrupt = () => notReadable(label);
    let eocd = -1;
    for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
      if (buf.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw corrupt();
    let count = buf.readUInt16LE(eocd + 10);
    let cdSize = buf.readUInt32LE(eocd + 12);
    let cdOffset = buf.readUInt32LE(eocd + 16);
    if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0) throw corrupt(); // multi-disk
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || buf.readUInt32LE(loc) !== ZIP64_LOCATOR) throw corrupt();
      const z = safeNumber(buf.readBigUInt64LE(loc + 8));
      if (z < 0 || z + 56 > buf.length || buf.readUInt32LE(z) !== ZIP64_EOCD) throw corrupt();
      count = safeNumber(buf.readBigUInt64LE(z + 32));
      cdSize = safeNumber(buf.readBigUInt64LE(z + 40));
      cdOffset = safeNumber(buf.readBigUInt64LE(z + 48));
    }
    if (count > limits.maxEntries) throw tooBig(label, `has ${count} zip entries (at most ${limits.maxEntries} are read)`);
    if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > buf.length) throw corrupt();
    const entries = new Map<string, ZipEntry>();
    let declared = 0;
    let p = cdOffset;
    for (let k = 0; k < count; k++) {
      if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw corrupt();
      const flags = buf.readUInt16LE(p + 8);
      const method = buf.readUInt16LE(p + 10);
      let compressedSize = buf.readUInt32LE(p + 20);
      let size = buf.readUInt32LE(p + 24);
      const nameLen = buf.readUInt16LE(p + 28);
      const extraLen = buf.readUInt16LE(p + 30);
      const commentLen = buf.readUInt16LE(p + 32);
      let localOffset = buf.readUInt32LE(p + 42);
      const nameEnd = p + 46 + nameLen;
      if (nameEnd + extraLen + commentLen > buf.length) throw corrupt();
      const name = buf.toString('utf8', p + 46, nameEnd);
      if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
        // ZIP64: the real values are in extra field 0x0001, in this order, for those saturated.
        let e = nameEnd;
        const extraEnd = nameEnd + extraLen;
        let found = false;
        while (e + 4 <= extraEnd) {
          const id = buf.readUInt16LE(e);
          const len = buf.readUInt16LE(e + 2);
          if (id === 0x0001) {
            let q = e + 4;
            const next = () => {
              if (q + 8 > Math.min(e + 4 + len, extraEnd)) throw corrupt();
              const v = safeNumber(buf.readBigUInt64LE(q));
              q += 8;
              return v;
            };
            if (size === 0xffffffff) size = next();
            if (compressedSize === 0xffffffff) compressedSize = next();
            if (localOffset === 0xffffffff) localOffset = next();
            found = true;
            break;
          }
          e += 4 + len;
        }
        if (!found || size < 0 || compressedSize < 0 || localOffset < 0) throw corrupt();
      }
      declared += size;
      if (declared > limits.maxArchiveBytes) throw tooBig(label, `declares more than ${mb(limits.maxArchiveBytes)} of uncompressed content`);
      entries.set(partKey(name), { name, method, flags, compressedSize, size, localOffset });
      p = nameEnd + extraLen + commentLen;
    }
    return new ZipArchive(buf, entries, label);
  }

  /** An entry by part name (case-insensitive, as OOXML part names are), or undefined. */
  get(name: string): ZipEntry | undefined {
    return this.entries.get(partKey(name));
  }

  /**
   * The entry's uncompressed bytes as a stream of chunks. Stops with LIMIT_EXCEEDED as soon as it
   * produces more than its declared size or the budget; breaking out of the loop stops inflating.
   */
  async *read(entry: ZipEntry, budget: InflateBudget): AsyncGenerator<Buffer> {
    const { buf, label } = this;
    if (entry.flags & 0x1) throw new ToolError('FILE_REFUSED', `${label} is encrypted.`, { hint: 'Remove the password in the spreadsheet program and save it again as .xlsx.' });
    if (entry.method !== 0 && entry.method !== 8) throw notReadable(label);
    const at = entry.localOffset;
    if (at + 30 > buf.length || buf.readUInt32LE(at) !== LOCAL) throw notReadable(label);
    const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
    const end = start + entry.compressedSize;
    if (end > buf.length) throw notReadable(label);
    const data = buf.subarray(start, end);
    let produced = 0;
    const account = (n: number) => {
      produced += n;
      if (produced > entry.size) throw tooBig(label, `has a zip entry (${shortName(entry.name)}) that expands beyond the ${entry.size} bytes its directory declares`);
      budget.take(n);
    };
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) throw notReadable(label);
      for (let i = 0; i < data.length; i += 64 * 1024) {
        const chunk = data.subarray(i, i + 64 * 1024);
        account(chunk.length);
        yield chunk;
      }
      return;
    }
    const source = Readable.from(slices(data), { objectMode: false });
    const inflater = createInflateRaw({ chunkSize: 64 * 1024 });
    source.pipe(inflater);
    try {
      for await (const chunk of inflater as AsyncIterable<Buffer>) {
        account(chunk.length);
        yield chunk;
      }
    } catch (e) {
      if (e instanceof ToolError) throw e;
      throw notReadable(label); // corrupt deflate data
    } finally {
      source.destroy();
      inflater.destroy();
    }
  }
}

function* slices(data: Buffer): Generator<Buffer> {
  for (let i = 0; i < data.length; i += INPUT_SLICE) yield data.subarray(i, i + INPUT_SLICE);
}

/** Part names compare case-insensitively, without a leading slash, with forward slashes. */
export function partKey(name: string): string {
  return name.replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase();
}

function safeNumber(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
}

/** An entry name as quoted in a message: the archive chose it, so it is kept short. */
export const shortName = (name: string) => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

export function notReadable(label: string): ToolError {
  return new ToolError('FILE_REFUSED', `${label} is not a readable .xlsx workbook.`, { hint: 'Open it in a spreadsheet program and save it again as .xlsx, or export it as .csv.' });
}

export function tooBig(label: string, what: string): ToolError {
  return new ToolError('LIMIT_EXCEEDED', `${label} ${what}; it is refused as too large to read.`, {
    hint: 'Keep only the sheet to import, as the first sheet, and delete the other sheets and empty formatted rows, or export it as .csv.',
  });
}

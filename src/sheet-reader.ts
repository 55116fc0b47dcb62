// Reads the first sheet of an .xlsx (or a CSV) into a header row and rows of trimmed strings,
// within limits checked as it goes: it stops at the row and cell limits, reads only the parts it
// needs (workbook, relationships, styles, shared strings, the first sheet) and refuses a zip whose
// sizes exceed the caps, declared or actual. It runs in a worker thread (sheet-worker.ts); it has
// no dependency beyond node: built-ins so the worker starts fast.
import { ToolError } from './errors.js';
import { XmlScanner, attr, decodeEntities, type XmlHandler } from './xml-scanner.js';
import { InflateBudget, ZipArchive, notReadable, partKey, shortName, tooBig, type ZipEntry } from './zip-reader.js';

export interface Table {
  /** Rows without the header row, each a list of cell strings. */
  rows: string[][];
  header: string[];
}

export interface ReadLimits {
  /** Data rows (non-empty rows after the header). */
  maxRows: number;
  /** Cells kept over all rows (a row counts up to its last cell). */
  maxCells: number;
  /** Rows scanned, empty ones included. */
  maxScannedRows: number;
  /** Bytes inflated from all parts read. */
  maxInflatedBytes: number;
  /** Uncompressed size the whole archive may declare. */
  maxArchiveBytes: number;
  maxEntries: number;
  /** XML tags (start and end) over all parts read: what bounds the time a crafted part can take. */
  maxTags: number;
  maxSharedStrings: number;
  /** Characters of all shared strings together. */
  maxSharedStringChars: number;
  /** Characters of one cell (the spreadsheet limit is 32,767). */
  maxCellChars: number;
}

// A 5,000-row import of 30 columns is under 2 M tags and a few MB of XML; these leave room for
// real workbooks while keeping the worst crafted file well under a second of work.
export const DEFAULT_READ_LIMITS: Omit<ReadLimits, 'maxRows'> = {
  maxCells: 1_000_000,
  maxScannedRows: 100_000,
  maxInflatedBytes: 64 * 1024 * 1024,
  maxArchiveBytes: 512 * 1024 * 1024,
  maxEntries: 20_000,
  maxTags: 6_000_000,
  maxSharedStrings: 500_000,
  maxSharedStringChars: 32 * 1024 * 1024,
  maxCellChars: 32_767,
};

/** Excel's last column (XFD). */
const MAX_COLUMN = 16_384;

export interface TableJob {
  name: string;
  ext: string;
  bytes: Uint8Array;
  maxRows: number;
}

export async function readTableBytes(job: TableJob, overrides: Partial<ReadLimits> = {}): Promise<Table> {
  const limits: ReadLimits = { ...DEFAULT_READ_LIMITS, maxScannedRows: Math.max(DEFAULT_READ_LIMITS.maxScannedRows, 2 * job.maxRows), maxRows: job.maxRows, ...overrides };
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  const out = new TableBuilder(job.name, limits);
  if (job.ext === '.csv') readCsv(bytes.toString('utf8').replace(/^\uFEFF/, ''), out, limits);
  else if (job.ext === '.xlsx') await readXlsx(bytes, job.name, out, limits);
  else throw new ToolError('FILE_REFUSED', `${job.name}: only .xlsx and .csv spreadsheets are read.`, { hint: 'Save the sheet as .xlsx or .csv (an old .xls must be re-saved as .xlsx).' });
  return out.table();
}

/**
 * The checks of an .xlsx that need no inflating (a damaged directory, too many entries, too much
 * declared content): cheap enough to run before a worker is started for the rest.
 */
export function checkXlsxDirectory(bytes: Uint8Array, name: string): void {
  ZipArchive.open(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), DEFAULT_READ_LIMITS, name);
}

/** Collects non-empty rows: the first is the header; refuses past the row and cell limits. */
export class TableBuilder {
  private header: string[] | undefined;
  private readonly rows: string[][] = [];
  private cells = 0;
  private scanned = 0;

  constructor(
    private readonly name: string,
    private readonly limits: ReadLimits,
  ) {}

  /** Counts a row as scanned (empty or not). */
  scan(): void {
    if (++this.scanned > this.limits.maxScannedRows) {
      throw new ToolError('LIMIT_EXCEEDED', `${this.name} has more than ${this.limits.maxScannedRows} rows (empty ones included); at most ${this.limits.maxRows} data rows are accepted.`, {
        hint: `Delete the empty rows below the data, or split the file into parts of at most ${this.limits.maxRows} rows.`,
      });
    }
  }

  add(cells: string[]): void {
    if (!cells.some((c) => c !== '')) return;
    this.cells += cells.length;
    if (this.cells > this.limits.maxCells) {
      throw new ToolError('LIMIT_EXCEEDED', `${this.name} has more than ${this.limits.maxCells} cells in its rows; it is too large to read.`, {
        hint: 'Keep only the columns to import, or split the file into smaller parts.',
      });
    }
    if (!this.header) {
      this.header = cells;
      return;
    }
    if (this.rows.length >= this.limits.maxRows) {
      throw new ToolError('LIMIT_EXCEEDED', `${this.name} has more than ${this.limits.maxRows} data rows; the limit is ${this.limits.maxRows}.`, {
        hint: `Split the file into parts of at most ${this.limits.maxRows} rows.`,
      });
    }
    this.rows.push(cells);
  }

  table(): Table {
    return { header: this.header ?? [], rows: this.rows };
  }
}

// ---------------------------------------------------------------------------------------------
// CSV

/** RFC 4180: quoted fields, doubled quotes, CRLF or LF line ends; every field trimmed. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  csvRows(text, (r) => rows.push(r), Infinity);
  return rows;
}

function readCsv(text: string, out: TableBuilder, limits: ReadLimits): void {
  csvRows(
    text,
    (r) => {
      out.scan();
      out.add(r);
    },
    Math.min(MAX_COLUMN, limits.maxCells),
  );
}

function csvRows(text: string, onRow: (row: string[]) => void, maxFields: number): void {
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const push = () => {
    row.push(field.trim());
    field = '';
    if (row.length > maxFields) throw new ToolError('LIMIT_EXCEEDED', `A row has more than ${maxFields} fields.`, { hint: 'Keep only the columns to import.' });
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') push();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      push();
      onRow(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    push();
    onRow(row);
  }
}

// ---------------------------------------------------------------------------------------------
// XLSX

const REL_OFFICE_DOCUMENT = /\/officeDocument$/;
const REL_SHARED_STRINGS = /\/sharedStrings$/;
const REL_STYLES = /\/styles$/;
/** Built-in number formats that are dates or times (the others have no date characters). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

interface Rel {
  id: string;
  type: string;
  target: string;
}

class XlsxParts {
  readonly budget: InflateBudget;
  readonly tags: { left: number; max: number };
  /** The longest tag or text run held while scanning: a whole cell of the longest text, escaped. */
  readonly maxPending: number;

  constructor(
    readonly zip: ZipArchive,
    readonly label: string,
    readonly limits: ReadLimits,
  ) {
    this.budget = new InflateBudget(limits.maxInflatedBytes, label);
    this.tags = { left: limits.maxTags, max: limits.maxTags };
    this.maxPending = limits.maxCellChars * 10 + 64 * 1024;
  }

  entry(path: string): ZipEntry | undefined {
    return this.zip.get(path);
  }

  /** Streams one part through a handler; `scanner.stop()` from the handler ends reading early. */
  async scan(entry: ZipEntry, make: (scanner: XmlScanner) => XmlHandler): Promise<void> {
    if (this.budget.used + entry.size > this.budget.max) throw tooBig(this.label, `has a part (${shortName(entry.name)}) declaring ${entry.size} bytes uncompressed, more than is read`);
    const scanner = new XmlScanner(this.maxPending, this.tags, this.label);
    scanner.handler = make(scanner);
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of this.zip.read(entry, this.budget)) {
      scanner.write(decoder.decode(chunk, { stream: true }));
      if (scanner.done) return;
    }
    scanner.write(decoder.decode());
    scanner.end();
  }

  async rels(path: string): Promise<Rel[]> {
    const e = this.entry(path);
    if (!e) return [];
    const rels: Rel[] = [];
    await this.scan(e, () => ({
      open: (name, a) => {
        if (name === 'Relationship') rels.push({ id: attr(a, 'Id') ?? '', type: attr(a, 'Type') ?? '', target: attr(a, 'Target') ?? '' });
      },
      close: () => {},
      text: () => {},
    }));
    return rels;
  }
}

/** A relationship target resolved against the folder of the part that holds it. */
function resolvePart(fromPart: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = fromPart.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

const relsOf = (part: string) => {
  const i = part.lastIndexOf('/');
  return `${part.slice(0, i + 1)}_rels/${part.slice(i + 1)}.rels`;
};

async function readXlsx(bytes: Buffer, label: string, out: TableBuilder, limits: ReadLimits): Promise<void> {
  const zip = ZipArchive.open(bytes, limits, label);
  const parts = new XlsxParts(zip, label, limits);

  const rootRels = await parts.rels('_rels/.rels');
  const workbookPath = partKey(resolvePart('', rootRels.find((r) => REL_OFFICE_DOCUMENT.test(r.type))?.target ?? 'xl/workbook.xml'));
  const workbookEntry = parts.entry(workbookPath);
  if (!workbookEntry) throw notReadable(label);

  let firstSheetRel: string | undefined;
  let date1904 = false;
  await parts.scan(workbookEntry, (scanner) => ({
    open: (name, a) => {
      if (name === 'workbookPr') date1904 = /^(1|true)$/.test(attr(a, 'date1904') ?? '');
      else if (name === 'sheet' && firstSheetRel === undefined) {
        firstSheetRel = attr(a, 'id') ?? '';
        scanner.stop(); // workbookPr comes before the sheets
      }
    },
    close: () => {},
    text: () => {},
  }));
  if (firstSheetRel === undefined) return; // a workbook without sheets reads as empty

  const wbRels = await parts.rels(relsOf(workbookPath));
  const sheetRel = wbRels.find((r) => r.id === firstSheetRel);
  const sheetEntry = sheetRel ? parts.entry(partKey(resolvePart(workbookPath, sheetRel.target))) : undefined;
  if (!sheetEntry) throw notReadable(label);
  const stylesRel = wbRels.find((r) => REL_STYLES.test(r.type));
  const stringsRel = wbRels.find((r) => REL_SHARED_STRINGS.test(r.type));
  const stylesEntry = stylesRel ? parts.entry(partKey(resolvePart(workbookPath, stylesRel.target))) : undefined;
  const stringsEntry = stringsRel ? parts.entry(partKey(resolvePart(workbookPath, stringsRel.target))) : undefined;

  // Everything read must fit the cap by its declared sizes before anything large is inflated.
  const declared = [sheetEntry, stylesEntry, stringsEntry].reduce((n, e) => n + (e?.size ?? 0), 0);
  if (parts.budget.used + declared > limits.maxInflatedBytes)
    throw tooBig(label, `has a first sheet and shared parts declaring more than ${Math.round(limits.maxInflatedBytes / 1024 / 1024)} MB uncompressed`);

  const dateStyles = stylesEntry ? await readDateStyles(parts, stylesEntry) : new Set<number>();
  const strings = stringsEntry ? await readSharedStrings(parts, stringsEntry) : [];
  await readSheet(parts, sheetEntry, { strings, dateStyles, date1904 }, out);
}

/** The cell style indexes (cellXfs) whose number format shows a date or time. */
async function readDateStyles(parts: XlsxParts, entry: ZipEntry): Promise<Set<number>> {
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  await parts.scan(entry, (scanner) => ({
    open: (name, a) => {
      if (name === 'numFmt') custom.set(Number(attr(a, 'numFmtId')), (attr(a, 'formatCode') ?? '').replace(/\\(.)/g, '$1'));
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) xfFormats.push(Number(attr(a, 'numFmtId') ?? 0));
    },
    close: (name) => {
      if (name === 'cellXfs') {
        inCellXfs = false;
        scanner.stop(); // numFmts come before cellXfs; the rest is fonts and colours
      }
    },
    text: () => {},
  }));
  const dates = new Set<number>();
  xfFormats.forEach((id, i) => {
    const code = custom.get(id);
    if (code !== undefined ? isDateFormat(code) : BUILTIN_DATE_FORMATS.has(id)) dates.add(i);
  });
  return dates;
}

/** As spreadsheet programs decide it: date characters outside quotes and brackets. */
function isDateFormat(code: string): boolean {
  return /[ymdhMsb]/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** `_xHHHH_` escapes OOXML uses for characters XML cannot carry. */
const unescapeOoxml = (s: string) => (s.indexOf('_x') === -1 ? s : s.replace(/_x([0-9A-F]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))));

async function readSharedStrings(parts: XlsxParts, entry: ZipEntry): Promise<string[]> {
  const { label, limits } = parts;
  const strings: string[] = [];
  let chars = 0;
  let inSi = false;
  let inPhonetic = false;
  let inT = false;
  let current = '';
  let run = '';
  await parts.scan(entry, () => ({
    open: (name) => {
      if (name === 'si') {
        inSi = true;
        current = '';
      } else if (name === 'rPh') inPhonetic = true;
      else if (name === 't' && inSi && !inPhonetic) {
        inT = true;
        run = '';
      }
    },
    close: (name) => {
      if (name === 't' && inT) {
        inT = false;
        current += unescapeOoxml(run);
      } else if (name === 'rPh') inPhonetic = false;
      else if (name === 'si' && inSi) {
        inSi = false;
        chars += current.length;
        if (strings.length >= limits.maxSharedStrings || chars > limits.maxSharedStringChars) {
          throw tooBig(label, `has more than ${limits.maxSharedStrings} shared strings or ${limits.maxSharedStringChars} characters of them`);
        }
        strings.push(current);
      }
    },
    text: (t, cdata) => {
      if (!inT) return;
      run += cdata ? t : decodeEntities(t);
      if (run.length > limits.maxCellChars) throw cellTooLong(label, limits.maxCellChars);
    },
  }));
  return strings;
}

const cellTooLong = (label: string, max: number) => new ToolError('LIMIT_EXCEEDED', `${label} has a cell longer than ${max} characters.`, { hint: `Keep each cell below ${max} characters.` });

/** Column number (A = 1) of a cell reference such as "BC12"; 0 when it has no letters. */
function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
    if (col > MAX_COLUMN) return MAX_COLUMN + 1;
  }
  return col;
}

const xmlDecodeNamed = (s: string) => s.replace(/&(lt|gt|amp|apos|quot);/g, (_m, n: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[n]!);

function excelDate(serial: number, date1904: boolean): string | undefined {
  const d = new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

interface SheetContext {
  strings: string[];
  dateStyles: Set<number>;
  date1904: boolean;
}

/** Streams sheetData row by row into `out`, stopping at the end of sheetData. */
async function readSheet(parts: XlsxParts, entry: ZipEntry, ctx: SheetContext, out: TableBuilder): Promise<void> {
  const { label, limits } = parts;
  let inData = false;
  let row: string[] | undefined;
  let col = 0;
  // the cell being read
  let inCell = false;
  let type = '';
  let style = 0;
  let hasFormula = false;
  let collect: 'v' | 't' | undefined;
  let inIs = false;
  let inPhonetic = false;
  let value: string | undefined;
  let runs: string[] = [];
  let text = '';

  const cellValue = (): string | undefined => {
    if (type === 'inlineStr') return runs.length ? runs.join('') : undefined;
    if (value === undefined) return hasFormula ? '' : undefined;
    switch (type) {
      case 's': {
        const s = ctx.strings[parseInt(value, 10)];
        return s === undefined ? '' : s;
      }
      case 'str':
        return xmlDecodeNamed(value);
      case 'b':
        return String(parseInt(value, 10) !== 0);
      case 'e':
        return value;
      default: {
        const n = parseFloat(value);
        if (ctx.dateStyles.has(style)) return excelDate(n, ctx.date1904) ?? String(n);
        return String(n);
      }
    }
  };

  await parts.scan(entry, (scanner) => ({
    open: (name, a) => {
      if (!inData) {
        if (name === 'sheetData') inData = true;
        return;
      }
      if (name === 'row') {
        out.scan();
        row = [];
        col = 0;
      } else if (name === 'c' && row) {
        const ref = attr(a, 'r');
        const c = ref ? columnOf(ref) : 0;
        col = c > 0 ? c : col + 1;
        if (col > MAX_COLUMN) {
          throw new ToolError('LIMIT_EXCEEDED', `${label} has a cell beyond column XFD (${MAX_COLUMN}), the last a spreadsheet has.`, { hint: 'Keep only the columns to import.' });
        }
        inCell = true;
        type = attr(a, 't') ?? 'n';
        style = parseInt(attr(a, 's') ?? '0', 10) || 0;
        hasFormula = false;
        value = undefined;
        runs = [];
      } else if (!inCell) return;
      else if (name === 'f') hasFormula = true;
      else if (name === 'v') {
        collect = 'v';
        text = '';
      } else if (name === 'is') inIs = true;
      else if (name === 'rPh') inPhonetic = true;
      else if (name === 't' && inIs && !inPhonetic) {
        collect = 't';
        text = '';
      }
    },
    close: (name) => {
      if (!inData) return;
      if (name === 'sheetData') {
        scanner.stop(); // what follows (merges, hyperlinks, drawings) is not read
        return;
      }
      if (name === 'v' && collect === 'v') {
        if (text !== '') value = (value ?? '') + text;
        collect = undefined;
      } else if (name === 't' && collect === 't') {
        runs.push(unescapeOoxml(text));
        collect = undefined;
      } else if (name === 'rPh') inPhonetic = false;
      else if (name === 'is') inIs = false;
      else if (name === 'c' && inCell && row) {
        inCell = false;
        const v = cellValue();
        if (v !== undefined) row[col - 1] = v.trim();
      } else if (name === 'row' && row) {
        const cells = Array.from(row, (c) => c ?? '');
        row = undefined;
        out.add(cells);
      }
    },
    text: (t, cdata) => {
      if (!collect) return;
      text += cdata ? t : decodeEntities(t);
      if (text.length > limits.maxCellChars) throw cellTooLong(label, limits.maxCellChars);
    },
  }));
}

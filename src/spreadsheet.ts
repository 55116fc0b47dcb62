// Spreadsheet reading and writing for imports, templates and exports: .xlsx through exceljs, .csv
// through a small RFC 4180 reader/writer. Cells are read as trimmed strings.
import { ToolError } from './errors.js';
import type { LoadedFile } from './files.js';

export const SPREADSHEET_EXTENSIONS = ['.xlsx', '.csv'];

export interface Table {
  /** Rows without the header row, each a list of cell strings. */
  rows: string[][];
  header: string[];
}

/** Reads the first sheet (or the CSV) of a loaded file. The first row is the header. */
export async function readTable(file: LoadedFile, opts: { maxRows: number }): Promise<Table> {
  let all: string[][];
  if (file.ext === '.csv') all = parseCsv(file.bytes.toString('utf8').replace(/^\uFEFF/, ''));
  else if (file.ext === '.xlsx') all = await readXlsx(file);
  else throw new ToolError('FILE_REFUSED', `${file.name}: only .xlsx and .csv spreadsheets are read.`, { hint: 'Save the sheet as .xlsx or .csv (an old .xls must be re-saved as .xlsx).' });
  const nonEmpty = all.filter((r) => r.some((c) => c !== ''));
  const [header = [], ...rows] = nonEmpty;
  if (rows.length > opts.maxRows) {
    throw new ToolError('LIMIT_EXCEEDED', `${file.name} has ${rows.length} data rows; the limit is ${opts.maxRows}.`, { hint: `Split the file into parts of at most ${opts.maxRows} rows.` });
  }
  return { header, rows };
}

/** exceljs is loaded on first use: it is large, and most sessions never touch a spreadsheet. */
export const excel = async () => (await import('exceljs')).default;

async function readXlsx(file: LoadedFile): Promise<string[][]> {
  const wb = new (await excel()).Workbook();
  try {
    await wb.xlsx.load(file.bytes as unknown as ArrayBuffer);
  } catch {
    throw new ToolError('FILE_REFUSED', `${file.name} is not a readable .xlsx workbook.`, { hint: 'Open it in a spreadsheet program and save it again as .xlsx, or export it as .csv.' });
  }
  const sheet = wb.worksheets[0];
  if (!sheet) return [];
  const out: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    const values = row.values as unknown[];
    for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
    out[rowNumber - 1] = cells;
  });
  return Array.from(out, (r) => r ?? []);
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o = v as { text?: unknown; hyperlink?: string; richText?: { text: string }[]; result?: unknown };
    if (o.richText) return o.richText.map((t) => t.text).join('').trim();
    if (o.hyperlink && typeof o.text !== 'object') return String(o.text ?? o.hyperlink).trim();
    if (o.text !== undefined) return cellText(o.text);
    if (o.result !== undefined) return cellText(o.result);
  }
  return String(v).trim();
}

/** RFC 4180: quoted fields, doubled quotes, CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
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
    else if (ch === ',') {
      row.push(field.trim());
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field.trim());
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field.trim());
    rows.push(row);
  }
  return rows;
}

/** One CSV line; fields that start like a formula are prefixed so a spreadsheet shows them as text. */
export function csvRow(values: unknown[]): string {
  return (
    values
      .map((v) => {
        let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
        if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}

/** A small workbook (templates): one sheet with a header row and rows. */
export async function buildXlsx(sheetName: string, header: string[], rows: unknown[][]): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  const ws = wb.addWorksheet(sheetName);
  ws.addRow(header).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  ws.columns.forEach((c) => (c.width = 40));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

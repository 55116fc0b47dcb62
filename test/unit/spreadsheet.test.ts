// Reading spreadsheets: normal workbooks read as exceljs reads them (first sheet, trimmed strings,
// numbers, dates, hyperlinks, rich text), and hostile ones (zip bombs, many sheets, millions of
// rows, huge shared-strings tables, lying sizes) are refused with LIMIT_EXCEEDED quickly while the
// event loop that serves other calls keeps running.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../src/spreadsheet.js';
import { parseCsv } from '../../src/sheet-reader.js';
import { ToolError } from '../../src/errors.js';
import { repeat, sheetXml, workbook, zip } from '../helpers/zip.js';

const xlsx = (bytes: Buffer, name = 'book.xlsx') => ({ name, ext: '.xlsx', bytes });

async function refusal(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw new Error(`expected a ToolError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a refusal, but it succeeded');
}

// ---------------------------------------------------------------------------------------------
// What the server read before: exceljs's whole-workbook load, first sheet, cells as trimmed text.

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  const o = v as { text?: unknown; hyperlink?: string; richText?: { text: string }[]; result?: unknown };
  if (o.richText)
    return o.richText
      .map((t) => t.text)
      .join('')
      .trim();
  if (o.hyperlink && typeof o.text !== 'object') return String(o.text ?? o.hyperlink).trim();
  if (o.text !== undefined) return cellText(o.text);
  if (o.result !== undefined) return cellText(o.result);
  return String(v).trim();
}

async function readWithExceljs(bytes: Buffer): Promise<{ header: string[]; rows: string[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const out: string[][] = [];
  wb.worksheets[0]?.eachRow({ includeEmpty: true }, (row, n) => {
    out[n - 1] = Array.from(row.values as unknown[], cellText).slice(1);
  });
  const [header = [], ...rows] = Array.from(out, (r) => r ?? []).filter((r) => r.some((c) => c !== ''));
  return { header, rows };
}

async function build(fill: (wb: ExcelJS.Workbook) => void, streaming: boolean): Promise<Buffer> {
  if (!streaming) {
    const wb = new ExcelJS.Workbook();
    fill(wb);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
  // The streaming writer uses inline strings instead of a shared-strings table.
  const chunks: Buffer[] = [];
  const sink = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: false, useStyles: true });
  fill(wb as unknown as ExcelJS.Workbook);
  await wb.commit();
  return Buffer.concat(chunks);
}

const workbooks: Record<string, (wb: ExcelJS.Workbook) => void> = {
  'strings, numbers, booleans, empty rows': (wb) => {
    const s = wb.addWorksheet('Creators');
    s.addRow(['Creator URL', ' Email ']);
    s.addRow(['https://www.tiktok.com/@a', 'a@b.io']);
    s.addRow([]);
    s.addRow(['  padded  ', 42, 3.5, true, false, -0.0001, 123456789012, 1e21]);
    s.addRow(['ünï©ødé 😀', '<&>"\'', 'tab\there']);
  },
  'dates, hyperlinks, rich text, formulas, sparse cells': (wb) => {
    const s = wb.addWorksheet('T');
    s.addRow(['when', 'link', 'rich', 'formula']);
    s.addRow([
      new Date(Date.UTC(2024, 1, 29, 13, 45)),
      { text: 'Channel', hyperlink: 'https://www.youtube.com/@someone' },
      { richText: [{ text: 'Ri' }, { font: { bold: true }, text: 'ch ' }] },
      { formula: 'A1&"x"', result: 'whenx' },
    ]);
    s.addRow([{ formula: '1+1', result: 2 }, '_x0041_ literal']);
    s.getCell('D5').value = 'sparse';
    s.getCell('J6').value = 'far';
  },
  'number formats': (wb) => {
    const s = wb.addWorksheet('N');
    s.addRow(['a', 'b', 'c', 'd', 'e']);
    const r = s.addRow([45000, 45000.5, 0.75, 1234.5, 45000]);
    r.getCell(1).numFmt = 'yyyy-mm-dd';
    r.getCell(2).numFmt = 'dd/mm/yyyy hh:mm';
    r.getCell(3).numFmt = '[h]:mm';
    r.getCell(4).numFmt = '#,##0.00 "days"';
    r.getCell(5).numFmt = '0.00%';
  },
  'several sheets: the first is read': (wb) => {
    wb.addWorksheet('First').addRow(['only', 'first']);
    wb.addWorksheet('Second').addRow(['second']);
  },
  'an empty sheet': (wb) => {
    wb.addWorksheet('Empty');
  },
  '3,000 rows': (wb) => {
    const s = wb.addWorksheet('Big');
    s.addRow(['url', 'email']);
    for (let i = 0; i < 3000; i++) s.addRow([`https://www.tiktok.com/@u${i}`, i % 3 ? `u${i}@x.io` : '']);
  },
};

describe('readTable on normal workbooks', () => {
  for (const [name, fill] of Object.entries(workbooks)) {
    for (const streaming of [false, true]) {
      // exceljs's streaming writer cannot write rich text, formulas or hyperlinks inline
      if (streaming && name.startsWith('dates')) continue;
      it(`reads ${name} as exceljs does (${streaming ? 'inline strings' : 'shared strings'})`, async () => {
        const bytes = await build(fill, streaming);
        expect(await readTable(xlsx(bytes), { maxRows: 5000 })).toEqual(await readWithExceljs(bytes));
      });
    }
  }

  it('reads what other writers produce: prefixed names, CDATA, entities, escapes, 1904 dates, errors', async () => {
    const ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
    const rows =
      '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t><![CDATA[a <b> & c]]></x:t></x:is></x:c></x:row>' +
      '<x:row r="3"><x:c r="A3" t="s"><x:v>1</x:v></x:c><x:c r="C3" t="e"><x:v>#N/A</x:v></x:c><x:c r="D3" t="str"><x:f>B1</x:f><x:v>q &amp;amp; r</x:v></x:c></x:row>';
    const sheet = `<?xml version="1.0"?><x:worksheet ${ns}><x:sheetData>${rows}</x:sheetData></x:worksheet>`;
    const sst = `<sst><si><t xml:space="preserve"> caf&#xE9; &lt;1&gt; </t><rPh><t>ignored</t></rPh></si><si><r><t>line_x000D_</t></r><r><t>two</t></r></si></sst>`;
    const bytes = workbook({ sheets: [sheet], sharedStrings: sst });
    expect(await readTable(xlsx(bytes), { maxRows: 10 })).toEqual({ header: ['café <1>', 'a <b> & c'], rows: [['line\rtwo', '', '#N/A', 'q & r']] });
  });

  it('refuses what is not a workbook with FILE_REFUSED', async () => {
    const refused = async (bytes: Buffer) => (await refusal(readTable(xlsx(bytes), { maxRows: 10 }))).code;
    expect(await refused(Buffer.from('not a zip at all'))).toBe('FILE_REFUSED');
    expect(await refused(zip([{ name: 'hello.txt', data: 'no workbook here' }]))).toBe('FILE_REFUSED');
    const good = workbook({ sheets: [sheetXml('<row><c t="inlineStr"><is><t>a</t></is></c></row>')] });
    expect(await refused(good.subarray(0, good.length - 30))).toBe('FILE_REFUSED'); // cut short
    const dtd = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet><sheetData><row><c t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>';
    expect(await refused(workbook({ sheets: [dtd] }))).toBe('FILE_REFUSED');
    const encrypted = Buffer.from(good);
    for (let i = encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0; i = encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 4)) encrypted.writeUInt16LE(1, i + 8);
    expect(await refused(encrypted)).toBe('FILE_REFUSED');
  });

  it('answers a damaged workbook with a refusal, never a crash: 300 corrupted copies', async () => {
    const good = await build(workbooks['dates, hyperlinks, rich text, formulas, sparse cells']!, false);
    let seed = 42;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const cd = good.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); // the central directory: flips there hit sizes and offsets
    const outcomes = new Set<string>();
    for (let k = 0; k < 300; k++) {
      const bad = Buffer.from(good);
      for (let f = 1 + rand(4); f > 0; f--) {
        const at = k % 2 ? cd + rand(good.length - cd) : rand(good.length);
        bad[at] = k % 3 ? rand(256) : 0xff;
      }
      try {
        await readTable(xlsx(bad), { maxRows: 5000 });
        outcomes.add('read');
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(ToolError);
        expect(['FILE_REFUSED', 'LIMIT_EXCEEDED']).toContain((e as ToolError).code);
        outcomes.add((e as ToolError).code);
      }
    }
    expect(outcomes.has('FILE_REFUSED')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile files

const row = '<row><c t="s"><v>0</v></c><c t="inlineStr"><is><t>https://www.tiktok.com/@same.creator</t></is></c></row>';
const sst1 = '<sst><si><t>Creator URL</t></si></sst>';

const bombs: Record<string, () => Buffer> = {
  // The reported shape: a few sheets of identical rows, small once compressed.
  'three sheets of 300,000 identical rows': () => {
    const s = sheetXml(repeat(row, 300_000));
    return workbook({ sheets: [s, s, s], sharedStrings: sst1 });
  },
  'a workbook of 200 large sheets': () => {
    const s = sheetXml(repeat(row, 50_000));
    return workbook({ sheets: Array.from({ length: 200 }, () => s), sharedStrings: sst1 });
  },
  'a sheet of two million rows': () => workbook({ sheets: [sheetXml(repeat('<row><c><v>1</v></c></row>', 2_000_000))] }),
  'a sheet of three million empty rows': () => workbook({ sheets: [sheetXml(repeat('<row/>', 3_000_000))] }),
  'a sheet of fifteen million empty elements': () => workbook({ sheets: [sheetXml(repeat('<x/>', 15_000_000))] }),
  'a sheet of fifteen million end tags': () => workbook({ sheets: [sheetXml(repeat('</x>', 15_000_000))] }),
  'rows reaching the last column': () => workbook({ sheets: [sheetXml(repeat('<row><c r="XFD1"><v>1</v></c></row>', 10_000))] }),
  'a shared-strings table of three million strings': () =>
    workbook({ sheets: [sheetXml('<row><c t="s"><v>2999999</v></c></row>')], sharedStrings: Buffer.concat([Buffer.from('<sst>'), repeat('<si><t>ab</t></si>', 3_000_000), Buffer.from('</sst>')]) }),
  'a sheet larger than the cap by its declared size': () => workbook({ sheets: [sheetXml(repeat('<row><c><v>1</v></c></row>', 3_000_000))] }),
  'a zip entry whose declared size lies': () => workbook({ sheets: [sheetXml(repeat('<row><c><v>1</v></c></row>', 2_000_000))], declared: { 'xl/worksheets/sheet1.xml': 4096 } }),
  'a cell of 20 million characters': () => workbook({ sheets: [sheetXml(`<row><c t="inlineStr"><is><t>${'a'.repeat(20_000_000)}</t></is></c></row>`)] }),
};

/** Runs a read while timing the event loop: how long it ran and the longest the loop was held. */
async function whileServing<T>(work: () => Promise<T>): Promise<{ result: T | ToolError; ms: number; longestStallMs: number; servedWhilePending: boolean }> {
  let last = performance.now();
  let longestStallMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longestStallMs = Math.max(longestStallMs, now - last);
    last = now;
  }, 5);
  let pending = true;
  const t0 = performance.now();
  const running = work().then(
    (r) => r,
    (e: unknown) => {
      if (e instanceof ToolError) return e;
      throw e;
    },
  );
  void running.finally(() => (pending = false));
  // a trivial call on the same loop: served while the read is still running
  const servedWhilePending = await new Promise<boolean>((resolve) => setTimeout(() => resolve(pending), 0));
  const result = await running;
  const ms = performance.now() - t0;
  clearInterval(tick);
  return { result, ms, longestStallMs, servedWhilePending };
}

describe('readTable on hostile workbooks', () => {
  for (const [name, make] of Object.entries(bombs)) {
    it(`refuses ${name} with LIMIT_EXCEEDED, quickly, without holding up the event loop`, async () => {
      const bytes = make();
      expect(bytes.length).toBeLessThan(10 * 1024 * 1024); // every one is under the upload limit
      const r = await whileServing(() => readTable(xlsx(bytes, 'bomb.xlsx'), { maxRows: 5000 }));
      expect(r.result).toBeInstanceOf(ToolError);
      const e = r.result as ToolError;
      expect(e.code, e.message).toBe('LIMIT_EXCEEDED');
      expect(e.message).toContain('bomb.xlsx');
      expect(e.action?.hint).toBeTruthy();
      // Sanity bounds only (the machine may be busy): seconds, where the old reader took minutes.
      expect(r.ms).toBeLessThan(5000);
      expect(r.longestStallMs).toBeLessThan(1000);
    });
  }

  it('serves other calls while a read runs, and reads normally right after a refusal', async () => {
    const r = await whileServing(() => readTable(xlsx(bombs['three sheets of 300,000 identical rows']!(), 'bomb.xlsx'), { maxRows: 5000 }));
    expect(r.servedWhilePending).toBe(true);
    expect((r.result as ToolError).code).toBe('LIMIT_EXCEEDED');
    const ok = workbook({ sheets: [sheetXml(row + row)], sharedStrings: sst1 });
    expect(await readTable(xlsx(ok), { maxRows: 10 })).toEqual({ header: ['Creator URL', 'https://www.tiktok.com/@same.creator'], rows: [['Creator URL', 'https://www.tiktok.com/@same.creator']] });
  });

  it('stops a read at its deadline, and the next read still works', async () => {
    const slow = bombs['a shared-strings table of three million strings']!();
    const e = await refusal(readTable(xlsx(slow, 'slow.xlsx'), { maxRows: 5000, deadlineMs: 5 }));
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toContain('took longer than');
    const ok = workbook({ sheets: [sheetXml(row)], sharedStrings: sst1 });
    expect((await readTable(xlsx(ok), { maxRows: 10 })).header).toEqual(['Creator URL', 'https://www.tiktok.com/@same.creator']);
  });

  it('reads several files at once, more than run in parallel', async () => {
    const files = Array.from({ length: 5 }, (_, i) => workbook({ sheets: [sheetXml(`<row><c t="inlineStr"><is><t>file ${i}</t></is></c></row>`)] }));
    const tables = await Promise.all(files.map((f) => readTable(xlsx(f), { maxRows: 10 })));
    expect(tables.map((t) => t.header[0])).toEqual(['file 0', 'file 1', 'file 2', 'file 3', 'file 4']);
  });
});

describe('readTable on CSV', () => {
  const csv = (text: string, name = 'list.csv') => ({ name, ext: '.csv', bytes: Buffer.from(text) });

  it('reads small and large CSV files as parseCsv does, dropping empty rows', async () => {
    const small = 'url,email\r\n"https://x.io/@a", a@b.io \r\n\r\n"q ""uoted""",\n';
    expect(await readTable(csv(small), { maxRows: 10 })).toEqual({
      header: ['url', 'email'],
      rows: [
        ['https://x.io/@a', 'a@b.io'],
        ['q "uoted"', ''],
      ],
    });
    const lines = Array.from({ length: 4000 }, (_, i) => `https://www.tiktok.com/@user.${i},user${i}@example.com,"note, ${i}"`);
    const large = `url,email,note\n${lines.join('\n')}\n`;
    expect(large.length).toBeGreaterThan(64 * 1024); // read by a worker
    const [header, ...rows] = parseCsv(large).filter((r) => r.some((c) => c !== ''));
    expect(await readTable(csv(large), { maxRows: 5000 })).toEqual({ header, rows });
  });

  it('stops at the row limit, inline and in a worker', async () => {
    for (const n of [50, 100_000]) {
      const text = `url\n${'https://www.tiktok.com/@x\n'.repeat(n)}`;
      const e = await refusal(readTable(csv(text), { maxRows: 40 }));
      expect(e.code).toBe('LIMIT_EXCEEDED');
      expect(e.message).toContain('more than 40 data rows');
    }
  });

  it('refuses a row with more fields than a spreadsheet has columns', async () => {
    const e = await refusal(readTable(csv(`a\n${','.repeat(200_000)}\n`), { maxRows: 40 }));
    expect(e.code).toBe('LIMIT_EXCEEDED');
  });
});

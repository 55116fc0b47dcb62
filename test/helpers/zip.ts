// Builds zip archives and .xlsx workbooks byte by byte, for tests that need files no spreadsheet
// program writes: decompression bombs, many sheets, huge shared-strings tables, lying sizes.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipPart {
  name: string;
  data: Buffer | string;
  /** The uncompressed size written in the headers; the real one unless a test wants a lie. */
  declaredSize?: number;
}

/** A zip of deflated entries (one compressed copy is reused for parts with the same data object). */
export function zip(parts: ZipPart[]): Buffer {
  const cache = new Map<Buffer | string, { deflated: Buffer; crc: number; size: number }>();
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    let c = cache.get(p.data);
    if (!c) {
      const raw = typeof p.data === 'string' ? Buffer.from(p.data) : p.data;
      c = { deflated: deflateRawSync(raw, { level: 9 }), crc: crc32(raw), size: raw.length };
      cache.set(p.data, c);
    }
    const name = Buffer.from(p.name);
    const size = p.declaredSize ?? c.size;
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(0x0800, 6); // UTF-8 names
    head.writeUInt16LE(8, 8); // deflate
    head.writeUInt32LE(c.crc, 14);
    head.writeUInt32LE(c.deflated.length, 18);
    head.writeUInt32LE(size, 22);
    head.writeUInt16LE(name.length, 26);
    local.push(head, name, c.deflated);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(c.crc, 16);
    cd.writeUInt32LE(c.deflated.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += 30 + name.length + c.deflated.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cdBuf, end]);
}

/** `unit` repeated to `count` copies, built without a giant intermediate string. */
export function repeat(unit: string, count: number): Buffer {
  const u = Buffer.from(unit);
  const out = Buffer.allocUnsafe(u.length * count);
  out.fill(u);
  return out;
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A sheet part: the XML around `rows` (a Buffer of <row> elements). */
export function sheetXml(rows: Buffer | string): Buffer {
  return Buffer.concat([
    Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ${NS}><sheetData>`),
    Buffer.isBuffer(rows) ? rows : Buffer.from(rows),
    Buffer.from('</sheetData></worksheet>'),
  ]);
}

export interface WorkbookSpec {
  /** One sheet part per sheet, in tab order. */
  sheets: (Buffer | string)[];
  /** The sharedStrings part (with its <sst> root), when any. */
  sharedStrings?: Buffer | string;
  /** Declared sizes that lie, by part name. */
  declared?: Record<string, number>;
}

/** A minimal but valid .xlsx: content types, relationships, workbook, the sheets and shared strings. */
export function workbook(spec: WorkbookSpec): Buffer {
  const n = spec.sheets.length;
  const sheetEntries = Array.from({ length: n }, (_, i) => `<sheet name="S${i + 1}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
  const rels = Array.from({ length: n }, (_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('');
  const parts: ZipPart[] = [
    {
      name: '[Content_Types].xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>`,
    },
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    { name: 'xl/workbook.xml', data: `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS}><sheets>${sheetEntries}</sheets></workbook>` },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}${spec.sharedStrings !== undefined ? `<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : ''}</Relationships>`,
    },
    ...spec.sheets.map((data, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data })),
    ...(spec.sharedStrings !== undefined ? [{ name: 'xl/sharedStrings.xml', data: spec.sharedStrings }] : []),
  ];
  return zip(parts.map((p) => (spec.declared?.[p.name] !== undefined ? { ...p, declaredSize: spec.declared[p.name] } : p)));
}

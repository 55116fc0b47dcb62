// A small streaming XML tokenizer for the parts of an .xlsx: it is fed text in chunks and calls a
// handler for each tag and text run, holding at most one incomplete token in memory. It expands
// only the five predefined entities and character references, and refuses a DTD, so no entity
// can expand. Namespace prefixes are dropped from names (some writers prefix every element).
import { ToolError } from './errors.js';

export interface XmlHandler {
  /** A start tag; `attrs` is the raw attribute text (read it with `attr`). A self-closing tag is open + close. */
  open(name: string, attrs: string): void;
  close(name: string): void;
  /** Text between tags: raw (entities not yet expanded) unless `cdata`. */
  text(raw: string, cdata: boolean): void;
}

export class XmlScanner {
  private pending = '';
  private stopped = false;

  /** Set before the first write (a handler may need the scanner to stop it). */
  handler: XmlHandler = { open() {}, close() {}, text() {} };

  /**
   * `maxPending`: the longest tag or text run held while waiting for its end. `tags`: markup left
   * to read (tags, comments, ...), shared by the parts of one file, so no part costs more than that.
   */
  constructor(
    private readonly maxPending: number,
    private readonly tags: { left: number; max: number },
    private readonly label: string,
  ) {}

  /** Stops scanning: later input is ignored (the caller stops reading it). */
  stop(): void {
    this.stopped = true;
  }

  get done(): boolean {
    return this.stopped;
  }

  write(chunk: string): void {
    if (this.stopped) return;
    const buf = this.pending.length > 0 ? this.pending + chunk : chunk;
    const n = buf.length;
    const h = this.handler;
    let pos = 0;
    while (pos < n && !this.stopped) {
      const lt = buf.indexOf('<', pos);
      if (lt === -1) break; // text that may go on in the next chunk
      if (lt > pos) {
        h.text(buf.slice(pos, lt), false);
        pos = lt;
        if (this.stopped) break;
      }
      if (lt + 1 >= n) break;
      const c1 = buf.charCodeAt(lt + 1);
      if (c1 === 63 /* ? */) {
        const e = buf.indexOf('?>', lt + 2);
        if (e === -1) break;
        this.tick();
        pos = e + 2;
      } else if (c1 === 33 /* ! */) {
        if (n - lt < 9) break;
        if (buf.startsWith('<!--', lt)) {
          const e = buf.indexOf('-->', lt + 4);
          if (e === -1) break;
          this.tick();
          pos = e + 3;
        } else if (buf.startsWith('<![CDATA[', lt)) {
          const e = buf.indexOf(']]>', lt + 9);
          if (e === -1) break;
          this.tick();
          h.text(buf.slice(lt + 9, e), true);
          pos = e + 3;
        } else {
          throw new ToolError('FILE_REFUSED', `${this.label} contains a document type declaration, which a spreadsheet never has.`, {
            hint: 'Open it in a spreadsheet program and save it again as .xlsx, or export it as .csv.',
          });
        }
      } else if (c1 === 47 /* / */) {
        const e = buf.indexOf('>', lt + 2);
        if (e === -1) break;
        this.tick();
        h.close(localName(buf.slice(lt + 2, e).trim()));
        pos = e + 1;
      } else {
        // The end of a start tag is the first '>' outside a quoted attribute value.
        let i = lt + 1;
        let quote = 0;
        for (; i < n; i++) {
          const c = buf.charCodeAt(i);
          if (quote !== 0) {
            if (c === quote) quote = 0;
          } else if (c === 34 || c === 39) quote = c;
          else if (c === 62) break;
        }
        if (i >= n) break;
        this.tick();
        let j = lt + 1;
        for (; j < i; j++) {
          const c = buf.charCodeAt(j);
          if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47) break;
        }
        const selfClosing = buf.charCodeAt(i - 1) === 47;
        const name = localName(buf.slice(lt + 1, j));
        const attrsEnd = selfClosing ? i - 1 : i;
        h.open(name, attrsEnd > j ? buf.slice(j, attrsEnd) : '');
        if (selfClosing && !this.stopped) h.close(name);
        pos = i + 1;
      }
    }
    this.pending = this.stopped ? '' : buf.slice(pos);
    if (this.pending.length > this.maxPending) {
      throw new ToolError('LIMIT_EXCEEDED', `${this.label} holds a tag or a text longer than ${this.maxPending} characters.`, {
        hint: 'Keep each cell below 32,767 characters (the spreadsheet limit), or export the sheet as .csv.',
      });
    }
  }

  /** Counts one tag (or comment, CDATA section, processing instruction) against the budget. */
  private tick(): void {
    if (--this.tags.left < 0) {
      throw new ToolError('LIMIT_EXCEEDED', `${this.label} has more than ${this.tags.max} XML tags in the parts read; it is refused as too large.`, {
        hint: 'Keep only the sheet to import, as the first sheet, or export it as .csv.',
      });
    }
  }

  /** The input ended: whatever is left is text after the last tag (ignored) or a cut-off tag. */
  end(): void {
    this.pending = '';
  }
}

function localName(qname: string): string {
  const k = qname.indexOf(':');
  return k === -1 ? qname : qname.slice(k + 1);
}

const attrPatterns = new Map<string, RegExp>();

/** One attribute's value (entities expanded), matching any namespace prefix; undefined when absent. */
export function attr(raw: string, name: string): string | undefined {
  let re = attrPatterns.get(name);
  if (!re) {
    re = new RegExp(`(?:^|\\s)(?:[A-Za-z_][\\w.-]*:)?${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
    attrPatterns.set(name, re);
  }
  const m = re.exec(raw);
  return m ? decodeEntities(m[1] ?? m[2] ?? '') : undefined;
}

const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Expands the predefined entities and character references; anything else stays as written. */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') === -1) return s;
  return s.replace(ENTITY, (m, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
    if (named) return NAMED[named]!;
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

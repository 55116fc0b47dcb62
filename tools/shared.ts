// Schemas shared by every domain of the catalog: ids, platforms, search text, paging, file inputs.
import { z } from 'zod';
import { PLATFORMS } from './vocabulary.js';
import { opaqueId, PAGE_MAX } from '../src/catalog.js';

/** An opaque id: passed through unchanged, never parsed or guessed (its bounds are checked, not listed). */
export const idString = () => opaqueId(z.string().min(1).max(128));
export const id = (description: string) => opaqueId(z.string().min(1).max(128).describe(description));
/** Ids; described only where they mean more than their source (SHARED_FIELDS says that). */
export const ids = (description?: string, max = 10_000) => {
  const list = z.array(idString()).min(1).max(max);
  return description ? list.describe(description) : list;
};

/**
 * A cooperation status: a server-defined id, never a name. The ids are whatever the backend's
 * message_coop_statuses returns (NoxInfluencer's docs pass `--coop_status 2`).
 */
// What a coop_status is, is said once, in the instructions (SHARED_FIELDS).
export const coopStatusValue = z.string().min(1).max(32);

/**
 * Creator ids are NoxInfluencer's encrypted tokens: its published schemas allow 256 characters
 * (campaign-runtime-contract.json, creator_id maxLength 256). One limit everywhere a creator id goes in.
 */
export const CREATOR_ID_MAX = 256;
export const creatorIdString = () => z.string().min(1).max(CREATOR_ID_MAX);
export const creatorId = (description: string) => creatorIdString().describe(description);
/** Creator ids; described only where they mean more than their source (SHARED_FIELDS says that). */
export const creatorIds = (description?: string, max = 10_000) => {
  const list = z.array(creatorIdString()).min(1).max(max);
  return description ? list.describe(description) : list;
};

export const platform = z.enum(PLATFORMS);
export const isoTime = z.string().describe('ISO 8601 time.');
/** A web address people will open: http or https only. */
export const httpUrl = (what: string) => httpUrlValue(2048).describe(what);
/** httpUrl without its description, for a field described on its nullable or optional wrapper (crm.update's url). */
export const httpUrlValue = (maxLength: number) => z.url({ protocol: /^https?$/ }).max(maxLength);

/**
 * Free text matched against stored fields. Control characters are refused: SQLite's LIKE stops
 * at a NUL, so a keyword of "\u0000" would otherwise match every row.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
export const searchText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !CONTROL_CHARACTER.test(s), { message: 'must not contain control characters' });

/** Paging inputs; a list whose rows are large takes a smaller default page, so a result stays under 8 KB. */
export const pageInputOf = (defaultSize: number) => ({
  page: z.int().min(1).max(PAGE_MAX).default(1),
  page_size: z.int().min(1).max(100).default(defaultSize),
});
export const pageInput = pageInputOf(20);

export function paged<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.int().describe('Rows matching the filters, over all pages.'),
    page: z.int(),
    page_size: z.int(),
    has_more: z.boolean(),
  });
}

/**
 * The fields of a file input: a path inside the files root, or content_base64 + filename for a
 * client whose files are not on this machine. `what` says which files fit (e.g. "A .xlsx or .csv file").
 */
export function fileFields(maxBytes: number, what = 'The file', names?: { pattern: RegExp; message: string }) {
  const named = (s: z.ZodString) => (names ? s.regex(names.pattern, names.message) : s);
  return {
    path: named(z.string().min(1).max(1024)).optional().describe(`${what}: a path in the files root.`),
    // Both explained once, in the instructions (SHARED_FIELDS).
    content_base64: z
      .string()
      .max(Math.ceil(maxBytes / 3) * 4 + 4)
      .optional(),
    filename: named(z.string().min(1).max(255)).optional(),
  };
}

/**
 * Public images (a product's thumbnail_url, an inline image of an email's html_body): the size
 * limit bounds the base64 field, and the implementation enforces it and the formats on the bytes.
 */
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif'];
export const imageFileFields = () => fileFields(IMAGE_MAX_BYTES, 'An image (.png, .jpg, .webp, .gif)');
/** What an image upload returns: file_url is public. */
export const uploadedImage = z.object({ file_id: z.string(), file_url: z.string(), file_name: z.string(), size: z.int(), sha256: z.string() });

/** The documented import formats of the CRM, email recipient and affiliation member imports: Excel only. */
export const EXCEL_IMPORT_EXTENSIONS = ['.xlsx', '.xls'];
/** fileFields for an Excel import: the name must end in .xlsx or .xls. */
export const excelFileFields = (maxBytes: number, limits: string) =>
  fileFields(maxBytes, `A .xlsx or .xls workbook (${limits})`, { pattern: /\.[xX][lL][sS][xX]?$/, message: 'must be a .xlsx or .xls workbook' });

// Used by crm (crm.update's email) and the creator imports of collections and CRM (workspace/creator-import.ts).
/** An email address as the CRM and the spreadsheet imports accept it. */
export const EMAIL_RE = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]{2,}$/;

// What a file may be called and what type it is: the name rules every file input passes (no
// executables, no names that dodge the check), sizes as people read them, MIME types, and the
// URIs under which resources/read serves the files root.
import { extname } from 'node:path';
import { ToolError } from './errors.js';

export const EXECUTABLE_EXTENSIONS = ['.exe', '.bat', '.cmd', '.com', '.msi', '.scr', '.ps1', '.sh', '.bash', '.js', '.mjs', '.vbs', '.jar', '.app', '.dll', '.py', '.php', '.pl', '.rb'];

/** The URI scheme under which resources/read serves the files root (nothing outside it). */
export const FILES_URI_PREFIX = 'nox://files/';

/** The resource URI of a file, given its path relative to the files root. */
export function fileResourceUri(relPath: string): string {
  return FILES_URI_PREFIX + relPath.split('/').map(encodeURIComponent).join('/');
}

const MIME: Record<string, string> = {
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.html': 'text/html',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.zip': 'application/zip',
};

export function mimeTypeOf(name: string): string {
  return MIME[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

export interface InputRules {
  maxBytes: number;
  /** Lower-case extensions with the dot, e.g. ['.xlsx', '.csv']. */
  extensions?: string[];
  /** Extensions refused whatever the list says (executables and scripts). */
  refuse?: string[];
}

/** Refuses executables and (when the rules list them) other extensions; `how` says how to give a file. */
export function checkType(name: string, rules: Pick<InputRules, 'extensions' | 'refuse'>, how: string): void {
  const ext = extname(name).toLowerCase();
  const refused = rules.refuse ?? EXECUTABLE_EXTENSIONS;
  if (refused.includes(ext))
    throw new ToolError('FILE_REFUSED', `Files of type ${ext} are refused (executables and scripts are never accepted).`, { hint: `Send a document such as PDF, DOCX, PNG or XLSX. ${how}` });
  if (rules.extensions && !rules.extensions.includes(ext)) {
    throw new ToolError('FILE_REFUSED', `The file ${name} has extension ${ext || '(none)'}; accepted: ${rules.extensions.join(', ')}.`, {
      hint: `Save the file as one of ${rules.extensions.join(', ')}. ${how}`,
    });
  }
}

export function tooLarge(name: string, size: number, max: number, how: string): ToolError {
  return new ToolError('LIMIT_EXCEEDED', `The file ${name} is ${formatBytes(size)}; the limit is ${formatBytes(max)}.`, { hint: `Split or compress the file below the limit. ${how}` });
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/** A bare file name from a client: no folders, no control characters, normalised as normalizeName does. */
export function safeFileName(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  const unusable = () => new ToolError('INVALID_REQUEST', `The file name ${JSON.stringify(name)} is not usable.`, { hint: 'Pass a plain file name such as "brief.pdf".' });
  if (!base || base === '.' || base === '..' || base.length > 255) throw unusable();
  return normalizeName(base, unusable);
}

/**
 * A file name as Windows would create it, which is what the type checks must see: trailing dots
 * and spaces (and an NTFS "::$DATA" stream suffix) are dropped, so "x.exe." or "x.exe " is x.exe.
 * Refused when empty afterwards or holding control characters.
 */
export function normalizeName(name: string, fail: (why: string) => ToolError): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw fail('contains control characters');
  const n = name.replace(/::\$DATA$/i, '').replace(/[. ]+$/, '');
  if (n === '') throw fail('is empty once trailing dots and spaces are removed');
  return n;
}

// Tools of this server itself, not NoxInfluencer operations: the files root is this server's,
// whatever the backend. Each is a contract like the catalog's (so tools/list, annotations, schemas,
// docs and --toolsets/--read-only/--tools selection treat it the same) plus a handler that runs in
// this process. They are never part of the catalog: no backend runs them, no REST route serves
// them, and they change nothing in the workspace (so nothing is journaled).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineContract, type CallInfo, type Operation } from './catalog.js';
import { ToolError } from './errors.js';
import { FilesRoot, LIST_TOOL, STAGE_TOOL } from './files.js';
import { checkType, normalizeName, safeFileName } from './file-names.js';

/**
 * The largest file files_stage takes (base64 in one call): the largest any tool of the catalog
 * accepts, so every file a tool takes can be staged, and no larger, so a files_stage call fits a
 * stdio message (src/stdio.ts; a message over that limit would close the transport). The domain's
 * own limits apply on use.
 */
export const STAGE_MAX_BYTES = 10 * 1024 * 1024;

const relPath = (what: string) => z.string().min(1).max(1024).describe(what);

const stage = defineContract({
  name: 'files.stage',
  title: 'Stage a file into the files root',
  description: `Writes a file sent as content_base64 + filename into this server's files root once and returns its path. Pass that path to any tool's path field (imports, attachments) in both its preview and its apply, instead of sending the bytes twice. An existing file is never replaced: the same bytes at the same path return it again (already_present: true).`,
  kind: 'write',
  risk: 'low',
  riskReason: "Adds one file to this server's files root; never replaces one.",
  hints: { idempotent: true, destructive: false },
  // Never served: server operations run in this process, not on a backend.
  route: { method: 'POST', path: '/files' },
  input: z.strictObject({
    content_base64: z
      .string()
      .min(1)
      .max(Math.ceil(STAGE_MAX_BYTES / 3) * 4 + 4)
      .describe(`The file bytes as standard base64 (at most ${STAGE_MAX_BYTES / 1024 / 1024} MB).`),
    filename: z.string().min(1).max(255).describe('The file name with its extension, e.g. "creators.xlsx"; executables and scripts are refused.'),
    path: relPath('Where to put it, relative to the files root; default uploads/<filename>.').optional(),
  }),
  output: z.object({
    path: z.string().describe('The file, relative to the files root: pass it as `path`.'),
    bytes: z.int(),
    sha256: z.string(),
    already_present: z.boolean().describe('True when this exact file was already at path (nothing written).'),
    files_root: z.string().describe("Where this server's files root is (over HTTP, the nox://files/ resource prefix)."),
    summary: z.string(),
  }),
});

const list = defineContract({
  name: 'files.list',
  title: 'List the files root',
  description: `Lists the files in this server's files root (or one folder of it), newest first, with sizes: files staged with ${STAGE_TOOL}, exports and downloads, import templates. Their path goes into any tool's path field.`,
  kind: 'read',
  risk: 'low',
  route: { method: 'GET', path: '/files' },
  input: z.strictObject({
    folder: relPath('A folder inside the files root, relative to it (e.g. "exports"); default the whole root.').optional(),
    limit: z.int().min(1).max(500).default(50).describe('Most files to return, newest first.'),
  }),
  output: z.object({
    files_root: z.string().describe("Where this server's files root is (over HTTP, the nox://files/ resource prefix)."),
    folder: z.string().describe('The folder listed, relative to the files root ("" for the root).'),
    files: z.array(z.object({ path: z.string().describe('Relative to the files root: pass it as `path`.'), bytes: z.int(), modified_at: z.string() })),
    total: z.int().describe('Files found in the folder (more than listed when above limit).'),
    complete: z.boolean().describe('False when the folder holds too many entries to walk them all.'),
    summary: z.string(),
  }),
});

/** The contracts of this server's own operations, in tools/list order after the catalog's. */
export const serverOperations: Operation[] = [stage, list];

export const isServerOperation = (op: Operation): boolean => serverOperations.includes(op);

/** How one server operation runs; `writesFile` says its result's `path` names a file it wrote. */
export interface ServerHandler {
  run(input: Record<string, unknown>, call: CallInfo): Promise<Record<string, unknown>>;
  writesFile?: boolean;
}

/** The handlers of the server operations, on this server's files root. */
export function serverHandlers(files: FilesRoot): Map<string, ServerHandler> {
  return new Map<string, ServerHandler>([
    [stage.name, { run: async (input) => stageFile(files, stage.input.parse(input)), writesFile: true }],
    [
      list.name,
      {
        run: async (input) => {
          const { folder, limit } = list.input.parse(input);
          const found = files.list(folder, limit);
          const where = found.folder ? `folder ${found.folder} of the files root` : 'the files root';
          return {
            files_root: files.shown,
            ...found,
            summary:
              found.total === 0
                ? `No files in ${where} yet; ${STAGE_TOOL} puts one there.`
                : `${found.total} file(s) in ${where}${found.total > found.files.length ? `, newest ${found.files.length} shown` : ''}.`,
          };
        },
      },
    ],
  ]);
}

function stageFile(files: FilesRoot, input: z.output<typeof stage.input>): Record<string, unknown> {
  const name = safeFileName(input.filename);
  const target = input.path ?? `uploads/${name}`;
  // The name it is stored under must pass the same type check as the name it was sent with, normalised the same way.
  const targetName = normalizeName(
    target.split('/').pop() ?? '',
    (why) => new ToolError('FILE_REFUSED', `The file name of ${JSON.stringify(target)} ${why}.`, { hint: files.howToGive(), actionType: 'fix_path' }),
  );
  checkType(targetName, {}, files.howToGive());
  // FilesRoot.load checks the name, type, base64 and size exactly as every file input is checked.
  const loaded = files.load({ content_base64: input.content_base64, filename: name }, { maxBytes: STAGE_MAX_BYTES });
  const sha256 = createHash('sha256').update(loaded.bytes).digest('hex');
  const { abs, exists } = files.checkOutput(target, true);
  if (exists) {
    // Read through the descriptor opened and checked inside the root, as every file input is.
    const same = files.stat(target).bytes === loaded.bytes.length && createHash('sha256').update(files.readExisting(target, STAGE_MAX_BYTES).bytes).digest('hex') === sha256;
    if (!same) {
      throw new ToolError('FILE_REFUSED', `A different file is already at ${JSON.stringify(files.display(abs))} in the files root (${files.shown}); staged files are never replaced.`, {
        hint: `Stage it under another path (e.g. "uploads/2-${name}"), or use the file already there (${LIST_TOOL} shows it).`,
        actionType: 'choose_output',
      });
    }
    return { path: files.display(abs), bytes: loaded.bytes.length, sha256, already_present: true, files_root: files.shown, summary: `This file is already at ${files.display(abs)}; pass that path.` };
  }
  const written = files.writeOutput(target, loaded.bytes, false);
  return {
    path: written.path,
    bytes: written.bytes,
    sha256,
    already_present: false,
    files_root: files.shown,
    summary: `Staged ${name} at ${written.path} (${written.bytes} bytes); pass path "${written.path}" to the tool that needs it.`,
  };
}

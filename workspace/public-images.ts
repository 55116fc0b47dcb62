// Public images: uploaded once, served at a public URL. Product thumbnails and the inline images
// of an email's html_body are the same kind of file; only their purpose differs.
import type { z } from 'zod';
import type { FileInput } from '../src/files.js';
import { IMAGE_EXTENSIONS, IMAGE_MAX_BYTES, type uploadedImage } from '../tools/shared.js';
import { loadFile, sha256 } from './shared.js';
import type { Workspace } from './workspace.js';

const PUBLIC_FILES = 'https://files.nox-demo.example/uploads';

export function uploadPublicImage(ws: Workspace, input: FileInput, purpose: 'product_image' | 'inline_image'): z.input<typeof uploadedImage> {
  const file = loadFile(ws, input, { maxBytes: IMAGE_MAX_BYTES, extensions: IMAGE_EXTENSIONS });
  const fid = ws.newId('file');
  const url = `${PUBLIC_FILES}/${fid}/${encodeURIComponent(file.name)}`;
  const digest = sha256(file.bytes);
  ws.db
    .prepare(`INSERT INTO uploaded_files (file_id, purpose, file_name, size, sha256, content, public_url, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(fid, purpose, file.name, file.bytes.length, digest, file.bytes, url, ws.now().toISOString());
  return { file_id: fid, file_url: url, file_name: file.name, size: file.bytes.length, sha256: digest };
}

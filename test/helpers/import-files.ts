// Spreadsheet files for import tests, written into a test server's files root, and seeded
// creators that no CRM channel or given collection holds yet.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import type { TestServer } from './server.js';

export function importFiles(server: () => TestServer) {
  const root = () => server().app.files.root;
  const put = (rel: string, data: Buffer | string): string => {
    mkdirSync(dirname(join(root(), rel)), { recursive: true });
    writeFileSync(join(root(), rel), data);
    return rel;
  };
  return {
    put,
    async xlsx(rel: string, rows: string[][]): Promise<string> {
      const wb = new ExcelJS.Workbook();
      const sheet = wb.addWorksheet('Creators');
      for (const r of rows) sheet.addRow(r);
      return put(rel, Buffer.from(await wb.xlsx.writeBuffer()));
    },
    csv: (rel: string, rows: string[][]) => put(rel, rows.map((r) => r.join(',')).join('\r\n') + '\r\n'),
    /** Seeded creators of a platform that are in no CRM channel and not in the collection. */
    seeded(platformName: string, n: number, notIn?: string): { creator_id: string; channel_url: string; channel_id: string }[] {
      return server()
        .workspaceDb.prepare(
          `SELECT creator_id, channel_url, channel_id FROM creators WHERE platform = ? AND creator_id NOT IN (SELECT creator_id FROM crm_channels)
           AND creator_id NOT IN (SELECT creator_id FROM collection_items WHERE collection_id = ?) AND creator_id LIKE 'cr_0%' ORDER BY creator_id LIMIT ?`,
        )
        .all(platformName, notIn ?? '', n) as { creator_id: string; channel_url: string; channel_id: string }[];
    },
  };
}

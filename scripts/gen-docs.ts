// Writes docs/tools.md, docs/api.md (the REST contract), docs/approvals.md (which writes need
// approval and why), the tools/list schema snapshot and README's configuration table from their
// single sources (the catalog and CONFIG_DOC).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { selectTools } from '../src/catalog.js';
import { CONFIG_DOC } from '../src/config.js';
import { renderApiDoc, renderApprovalsDoc, renderConfigTable, renderToolsDoc, withConfigTable } from '../src/docs.js';
import { listTools } from '../src/server.js';
import { operations } from '../tools/index.js';

const tools = selectTools(operations, {});
mkdirSync('docs', { recursive: true });
writeFileSync('docs/tools.md', renderToolsDoc(tools) + '\n');
writeFileSync('docs/api.md', renderApiDoc(operations) + '\n');
writeFileSync('docs/approvals.md', renderApprovalsDoc(operations) + '\n');
mkdirSync('test/snapshots', { recursive: true });
writeFileSync('test/snapshots/tools-list.json', JSON.stringify(listTools(tools), null, 2) + '\n');
writeFileSync('README.md', withConfigTable(readFileSync('README.md', 'utf8'), renderConfigTable(CONFIG_DOC)));
process.stderr.write(`wrote docs/tools.md, docs/api.md, docs/approvals.md, test/snapshots/tools-list.json and README.md's configuration table (${tools.length} tools)\n`);

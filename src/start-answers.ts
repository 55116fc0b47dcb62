// A stdio start answers `initialize` and `tools/list` before the server has loaded.
//
// Loading the server (Node, zod, the SDK, 200 tool contracts, the engine, the workspace, the store)
// takes about 300 ms; the reference do-nothing server answers in about 190 (docs/bench.md). Those two
// answers depend only on what a start is given (the command line, the NOX_* environment, the working
// and home directories) and on the installed modules, so a start records them in the data dir
// (start-answers/<key>.json) once it has sent them, and the next start with the same inputs and
// modules sends them as soon as the client asks, while the server loads. This module loads nothing
// but Node's own modules, so it runs within a few milliseconds of the process start.
//
// Every message still reaches the server, in order: it answers the replayed requests too, and its
// answers are compared with what was sent and dropped; a difference is logged and recorded anew.
// Nothing else is answered early: a tool call waits for the server.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import type { Logger } from './log.js';
import { dataDirOf, readArgs } from './args.js';

/** What a start recorded: the two answers' `result` as JSON text, for the protocol version the client asked for. */
interface Recording {
  /** The installed modules the answers came from (moduleStamp). */
  build: string;
  protocolVersion: string;
  initialize: string;
  tools: string;
}

/** Environment variables whose value never shapes the two answers and is a secret: only whether they are set counts. */
const SECRET_ENV = new Set(['NOX_API_KEY', 'NOX_HTTP_TOKEN', 'NOX_HTTP_TOKENS', 'NOX_STORE_URL']);
/** The first lines of a session hold initialize and tools/list; the scan stops after these many, or this many bytes. */
const SCAN_LINES = 8;
const SCAN_BYTES = 64 * 1024;

type Kind = 'initialize' | 'tools';

/** The process's MCP channel: what the client writes, and where the MCP messages go (nothing else). */
export interface Channel {
  stdin: Readable;
  stdout: Writable;
}

/**
 * The stdio streams of a `serve` over stdio: the server reads `input` and writes `output` in place
 * of the channel's stdin and stdout, and this replays and records the two answers between them.
 */
export class StdioStart {
  /** What the server reads: every byte of the channel's stdin, in order. */
  readonly input = new PassThrough();
  /** What the server writes: to the channel's stdout, less the answers already sent from the recording. */
  readonly output: Writable;
  /** Settles when stdin ends, even before the server has loaded (this reads stdin from the start). */
  readonly inputEnded: Promise<void>;
  private readonly decoder = new StringDecoder('utf8');
  private scanning = true;
  private scanned = '';
  private lines = 0;
  /** Requests whose answer is awaited from the server, by JSON id: replayed ones are checked and dropped. */
  private readonly awaited = new Map<string, { kind: Kind; replayed: boolean }>();
  private initializeReplayed = false;
  private readonly seen = new Set<Kind>();
  /** The answers this server gave (or confirmed), to record. */
  private readonly given: Partial<Record<Kind, string>> = {};
  private protocolVersion: string | undefined;
  private policy: { record: boolean; log: Logger } | undefined;

  private constructor(
    private readonly channel: Channel,
    private readonly file: string,
    private readonly build: string,
    private readonly recording: Recording | undefined,
  ) {
    const { stdin, stdout } = channel;
    this.inputEnded = new Promise<void>((resolve) => stdin.once('end', resolve));
    stdin.on('data', (chunk: Buffer) => this.scan(chunk));
    stdin.pipe(this.input);
    // The server's transport reports a read error once it listens (pipe() does not pass errors on).
    stdin.on('error', (err) => {
      if (this.input.listenerCount('error') > 0) this.input.emit('error', err);
    });
    // A client gone before main.ts listens for it: its end of stdin stops the process, not a crash.
    stdout.on('error', () => undefined);
    this.output = new Writable({ decodeStrings: false, write: (chunk: string | Buffer, _enc, done) => this.pass(chunk, done) });
  }

  /** For a `serve` over stdio, the streams (replaying a recording of these inputs and modules when there is one); else undefined. */
  static open(argv: string[], env: NodeJS.ProcessEnv, channel: Channel): StdioStart | undefined {
    let args;
    try {
      args = readArgs(argv);
    } catch {
      return undefined; // the configuration reports it
    }
    const f = args.values;
    if (args.positionals.length > 0 || f.http || f.help || f.version) return undefined;
    const build = moduleStamp();
    if (!build) return undefined;
    const file = join(dataDirOf(f['data-dir'], env), 'start-answers', `${inputsKey(argv, env)}.json`);
    return new StdioStart(channel, file, build, readRecording(file, build));
  }

  /** From here on the server answers: record its answers (when `record`; never for a start whose list depends on more than its inputs). */
  serving(policy: { record: boolean; log: Logger }): void {
    this.policy = policy;
  }

  /** Looks at the first lines a client sends; answers initialize and tools/list from the recording. */
  private scan(chunk: Buffer): void {
    if (!this.scanning) return;
    this.scanned += this.decoder.write(chunk);
    for (let i = this.scanned.indexOf('\n'); i >= 0 && this.scanning; i = this.scanned.indexOf('\n')) {
      const line = this.scanned.slice(0, i);
      this.scanned = this.scanned.slice(i + 1);
      this.request(line);
      if (++this.lines >= SCAN_LINES) this.stopScanning();
    }
    if (this.scanned.length > SCAN_BYTES) this.stopScanning();
  }

  private request(line: string): void {
    let m: { id?: unknown; method?: unknown; params?: { protocolVersion?: unknown; capabilities?: unknown; clientInfo?: { name?: unknown; version?: unknown }; cursor?: unknown } };
    try {
      m = JSON.parse(line) as typeof m;
    } catch {
      return; // the server's transport reports it
    }
    if (!m || typeof m !== 'object' || (typeof m.id !== 'string' && typeof m.id !== 'number')) return;
    const id = JSON.stringify(m.id);
    // The first of each only: a second one is the server's to answer.
    if (m.method === 'initialize' && !this.seen.has('initialize')) {
      this.seen.add('initialize');
      const p = m.params;
      this.protocolVersion = typeof p?.protocolVersion === 'string' ? p.protocolVersion : undefined;
      // Only a well-formed request, which the server will accept too (a bad one gets the server's own error).
      const wellFormed = typeof p?.capabilities === 'object' && p.capabilities !== null && typeof p.clientInfo?.name === 'string' && typeof p.clientInfo.version === 'string';
      const replay = wellFormed && this.recording !== undefined && this.recording.protocolVersion === this.protocolVersion;
      if (replay) this.reply(id, this.recording.initialize);
      this.initializeReplayed = replay;
      this.awaited.set(id, { kind: 'initialize', replayed: replay });
    } else if (m.method === 'tools/list' && m.params?.cursor === undefined && !this.seen.has('tools')) {
      this.seen.add('tools');
      this.stopScanning();
      if (this.awaited.has(id)) return; // the id of the initialize, reused: told apart only by order, so the server answers it
      const replay = this.initializeReplayed;
      if (replay) this.reply(id, this.recording!.tools);
      this.awaited.set(id, { kind: 'tools', replayed: replay });
    }
  }

  private reply(id: string, result: string): void {
    this.channel.stdout.write(`{"result":${result},"jsonrpc":"2.0","id":${id}}\n`);
  }

  private stopScanning(): void {
    this.scanning = false;
    this.scanned = '';
  }

  /** One message of the server's: to stdout, unless it answers a request already answered from the recording. */
  private pass(chunk: string | Buffer, done: () => void): void {
    const answer = this.awaited.size > 0 ? this.answerIn(String(chunk)) : undefined;
    if (answer?.replayed) {
      done();
      return;
    }
    this.channel.stdout.write(chunk, () => done());
  }

  /** When the message answers an awaited request: which, and whether it was replayed; notes its result for the recording. */
  private answerIn(text: string): { replayed: boolean } | undefined {
    let m: { id?: unknown; result?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return undefined;
    }
    const id = JSON.stringify(m.id);
    const awaited = m.id === undefined ? undefined : this.awaited.get(id);
    if (!awaited) return undefined;
    this.awaited.delete(id);
    const result = m.result === undefined ? undefined : JSON.stringify(m.result);
    if (awaited.replayed && result !== this.recording![awaited.kind]) {
      this.policy?.log.warn({ request: awaited.kind === 'tools' ? 'tools/list' : 'initialize', file: this.file }, 'the recorded answer differed from the server’s; recording it anew');
    }
    if (result === undefined) return { replayed: awaited.replayed }; // an error: nothing to record
    this.given[awaited.kind] = result;
    if (this.given.initialize !== undefined && this.given.tools !== undefined) setImmediate(() => this.record());
    return { replayed: awaited.replayed };
  }

  /** Writes the server's answers for the next start (atomically, readable by this user only), when they are new. */
  private record(): void {
    const { initialize, tools } = this.given;
    delete this.given.tools; // a third of a megabyte, needed only here
    const r = this.recording;
    if (!this.policy?.record || initialize === undefined || tools === undefined || this.protocolVersion === undefined) return;
    if (r && r.protocolVersion === this.protocolVersion && r.initialize === initialize && r.tools === tools) return;
    const recording: Recording = { build: this.build, protocolVersion: this.protocolVersion, initialize, tools };
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(recording), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      this.policy.log.warn({ err: String(err) }, 'could not record the start answers (the next start answers after loading)');
    }
  }
}

/** The start's inputs as a file name: argv, the NOX_* environment (secrets only as set or not), the working and home directories. */
export function inputsKey(argv: string[], env: NodeJS.ProcessEnv): string {
  const nox = Object.keys(env)
    .filter((k) => k.startsWith('NOX_'))
    .sort()
    .map((k) => [k, SECRET_ENV.has(k) ? 'set' : env[k]]);
  return createHash('sha256')
    .update(JSON.stringify({ argv, env: nox, cwd: process.cwd(), home: homedir() }))
    .digest('hex')
    .slice(0, 32);
}

/**
 * The installed modules, by name, size and time: this package's (built or sources) and the SDK and
 * zod it runs on. A rebuild or reinstall changes it, so a recording is only replayed by the modules
 * that made it. About 5 ms (a content hash of the same files took 12 to 23). Undefined when a file
 * cannot be read: then nothing is replayed or recorded.
 */
export function moduleStamp(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = join(here, '..');
  const h = createHash('sha256');
  const add = (p: string) => {
    const s = statSync(p);
    h.update(`${p} ${s.size} ${s.mtimeMs}\n`);
  };
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)); // one order, whatever the file system's
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts|mjs|json)$/.test(e.name)) add(p);
    }
  };
  try {
    for (const top of ['src', 'tools', 'workspace']) walk(join(root, top));
    const require = createRequire(import.meta.url);
    for (const dep of ['zod/package.json', '@modelcontextprotocol/sdk/types.js']) add(require.resolve(dep));
  } catch {
    return undefined;
  }
  return h.digest('hex');
}

/** The recording of these inputs, when these modules made it and it has the expected shape. */
function readRecording(file: string, build: string): Recording | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<Recording>;
    const ok = r.build === build && typeof r.protocolVersion === 'string' && typeof r.initialize === 'string' && typeof r.tools === 'string';
    return ok ? (r as Recording) : undefined;
  } catch {
    return undefined; // none yet
  }
}

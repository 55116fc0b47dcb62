import type { TestServer } from '../server.js';

/** Keyed by the operation's tool base name (the preview tool without `_preview`). */
export type PreviewExamples = Record<string, (s: TestServer) => Promise<Record<string, unknown>>>;

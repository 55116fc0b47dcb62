// When a creator search finds nothing: the tags the workspace knows that are nearest to the words
// asked for, so the agent's next search can use a word that exists instead of guessing again.
import type { Workspace } from '../workspace.js';

/** Edit distance between two short words (tags and keywords are a few dozen characters at most). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** How far a tag is from the nearest word: containment counts as near, else edit distance relative to length. */
function closeness(tag: string, words: string[]): number {
  const t = tag.toLowerCase();
  let best = Infinity;
  for (const w of words) {
    const d = t.includes(w) || w.includes(t) ? 0 : distance(t, w) / Math.max(t.length, w.length);
    best = Math.min(best, d);
  }
  return best;
}

/** The workspace's tags, with how many creators carry each, most used first. */
export function knownTags(ws: Workspace): { tag: string; count: number }[] {
  return ws.db.prepare(`SELECT j.value AS tag, COUNT(*) AS count FROM creators c, json_each(c.tags_json) j GROUP BY j.value ORDER BY count DESC, tag`).all() as { tag: string; count: number }[];
}

/** Up to `n` known tags nearest the given words (the most used ones when there are no words). */
export function nearestTags(ws: Workspace, words: string[], n = 8): string[] {
  const tags = knownTags(ws);
  const lowered = words.map((w) => w.toLowerCase());
  if (!lowered.length) return tags.slice(0, n).map((t) => t.tag);
  return tags
    .map((t, rank) => ({ tag: t.tag, rank, d: closeness(t.tag, lowered) }))
    .filter((t) => t.d <= 0.6)
    .sort((a, b) => a.d - b.d || a.rank - b.rank)
    .slice(0, n)
    .map((t) => t.tag);
}

// The demo workspace: a realistic, fully linked data set so that every operation has something to
// read on first start. Deterministic by construction: one seeded PRNG (never Math.random), ids from
// counters, and every timestamp is `now` minus a fixed or PRNG-drawn offset, so the same `now`
// yields byte-identical rows and the demo always looks recent.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Db } from '../src/store.js';
import { CHANNEL_URL, PLATFORMS, type Platform } from '../tools/vocabulary.js';
import { COOP_STATUS_ID, COOP_STATUS_NAMES as COOP_STATUSES, type CoopStatusName as CoopStatus } from './coop-statuses.js';

/** Rows per seeded table. */
export type SeedSummary = Record<string, number>;

/** The tables the seed fills, parents before children. uploaded_files, exports and campaign_context stay empty. */
const SEEDED_TABLES = [
  'team_members',
  'creators',
  'campaigns',
  'crm_labels',
  'crm_groups',
  'collections',
  'collection_items',
  'product_tags',
  'products',
  'product_tag_links',
  'short_links',
  'short_link_clicks',
  'senders',
  'email_tasks',
  'email_task_products',
  'email_task_collaborators',
  'email_attachments',
  'email_recipients',
  'aff_stores',
  'aff_store_products',
  'aff_campaigns',
  'aff_members',
  'aff_orders',
  'coop_statuses',
  'crm_channels',
  'crm_channel_labels',
  'crm_channel_groups',
  'message_threads',
  'message_thread_labels',
  'messages',
  'message_templates',
  'message_attachments',
  'email_templates',
  'brands',
  'brand_assets',
] as const;

export function isSeeded(db: Db): boolean {
  return db.prepare('SELECT EXISTS (SELECT 1 FROM team_members)').pluck().get() === 1;
}

/**
 * Fills the workspace in one IMMEDIATE transaction. If another process seeded first (checked
 * again inside the lock), nothing is written and the existing counts are returned.
 */
export function seedDemoWorkspace(db: Db, now: Date): SeedSummary {
  return db
    .transaction((): SeedSummary => {
      if (!isSeeded(db)) build(db, now);
      const summary: SeedSummary = {};
      for (const t of SEEDED_TABLES) summary[t] = db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number;
      return summary;
    })
    .immediate();
}

// ---------------------------------------------------------------------------------------------
// Machinery: PRNG, clock, row writer

const SEED = 0x5eed2024;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SHORT_CODE = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  /** mulberry32: tiny, fast, and identical on every platform. */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) if ((r -= w) < 0) return item;
    return items[items.length - 1]![0];
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
}

type Cell = string | number | null | Buffer;
type Row = Record<string, Cell>;

/** Inserts rows through one cached prepared statement per table and column list. */
class Writer {
  private readonly stmts = new Map<string, Database.Statement>();
  constructor(private readonly db: Db) {}
  put(table: string, row: Row): void {
    const cols = Object.keys(row);
    const key = `${table}(${cols.join(',')})`;
    let stmt = this.stmts.get(key);
    if (!stmt) {
      stmt = this.db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`);
      this.stmts.set(key, stmt);
    }
    stmt.run(row);
  }
}

/** A queued job for a seeded scheduled send, so it fires like one scheduled through the tools. */
function scheduleJob(c: Ctx, jobId: string, kind: string, params: Record<string, unknown>, runAt: string): void {
  const at = iso(c.now);
  c.w.put('jobs', { job_id: jobId, kind, params_json: JSON.stringify(params), status: 'queued', run_at: runAt, progress: 0, created_at: at, updated_at: at });
}

interface Ctx {
  w: Writer;
  rng: Rng;
  /** `now` in epoch ms. */
  now: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const json = (v: unknown): string => JSON.stringify(v);
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const floorHour = (ms: number): number => Math.floor(ms / HOUR) * HOUR;
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** A random instant between `from` and `to` (epoch ms), on a whole minute where that stays in range. */
function between(c: Ctx, from: number, to: number): number {
  return Math.max(from, Math.floor((from + c.rng.next() * (to - from)) / MIN) * MIN);
}

/** `n` strictly increasing instants in (from, to], at least a minute apart. */
function timeline(c: Ctx, n: number, from: number, to: number): number[] {
  const points = Array.from({ length: n }, () => between(c, from + MIN, to - n * MIN)).sort((a, b) => a - b);
  for (let i = 1; i < points.length; i++) if (points[i]! <= points[i - 1]!) points[i] = points[i - 1]! + MIN;
  return points;
}

function fakePdf(title: string, lines: string[]): Buffer {
  return Buffer.from(`%PDF-1.4\n% demo ${title}\n${lines.map((l) => `% ${l}`).join('\n')}\n%%EOF\n`, 'utf8');
}

function build(db: Db, nowDate: Date): void {
  const c: Ctx = { w: new Writer(db), rng: new Rng(SEED), now: nowDate.getTime() };
  const team = seedTeam(c);
  const creators = seedCreators(c);
  seedCampaigns(c);
  const labels = seedCrmLabelsAndGroups(c);
  const collections = seedCollections(c, creators, labels);
  seedProducts(c);
  const links = seedShortLinks(c, creators, team);
  seedSenders(c);
  const tasks = seedEmailTasks(c, creators, collections, links);
  const affPlans = seedAffiliation(c, creators, tasks);
  const crm = seedCrm(c, creators, collections, tasks, affPlans);
  const drafts = seedThreads(c, [...tasks.plans, ...affPlans], crm);
  seedTemplatesAndAttachments(c, drafts);
  seedBrands(c, creators);
}

// ---------------------------------------------------------------------------------------------
// Team

const TEAM = [
  { uid: 'u_001', name: 'Maya Chen', role: 'owner' },
  { uid: 'u_002', name: 'Jonas Weber', role: 'manager' },
  { uid: 'u_003', name: 'Priya Raman', role: 'member' },
  { uid: 'u_004', name: 'Lucas Moreau', role: 'member' },
  { uid: 'u_005', name: 'Sofia Alves', role: 'manager' },
] as const;

function seedTeam(c: Ctx): string[] {
  for (const m of TEAM) {
    const email = `${m.name.toLowerCase().replace(' ', '.')}@demo-brand.example`;
    c.w.put('team_members', { user_uid: m.uid, name: m.name, email, role: m.role });
  }
  return TEAM.map((m) => m.uid);
}

// ---------------------------------------------------------------------------------------------
// Creators

type Niche = 'beauty' | 'gaming' | 'tech' | 'fitness' | 'food' | 'travel';

interface Creator {
  id: string;
  platform: Platform;
  channelId: string;
  url: string;
  nickname: string;
  first: string;
  handle: string;
  niche: Niche;
  country: string;
  followers: number;
  avgViews: number;
  email: string | null;
}

const COUNTRIES: readonly (readonly [string, number])[] = [
  ['US', 30],
  ['GB', 12],
  ['DE', 12],
  ['FR', 8],
  ['JP', 8],
  ['BR', 10],
  ['IN', 10],
  ['ID', 10],
];

const NAMES: Record<string, { first: string[]; last: string[] }> = {
  US: {
    first: ['Amy', 'Jake', 'Olivia', 'Ethan', 'Chloe', 'Ryan', 'Megan', 'Tyler', 'Jasmine', 'Noah', 'Hailey', 'Marcus'],
    last: ['Carter', 'Nguyen', 'Brooks', 'Rivera', 'Parker', 'Hayes', 'Kim', 'Foster'],
  },
  GB: { first: ['Ellie', 'Harry', 'Freya', 'Oliver', 'Isla', 'George', 'Poppy', 'Alfie'], last: ['Walsh', 'Hughes', 'Patel', 'Bennett', 'Shaw', 'Clarke'] },
  DE: { first: ['Lena', 'Jonas', 'Felix', 'Mia', 'Lukas', 'Hannah', 'Paul', 'Lea'], last: ['Becker', 'Schulz', 'Hoffmann', 'Wagner', 'Krause', 'Vogel'] },
  FR: { first: ['Camille', 'Hugo', 'Louis', 'Chloe', 'Manon', 'Theo', 'Ines', 'Jules'], last: ['Martin', 'Bernard', 'Dubois', 'Laurent', 'Moreau', 'Girard'] },
  JP: { first: ['Yuki', 'Haruto', 'Sakura', 'Ren', 'Aoi', 'Sota', 'Hina', 'Kaito'], last: ['Sato', 'Tanaka', 'Suzuki', 'Ito', 'Kato', 'Mori'] },
  BR: { first: ['Ana', 'Lucas', 'Beatriz', 'Gabriel', 'Larissa', 'Rafael', 'Julia', 'Thiago'], last: ['Silva', 'Souza', 'Costa', 'Oliveira', 'Santos', 'Lima'] },
  IN: { first: ['Priya', 'Arjun', 'Ananya', 'Rohan', 'Kavya', 'Vikram', 'Isha', 'Aditya'], last: ['Sharma', 'Iyer', 'Reddy', 'Mehta', 'Nair', 'Gupta'] },
  ID: { first: ['Putri', 'Rizky', 'Dewi', 'Bayu', 'Sari', 'Adit', 'Nadia', 'Fajar'], last: ['Wijaya', 'Santoso', 'Pratama', 'Halim', 'Saputra', 'Lestari'] },
};

const LANGUAGE: Record<string, string> = { US: 'en', GB: 'en', DE: 'de', FR: 'fr', JP: 'ja', BR: 'pt', ID: 'id' };

const NICHES: readonly (readonly [Niche, number])[] = [
  ['beauty', 22],
  ['gaming', 18],
  ['tech', 16],
  ['fitness', 15],
  ['food', 15],
  ['travel', 14],
];

const SUBTAGS: Record<Niche, string[]> = {
  beauty: ['skincare', 'makeup', 'haircare', 'clean beauty'],
  gaming: ['esports', 'fps', 'streaming', 'retro gaming'],
  tech: ['gadgets', 'smartphones', 'pc building', 'reviews'],
  fitness: ['home workout', 'running', 'yoga', 'nutrition'],
  food: ['recipes', 'baking', 'street food', 'vegan'],
  travel: ['budget travel', 'vanlife', 'city guides', 'luxury travel'],
};

const NICK_WORDS: Record<Niche, string[]> = {
  beauty: ['Glow', 'Beauty', 'Skin', 'Glam', 'Makeup'],
  gaming: ['Plays', 'Gaming', 'GG', 'Arcade', 'Clutch'],
  tech: ['Tech', 'Unboxed', 'Bytes', 'Gadgets', 'Setup'],
  fitness: ['Fit', 'Lifts', 'Moves', 'Strong', 'Sweat'],
  food: ['Eats', 'Kitchen', 'Bakes', 'Cooks', 'Bites'],
  travel: ['Travels', 'Wanders', 'Roams', 'Abroad', 'Passport'],
};

/** Views per follower on a typical recent video/post, per platform. */
const VIEW_RATIO: Record<Platform, [number, number]> = { youtube: [0.04, 0.35], tiktok: [0.15, 1.1], instagram: [0.03, 0.2] };

function seedCreators(c: Ctx): Creator[] {
  const { rng } = c;
  // Platforms are shuffled before numbering so that an id says nothing about its platform.
  const order = rng.shuffle(PLATFORMS.flatMap((p) => Array<Platform>(120).fill(p)));
  const handles = new Set<string>();
  const ytIds = new Set<string>();
  return order.map((platform, i) => {
    const country = rng.weighted(COUNTRIES);
    const names = NAMES[country]!;
    const first = rng.pick(names.first);
    const last = rng.pick(names.last);
    const niche = rng.weighted(NICHES);
    const word = rng.pick(NICK_WORDS[niche]);
    const style = rng.int(0, 3);
    const nickname = [`${first} ${word}`, `${word} with ${first}`, `${first} ${last}`, `${first}'s ${word}`][style]!;
    let handle = [`${first}${word}`, `${word}with${first}`, `${first}_${last}`, `${first}s${word}`][style]!.toLowerCase();
    if (rng.chance(0.35)) handle += String(rng.int(1, 99));
    while (handles.has(handle)) handle += String(rng.int(0, 9));
    handles.add(handle);
    let channelId = handle;
    if (platform === 'youtube') {
      do channelId = `UC${rng.chars(22, B64URL)}`;
      while (ytIds.has(channelId));
      ytIds.add(channelId);
    }
    // Log-uniform 5k..5M: many small creators, few large ones, as in a real search result.
    const followers = Math.round(Math.exp(Math.log(5_000) + rng.next() * (Math.log(5_000_000) - Math.log(5_000))));
    const [lo, hi] = VIEW_RATIO[platform];
    const avgViews = Math.round(followers * (lo + rng.next() * (hi - lo)));
    const engagement = round2(0.5 + Math.pow(rng.next(), 1.6) * 11.5);
    const tags = [niche, ...rng.shuffle(SUBTAGS[niche]).slice(0, rng.int(0, 2))];
    const language = country === 'IN' ? (rng.chance(0.7) ? 'en' : 'hi') : LANGUAGE[country]!;
    const email = rng.chance(0.6) ? `${first.toLowerCase()}.${handle}@creatormail.example` : null;
    const creator: Creator = {
      id: `cr_${pad(i + 1, 4)}`,
      platform,
      channelId,
      url: CHANNEL_URL[platform](channelId),
      nickname,
      first,
      handle,
      niche,
      country,
      followers,
      avgViews,
      email,
    };
    c.w.put('creators', {
      creator_id: creator.id,
      platform,
      channel_id: channelId,
      channel_url: creator.url,
      nickname,
      followers,
      country,
      language,
      tags_json: json(tags),
      engagement_rate: engagement,
      avg_views: avgViews,
      has_email: email ? 1 : 0,
      email,
      updated_at: iso(c.now - rng.int(1, 60) * DAY - rng.int(0, 1439) * MIN),
    });
    return creator;
  });
}

// ---------------------------------------------------------------------------------------------
// Campaigns

function seedCampaigns(c: Ctx): void {
  const rows = [
    {
      name: 'Spring Skincare Launch — US',
      status: 'active',
      markets: ['US', 'CA'],
      platforms: ['youtube', 'instagram'],
      age: 40,
      objective: 'Launch the GlowLab Barrier Repair Serum with 25 US and Canadian skincare creators and drive 1,500 first orders through tracked links and affiliate codes within six weeks.',
    },
    {
      name: 'Pulse H7 Headset Push — DE/GB',
      status: 'active',
      markets: ['DE', 'GB'],
      platforms: ['youtube', 'tiktok'],
      age: 21,
      objective: 'Get the Pulse Gear H7 wireless headset into 15 German and British gaming channels for honest long-term reviews before the autumn sales season.',
    },
    {
      name: 'Holiday Gift Guide — Recap',
      status: 'completed',
      markets: ['US', 'GB', 'FR'],
      platforms: ['instagram', 'tiktok'],
      age: 150,
      objective: 'Place the Spring Glow Kit and bestsellers in creator gift guides across beauty, food and travel niches, and keep the best performers for next season.',
    },
  ];
  rows.forEach((r, i) => {
    const id = `cmp_${pad(i + 1, 3)}`;
    const createdAt = c.now - r.age * DAY - c.rng.int(0, 600) * MIN;
    const updatedAt = r.status === 'completed' ? createdAt + 75 * DAY : c.now - c.rng.int(60, 2 * 1440) * MIN;
    c.w.put('campaigns', {
      campaign_id: id,
      name: r.name,
      objective: r.objective,
      markets_json: json(r.markets),
      platforms_json: json(r.platforms),
      status: r.status,
      created_at: iso(createdAt),
      updated_at: iso(updatedAt),
    });
  });
}

// ---------------------------------------------------------------------------------------------
// CRM labels and groups (created early: collection items and threads refer to labels)

const LABELS = [
  ['VIP', '#F59E0B'],
  ['Replied', '#10B981'],
  ['Needs brief', '#3B82F6'],
  ['Gifted', '#EC4899'],
  ['Q3 shortlist', '#8B5CF6'],
  ['Do not contact', '#EF4444'],
] as const;
const [VIP, REPLIED, NEEDS_BRIEF, GIFTED, SHORTLIST, DO_NOT_CONTACT] = LABELS.map((_, i) => `lbl_${pad(i + 1, 3)}`) as [string, string, string, string, string, string];

const GROUPS = [
  ['Skincare ambassadors', 'Long-term GlowLab partners for launches and seasonal drops.'],
  ['Gaming EU', 'German and British gaming channels for Pulse Gear reviews.'],
  ['Always-on gifting', 'Creators who get new products each quarter without a paid brief.'],
] as const;

function seedCrmLabelsAndGroups(c: Ctx): string[] {
  LABELS.forEach(([name, color], i) => {
    c.w.put('crm_labels', { label_id: `lbl_${pad(i + 1, 3)}`, name, color, created_at: iso(c.now - (120 - i * 9) * DAY) });
  });
  GROUPS.forEach(([name, description], i) => {
    c.w.put('crm_groups', { group_id: `grp_${pad(i + 1, 3)}`, name, description, created_at: iso(c.now - (100 - i * 11) * DAY) });
  });
  return [VIP, REPLIED, NEEDS_BRIEF, GIFTED, SHORTLIST, DO_NOT_CONTACT];
}

// ---------------------------------------------------------------------------------------------
// Collections

interface Collection {
  id: string;
  items: Creator[];
}

/** Candidates that match best come first (niche and country, then niche), each tier shuffled. */
function shortlist(c: Ctx, pool: Creator[], n: number, niches: Niche[], countries: string[]): Creator[] {
  const tier = (x: Creator): number => (niches.includes(x.niche) ? (countries.includes(x.country) ? 0 : 1) : 2);
  const tiers = [0, 1, 2].map((t) => c.rng.shuffle(pool.filter((x) => tier(x) === t)));
  return tiers.flat().slice(0, n);
}

function seedCollections(c: Ctx, creators: Creator[], labels: string[]): Collection[] {
  const defs = [
    {
      name: 'Skincare shortlist — US',
      owner: 'u_001',
      campaign: 'cmp_001',
      size: 64,
      age: 38,
      niches: ['beauty'] as Niche[],
      countries: ['US'],
      description: 'Reviewed skincare creators for the Barrier Serum launch.',
    },
    {
      name: 'Gaming DE/GB — wave 1',
      owner: 'u_002',
      campaign: 'cmp_002',
      size: 48,
      age: 20,
      niches: ['gaming', 'tech'] as Niche[],
      countries: ['DE', 'GB'],
      description: 'Headset reviewers with German or British audiences.',
    },
    {
      name: 'Holiday gift guide picks',
      owner: 'u_003',
      campaign: 'cmp_003',
      size: 36,
      age: 145,
      niches: ['beauty', 'food', 'travel'] as Niche[],
      countries: ['US', 'GB', 'FR'],
      description: 'Creators who featured the Glow Kit in gift guides.',
    },
    {
      name: 'Fitness & food prospects',
      owner: 'u_004',
      campaign: null,
      size: 28,
      age: 12,
      niches: ['fitness', 'food'] as Niche[],
      countries: ['US', 'BR', 'IN'],
      description: 'Not tied to a campaign yet: wellness creators to review.',
    },
  ];
  return defs.map((d, i) => {
    const id = `col_${pad(i + 1, 3)}`;
    const createdAt = c.now - d.age * DAY - c.rng.int(0, 600) * MIN;
    const items = shortlist(c, creators, d.size, d.niches, d.countries);
    // Items are drawn first so that the collection's updated_at is its latest addition.
    const rows: Row[] = items.map((cr) => {
      const addedAt = between(c, createdAt, c.now - HOUR);
      // Refreshed emails only exist where the creator has one to reveal.
      const refreshed = cr.email !== null && c.rng.chance(0.5);
      const baseAt = c.rng.chance(0.4) ? iso(between(c, addedAt, c.now)) : null;
      return {
        collection_id: id,
        creator_id: cr.id,
        platform: cr.platform,
        email: refreshed ? cr.email : null,
        email_refreshed_at: refreshed ? iso(between(c, addedAt, c.now)) : null,
        base_refreshed_at: baseAt,
        audience_unlocked: c.rng.chance(0.08) ? 1 : 0,
        label_ids_json: c.rng.chance(0.2) ? json([c.rng.pick(labels.slice(0, 5))]) : '[]',
        added_at: iso(addedAt),
        source: c.rng.chance(0.82) ? 'added' : 'imported',
      };
    });
    const updatedAt = rows.reduce((m, r) => (String(r.added_at) > m ? String(r.added_at) : m), iso(createdAt));
    c.w.put('collections', {
      collection_id: id,
      name: d.name,
      owner_uid: d.owner,
      campaign_id: d.campaign,
      description: d.description,
      created_at: iso(createdAt),
      updated_at: updatedAt,
    });
    for (const r of rows) c.w.put('collection_items', r);
    return { id, items };
  });
}

// ---------------------------------------------------------------------------------------------
// Product Center

function seedProducts(c: Ctx): void {
  // Either a shop link, or an external marketplace id + product type: the two ways to create one.
  const defs = [
    { slug: 'barrier-repair-serum', title: 'GlowLab Barrier Repair Serum 30 ml', price: 38, currency: 'USD', tags: [1, 3] },
    { slug: 'daily-mineral-spf-50', title: 'GlowLab Daily Mineral SPF 50', price: 26, currency: 'USD', tags: [1] },
    { slug: 'overnight-recovery-mask', title: 'GlowLab Overnight Recovery Mask', price: 42, currency: 'USD', tags: [1, 4] },
    { slug: 'spring-glow-kit', title: 'GlowLab Spring Glow Kit (gift set)', price: 79, currency: 'USD', tags: [1, 5] },
    { slug: 'h7-wireless-headset', title: 'Pulse Gear H7 Wireless Headset', price: 129, currency: 'EUR', tags: [2, 3], ext: ['8412736590124', 'shopify'] },
    { slug: 'k3-mechanical-keyboard', title: 'Pulse Gear K3 Mechanical Keyboard', price: 99, currency: 'EUR', tags: [2, 4], ext: ['8412736590871', 'shopify'] },
    { slug: 'pro-controller-grip', title: 'Pulse Gear Pro Controller Grip', price: 24.99, currency: 'USD', tags: [2], ext: ['B0CJ4T7QXN', 'amazon'] },
    { slug: 'jade-facial-roller', title: 'GlowLab Jade Facial Roller', price: 19.99, currency: 'USD', tags: [1], ext: ['B0BX8M2LQ1', 'amazon'] },
  ];
  ['Skincare', 'Gaming', 'Bestseller', 'New arrival', 'Gift set'].forEach((name, i) => {
    c.w.put('product_tags', { tag_id: `ptag_${pad(i + 1, 3)}`, name });
  });
  defs.forEach((d, i) => {
    const id = `pc_${pad(i + 1, 3)}`;
    const createdAt = c.now - c.rng.int(20, 90) * DAY - c.rng.int(0, 1439) * MIN;
    c.w.put('products', {
      product_collect_id: id,
      link: d.ext ? null : `https://shop.demo-brand.example/products/${d.slug}`,
      external_product_id: d.ext ? d.ext[0]! : null,
      product_type: d.ext ? d.ext[1]! : null,
      title: d.title,
      price: d.price,
      currency: d.currency,
      thumbnail_url: `https://cdn.demo-brand.example/products/${d.slug}.jpg`,
      created_at: iso(createdAt),
      updated_at: iso(between(c, createdAt, c.now - DAY)),
    });
    for (const t of d.tags) c.w.put('product_tag_links', { product_collect_id: id, tag_id: `ptag_${pad(t, 3)}` });
  });
}

// ---------------------------------------------------------------------------------------------
// Short links (normal Nox tracking links; affiliate tracking links live on aff_members)

interface ShortLink {
  id: string;
  url: string;
}

function seedShortLinks(c: Ctx, creators: Creator[], team: string[]): ShortLink[] {
  const { rng } = c;
  const beauty = creators.find((x) => x.niche === 'beauty' && x.platform === 'instagram')!;
  const gamer = creators.find((x) => x.niche === 'gaming' && x.platform === 'youtube')!;
  const shop = 'https://shop.demo-brand.example';
  const app = { ios: 'https://apps.apple.com/app/glowlab/id6449012345', android: 'https://play.google.com/store/apps/details?id=example.glowlab.app' };
  const utm = (campaign: string, content: string | null = null) => ({ utm_source: 'noxinfluencer', utm_medium: 'creator', utm_campaign: campaign, utm_content: content });
  const defs = [
    { title: 'Barrier Serum — launch page', web: `${shop}/products/barrier-repair-serum`, ...app, utm: utm('spring_skincare_launch'), creator: null, by: team[0]!, perDay: 140 },
    { title: `Spring Glow Kit — ${beauty.nickname}`, web: `${shop}/products/spring-glow-kit`, utm: utm('spring_skincare_launch', beauty.handle), creator: beauty.id, by: team[0]!, perDay: 55 },
    { title: 'Pulse H7 headset — DE landing', web: `${shop}/de/products/h7-wireless-headset`, utm: utm('pulse_h7_de_gb'), creator: null, by: team[1]!, perDay: 85 },
    { title: `Pulse H7 — ${gamer.nickname}`, web: `${shop}/products/h7-wireless-headset`, utm: utm('pulse_h7_de_gb', gamer.handle), creator: gamer.id, by: team[1]!, perDay: 35 },
    { title: 'GlowLab app download', web: 'https://www.glowlab-demo.example/app', ...app, utm: null, creator: null, by: team[4]!, perDay: 20 },
    { title: 'Holiday gift guide recap', web: `${shop}/collections/gift-guide`, utm: null, creator: null, by: team[2]!, perDay: 6 },
  ];
  const codes = new Set<string>();
  return defs.map((d, i) => {
    const id = `sl_${pad(i + 1, 3)}`;
    let code: string;
    do code = rng.chars(6, SHORT_CODE);
    while (codes.has(code));
    codes.add(code);
    const url = `https://nox.to/${code}`;
    c.w.put('short_links', {
      short_link_id: id,
      title: d.title,
      short_url: url,
      web_url: d.web,
      ios_url: 'ios' in d ? d.ios : null,
      android_url: 'android' in d ? d.android : null,
      utm_source: d.utm?.utm_source ?? null,
      utm_medium: d.utm?.utm_medium ?? null,
      utm_campaign: d.utm?.utm_campaign ?? null,
      utm_term: null,
      utm_content: d.utm?.utm_content ?? null,
      creator_id: d.creator,
      created_by: d.by,
      created_at: iso(c.now - rng.int(35, 60) * DAY - rng.int(0, 1439) * MIN),
    });
    // One row per UTC day for the last 30 days up to today; quiet days are real zeros.
    for (let back = 29; back >= 0; back--) {
      const day = iso(c.now - back * DAY).slice(0, 10);
      const weekday = new Date(c.now - back * DAY).getUTCDay();
      const weekend = weekday === 0 || weekday === 6 ? 1.3 : 1;
      const clicks = rng.chance(d.perDay < 10 ? 0.35 : 0.1) ? 0 : Math.round(d.perDay * weekend * (0.4 + rng.next() * 1.2));
      c.w.put('short_link_clicks', { short_link_id: id, day, clicks });
    }
    return { id, url };
  });
}

// ---------------------------------------------------------------------------------------------
// Senders

function seedSenders(c: Ctx): void {
  const rows = [
    ['snd_001', 'partnerships@demo-brand.example', 'Maya at Demo Brand', 'gmail', 'u_001'],
    ['snd_002', 'creators@demo-brand.example', 'Demo Brand Creator Team', 'outlook', 'u_002'],
    ['snd_003', 'pulse@demo-brand.example', 'Jonas from Pulse Gear', 'smtp', 'u_002'],
  ] as const;
  for (const [id, email, name, provider, owner] of rows) {
    c.w.put('senders', { sender_auth_id: id, email, name, provider, owner_uid: owner });
  }
}

// ---------------------------------------------------------------------------------------------
// Email tasks, their recipients, and the thread each sent email opened

/**
 * How a conversation went. sent/nudged/bounced: no reply (nudged = we followed up once).
 * pending: the creator wrote last and waits for us. answered: we replied last. closed: the
 * creator wrote last but nothing is owed ("thanks, got it"). declined: the creator said no.
 * imported: history imported from the mailbox, direction unknown.
 */
type End = 'sent' | 'nudged' | 'bounced' | 'pending' | 'answered' | 'closed' | 'declined' | 'imported';

interface ThreadPlan {
  creator: Creator;
  kind: 'email_task' | 'affiliate_campaign';
  businessId: string;
  owner: string;
  sender: string;
  subject: string;
  firstHtml: string;
  start: number;
  end: End;
  /** Inbound messages in the thread (the task report's inbound_message_count counts these). */
  replies: number;
  /**
   * Of those, the replies to the email itself, before any follow-up of ours: the recipient's
   * reply_count (tracked email replies). Later inbound messages answer our follow-ups in the thread.
   */
  emailReplies: number;
  reason: string | null;
  unread?: boolean;
}

interface TaskResult {
  plans: ThreadPlan[];
  filtered: { creator: Creator; reason: string }[];
}

const PENDING_REASONS = ['creator_replied', 'creator_asked_question', 'creator_sent_rates', 'creator_requested_sample'];

function repliesFor(c: Ctx, end: End): number {
  if (end === 'pending' || end === 'answered') return c.rng.int(1, 3);
  if (end === 'closed' || end === 'declined' || end === 'imported') return c.rng.int(1, 2);
  return 0;
}

function recipientStatus(end: End): 'sent' | 'bounced' | 'replied' {
  return end === 'bounced' ? 'bounced' : end === 'sent' || end === 'nudged' ? 'sent' : 'replied';
}

function uniq(list: Creator[], exclude: Set<string> = new Set()): Creator[] {
  const seen = new Set(exclude);
  return list.filter((x) => (seen.has(x.id) ? false : (seen.add(x.id), true)));
}

function seedEmailTasks(c: Ctx, creators: Creator[], collections: Collection[], links: ShortLink[]): TaskResult {
  const { rng, now } = c;
  const emailable = creators.filter((x) => x.email !== null);
  const inCol = (i: number) => collections[i]!.items.filter((x) => x.email !== null);
  const beauty = emailable.filter((x) => x.niche === 'beauty');
  const brief = fakePdf('brief: GlowLab Spring Launch', ['Deliverables: 1 dedicated video or 1 reel + 3 stories', 'Key message: barrier repair in 14 days', 'Disclosure: #ad required']);
  const headsetBrief = fakePdf('brief: Pulse Gear H7', ['Deliverables: long-term review after 3 weeks of use', 'Markets: DE, GB', 'Embargo: none']);
  const serum = links[0]!.url;
  const headset = links[2]!.url;

  const skincareHtml = `<p>Hi there,</p><p>I'm Maya from the GlowLab team at Demo Brand. We're launching our Barrier Repair Serum in the US and Canada and would love to send you a bottle and talk about a paid feature.</p><p>Product page: <a href="${serum}">${serum}</a></p><p>Would you be open to it? Happy to share the brief and rates.</p><p>Best,<br>Maya</p>`;
  const skincareText = `Hi there,\n\nI'm Maya from the GlowLab team at Demo Brand. We're launching our Barrier Repair Serum in the US and Canada and would love to send you a bottle and talk about a paid feature.\n\nProduct page: ${serum}\n\nWould you be open to it? Happy to share the brief and rates.\n\nBest,\nMaya`;
  const giftingHtml = `<p>Hi there,</p><p>Our new season drop is here and we'd love for you to try the Spring Glow Kit — no posting obligation, just tell us what you think.</p><p>Reply with your shipping address and we'll send it this week.</p><p>Cheers,<br>The Demo Brand creator team</p>`;
  const giftingText = `Hi there,\n\nOur new season drop is here and we'd love for you to try the Spring Glow Kit - no posting obligation, just tell us what you think.\n\nReply with your shipping address and we'll send it this week.\n\nCheers,\nThe Demo Brand creator team`;
  const headsetHtml = `<p>Hallo / hi there,</p><p>I'm Jonas from Pulse Gear. We'd like to send you our new H7 wireless headset for an honest long-term review on your channel — paid, with full creative freedom.</p><p>Specs and launch page: <a href="${headset}">${headset}</a></p><p>The brief is attached. Interested?</p><p>Jonas</p>`;
  const headsetText = `Hallo / hi there,\n\nI'm Jonas from Pulse Gear. We'd like to send you our new H7 wireless headset for an honest long-term review on your channel - paid, with full creative freedom.\n\nSpecs and launch page: ${headset}\n\nThe brief is attached. Interested?\n\nJonas`;

  const sent1 = now - 12 * DAY - 5 * HOUR - 20 * MIN;
  const sent2 = now - 5 * DAY - 2 * HOUR - 45 * MIN;
  const tasks = [
    {
      id: 'task_1820',
      name: 'Spring Skincare Launch — outreach wave 1',
      status: 'sent',
      owner: 'u_001',
      campaign: 'cmp_001',
      sender: 'snd_001',
      subject: 'Paid collab: GlowLab Barrier Repair Serum launch',
      html: skincareHtml,
      text: skincareText,
      plan: null,
      filter: { hide_contacted: true, hide_in_crm: true },
      created: sent1 - 4 * DAY,
      updated: sent1,
      sentAt: sent1,
      products: ['pc_001', 'pc_002'],
      collab: [
        ['u_003', 'edit'],
        ['u_005', 'view'],
      ],
      attachment: ['GlowLab-Spring-Launch-Brief.pdf', brief],
    },
    {
      id: 'task_1821',
      name: 'Always-on gifting — new season drop',
      status: 'sent',
      owner: 'u_002',
      campaign: null,
      sender: 'snd_002',
      subject: 'Want to try our new season drop? (gifting, no strings)',
      html: giftingHtml,
      text: giftingText,
      plan: null,
      filter: { hide_grouped: true },
      created: sent2 - 3 * DAY,
      updated: sent2,
      sentAt: sent2,
      products: ['pc_004'],
      collab: [['u_004', 'edit']],
      attachment: null,
    },
    {
      id: 'task_1822',
      name: 'Holiday recap — thank-you notes',
      status: 'draft',
      owner: 'u_003',
      campaign: null,
      sender: null,
      subject: '',
      html: '',
      text: '',
      plan: null,
      filter: {},
      created: now - DAY - 3 * HOUR,
      updated: now - DAY - 3 * HOUR,
      sentAt: null,
      products: [],
      collab: [['u_001', 'manage_members']],
      attachment: null,
    },
    {
      id: 'task_1823',
      name: 'Pulse H7 headset — DE/GB wave 1',
      status: 'draft',
      owner: 'u_002',
      campaign: 'cmp_002',
      sender: 'snd_003',
      subject: 'Review the Pulse Gear H7 headset before launch?',
      html: headsetHtml,
      text: headsetText,
      plan: null,
      filter: { hide_contacted: true },
      created: now - 3 * DAY - 4 * HOUR,
      updated: now - 6 * HOUR,
      sentAt: null,
      products: ['pc_005', 'pc_006'],
      collab: [
        ['u_004', 'edit'],
        ['u_001', 'view'],
      ],
      attachment: ['PulseGear-H7-Creator-Brief.pdf', headsetBrief],
    },
    {
      id: 'task_1824',
      name: 'Spring Skincare Launch — outreach wave 2',
      status: 'scheduled',
      owner: 'u_001',
      campaign: 'cmp_001',
      sender: 'snd_001',
      subject: 'Paid collab: GlowLab Barrier Repair Serum launch',
      html: skincareHtml,
      text: skincareText,
      plan: iso(floorHour(now + 2 * DAY)),
      filter: { hide_contacted: true },
      created: now - 4 * DAY - HOUR,
      updated: now - 2 * HOUR,
      sentAt: null,
      products: ['pc_001'],
      collab: [['u_003', 'edit']],
      attachment: ['GlowLab-Spring-Launch-Brief-v2.pdf', brief],
    },
  ] as const;

  let attachmentNo = 0;
  for (const t of tasks) {
    c.w.put('email_tasks', {
      task_id: t.id,
      type: 3,
      name: t.name,
      status: t.status,
      owner_uid: t.owner,
      campaign_id: t.campaign,
      sender_auth_id: t.sender,
      subject: t.subject,
      html_body: t.html,
      text_body: t.text,
      plan_send_at: t.plan,
      recipient_filter_json: json(t.filter),
      created_at: iso(t.created),
      updated_at: iso(t.updated),
      sent_at: t.sentAt === null ? null : iso(t.sentAt),
    });
    if (t.status === 'scheduled') scheduleJob(c, `job_seed_${t.id}`, 'email.scheduled_send', { task_id: t.id, plan_send_at: t.plan }, t.plan!);
    t.products.forEach((p, position) => c.w.put('email_task_products', { task_id: t.id, product_collect_id: p, position }));
    c.w.put('email_task_collaborators', { task_id: t.id, user_uid: t.owner, permission: 'owner' });
    for (const [uid, permission] of t.collab) c.w.put('email_task_collaborators', { task_id: t.id, user_uid: uid, permission });
    if (t.attachment) {
      const [fileName, content] = t.attachment;
      c.w.put('email_attachments', {
        attachment_id: `eatt_${pad(++attachmentNo, 3)}`,
        task_id: t.id,
        file_name: fileName,
        size: content.length,
        sha256: sha256(content),
        content,
        created_at: iso(t.created + 2 * HOUR),
      });
    }
  }

  // Who got which email. Wave 1 comes from the skincare collection; the first five of wave 1 also
  // got the gifting email, which gives those creators sibling threads in two projects.
  const waveOne = uniq([...inCol(0), ...beauty, ...emailable]).slice(0, 38);
  const used = new Set(waveOne.map((x) => x.id));
  const overlap = waveOne.slice(0, 5);
  const giftingOthers = uniq([...inCol(2), ...inCol(3), ...emailable], used).slice(0, 23);
  giftingOthers.forEach((x) => used.add(x.id));
  const headsetList = uniq([...inCol(1), ...emailable.filter((x) => x.niche === 'gaming' || x.niche === 'tech')], used).slice(0, 16);
  headsetList.forEach((x) => used.add(x.id));
  const waveTwo = uniq([...inCol(0), ...beauty, ...emailable], used).slice(0, 14);

  const mixEnds = (replied: End[], bounced: number, sent: number): End[] =>
    rng.shuffle([...replied, ...Array<End>(bounced).fill('bounced'), ...Array.from({ length: sent }, (): End => (rng.chance(0.3) ? 'nudged' : 'sent'))]);
  // Sibling threads must disagree on needs_reply: pending in one project, quiet in the other.
  const endsOne: End[] = [
    'pending',
    'pending',
    'pending',
    'pending',
    'answered',
    ...mixEnds(['pending', 'answered', 'answered', 'closed', 'imported', 'pending', 'answered', 'declined', 'pending', 'answered'], 3, 18),
  ];
  const endsTwo: End[] = ['sent', 'sent', 'sent', 'sent', 'pending', ...mixEnds(['pending', 'answered', 'pending', 'imported', 'answered', 'closed', 'pending', 'answered'], 2, 12)];

  const result: TaskResult = { plans: [], filtered: [] };
  let rcp = 0;
  const addRecipient = (row: Omit<Row, 'recipient_id'>): void => {
    c.w.put('email_recipients', { recipient_id: `rcp_${pad(++rcp, 5)}`, ...row });
  };
  const sentTask = (task: (typeof tasks)[number], list: Creator[], ends: End[], filteredReasons: string[], externals: string[]): void => {
    list.forEach((cr, i) => {
      const addedAt = iso(task.created + (i + 1) * MIN);
      const base = { task_id: task.id, creator_id: cr.id, platform: cr.platform, channel_id: cr.channelId, email_address: null, added_at: addedAt };
      const end = ends[i];
      if (end === undefined) {
        // Recipient filters hid these at send time.
        const reason = filteredReasons[i - ends.length]!;
        result.filtered.push({ creator: cr, reason });
        addRecipient({ ...base, status: 'filtered_out', filtered_reason: reason, opened: 0, clicked: 0, reply_count: 0, sent_at: null });
        return;
      }
      const sentAt = task.sentAt! + i * 20_000;
      const status = recipientStatus(end);
      const replies = repliesFor(c, end);
      // Some creators answer the email twice before we follow up; the rest answer once.
      const emailReplies = replies >= 2 && i % 2 === 0 ? 2 : Math.min(replies, 1);
      const opened = status === 'replied' ? 1 : status === 'bounced' ? 0 : rng.chance(0.55) ? 1 : 0;
      addRecipient({ ...base, status, filtered_reason: null, opened, clicked: opened && rng.chance(0.3) ? 1 : 0, reply_count: emailReplies, sent_at: iso(sentAt) });
      result.plans.push({
        creator: cr,
        kind: 'email_task',
        businessId: task.id,
        owner: task.owner,
        sender: task.sender!,
        subject: task.subject,
        firstHtml: task.html,
        start: sentAt,
        end,
        replies,
        emailReplies,
        reason: end === 'pending' ? rng.pick(PENDING_REASONS) : null,
      });
    });
    // Known external addresses have no creator and therefore no thread.
    externals.forEach((address, j) => {
      const opened = rng.chance(0.5) ? 1 : 0;
      addRecipient({
        task_id: task.id,
        creator_id: null,
        platform: null,
        channel_id: null,
        email_address: address,
        status: 'sent',
        filtered_reason: null,
        opened,
        clicked: 0,
        reply_count: 0,
        sent_at: iso(task.sentAt! + (list.length + j) * 20_000),
        added_at: iso(task.created + (list.length + j + 1) * MIN),
      });
    });
  };
  sentTask(tasks[0], waveOne, endsOne, ['already_contacted', 'in_crm'], ['collabs@studio-ameli.example', 'hello@glowwithkim.example']);
  sentTask(tasks[1], [...overlap, ...giftingOthers], endsTwo, ['in_crm'], ['press@fitfoodie.example', 'team@wanderlust-duo.example']);

  const pendingTask = (task: (typeof tasks)[number], list: Creator[]): void => {
    list.forEach((cr, i) => {
      addRecipient({
        task_id: task.id,
        creator_id: cr.id,
        platform: cr.platform,
        channel_id: cr.channelId,
        email_address: null,
        status: 'pending',
        filtered_reason: null,
        opened: 0,
        clicked: 0,
        reply_count: 0,
        sent_at: null,
        added_at: iso(task.created + (i + 1) * 3 * MIN),
      });
    });
  };
  pendingTask(tasks[3], headsetList);
  pendingTask(tasks[4], waveTwo);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Affiliation: one authorized Shopify store with two campaigns, one store still awaiting authorization

function seedAffiliation(c: Ctx, creators: Creator[], tasks: TaskResult): ThreadPlan[] {
  const { rng, now } = c;
  const domain = 'glowlab-demo.myshopify.com';
  c.w.put('aff_stores', { store_id: 'store_001', name: 'GlowLab Skincare', domain, authorized: 1, currency: 'USD' });
  c.w.put('aff_stores', { store_id: 'store_002', name: 'Pulse Gear EU', domain: 'pulsegear-demo.myshopify.com', authorized: 0, currency: 'EUR' });
  const storeProducts = [
    ['store_001', 'Barrier Repair Serum 30 ml', 38, 'barrier-repair-serum'],
    ['store_001', 'Daily Mineral SPF 50', 26, 'daily-mineral-spf-50'],
    ['store_001', 'Overnight Recovery Mask', 42, 'overnight-recovery-mask'],
    ['store_001', 'Spring Glow Kit', 79, 'spring-glow-kit'],
    ['store_001', 'Jade Facial Roller', 19.99, 'jade-facial-roller'],
    ['store_001', 'Hydrating Toner 150 ml', 24, 'hydrating-toner'],
    ['store_002', 'H7 Wireless Headset', 129, 'h7-wireless-headset'],
    ['store_002', 'K3 Mechanical Keyboard', 99, 'k3-mechanical-keyboard'],
  ] as const;
  storeProducts.forEach(([store, title, price, slug], i) => {
    const host = store === 'store_001' ? domain : 'pulsegear-demo.myshopify.com';
    c.w.put('aff_store_products', { store_product_id: `sp_${pad(i + 1, 3)}`, store_id: store, title, price, url: `https://${host}/products/${slug}` });
  });
  const prices = storeProducts.filter((p) => p[0] === 'store_001').map((p) => Math.round(p[2] * 100));

  const campaigns = [
    { id: 'affc_001', name: 'Barrier Serum creator program', type: 'percentage', value: 15, method: 'percentage', detail: { value: 10 }, prefix: 'GLOW-', suffix: '10', age: 34 },
    { id: 'affc_002', name: 'Glow Kit ambassadors', type: 'fixed', value: 8, method: 'free_shipping', detail: {}, prefix: 'GLOWKIT-', suffix: '', age: 26 },
  ] as const;
  for (const k of campaigns) {
    const createdAt = now - k.age * DAY - rng.int(0, 600) * MIN;
    c.w.put('aff_campaigns', {
      campaign_id: k.id,
      store_id: 'store_001',
      name: k.name,
      commission_type: k.type,
      commission_value: k.value,
      discount_method: k.method,
      discount_detail_json: json(k.detail),
      status: 'active',
      created_at: iso(createdAt),
      updated_at: iso(between(c, createdAt, now - 2 * DAY)),
    });
  }

  // Creators who said yes in wave 1 become active members; other beauty creators are still pending.
  const engaged = uniq(tasks.plans.filter((p) => p.businessId === 'task_1820' && (p.end === 'answered' || p.end === 'closed')).map((p) => p.creator));
  const contacted = new Set(tasks.plans.map((p) => p.creator.id));
  const prospects = creators.filter((x) => x.niche === 'beauty' && !contacted.has(x.id));
  const queue = uniq([...engaged, ...prospects]);
  const pendingQueue = prospects.slice(-4);
  type MemberDef = { camp: 0 | 1; status: 'pending' | 'active' | 'terminated'; by: 'creator' | 'channel' | 'custom' };
  const defs: MemberDef[] = [
    { camp: 0, status: 'active', by: 'creator' },
    { camp: 0, status: 'active', by: 'creator' },
    { camp: 0, status: 'active', by: 'creator' },
    { camp: 0, status: 'active', by: 'channel' },
    { camp: 0, status: 'pending', by: 'creator' },
    { camp: 0, status: 'pending', by: 'custom' },
    { camp: 0, status: 'terminated', by: 'creator' },
    { camp: 1, status: 'active', by: 'creator' },
    { camp: 1, status: 'active', by: 'creator' },
    { camp: 1, status: 'pending', by: 'creator' },
  ];
  const codes = new Set<string>();
  const plans: ThreadPlan[] = [];
  let orderNo = 0;
  defs.forEach((d, i) => {
    const memberId = `mem_${pad(i + 1, 3)}`;
    const k = campaigns[d.camp];
    const creator = d.by !== 'creator' ? null : d.status === 'pending' ? pendingQueue.shift()! : queue.shift()!;
    const createdAt = now - rng.int(18, 30) * DAY - rng.int(0, 1439) * MIN;
    const activatedAt = createdAt + rng.int(1, 3) * DAY;
    const endedAt = now - rng.int(3, 6) * DAY;
    let code: string | null = null;
    const orders: Row[] = [];
    if (d.status !== 'pending') {
      // Activation issued a code and an affiliate tracking link; a terminated member keeps its history.
      const name = (creator?.first ?? 'Nora').toUpperCase();
      code = `${k.prefix}${name}${k.suffix}`;
      for (let n = 2; codes.has(code); n++) code = `${k.prefix}${name}${n}${k.suffix}`;
      codes.add(code);
      const count = d.status === 'active' ? rng.int(3, 12) : rng.int(1, 3);
      for (const at of timeline(c, count, activatedAt, d.status === 'active' ? now - 10 * MIN : endedAt)) {
        // Money in cents, so that revenue is exactly the sum of the order amounts.
        const list = rng.pick(prices) * (rng.chance(0.2) ? 2 : 1);
        const amount = k.method === 'percentage' ? Math.round(list * (1 - k.detail.value / 100)) : list;
        const commission = k.type === 'percentage' ? Math.round((amount * k.value) / 100) : k.value * 100;
        orders.push({ order_id: `ord_${pad(++orderNo, 4)}`, member_id: memberId, amount, commission, ordered_at: iso(at) });
      }
    }
    const revenueCents = orders.reduce((s, o) => s + (o.amount as number), 0);
    c.w.put('aff_members', {
      member_id: memberId,
      campaign_id: k.id,
      creator_id: creator?.id ?? null,
      platform: d.by === 'channel' ? 'instagram' : null,
      channel_id: d.by === 'channel' ? 'skin.by.nora' : null,
      custom_id: d.by === 'custom' ? 'salon-partner-042' : null,
      status: d.status,
      discount_code: code,
      tracking_link: code === null ? null : `https://${domain}/?ref=${code}`,
      clicks: orders.length === 0 ? 0 : orders.length * rng.int(18, 55) + rng.int(0, 40),
      orders: orders.length,
      revenue: revenueCents / 100,
      created_at: iso(createdAt),
      updated_at: iso(d.status === 'pending' ? createdAt : d.status === 'terminated' ? endedAt : activatedAt),
    });
    for (const o of orders) c.w.put('aff_orders', { ...o, amount: (o.amount as number) / 100, commission: (o.commission as number) / 100 });

    // A few members talk to us in the affiliate campaign's own project.
    const convo: Partial<Record<number, { end: End; reason: string | null; unread: boolean }>> = {
      0: { end: 'imported', reason: null, unread: false },
      1: { end: 'pending', reason: 'creator_asked_question', unread: false },
      7: { end: 'answered', reason: null, unread: false },
    };
    const talk = convo[i];
    if (talk && creator) {
      const replies = repliesFor(c, talk.end);
      plans.push({
        creator,
        kind: 'affiliate_campaign',
        businessId: k.id,
        owner: 'u_005',
        sender: 'snd_001',
        subject: `Welcome to the ${k.name}`,
        start: activatedAt + 2 * HOUR,
        end: talk.end,
        replies,
        emailReplies: Math.min(replies, 1),
        reason: talk.reason,
        unread: talk.unread,
        firstHtml: `<p>Welcome aboard!</p><p>Your discount code is <strong>${code}</strong> and your tracking link is <a href="https://${domain}/?ref=${code}">https://${domain}/?ref=${code}</a>. Commission is paid monthly.</p><p>Sofia, Demo Brand partnerships</p>`,
      });
    }
  });
  return plans;
}

// ---------------------------------------------------------------------------------------------
// CRM channels: everyone wave 1 reached, part of the gifting list, and earlier campaign creators

/** How far a relationship got; a creator's CRM status is the furthest of its conversations. */
const COOP_RANK: Record<CoopStatus, number> = { pending: 0, contacted: 1, negotiating: 2, cooperating: 3, completed: 4, rejected: 5 };

function coopFor(c: Ctx, end: End): CoopStatus {
  switch (end) {
    case 'pending':
      return c.rng.pick(['contacted', 'negotiating'] as const);
    case 'answered':
      return c.rng.pick(['negotiating', 'cooperating'] as const);
    case 'closed':
      return 'cooperating';
    case 'imported':
      return 'completed';
    case 'declined':
      return 'rejected';
    default:
      return 'contacted';
  }
}

const REMARKS: Partial<Record<CoopStatus, string[]>> = {
  pending: ['Strong skincare routine content; check audience age split.', 'Found via collection import; not contacted yet.'],
  contacted: ['Outreach sent, waiting on a reply.', 'Opened the email twice, no reply yet.'],
  negotiating: ['Asked for $1.2k per integration; counter at $900.', 'Wants usage rights limited to 30 days.'],
  cooperating: ['Sample shipped; posting date agreed.', 'Great first video, consider a second round.'],
  completed: ['Holiday gift guide delivered on time, strong saves.', 'Campaign wrapped; invoice paid.'],
  rejected: ['Declined: fully booked this quarter.'],
};

function seedCrm(c: Ctx, creators: Creator[], collections: Collection[], tasks: TaskResult, affPlans: ThreadPlan[]): Map<string, CoopStatus> {
  const { rng, now } = c;
  const plans = [...tasks.plans, ...affPlans];
  const byCreator = new Map<string, ThreadPlan[]>();
  for (const p of plans) byCreator.set(p.creator.id, [...(byCreator.get(p.creator.id) ?? []), p]);
  const waveOne = tasks.plans.filter((p) => p.businessId === 'task_1820').map((p) => p.creator);
  // Some gifting recipients are not in the CRM: their threads carry no cooperation status.
  const gifting = tasks.plans
    .filter((p) => p.businessId === 'task_1821')
    .map((p) => p.creator)
    .slice(0, 17);
  const holiday = collections[2]!.items.slice(0, 12);
  const members = uniq([...waveOne, ...tasks.filtered.map((f) => f.creator), ...gifting, ...affPlans.map((p) => p.creator), ...holiday, ...collections[0]!.items, ...creators]).slice(0, 80);

  const status = new Map<string, CoopStatus>();
  for (const cr of members) {
    const own = byCreator.get(cr.id);
    const filtered = tasks.filtered.find((f) => f.creator.id === cr.id);
    let s: CoopStatus;
    if (own) s = own.map((p) => coopFor(c, p.end)).reduce((a, b) => (COOP_RANK[b] > COOP_RANK[a] ? b : a));
    else if (filtered) s = filtered.reason === 'already_contacted' ? 'completed' : 'cooperating';
    else if (holiday.includes(cr)) s = rng.pick(['completed', 'completed', 'cooperating', 'rejected'] as const);
    else s = 'pending';
    status.set(cr.id, s);
  }
  // Every status shows up at least once, whatever the draw.
  const quiet = members.filter((m) => !byCreator.has(m.id) && !tasks.filtered.some((f) => f.creator.id === m.id));
  COOP_STATUSES.forEach((s, i) => {
    if (![...status.values()].includes(s)) status.set(quiet[quiet.length - 1 - i]!.id, s);
  });

  const declined = plans.filter((p) => p.end === 'declined').map((p) => p.creator.id);
  const archived = new Set([...declined, ...rng.shuffle(quiet.map((m) => m.id)).filter((id) => !declined.includes(id))].slice(0, 5));
  const grouped = new Set<string>();
  const groupFor = (cr: Creator, s: CoopStatus, gifted: boolean): string | null => {
    if (cr.niche === 'beauty' && (s === 'cooperating' || s === 'completed' || s === 'negotiating')) return 'grp_001';
    if (cr.niche === 'gaming' || cr.niche === 'tech') return 'grp_002';
    return gifted || rng.chance(0.2) ? 'grp_003' : null;
  };
  // The gifting task hid grouped creators, so its filtered recipient sits in a group.
  const inCrmFiltered = tasks.filtered.filter((f) => f.reason === 'in_crm').map((f) => f.creator.id);

  for (const cr of members) {
    const s = status.get(cr.id)!;
    const own = byCreator.get(cr.id);
    const created = own ? Math.min(now - HOUR, Math.min(...own.map((p) => p.start)) + rng.int(2, 48) * HOUR) : now - rng.int(2, 120) * DAY - rng.int(0, 1439) * MIN;
    c.w.put('crm_channels', {
      creator_id: cr.id,
      platform: cr.platform,
      coop_status: COOP_STATUS_ID[s],
      owner_uid: own ? own[0]!.owner : rng.chance(0.85) ? rng.pick(TEAM).uid : null,
      email: cr.email,
      url: cr.url,
      remark: rng.chance(0.35) ? rng.pick(REMARKS[s] ?? ['']) : '',
      archived: archived.has(cr.id) ? 1 : 0,
      created_at: iso(created),
      updated_at: iso(between(c, created, now)),
    });
    const labels: string[] = [];
    if (cr.followers >= 1_000_000) labels.push(VIP);
    if (own?.some((p) => p.replies > 0)) labels.push(REPLIED);
    if (s === 'negotiating' || (s === 'pending' && rng.chance(0.4))) labels.push(NEEDS_BRIEF);
    if ((s === 'cooperating' || s === 'completed') && rng.chance(0.8)) labels.push(GIFTED);
    if (s !== 'rejected' && rng.chance(0.6)) labels.push(SHORTLIST);
    if (s === 'rejected') labels.push(DO_NOT_CONTACT);
    for (const l of labels) c.w.put('crm_channel_labels', { creator_id: cr.id, label_id: l });
    const group = inCrmFiltered.includes(cr.id) ? 'grp_003' : grouped.size < 30 ? groupFor(cr, s, labels.includes(GIFTED)) : null;
    if (group) {
      grouped.add(cr.id);
      c.w.put('crm_channel_groups', { creator_id: cr.id, group_id: group });
    }
  }
  return status;
}

// ---------------------------------------------------------------------------------------------
// Message threads and their messages

const LAST_INBOUND: Record<string, string[]> = {
  creator_replied: ['<p>Thanks for reaching out! I would love to try it — what are the next steps?</p>', '<p>Sounds great, count me in. Where do I send my address?</p>'],
  creator_asked_question: [
    '<p>Quick question: is this paid or gifting only? And do you ship to my country?</p>',
    '<p>Do you need a dedicated video or is an integration fine? What is the timeline?</p>',
  ],
  creator_sent_rates: [
    '<p>Here are my rates: dedicated video $1,800, integration $900, story set $350. Usage rights are extra.</p>',
    '<p>My rate for one reel plus three stories is $750. Happy to talk bundles.</p>',
  ],
  creator_requested_sample: ['<p>Could you send a sample first? I only feature products I have tested for two weeks.</p>'],
};
const MIDDLE_INBOUND = [
  '<p>Hi! Thanks for the message, this looks interesting.</p>',
  '<p>Got it, thanks. Let me check my calendar for next month.</p>',
  '<p>Sure, my address is on the form. What shade range do you have?</p>',
];
const OUTBOUND_REPLIES = [
  '<p>Great to hear! I have attached the brief — could you share your rates for one integration?</p>',
  '<p>Thanks! The sample ships today; tracking number to follow.</p>',
  '<p>Yes, it is a paid collaboration. Could you send your media kit?</p>',
  '<p>Perfect, we can do that. I will send the contract this week.</p>',
];
const NUDGE = '<p>Just bumping this in case it got buried — happy to send a sample first, no strings attached.</p>';
const CLOSING = ['<p>Package arrived, thank you! I will post next week.</p>', '<p>Perfect, thanks — talk soon!</p>'];
const DECLINE = '<p>Thanks for thinking of me, but I am fully booked this quarter, so I will pass this time.</p>';

function sequence(c: Ctx, p: ThreadPlan): ('inbound' | 'outbound')[] {
  if (p.end === 'sent' || p.end === 'bounced') return ['outbound'];
  if (p.end === 'nudged') return ['outbound', 'outbound'];
  // The first message, the creator's answers to it, then each later answer follows one of ours.
  const seq: ('inbound' | 'outbound')[] = ['outbound'];
  for (let i = 0; i < p.emailReplies; i++) seq.push('inbound');
  for (let i = p.emailReplies; i < p.replies; i++) seq.push('outbound', 'inbound');
  // Imported history may end on either side; that is why its direction is unknown.
  if (p.end === 'answered' || (p.end === 'imported' && c.rng.chance(0.5))) seq.push('outbound');
  return seq;
}

function messageBody(c: Ctx, p: ThreadPlan, dir: 'inbound' | 'outbound', index: number, last: boolean): string {
  if (index === 0) return p.firstHtml;
  if (dir === 'outbound') return p.end === 'nudged' ? NUDGE : c.rng.pick(OUTBOUND_REPLIES);
  if (!last) return c.rng.pick(MIDDLE_INBOUND);
  if (p.end === 'pending') return c.rng.pick(LAST_INBOUND[p.reason!]!);
  if (p.end === 'closed') return c.rng.pick(CLOSING);
  if (p.end === 'declined') return DECLINE;
  return c.rng.pick(MIDDLE_INBOUND);
}

/** Returns the ids of threads that hold a reply draft, for the attachments seeded on them. */
function seedThreads(c: Ctx, plans: ThreadPlan[], crm: Map<string, CoopStatus>): string[] {
  const { rng, now } = c;
  let msgNo = 0;
  let pendingNo = 0;
  let closedNo = 0;
  let sentNo = 0;
  let scheduledDone = false;
  const drafts: string[] = [];
  plans.forEach((p, i) => {
    const threadId = `thr_${pad(i + 1, 4)}`;
    const seq = sequence(c, p);
    const times = [p.start, ...timeline(c, seq.length - 1, p.start + 30 * MIN, now - 10 * MIN)];
    const rows = seq.map((direction, j) => ({
      message_id: '',
      thread_id: threadId,
      direction,
      html_body: messageBody(c, p, direction, j, j === seq.length - 1),
      sender_auth_id: direction === 'outbound' ? p.sender : null,
      sent_at: iso(times[j]!),
    }));
    const lastAt = times[times.length - 1]!;
    const direction = p.end === 'imported' ? 'unknown' : seq[seq.length - 1]!;
    const needsReply = p.end === 'pending';
    // Unread = an inbound message nobody opened yet. It is not the same as needing a reply:
    // half the pending threads were read already, and one closed thread is unread but owes nothing.
    let unread = false;
    if (p.unread !== undefined) unread = p.unread;
    else if (p.end === 'pending') unread = pendingNo++ % 2 === 0;
    else if (p.end === 'closed') unread = closedNo++ === 0;
    let draftHtml: string | null = null;
    let draftAt: number | null = null;
    let scheduled: { html: string; at: string } | null = null;
    if (p.kind === 'email_task' && ((p.end === 'pending' && (pendingNo === 2 || pendingNo === 5)) || (p.end === 'sent' && sentNo++ === 3))) {
      draftHtml = p.end === 'pending' ? '<p>Thanks for the quick reply! Here are the details you asked about:</p>' : NUDGE;
      draftAt = between(c, lastAt, now);
      drafts.push(threadId);
    } else if (p.kind === 'email_task' && p.end === 'nudged' && p.businessId === 'task_1821' && !scheduledDone) {
      // A last follow-up is queued for tomorrow, on a whole hour.
      scheduled = { html: '<p>Last note from us — the offer stays open until the end of the month. Would you like a kit?</p>', at: iso(floorHour(now + DAY) + HOUR) };
      scheduledDone = true;
    }
    c.w.put('message_threads', {
      thread_id: threadId,
      creator_id: p.creator.id,
      business_kind: p.kind,
      business_id: p.businessId,
      owner_uid: p.owner,
      sender_auth_id: p.sender,
      subject: p.subject,
      needs_reply: needsReply ? 1 : 0,
      last_message_direction: direction,
      pending_reason: needsReply ? p.reason : null,
      unread: unread ? 1 : 0,
      coop_status: crm.has(p.creator.id) ? COOP_STATUS_ID[crm.get(p.creator.id)!] : null,
      archived: p.end === 'declined' ? 1 : 0,
      draft_html: draftHtml,
      draft_updated_at: draftAt === null ? null : iso(draftAt),
      scheduled_html: scheduled?.html ?? null,
      scheduled_at: scheduled?.at ?? null,
      scheduled_sender_auth_id: scheduled ? p.sender : null,
      updated_at: iso(Math.max(lastAt, draftAt ?? 0)),
    });
    if (scheduled) scheduleJob(c, `job_seed_${threadId}`, 'message.scheduled_send', { thread_id: threadId, scheduled_at: scheduled.at }, scheduled.at);
    for (const m of rows) c.w.put('messages', { ...m, message_id: `msg_${pad(++msgNo, 5)}` });
    const labels: string[] = [];
    if (p.replies > 0 && p.end !== 'declined') labels.push(REPLIED);
    if (p.end === 'pending' && p.reason === 'creator_asked_question') labels.push(NEEDS_BRIEF);
    if (p.end === 'declined') labels.push(DO_NOT_CONTACT);
    if (p.creator.followers >= 1_000_000 && rng.chance(0.7)) labels.push(VIP);
    for (const l of labels) c.w.put('message_thread_labels', { thread_id: threadId, label_id: l });
  });
  return drafts;
}

// ---------------------------------------------------------------------------------------------
// Reply templates and message attachments (thread and template attachments have their own ids)

function seedTemplatesAndAttachments(c: Ctx, draftThreads: string[]): void {
  const { now } = c;
  const templates = [
    ['Friendly follow-up', 'Following up on our collab idea', NUDGE],
    ['Rate card request', 'Your rates for a GlowLab feature', '<p>Thanks for your interest! Could you share your rate card for one dedicated video and one integration? Our template is attached.</p>'],
    ['Shipping confirmation', 'Your sample is on its way', '<p>Good news: your sample shipped today. You will get the tracking number by email within 24 hours.</p>'],
  ] as const;
  templates.forEach(([name, subject, html], i) => {
    const created = now - (60 - i * 15) * DAY;
    c.w.put('message_templates', {
      template_id: `tpl_${pad(i + 1, 3)}`,
      name,
      subject,
      html_body: html,
      created_at: iso(created),
      updated_at: iso(created + (i + 2) * DAY),
    });
  });
  // Email content templates (email_templates_use): a first-outreach and a follow-up wording.
  const emailTemplates = [
    ['First outreach', 'A GlowLab collab idea for you', '<p>Hi! We love your skincare content and would like to send you our Barrier Repair Serum to try.</p>'],
    ['Second wave follow-up', 'Still keen on a GlowLab collab?', NUDGE],
  ] as const;
  emailTemplates.forEach(([name, subject, html], i) => {
    const created = now - (40 - i * 10) * DAY;
    c.w.put('email_templates', {
      template_id: `etpl_${pad(i + 1, 3)}`,
      name,
      subject,
      html_body: html,
      text_body: html.replace(/<[^>]+>/g, ''),
      created_by: 'u_001',
      created_at: iso(created),
      updated_at: iso(created),
    });
  });
  const files = [
    ['thread', draftThreads[0]!, 'GlowLab-Spring-Launch-Brief.pdf', fakePdf('brief: GlowLab Spring Launch', ['Deliverables and timeline'])],
    ['thread', draftThreads[1]!, 'GlowLab-Product-Lineup.pdf', fakePdf('product lineup', ['Barrier Repair Serum', 'Daily Mineral SPF 50', 'Overnight Recovery Mask'])],
    ['template', 'tpl_002', 'Rate-Card-Template.pdf', fakePdf('rate card template', ['Dedicated video', 'Integration', 'Stories'])],
  ] as const;
  files.forEach(([kind, owner, fileName, content], i) => {
    c.w.put('message_attachments', {
      attachment_id: `matt_${pad(i + 1, 3)}`,
      owner_kind: kind,
      owner_id: owner,
      file_name: fileName,
      size: content.length,
      sha256: sha256(content),
      content,
      created_at: iso(now - (3 - i) * HOUR),
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Brand monitor: our two brands and one competitor, with creator posts that mention them

function seedBrands(c: Ctx, creators: Creator[]): void {
  const { rng, now } = c;
  const brands = [
    {
      name: 'GlowLab',
      website: 'https://www.glowlab-demo.example',
      category: 'Beauty',
      niches: ['beauty'],
      titles: ['My honest {b} Barrier Serum review', 'Night routine ft. {b}', '{b} haul + first impressions', '3 weeks with {b}: before and after', 'GRWM using {b}'],
    },
    {
      name: 'Pulse Gear',
      website: 'https://www.pulsegear-demo.example',
      category: 'Gaming',
      niches: ['gaming', 'tech'],
      titles: ['{b} H7 headset after 30 days', 'Best budget headset? {b} H7 tested', 'My streaming setup ft. {b}', '{b} K3 keyboard sound test', 'Clutch moments with the {b} H7'],
    },
    {
      name: 'Lumiskin',
      website: 'https://www.lumiskin.example',
      category: 'Beauty',
      niches: ['beauty'],
      titles: ['{b} vitamin C serum review', 'Is {b} worth the hype?', 'Morning skincare with {b}', '{b} vs drugstore dupes', 'Empties: what I repurchased from {b}'],
    },
  ];
  let assetNo = 0;
  brands.forEach((b, i) => {
    const brandId = `brand_${pad(i + 1, 3)}`;
    c.w.put('brands', { brand_id: brandId, name: b.name, website: b.website, category: b.category });
    const pool = rng.shuffle(creators.filter((x) => b.niches.includes(x.niche)));
    for (let k = 0; k < 25; k++) {
      const cr = pool[k % pool.length]!;
      const url =
        cr.platform === 'youtube'
          ? `https://www.youtube.com/watch?v=${rng.chars(11, B64URL)}`
          : cr.platform === 'tiktok'
            ? `https://www.tiktok.com/@${cr.channelId}/video/7${rng.chars(18, '0123456789')}`
            : `https://www.instagram.com/reel/${rng.chars(11, B64URL)}/`;
      const views = Math.max(200, Math.round(cr.avgViews * (0.3 + rng.next() * 2.2)));
      c.w.put('brand_assets', {
        asset_id: `asset_${pad(++assetNo, 4)}`,
        brand_id: brandId,
        creator_id: cr.id,
        platform: cr.platform,
        title: rng.pick(b.titles).replace('{b}', b.name),
        url,
        views,
        likes: Math.round(views * (0.02 + rng.next() * 0.07)),
        posted_at: iso(now - rng.int(1, 89) * DAY - rng.int(0, 1439) * MIN),
      });
    }
  });
}

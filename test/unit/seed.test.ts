import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { openStore, type Db } from '../../src/store.js';
import { workspaceMigrations } from '../../workspace/schema.js';
import { isSeeded, seedDemoWorkspace } from '../../workspace/seed.js';
import { COOP_STATUS_ID } from '../../workspace/coop-statuses.js';

const NOW = new Date('2025-06-15T10:30:27.123Z');
const ENGINE_TABLES = new Set(['meta', 'preview_tokens', 'journal', 'jobs', 'instances', 'schema_migrations', 'idempotency_records']);
const EMPTY_TABLES = ['uploaded_files', 'exports', 'campaign_context'];

function seeded(now: Date = NOW): { db: Db; summary: Record<string, number> } {
  const db = openStore(':memory:', workspaceMigrations);
  const summary = seedDemoWorkspace(db, now);
  return { db, summary };
}

function workspaceTables(db: Db): string[] {
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return names.filter((n) => !ENGINE_TABLES.has(n));
}

function count(db: Db, sql: string, ...params: unknown[]): number {
  return db
    .prepare(sql)
    .pluck()
    .get(...params) as number;
}

/** Every row of every workspace table, blobs as hex, in insertion order. */
function dump(db: Db): string {
  const out: Record<string, unknown[]> = {};
  for (const t of workspaceTables(db)) {
    out[t] = (db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() as Record<string, unknown>[]).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('hex') : v])),
    );
  }
  return JSON.stringify(out);
}

describe('demo workspace seed', () => {
  const { db, summary } = seeded();

  it('reports isSeeded false before and true after; a second seed writes nothing', () => {
    const fresh = openStore(':memory:', workspaceMigrations);
    expect(isSeeded(fresh)).toBe(false);
    seedDemoWorkspace(fresh, NOW);
    expect(isSeeded(fresh)).toBe(true);
    const before = dump(fresh);
    expect(seedDemoWorkspace(fresh, new Date('2030-01-01T00:00:00Z'))).toEqual(summary);
    expect(dump(fresh)).toBe(before);
  });

  it('fills every workspace table except the ones that start empty, and the summary matches', () => {
    for (const t of workspaceTables(db)) {
      const n = count(db, `SELECT COUNT(*) FROM ${t}`);
      if (EMPTY_TABLES.includes(t)) {
        expect(n, t).toBe(0);
      } else {
        expect(n, t).toBeGreaterThan(0);
        expect(summary[t], t).toBe(n);
      }
    }
    expect(summary).toMatchObject({
      team_members: 5,
      creators: 360,
      campaigns: 3,
      collections: 4,
      crm_labels: 6,
      crm_groups: 3,
      crm_channels: 80,
      product_tags: 5,
      products: 8,
      short_links: 6,
      short_link_clicks: 180,
      aff_stores: 2,
      aff_store_products: 8,
      aff_campaigns: 2,
      aff_members: 10,
      senders: 3,
      email_tasks: 5,
      message_templates: 3,
      message_attachments: 3,
      brands: 3,
      brand_assets: 75,
    });
    expect(summary.crm_channel_labels).toBeGreaterThanOrEqual(90);
    expect(summary.crm_channel_labels).toBeLessThanOrEqual(160);
    expect(summary.crm_channel_groups).toBeGreaterThanOrEqual(20);
    expect(summary.crm_channel_groups).toBeLessThanOrEqual(40);
    expect(summary.product_tag_links).toBeGreaterThanOrEqual(10);
  });

  it('is deterministic: two fresh stores seeded with the same date are identical', () => {
    const a = seeded().db;
    const b = seeded().db;
    expect(dump(a)).toBe(dump(b));
    expect(dump(a)).toBe(dump(db));
  });

  it('keeps every foreign key and timestamps in the past (except scheduled sends)', () => {
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const nowIso = NOW.toISOString();
    const future = new Set(['email_tasks.plan_send_at', 'message_threads.scheduled_at']);
    for (const t of workspaceTables(db)) {
      const cols = (db.pragma(`table_info(${t})`) as { name: string }[]).map((c) => c.name).filter((c) => c.endsWith('_at'));
      for (const col of cols) {
        const max = db.prepare(`SELECT MAX(${col}) FROM ${t}`).pluck().get() as string | null;
        if (max === null) continue;
        expect(max, `${t}.${col}`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        if (future.has(`${t}.${col}`)) expect(max > nowIso, `${t}.${col}`).toBe(true);
        else expect(max <= nowIso, `${t}.${col}`).toBe(true);
      }
    }
  });

  it('has 360 creators, 120 per platform, with consistent emails and realistic metrics', () => {
    const perPlatform = db.prepare('SELECT platform, COUNT(*) AS n FROM creators GROUP BY platform').all() as { platform: string; n: number }[];
    expect(Object.fromEntries(perPlatform.map((r) => [r.platform, r.n]))).toEqual({ youtube: 120, tiktok: 120, instagram: 120 });
    expect(count(db, 'SELECT COUNT(*) FROM creators WHERE (has_email = 1) <> (email IS NOT NULL)')).toBe(0);
    const withEmail = count(db, 'SELECT COUNT(*) FROM creators WHERE has_email = 1');
    expect(withEmail / 360).toBeGreaterThan(0.5);
    expect(withEmail / 360).toBeLessThan(0.7);
    expect(count(db, 'SELECT COUNT(*) FROM creators WHERE followers < 5000 OR followers > 5000000')).toBe(0);
    expect(count(db, 'SELECT COUNT(*) FROM creators WHERE engagement_rate < 0.5 OR engagement_rate > 12')).toBe(0);
    expect(count(db, "SELECT COUNT(*) FROM creators WHERE platform = 'youtube' AND channel_id NOT GLOB 'UC*'")).toBe(0);
    expect(count(db, "SELECT COUNT(*) FROM creators WHERE platform = 'youtube' AND length(channel_id) <> 24")).toBe(0);
    expect(count(db, "SELECT COUNT(*) FROM creators WHERE platform <> 'youtube' AND channel_id <> lower(channel_id)")).toBe(0);
    // Creator ids never encode the platform.
    expect(count(db, "SELECT COUNT(*) FROM creators WHERE creator_id NOT GLOB 'cr_[0-9][0-9][0-9][0-9]'")).toBe(0);
    for (const tags of db.prepare('SELECT tags_json FROM creators').pluck().all() as string[]) {
      const parsed = JSON.parse(tags) as string[];
      expect(parsed.length).toBeGreaterThanOrEqual(1);
      expect(parsed.length).toBeLessThanOrEqual(3);
    }
  });

  it('has collections of 20-80 items, with refreshed emails only where the creator has one', () => {
    const sizes = db.prepare('SELECT COUNT(*) FROM collection_items GROUP BY collection_id').pluck().all() as number[];
    expect(sizes).toHaveLength(4);
    for (const n of sizes) expect(n >= 20 && n <= 80).toBe(true);
    expect(count(db, 'SELECT COUNT(*) FROM collections WHERE campaign_id IS NOT NULL')).toBe(3);
    expect(count(db, 'SELECT COUNT(DISTINCT platform) FROM collection_items')).toBe(3);
    expect(
      count(
        db,
        `SELECT COUNT(*) FROM collection_items i JOIN creators c USING (creator_id)
      WHERE i.platform <> c.platform OR (i.email IS NOT NULL AND (c.has_email = 0 OR i.email <> c.email))
         OR ((i.email IS NULL) <> (i.email_refreshed_at IS NULL))`,
      ),
    ).toBe(0);
    expect(count(db, "SELECT COUNT(*) FROM collection_items WHERE source = 'imported'")).toBeGreaterThan(0);
    expect(count(db, 'SELECT COUNT(*) FROM collection_items WHERE audience_unlocked = 1')).toBeGreaterThan(0);
  });

  it('has a CRM with every cooperation status, 5 archived channels, and creator emails', () => {
    const statuses = db.prepare('SELECT DISTINCT coop_status FROM crm_channels').pluck().all() as string[];
    expect([...statuses].sort()).toEqual(Object.values(COOP_STATUS_ID).sort());
    expect(count(db, 'SELECT COUNT(*) FROM crm_channels WHERE archived = 1')).toBe(5);
    expect(
      count(
        db,
        `SELECT COUNT(*) FROM crm_channels ch JOIN creators c USING (creator_id)
      WHERE ch.platform <> c.platform OR ch.email IS NOT c.email`,
      ),
    ).toBe(0);
  });

  it('short links have a unique nox.to url and 30 days of clicks ending today', () => {
    expect(count(db, "SELECT COUNT(*) FROM short_links WHERE short_url NOT GLOB 'https://nox.to/??????' OR web_url IS NULL")).toBe(0);
    const days = db.prepare('SELECT DISTINCT day FROM short_link_clicks ORDER BY day').pluck().all() as string[];
    expect(days).toHaveLength(30);
    expect(days[29]).toBe('2025-06-15');
    expect(days[0]).toBe('2025-05-17');
    expect(count(db, 'SELECT COUNT(*) FROM short_link_clicks WHERE clicks = 0')).toBeGreaterThan(0);
  });

  it('affiliation: pending members have no code, active ones do, orders add up', () => {
    expect(count(db, 'SELECT COUNT(*) FROM aff_stores WHERE authorized = 1')).toBe(1);
    expect(count(db, "SELECT COUNT(*) FROM aff_members WHERE status = 'pending'")).toBeGreaterThan(0);
    expect(count(db, "SELECT COUNT(*) FROM aff_members WHERE status = 'active'")).toBeGreaterThan(0);
    expect(count(db, "SELECT COUNT(*) FROM aff_members WHERE status = 'terminated'")).toBe(1);
    expect(count(db, "SELECT COUNT(*) FROM aff_members WHERE status = 'pending' AND (discount_code IS NOT NULL OR tracking_link IS NOT NULL OR orders > 0)")).toBe(0);
    expect(count(db, "SELECT COUNT(*) FROM aff_members WHERE status = 'active' AND (discount_code IS NULL OR tracking_link IS NULL OR orders = 0)")).toBe(0);
    expect(count(db, "SELECT COUNT(*) FROM aff_members WHERE tracking_link LIKE '%nox.to%'")).toBe(0);
    expect(count(db, 'SELECT COUNT(*) FROM aff_members WHERE creator_id IS NULL AND platform IS NOT NULL AND channel_id IS NOT NULL')).toBe(1);
    expect(count(db, 'SELECT COUNT(*) FROM aff_members WHERE custom_id IS NOT NULL')).toBe(1);
    const members = db
      .prepare(
        `SELECT m.member_id, m.orders, m.revenue, k.commission_type, k.commission_value,
        (SELECT COUNT(*) FROM aff_orders o WHERE o.member_id = m.member_id) AS n,
        (SELECT COALESCE(SUM(o.amount), 0) FROM aff_orders o WHERE o.member_id = m.member_id) AS total
      FROM aff_members m JOIN aff_campaigns k USING (campaign_id)`,
      )
      .all() as {
      member_id: string;
      orders: number;
      revenue: number;
      commission_type: string;
      commission_value: number;
      n: number;
      total: number;
    }[];
    for (const m of members) {
      expect(m.n, m.member_id).toBe(m.orders);
      expect(m.total).toBeCloseTo(m.revenue, 2);
    }
    const orders = db
      .prepare(
        `SELECT o.amount, o.commission, k.commission_type, k.commission_value FROM aff_orders o
      JOIN aff_members m USING (member_id) JOIN aff_campaigns k USING (campaign_id)`,
      )
      .all() as {
      amount: number;
      commission: number;
      commission_type: string;
      commission_value: number;
    }[];
    for (const o of orders) {
      const expected = o.commission_type === 'percentage' ? (o.amount * o.commission_value) / 100 : o.commission_value;
      expect(Math.abs(o.commission - expected)).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });

  it('email tasks cover empty draft, prepared draft, scheduled and sent, with consistent parts', () => {
    const tasks = db.prepare('SELECT * FROM email_tasks ORDER BY task_id').all() as Record<string, string | number | null>[];
    expect(tasks.map((t) => t.status)).toEqual(['sent', 'sent', 'draft', 'draft', 'scheduled']);
    expect(tasks.every((t) => t.type === 3)).toBe(true);
    expect(tasks.filter((t) => t.campaign_id !== null)).toHaveLength(3);
    const scheduled = tasks.find((t) => t.status === 'scheduled')!;
    expect(scheduled.plan_send_at).toMatch(/T\d\d:00:00\.000Z$/);
    const empty = tasks.find((t) => t.status === 'draft' && t.subject === '')!;
    expect(empty.html_body).toBe('');
    expect(count(db, 'SELECT COUNT(*) FROM email_recipients WHERE task_id = ?', empty.task_id)).toBe(0);
    const prepared = tasks.find((t) => t.status === 'draft' && t.subject !== '')!;
    expect(prepared.html_body).toMatch(/https:\/\/nox\.to\/\w{6}/);
    expect(count(db, 'SELECT COUNT(*) FROM email_task_products WHERE task_id = ?', prepared.task_id)).toBe(2);
    expect(count(db, 'SELECT COUNT(*) FROM email_attachments WHERE task_id = ?', prepared.task_id)).toBe(1);
    // At most 5 product cards and 1 attachment per task; exactly one owner collaborator.
    expect(count(db, 'SELECT COUNT(*) FROM (SELECT task_id FROM email_task_products GROUP BY task_id HAVING COUNT(*) > 5)')).toBe(0);
    expect(count(db, 'SELECT COUNT(*) FROM (SELECT task_id FROM email_attachments GROUP BY task_id HAVING COUNT(*) > 1)')).toBe(0);
    expect(
      count(
        db,
        `SELECT COUNT(*) FROM email_tasks t WHERE (SELECT COUNT(*) FROM email_task_collaborators c
      WHERE c.task_id = t.task_id AND c.permission = 'owner' AND c.user_uid = t.owner_uid) <> 1`,
      ),
    ).toBe(0);
    const atts = db.prepare('SELECT size, sha256, content FROM email_attachments').all() as { size: number; sha256: string; content: Buffer }[];
    for (const a of atts) {
      expect(a.size).toBe(a.content.length);
      expect(a.content.subarray(0, 8).toString()).toBe('%PDF-1.4');
      expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const sentCounts = tasks.filter((t) => t.status === 'sent').map((t) => count(db, 'SELECT COUNT(*) FROM email_recipients WHERE task_id = ?', t.task_id));
    expect(sentCounts).toEqual([40, 30]);
    expect(count(db, "SELECT COUNT(*) FROM email_recipients WHERE status = 'filtered_out' AND filtered_reason IS NULL")).toBe(0);
    expect(count(db, "SELECT COUNT(*) FROM email_recipients WHERE status = 'filtered_out'")).toBeGreaterThanOrEqual(2);
    expect(count(db, 'SELECT COUNT(*) FROM email_recipients WHERE creator_id IS NULL AND email_address IS NOT NULL')).toBeGreaterThanOrEqual(2);
    expect(count(db, "SELECT COUNT(*) FROM email_recipients WHERE status = 'replied' AND (reply_count < 1 OR opened = 0)")).toBe(0);
    expect(count(db, "SELECT COUNT(*) FROM email_recipients WHERE status <> 'replied' AND reply_count > 0")).toBe(0);
  });

  it('threads: every direction, needs_reply both ways, unread is not needs_reply', () => {
    const directions = db.prepare('SELECT DISTINCT last_message_direction FROM message_threads').pluck().all() as string[];
    expect([...directions].sort()).toEqual(['inbound', 'outbound', 'unknown']);
    expect(count(db, 'SELECT COUNT(*) FROM message_threads WHERE needs_reply = 1')).toBeGreaterThan(0);
    expect(count(db, 'SELECT COUNT(*) FROM message_threads WHERE needs_reply = 0')).toBeGreaterThan(0);
    expect(count(db, 'SELECT COUNT(*) FROM message_threads WHERE needs_reply = 1 AND unread = 1')).toBeGreaterThan(0);
    expect(count(db, 'SELECT COUNT(*) FROM message_threads WHERE needs_reply = 1 AND unread = 0')).toBeGreaterThan(0);
    expect(count(db, 'SELECT COUNT(*) FROM message_threads WHERE unread <> needs_reply')).toBeGreaterThan(0);
    expect(count(db, "SELECT COUNT(*) FROM message_threads WHERE needs_reply = 1 AND (last_message_direction <> 'inbound' OR pending_reason IS NULL)")).toBe(0);
    expect(count(db, 'SELECT COUNT(*) FROM message_threads WHERE needs_reply = 0 AND pending_reason IS NOT NULL')).toBe(0);
    expect(count(db, "SELECT COUNT(*) FROM message_threads WHERE business_kind = 'affiliate_campaign'")).toBeGreaterThan(0);
    expect(count(db, 'SELECT COUNT(*) FROM message_threads WHERE draft_html IS NOT NULL')).toBeGreaterThan(0);
    expect(count(db, 'SELECT COUNT(*) FROM message_threads WHERE scheduled_html IS NOT NULL AND scheduled_sender_auth_id IS NOT NULL')).toBe(1);
    expect(db.prepare('SELECT scheduled_at FROM message_threads WHERE scheduled_at IS NOT NULL').pluck().get()).toMatch(/T\d\d:00:00\.000Z$/);
    expect(count(db, 'SELECT COUNT(*) FROM message_thread_labels')).toBeGreaterThan(0);
  });

  it('sibling task threads of one creator disagree on needs_reply (at least 3 creators)', () => {
    const siblings = count(
      db,
      `SELECT COUNT(*) FROM (
      SELECT creator_id FROM message_threads WHERE business_kind = 'email_task'
      GROUP BY creator_id HAVING COUNT(DISTINCT business_id) >= 2 AND COUNT(DISTINCT needs_reply) = 2)`,
    );
    expect(siblings).toBeGreaterThanOrEqual(3);
  });

  it('messages agree with thread state and task recipients', () => {
    const threads = db.prepare('SELECT * FROM message_threads').all() as Record<string, string | number | null>[];
    const msgs = db.prepare('SELECT thread_id, direction, sender_auth_id FROM messages ORDER BY thread_id, sent_at').all() as {
      thread_id: string;
      direction: string;
      sender_auth_id: string | null;
    }[];
    const byThread = new Map<string, typeof msgs>();
    for (const m of msgs) byThread.set(m.thread_id, [...(byThread.get(m.thread_id) ?? []), m]);
    for (const t of threads) {
      const list = byThread.get(t.thread_id as string) ?? [];
      expect(list.length, String(t.thread_id)).toBeGreaterThan(0);
      if (t.business_kind === 'email_task') expect(list[0]!.direction).toBe('outbound');
      if (t.last_message_direction !== 'unknown') expect(list[list.length - 1]!.direction).toBe(t.last_message_direction);
      for (const m of list) expect(m.sender_auth_id).toBe(m.direction === 'outbound' ? t.sender_auth_id : null);
    }
    // Threads of a task belong to its owner and sender; each creator recipient that was emailed has one.
    expect(
      count(
        db,
        `SELECT COUNT(*) FROM message_threads th JOIN email_tasks t ON th.business_kind = 'email_task' AND th.business_id = t.task_id
      WHERE th.owner_uid <> t.owner_uid OR th.sender_auth_id <> t.sender_auth_id`,
      ),
    ).toBe(0);
    expect(
      count(
        db,
        `SELECT COUNT(*) FROM email_recipients r WHERE r.creator_id IS NOT NULL AND r.status IN ('sent','bounced','replied')
      AND (SELECT COUNT(*) FROM message_threads th WHERE th.business_kind = 'email_task' AND th.business_id = r.task_id AND th.creator_id = r.creator_id) <> 1`,
      ),
    ).toBe(0);
    // reply_count counts the replies to the email itself: inbound messages before any follow-up of ours.
    const join = `FROM email_recipients r JOIN message_threads th ON th.business_kind = 'email_task' AND th.business_id = r.task_id AND th.creator_id = r.creator_id`;
    const emailReplies = `(SELECT COUNT(*) FROM messages m WHERE m.thread_id = th.thread_id AND m.direction = 'inbound' AND NOT EXISTS (
      SELECT 1 FROM messages o WHERE o.thread_id = m.thread_id AND o.direction = 'outbound' AND o.sent_at < m.sent_at
        AND o.sent_at > (SELECT MIN(f.sent_at) FROM messages f WHERE f.thread_id = m.thread_id)))`;
    const inbound = `(SELECT COUNT(*) FROM messages m WHERE m.thread_id = th.thread_id AND m.direction = 'inbound')`;
    expect(count(db, `SELECT COUNT(*) ${join} WHERE r.reply_count <> ${emailReplies}`)).toBe(0);
    // So the three report numbers differ: some creators answered the email twice, some threads went on.
    expect(count(db, `SELECT COUNT(*) ${join} WHERE r.reply_count > 1`)).toBeGreaterThan(0);
    expect(count(db, `SELECT COUNT(*) ${join} WHERE r.reply_count > 0 AND ${inbound} > r.reply_count`)).toBeGreaterThan(0);
    // Cooperation status mirrors the CRM when the creator is there.
    expect(
      count(
        db,
        `SELECT COUNT(*) FROM message_threads th LEFT JOIN crm_channels ch USING (creator_id)
      WHERE th.coop_status IS NOT ch.coop_status`,
      ),
    ).toBe(0);
    expect(count(db, 'SELECT COUNT(*) FROM message_threads WHERE coop_status IS NULL')).toBeGreaterThan(0);
  });

  it('message attachments belong to threads and templates that exist', () => {
    expect(
      count(
        db,
        `SELECT COUNT(*) FROM message_attachments a WHERE
      (a.owner_kind = 'thread' AND NOT EXISTS (SELECT 1 FROM message_threads t WHERE t.thread_id = a.owner_id)) OR
      (a.owner_kind = 'template' AND NOT EXISTS (SELECT 1 FROM message_templates t WHERE t.template_id = a.owner_id))`,
      ),
    ).toBe(0);
    expect(count(db, "SELECT COUNT(*) FROM message_attachments WHERE owner_kind = 'thread'")).toBe(2);
    expect(count(db, "SELECT COUNT(*) FROM message_attachments WHERE owner_kind = 'template'")).toBe(1);
  });

  it('brand assets match their creators and were posted within 90 days', () => {
    expect(count(db, 'SELECT COUNT(*) FROM brand_assets a JOIN creators c USING (creator_id) WHERE a.platform <> c.platform')).toBe(0);
    const oldest = db.prepare('SELECT MIN(posted_at) FROM brand_assets').pluck().get() as string;
    expect(Date.parse(oldest)).toBeGreaterThan(NOW.getTime() - 90 * 86_400_000);
    expect(count(db, 'SELECT COUNT(*) FROM (SELECT brand_id FROM brand_assets GROUP BY brand_id HAVING COUNT(*) = 25)')).toBe(3);
  });
});

describe('cooperation status ids', () => {
  it('turns the status names an older workspace stored into the server-defined ids', () => {
    // A workspace file made before the ids existed (first migration only), with names stored.
    const file = join(mkdtempSync(join(tmpdir(), 'nox-coop-')), 'ws.db');
    const old = openStore(file, workspaceMigrations.slice(0, 1));
    old
      .prepare(
        `INSERT INTO creators (creator_id, platform, channel_id, channel_url, nickname, followers, updated_at) VALUES ('cr_old', 'youtube', 'old', 'https://www.youtube.com/channel/old', 'Old', 1, 'x')`,
      )
      .run();
    old.prepare(`INSERT INTO crm_channels (creator_id, platform, coop_status, created_at, updated_at) VALUES ('cr_old', 'youtube', 'negotiating', 'x', 'x')`).run();
    old.close();
    const db = openStore(file, workspaceMigrations);
    try {
      expect(db.prepare(`SELECT coop_status FROM crm_channels WHERE creator_id = 'cr_old'`).pluck().get()).toBe(COOP_STATUS_ID.negotiating);
      expect(db.prepare('SELECT coop_status FROM coop_statuses WHERE is_default = 1').pluck().all()).toEqual(['1']);
    } finally {
      db.close();
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });
});

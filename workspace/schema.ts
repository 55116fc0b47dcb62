// The embedded workspace's tables: every entity of the domain, so that each domain only adds
// behaviour. Ids are opaque TEXT; lists of ids that are only ever read whole are JSON text.
import type { Migration } from '../src/store.js';
import { coopStatusMigrationSql } from './coop-statuses.js';

export const workspaceMigrations: Migration[] = [
  {
    id: 'workspace/001-domain',
    sql: `
      CREATE TABLE team_members (
        user_uid TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL
      );
      CREATE TABLE creators (
        creator_id TEXT PRIMARY KEY,
        platform TEXT NOT NULL CHECK (platform IN ('youtube','tiktok','instagram')),
        channel_id TEXT NOT NULL,
        channel_url TEXT NOT NULL,
        nickname TEXT NOT NULL,
        followers INTEGER NOT NULL,
        country TEXT,
        language TEXT,
        tags_json TEXT NOT NULL DEFAULT '[]',
        engagement_rate REAL NOT NULL DEFAULT 0,
        avg_views INTEGER NOT NULL DEFAULT 0,
        has_email INTEGER NOT NULL DEFAULT 0,
        email TEXT,
        updated_at TEXT NOT NULL,
        UNIQUE (platform, channel_id)
      );
      CREATE INDEX creators_platform ON creators(platform, followers);

      CREATE TABLE campaigns (
        campaign_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        objective TEXT NOT NULL,
        markets_json TEXT NOT NULL DEFAULT '[]',
        platforms_json TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL CHECK (status IN ('draft','active','paused','completed','archived')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE collections (
        collection_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        owner_uid TEXT NOT NULL REFERENCES team_members(user_uid),
        campaign_id TEXT REFERENCES campaigns(campaign_id) ON DELETE SET NULL,
        description TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE collection_items (
        collection_id TEXT NOT NULL REFERENCES collections(collection_id) ON DELETE CASCADE,
        creator_id TEXT NOT NULL REFERENCES creators(creator_id),
        platform TEXT NOT NULL,
        email TEXT,
        email_refreshed_at TEXT,
        base_refreshed_at TEXT,
        audience_unlocked INTEGER NOT NULL DEFAULT 0,
        label_ids_json TEXT NOT NULL DEFAULT '[]',
        added_at TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('added','imported','copied','moved')),
        PRIMARY KEY (collection_id, creator_id)
      );
      CREATE INDEX collection_items_page ON collection_items(collection_id, platform, added_at, creator_id);

      CREATE TABLE crm_labels (
        label_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, color TEXT NOT NULL, created_at TEXT NOT NULL
      );
      CREATE TABLE crm_groups (
        group_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, description TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL
      );
      CREATE TABLE crm_channels (
        creator_id TEXT PRIMARY KEY REFERENCES creators(creator_id),
        platform TEXT NOT NULL,
        coop_status TEXT NOT NULL,
        owner_uid TEXT REFERENCES team_members(user_uid),
        email TEXT,
        url TEXT,
        remark TEXT NOT NULL DEFAULT '',
        archived INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX crm_channels_status ON crm_channels(archived, coop_status);
      CREATE TABLE crm_channel_labels (
        creator_id TEXT NOT NULL REFERENCES crm_channels(creator_id) ON DELETE CASCADE,
        label_id TEXT NOT NULL REFERENCES crm_labels(label_id) ON DELETE CASCADE,
        PRIMARY KEY (creator_id, label_id)
      );
      CREATE INDEX crm_channel_labels_label ON crm_channel_labels(label_id);
      CREATE TABLE crm_channel_groups (
        creator_id TEXT NOT NULL REFERENCES crm_channels(creator_id) ON DELETE CASCADE,
        group_id TEXT NOT NULL REFERENCES crm_groups(group_id) ON DELETE CASCADE,
        PRIMARY KEY (creator_id, group_id)
      );

      CREATE TABLE product_tags (tag_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE);
      CREATE TABLE products (
        product_collect_id TEXT PRIMARY KEY,
        link TEXT,
        external_product_id TEXT,
        product_type TEXT,
        title TEXT NOT NULL,
        price REAL,
        currency TEXT NOT NULL DEFAULT 'USD',
        thumbnail_url TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE product_tag_links (
        product_collect_id TEXT NOT NULL REFERENCES products(product_collect_id) ON DELETE CASCADE,
        tag_id TEXT NOT NULL REFERENCES product_tags(tag_id) ON DELETE CASCADE,
        PRIMARY KEY (product_collect_id, tag_id)
      );
      CREATE TABLE uploaded_files (
        file_id TEXT PRIMARY KEY, purpose TEXT NOT NULL, file_name TEXT NOT NULL, size INTEGER NOT NULL,
        sha256 TEXT NOT NULL, content BLOB NOT NULL, public_url TEXT, created_at TEXT NOT NULL
      );

      CREATE TABLE short_links (
        short_link_id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        short_url TEXT NOT NULL UNIQUE,
        web_url TEXT, ios_url TEXT, android_url TEXT,
        utm_source TEXT, utm_medium TEXT, utm_campaign TEXT, utm_term TEXT, utm_content TEXT,
        creator_id TEXT REFERENCES creators(creator_id),
        created_by TEXT NOT NULL REFERENCES team_members(user_uid),
        created_at TEXT NOT NULL
      );
      CREATE TABLE short_link_clicks (
        short_link_id TEXT NOT NULL REFERENCES short_links(short_link_id) ON DELETE CASCADE,
        day TEXT NOT NULL, clicks INTEGER NOT NULL,
        PRIMARY KEY (short_link_id, day)
      );

      CREATE TABLE aff_stores (
        store_id TEXT PRIMARY KEY, name TEXT NOT NULL, domain TEXT NOT NULL UNIQUE, authorized INTEGER NOT NULL, currency TEXT NOT NULL
      );
      CREATE TABLE aff_store_products (
        store_product_id TEXT PRIMARY KEY, store_id TEXT NOT NULL REFERENCES aff_stores(store_id),
        title TEXT NOT NULL, price REAL NOT NULL, url TEXT NOT NULL
      );
      CREATE TABLE aff_campaigns (
        campaign_id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL REFERENCES aff_stores(store_id),
        name TEXT NOT NULL,
        commission_type TEXT NOT NULL CHECK (commission_type IN ('percentage','fixed')),
        commission_value REAL NOT NULL,
        discount_method TEXT NOT NULL CHECK (discount_method IN ('percentage','fixed_amount','free_shipping','none')),
        discount_detail_json TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL CHECK (status IN ('active','paused','ended')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE aff_members (
        member_id TEXT PRIMARY KEY,
        campaign_id TEXT NOT NULL REFERENCES aff_campaigns(campaign_id) ON DELETE CASCADE,
        creator_id TEXT REFERENCES creators(creator_id),
        platform TEXT, channel_id TEXT, custom_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending','active','terminated')),
        discount_code TEXT UNIQUE,
        tracking_link TEXT UNIQUE,
        clicks INTEGER NOT NULL DEFAULT 0,
        orders INTEGER NOT NULL DEFAULT 0,
        revenue REAL NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE aff_orders (
        order_id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES aff_members(member_id) ON DELETE CASCADE,
        amount REAL NOT NULL, commission REAL NOT NULL, ordered_at TEXT NOT NULL
      );

      CREATE TABLE senders (
        sender_auth_id TEXT PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL, provider TEXT NOT NULL,
        owner_uid TEXT NOT NULL REFERENCES team_members(user_uid)
      );
      CREATE TABLE email_tasks (
        task_id TEXT PRIMARY KEY,
        type INTEGER NOT NULL DEFAULT 3,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft','scheduled','sending','sent','cancelled')),
        owner_uid TEXT NOT NULL REFERENCES team_members(user_uid),
        campaign_id TEXT REFERENCES campaigns(campaign_id) ON DELETE SET NULL,
        sender_auth_id TEXT REFERENCES senders(sender_auth_id),
        subject TEXT NOT NULL DEFAULT '',
        html_body TEXT NOT NULL DEFAULT '',
        text_body TEXT NOT NULL DEFAULT '',
        plan_send_at TEXT,
        recipient_filter_json TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sent_at TEXT
      );
      CREATE TABLE email_task_products (
        task_id TEXT NOT NULL REFERENCES email_tasks(task_id) ON DELETE CASCADE,
        product_collect_id TEXT NOT NULL REFERENCES products(product_collect_id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        PRIMARY KEY (task_id, product_collect_id)
      );
      CREATE TABLE email_task_collaborators (
        task_id TEXT NOT NULL REFERENCES email_tasks(task_id) ON DELETE CASCADE,
        user_uid TEXT NOT NULL REFERENCES team_members(user_uid),
        permission TEXT NOT NULL CHECK (permission IN ('owner','edit','view','manage_members')),
        PRIMARY KEY (task_id, user_uid)
      );
      CREATE TABLE email_attachments (
        attachment_id TEXT PRIMARY KEY,
        task_id TEXT NOT NULL REFERENCES email_tasks(task_id) ON DELETE CASCADE,
        file_name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, content BLOB NOT NULL, created_at TEXT NOT NULL
      );
      CREATE TABLE email_recipients (
        recipient_id TEXT PRIMARY KEY,
        task_id TEXT NOT NULL REFERENCES email_tasks(task_id) ON DELETE CASCADE,
        creator_id TEXT REFERENCES creators(creator_id),
        platform TEXT, channel_id TEXT, email_address TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending','filtered_out','sent','bounced','replied')),
        filtered_reason TEXT,
        opened INTEGER NOT NULL DEFAULT 0,
        clicked INTEGER NOT NULL DEFAULT 0,
        reply_count INTEGER NOT NULL DEFAULT 0,
        sent_at TEXT,
        added_at TEXT NOT NULL
      );
      CREATE INDEX email_recipients_task ON email_recipients(task_id, status);
      CREATE INDEX email_recipients_creator ON email_recipients(creator_id);

      CREATE TABLE message_threads (
        thread_id TEXT PRIMARY KEY,
        creator_id TEXT NOT NULL REFERENCES creators(creator_id),
        business_kind TEXT NOT NULL,
        business_id TEXT NOT NULL,
        owner_uid TEXT NOT NULL REFERENCES team_members(user_uid),
        sender_auth_id TEXT REFERENCES senders(sender_auth_id),
        subject TEXT NOT NULL DEFAULT '',
        needs_reply INTEGER NOT NULL DEFAULT 0,
        last_message_direction TEXT NOT NULL CHECK (last_message_direction IN ('inbound','outbound','unknown')),
        pending_reason TEXT,
        unread INTEGER NOT NULL DEFAULT 0,
        coop_status TEXT,
        archived INTEGER NOT NULL DEFAULT 0,
        draft_html TEXT,
        draft_updated_at TEXT,
        scheduled_html TEXT,
        scheduled_at TEXT,
        scheduled_sender_auth_id TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX message_threads_creator ON message_threads(creator_id);
      CREATE INDEX message_threads_project ON message_threads(business_kind, business_id);
      CREATE TABLE message_thread_labels (
        thread_id TEXT NOT NULL REFERENCES message_threads(thread_id) ON DELETE CASCADE,
        label_id TEXT NOT NULL REFERENCES crm_labels(label_id) ON DELETE CASCADE,
        PRIMARY KEY (thread_id, label_id)
      );
      CREATE TABLE messages (
        message_id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL REFERENCES message_threads(thread_id) ON DELETE CASCADE,
        direction TEXT NOT NULL CHECK (direction IN ('inbound','outbound')),
        html_body TEXT NOT NULL,
        sender_auth_id TEXT,
        sent_at TEXT NOT NULL
      );
      CREATE INDEX messages_thread ON messages(thread_id, sent_at);
      CREATE TABLE message_templates (
        template_id TEXT PRIMARY KEY, name TEXT NOT NULL, subject TEXT NOT NULL DEFAULT '', html_body TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL
      );
      CREATE TABLE message_attachments (
        attachment_id TEXT PRIMARY KEY,
        owner_kind TEXT NOT NULL CHECK (owner_kind IN ('thread','template','message')),
        owner_id TEXT NOT NULL,
        file_name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, content BLOB NOT NULL, created_at TEXT NOT NULL
      );
      CREATE INDEX message_attachments_owner ON message_attachments(owner_kind, owner_id);

      CREATE TABLE brands (brand_id TEXT PRIMARY KEY, name TEXT NOT NULL, website TEXT NOT NULL, category TEXT NOT NULL);
      CREATE TABLE brand_assets (
        asset_id TEXT PRIMARY KEY, brand_id TEXT NOT NULL REFERENCES brands(brand_id) ON DELETE CASCADE,
        creator_id TEXT REFERENCES creators(creator_id), platform TEXT NOT NULL, title TEXT NOT NULL, url TEXT NOT NULL,
        views INTEGER NOT NULL, likes INTEGER NOT NULL, posted_at TEXT NOT NULL
      );

      CREATE TABLE exports (
        export_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('collection','crm','brand_monitor')),
        params_json TEXT NOT NULL,
        reason TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('csv','xlsx')),
        status TEXT NOT NULL CHECK (status IN ('queued','running','ready','failed','cancelled')),
        row_count INTEGER,
        file_name TEXT,
        error TEXT,
        campaign_id TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT
      );

      CREATE TABLE campaign_context (
        campaign_id TEXT PRIMARY KEY REFERENCES campaigns(campaign_id) ON DELETE CASCADE,
        doc_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  // Cooperation statuses become server-defined ids (NoxInfluencer's own vocabulary), not names.
  { id: 'workspace/002-coop-status-ids', sql: coopStatusMigrationSql },
  {
    // Email content templates (issue 13): kept by name, applied to a draft's subject and bodies.
    id: 'workspace/003-email-templates',
    sql: `
      CREATE TABLE email_templates (
        template_id TEXT PRIMARY KEY, name TEXT NOT NULL, subject TEXT NOT NULL, html_body TEXT NOT NULL, text_body TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
      );
    `,
  },
];

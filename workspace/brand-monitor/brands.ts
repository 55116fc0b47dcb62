// Monitored brands in the embedded workspace.
import type { z } from 'zod';
import { brands, type brand } from '../../tools/brand-monitor/brands.js';
import { WHERE } from '../../tools/hints.js';
import { notFound } from '../../src/errors.js';
import { implement, type Implemented } from '../implement.js';
import { escapeLike, pageQuery, Where } from '../shared.js';

type Brand = z.input<typeof brand>;
const BRAND_SELECT = 'b.brand_id, b.name, b.website, b.category, (SELECT COUNT(*) FROM brand_assets a WHERE a.brand_id = b.brand_id) AS asset_count';

export const brandImplementations = {
  list: implement(brands.list, {
    run: (ws, input) => {
      const w = new Where().maybe(input.keyword, `b.name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return pageQuery<Brand, Brand>(ws, { select: BRAND_SELECT, from: `FROM brands b ${w.sql}`, order: 'b.name, b.brand_id', params: w.params }, input, (r) => r);
    },
  }),
  get: implement(brands.get, {
    run: (ws, input) => {
      const b = ws.db.prepare(`SELECT ${BRAND_SELECT} FROM brands b WHERE b.brand_id = ?`).get(input.brand_id) as Brand | undefined;
      if (!b) throw notFound('brand', input.brand_id, WHERE.brand);
      return {
        ...b,
        platforms: ws.db.prepare('SELECT platform, COUNT(*) AS posts, SUM(views) AS views FROM brand_assets WHERE brand_id = ? GROUP BY platform ORDER BY platform').all(input.brand_id) as {
          platform: string;
          posts: number;
          views: number;
        }[],
        recent: ws.db
          .prepare('SELECT asset_id, creator_id, platform, title, url, views, posted_at FROM brand_assets WHERE brand_id = ? ORDER BY posted_at DESC, asset_id LIMIT 10')
          .all(input.brand_id) as never[],
      };
    },
  }),
} satisfies Implemented<typeof brands>;

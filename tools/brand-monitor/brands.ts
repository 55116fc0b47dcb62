// Brand monitor (minimal): the monitored brands, for brand_id values of brand-monitor exports.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { pageInput, paged, searchText, idString } from '../shared.js';

export const brand = z.object({ brand_id: z.string(), name: z.string(), website: z.string(), category: z.string(), asset_count: z.int() });

export const brands = {
  list: defineContract({
    name: 'brand_monitor.list',
    title: 'List monitored brands',
    description: 'Brands tracked by brand monitor, with how many creator posts mention each; gives brand_id for brand_monitor exports.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/brand-monitor/brands' },
    input: z.strictObject({ keyword: searchText(200).optional().describe('Matches the brand name.'), ...pageInput }),
    output: paged(brand),
  }),
  get: defineContract({
    name: 'brand_monitor.get',
    title: 'Get a monitored brand',
    description: 'One brand: post counts and views per platform and its 10 most recent creator posts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/brand-monitor/brands/:brand_id' },
    input: z.strictObject({ brand_id: idString() }),
    output: brand.extend({
      platforms: z.array(z.object({ platform: z.string(), posts: z.int(), views: z.int() })),
      recent: z.array(z.object({ asset_id: z.string(), creator_id: z.string().nullable(), platform: z.string(), title: z.string(), url: z.string(), views: z.int(), posted_at: z.string() })),
    }),
  }),
};

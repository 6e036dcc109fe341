import { visitInputOf, type VisitFields } from '../attribution';
import { classify, type Classification } from '../classify';
import type { InsertOptions } from './settings';

/** The fields the insert function adds (docs/attribution.md §1, without the landing page and signal). */
export type InsertedClassification = Pick<
  Classification,
  | 'channel'
  | 'source'
  | 'medium'
  | 'campaign'
  | 'term'
  | 'content'
  | 'click_id'
  | 'search_term'
  | 'referrer_host'
  | 'internal'
>;

/**
 * The event with its traffic-source classification at the target field (default `context.touchpoint`),
 * so every destination behind the insert function receives the same channel, source, medium, campaign
 * and click id. Events that are no visit (identify, group, ...; track and screen without `context.page`)
 * come back unchanged, as the same object. The input is never mutated: Segment may hold on to it.
 */
export function classifyEventForInsert(event: unknown, options: InsertOptions): unknown {
  if (!isRecord(event)) return event;
  const input = visitInputOf(visitFieldsOf(event));
  if (input === null) return event;
  const c = classify(input, options.classifier);
  const inserted: InsertedClassification = {
    channel: c.channel,
    source: c.source,
    medium: c.medium,
    campaign: c.campaign,
    term: c.term,
    content: c.content,
    click_id: c.click_id,
    search_term: c.search_term,
    referrer_host: c.referrer_host,
    internal: c.internal,
  };
  return withValueAt(event, options.targetPath, inserted);
}

/** Only well-typed fields reach the classifier: a raw event may carry anything. */
function visitFieldsOf(event: Record<string, unknown>): VisitFields {
  const context = isRecord(event.context) ? event.context : {};
  const page = isRecord(context.page) ? context.page : null;
  const campaign = isRecord(context.campaign) ? context.campaign : null;
  return {
    type: typeof event.type === 'string' ? event.type : '',
    context: {
      page: page ? { url: stringOrNull(page.url), referrer: stringOrNull(page.referrer) } : null,
      campaign: campaign
        ? {
            name: stringOrNull(campaign.name),
            source: stringOrNull(campaign.source),
            medium: stringOrNull(campaign.medium),
            term: stringOrNull(campaign.term),
            content: stringOrNull(campaign.content),
          }
        : null,
    },
    properties: isRecord(event.properties) ? event.properties : null,
  };
}

/** A copy of `target` with `value` at `path`, copying each object on the way (never mutating). */
function withValueAt(
  target: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return target;
  const child = target[head];
  return {
    ...target,
    [head]: rest.length === 0 ? value : withValueAt(isRecord(child) ? child : {}, rest, value),
  };
}

/** A plain object; local, so the insert bundle does not pull in the message schemas. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

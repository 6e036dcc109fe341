import {
  GetRecommendationsCommand,
  type PersonalizeRuntimeClient,
} from '@aws-sdk/client-personalize-runtime';
import type { Traits } from '../attribution';
import { describeError, RetryableError } from '../errors';
import type { SegmentMessage } from '../events';
import { isUserKey, rawId, type Profile } from '../identity';
import type { Logger } from '../log';
import type {
  AttributionStore,
  CachedRecommendations,
  ProfileEnricher,
  ProfileState,
} from '../pipeline/ports';
import { ConfigurationBreaker, classifyError } from './errors';
import { eventNameOf, itemIdsOf, valueAt, type MappingOptions } from './mapping';

/** Trait names besides the configurable list name (all covered by the loop guard's `recommendation` prefix). */
export const UPDATED_AT_TRAIT = 'recommendations_updated_at';
export const RECOMMENDATION_ID_TRAIT = 'recommendation_id';

/** GetRecommendations limits. */
export const RECOMMENDATION_LIMITS = Object.freeze({
  userId: 256,
  numResults: 500,
  filterValues: 25,
  filterKey: 50,
  filterValue: 1000,
  contextEntries: 150,
  contextKey: 150,
  contextValue: 1000,
});

export interface Recommendations {
  items: string[];
  recommendationId: string | null;
}

export interface RecommendationRequest {
  profile: Profile;
  /** the id Personalize knows the visitor by: the userId, or the anonymousId before login */
  userId: string;
  /** the newest trigger message (filter values and context are read from it) */
  message: SegmentMessage;
  /** for a related-items list: the item of the trigger message */
  itemId?: string;
  timeoutMs: number;
}

/** Where recommendations come from: Amazon Personalize, or the local fallback. */
export interface RecommendationSource {
  /** stored as CachedRecommendations.origin: `personalize` or `local-fallback` */
  readonly origin: string;
  /** sees every message of an affected profile before `recommend` (the local fallback learns from them) */
  observe?(messages: readonly SegmentMessage[]): Promise<void>;
  /** null: nothing to offer now (permanent problem already logged); throws RetryableError when transient */
  recommend(request: RecommendationRequest): Promise<Recommendations | null>;
}

/**
 * Which cached list an enricher fills, and its traits: the user's list (`recommended_products`,
 * `recommendation_id`, `recommendations_updated_at`), or a related-items list asked for with the item of
 * the trigger event (`recommended_related_products` and `<name>_item_id` / `_updated_at` /
 * `_recommendation_id`).
 */
export type RecommendationList = 'user' | 'related';

export interface RecommendationEnricherOptions {
  source: RecommendationSource;
  store: AttributionStore;
  /** message names that refresh: `identify` or a track event name */
  triggers: readonly string[];
  refreshMs: number;
  recommendAnonymous: boolean;
  traitName: string;
  clock: () => Date;
  log: Logger;
  /** default `user` */
  list?: RecommendationList;
  /** item id paths (PERSONALIZE_ITEM_ID_PATHS) of a related-items list's trigger */
  mapping?: MappingOptions;
}

/**
 * Fills the recommendation traits. It calls the source only when a batch holds a trigger event for the
 * profile AND the cached list is older than the refresh interval; otherwise it returns the cached traits,
 * which the pipeline's diff turns into no write at all. `recommendations_updated_at` and
 * `recommendation_id` change only when the list itself changes, so a refresh returning the same list
 * writes nothing.
 */
export class RecommendationEnricher implements ProfileEnricher {
  constructor(private readonly options: RecommendationEnricherOptions) {}

  /** The source learns from every affected profile's messages before the first list is asked for. */
  async observe(
    profiles: ReadonlyArray<{ profile: Profile; messages: readonly SegmentMessage[] }>,
  ): Promise<void> {
    const { source } = this.options;
    if (source.observe) await source.observe(profiles.flatMap(({ messages }) => messages));
  }

  async traitsFor(input: {
    profile: Profile;
    messages: readonly SegmentMessage[];
    state: ProfileState | null;
    timeoutMs: number;
  }): Promise<Traits> {
    const { source, store, triggers, refreshMs, recommendAnonymous, clock } = this.options;
    const { profile, messages, state } = input;
    if (!recommendAnonymous && !isUserKey(profile.target)) return {};
    const related = this.options.list === 'related';
    const cached = (related ? state?.relatedRecommendations : state?.recommendations) ?? null;
    const trigger = [...messages].reverse().find((message) => triggers.includes(eventNameOf(message)));
    const itemId =
      related && trigger && this.options.mapping ? itemIdsOf(trigger, this.options.mapping)[0] : undefined;
    const now = clock();
    const due =
      trigger !== undefined &&
      (!related || itemId !== undefined) &&
      (cached === null ||
        cached.origin !== source.origin ||
        now.getTime() - Date.parse(cached.fetchedAt) >= refreshMs);
    if (!due) return cached ? this.traitsOf(cached, state) : {};

    const userId = rawId(profile.target);
    if (userId.length > RECOMMENDATION_LIMITS.userId) return cached ? this.traitsOf(cached, state) : {};
    const result = await source.recommend({
      profile,
      userId,
      message: trigger,
      ...(itemId === undefined ? {} : { itemId }),
      timeoutMs: input.timeoutMs,
    });
    if (result === null) return cached ? this.traitsOf(cached, state) : {};
    const fresh: CachedRecommendations = {
      items: result.items,
      recommendationId: result.recommendationId,
      fetchedAt: now.toISOString(),
      origin: source.origin,
      ...(itemId === undefined ? {} : { itemId }),
    };
    if (related) await store.saveRelatedRecommendations(profile.target, fresh);
    else await store.saveRecommendations(profile.target, fresh);
    return this.traitsOf(fresh, state);
  }

  /** The trait names of this enricher's list. */
  private traitNames(): { list: string; updatedAt: string; recommendationId: string; itemId: string | null } {
    const list = this.options.traitName;
    return this.options.list === 'related'
      ? {
          list,
          updatedAt: `${list}_updated_at`,
          recommendationId: `${list}_recommendation_id`,
          itemId: `${list}_item_id`,
        }
      : { list, updatedAt: UPDATED_AT_TRAIT, recommendationId: RECOMMENDATION_ID_TRAIT, itemId: null };
  }

  /** The traits for a cached list; the written ones when the list is the one already written. */
  private traitsOf(cached: CachedRecommendations, state: ProfileState | null): Traits {
    const names = this.traitNames();
    const written = state?.writtenTraits ?? null;
    const writtenList = written?.[names.list];
    const itemTrait = (value: Traits[string] | undefined): Traits =>
      names.itemId ? { [names.itemId]: value ?? cached.itemId ?? null } : {};
    if (Array.isArray(writtenList) && sameList(writtenList, cached.items)) {
      return {
        [names.list]: writtenList,
        [names.updatedAt]: written?.[names.updatedAt] ?? cached.fetchedAt,
        [names.recommendationId]: written?.[names.recommendationId] ?? cached.recommendationId,
        ...itemTrait(names.itemId ? written?.[names.itemId] : undefined),
      };
    }
    if (cached.items.length === 0 && !Array.isArray(writtenList)) return {};
    return {
      [names.list]: cached.items,
      [names.updatedAt]: cached.fetchedAt,
      [names.recommendationId]: cached.recommendationId,
      ...itemTrait(undefined),
    };
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

export interface PersonalizeRecommendationOptions {
  client: PersonalizeRuntimeClient;
  /** exactly one of campaignArn / recommenderArn */
  campaignArn: string | null;
  recommenderArn: string | null;
  numResults: number;
  filterArn: string | null;
  /** filter placeholder -> dotted path in the trigger message, e.g. CATEGORY=properties.category */
  filterValues: Readonly<Record<string, string>>;
  /** context key -> dotted path in the trigger message, e.g. DEVICE=context.device.type */
  context: Readonly<Record<string, string>>;
  log: Logger;
  configurationPauseMs?: number;
  /** the variables that name this campaign or recommender, for the configuration error's advice */
  variables?: string;
}

/** GetRecommendations from a campaign or a recommender. */
export class PersonalizeRecommendationSource implements RecommendationSource {
  readonly origin = 'personalize';
  private readonly breaker: ConfigurationBreaker;

  constructor(private readonly options: PersonalizeRecommendationOptions) {
    this.breaker = new ConfigurationBreaker(options.configurationPauseMs ?? 60_000);
  }

  async recommend(request: RecommendationRequest): Promise<Recommendations | null> {
    const { client, campaignArn, recommenderArn, numResults, filterArn, log } = this.options;
    if (this.breaker.openReason()) return null;
    if (request.timeoutMs <= 0)
      throw new RetryableError('no time left in the invocation budget for GetRecommendations', {
        service: 'personalize',
      });
    const filterValues = filterArn ? this.resolve(request.message, this.options.filterValues, true) : {};
    const context = this.resolve(request.message, this.options.context, false);
    try {
      const response = await client.send(
        new GetRecommendationsCommand({
          ...(campaignArn ? { campaignArn } : { recommenderArn: recommenderArn ?? undefined }),
          userId: request.userId,
          ...(request.itemId === undefined ? {} : { itemId: request.itemId }),
          numResults: Math.min(Math.max(1, Math.floor(numResults)), RECOMMENDATION_LIMITS.numResults),
          ...(filterArn ? { filterArn } : {}),
          ...(Object.keys(filterValues).length > 0 ? { filterValues } : {}),
          ...(Object.keys(context).length > 0 ? { context } : {}),
        }),
        { abortSignal: AbortSignal.timeout(request.timeoutMs) },
      );
      const items = (response.itemList ?? [])
        .map((item) => item.itemId)
        .filter((itemId): itemId is string => typeof itemId === 'string' && itemId !== '');
      return { items, recommendationId: response.recommendationId ?? null };
    } catch (error) {
      const action = classifyError(error);
      const reason = describeError(error);
      if (action === 'retry') {
        log.warn('personalize_get_recommendations_failed', { reason });
        throw new RetryableError(`Personalize GetRecommendations failed transiently: ${reason}`, {
          cause: error,
          service: 'personalize',
        });
      }
      if (action === 'configuration') {
        log.error('personalize_configuration_error', {
          operation: 'GetRecommendations',
          reason: `${reason} (check ${this.options.variables ?? 'PERSONALIZE_CAMPAIGN_ARN / PERSONALIZE_RECOMMENDER_ARN'}, PERSONALIZE_FILTER_ARN, region, IAM personalize:GetRecommendations)`,
        });
        this.breaker.trip(reason);
        return null;
      }
      // InvalidInput: this request cannot succeed (e.g. a filter value); keep the cached list, no retry.
      log.warn('personalize_recommendation_rejected', { reason });
      return null;
    }
  }

  /**
   * Reads key -> path pairs from the message, within the API limits. Filter values are strings in
   * double quotes (Personalize's expression syntax); entries that are absent or too long are left out.
   */
  private resolve(
    message: SegmentMessage,
    paths: Readonly<Record<string, string>>,
    quote: boolean,
  ): Record<string, string> {
    const limits = quote
      ? {
          entries: RECOMMENDATION_LIMITS.filterValues,
          key: RECOMMENDATION_LIMITS.filterKey,
          value: RECOMMENDATION_LIMITS.filterValue,
        }
      : {
          entries: RECOMMENDATION_LIMITS.contextEntries,
          key: RECOMMENDATION_LIMITS.contextKey,
          value: RECOMMENDATION_LIMITS.contextValue,
        };
    const result: Record<string, string> = {};
    for (const [key, path] of Object.entries(paths).slice(0, limits.entries)) {
      const raw = valueAt(message, path);
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') continue;
      const text = String(raw);
      const value = quote && typeof raw === 'string' ? `"${text.replace(/"/g, '\\"')}"` : text;
      if (key.length === 0 || key.length > limits.key || value.length === 0 || value.length > limits.value)
        continue;
      result[key] = value;
    }
    return result;
  }
}

import { z } from 'zod';
import type { AttributionOptions, TraitPreset } from '../attribution';
import { TRAIT_PRESETS } from '../attribution';
import type { ClassifierOptions } from '../classify';
import { ConfigurationError } from '../errors';
import { LOG_LEVELS, type LogLevel } from '../log';

/**
 * The only module that reads `process.env`. Every setting is validated once at startup and handed down
 * as a frozen, typed object; a bad value fails fast naming the variable and what it is for.
 * The README's configuration table lists the same variables, defaults and meanings.
 */

export type StoreLocation =
  { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'dynamodb'; table: string };

export interface Config {
  store: StoreLocation;
  segment: {
    /** absent: traits go to the local outbox file instead of Segment */
    writeKey: string | null;
    /** SSM SecureString parameter holding the write key; resolved at startup by src/config/secrets.ts */
    writeKeyParameter: string | null;
    host: string;
    outboxPath: string;
  };
  traitPreset: TraitPreset;
  aws: {
    /** AWS_REGION (or AWS_DEFAULT_REGION): where SSM and Personalize live */
    region: string | null;
    /** AWS_ENDPOINT_URL_SSM: an SSM endpoint override (tests, VPC endpoints) */
    ssmEndpoint: string | null;
  };
  attribution: AttributionOptions;
  classifier: ClassifierOptions;
  /** internal deadline per invocation, inside Segment's 5 s budget */
  deadlineMs: number;
  logLevel: LogLevel;
  personalize: PersonalizeConfig;
}

/** Amazon Personalize (src/personalize). Tracking and recommendations are each on when their ids are set. */
export interface PersonalizeConfig {
  /** event tracker id: set -> events are sent with PutEvents */
  trackingId: string | null;
  /** at most one of campaignArn / recommenderArn: set -> recommendations come from Personalize */
  campaignArn: string | null;
  recommenderArn: string | null;
  filterArn: string | null;
  /** filter placeholder -> dotted path in the trigger message */
  filterValues: Record<string, string>;
  /** GetRecommendations context key -> dotted path in the trigger message */
  context: Record<string, string>;
  /** from AWS_REGION / AWS_DEFAULT_REGION; required when Personalize is used */
  region: string | null;
  /** Segment event name (or `identify`) -> Personalize event type; other events are not sent */
  eventTypes: Record<string, string>;
  itemIdPaths: string[];
  /** property names passed in `properties`; null: every scalar property not mapped elsewhere */
  eventProperties: string[] | null;
  numResults: number;
  /** message names that refresh recommendations (`identify` or a track event name) */
  triggers: string[];
  refreshMinutes: number;
  recommendAnonymous: boolean;
  traitName: string;
}

/** Defaults, stated once. */
export const DEFAULTS = Object.freeze({
  store: 'sqlite:./.touchpoint/touchpoint.db',
  segmentHost: 'https://api.segment.io',
  outboxPath: './.touchpoint/outbox.jsonl',
  traitPreset: 'touchpoint' as TraitPreset,
  lookbackDays: 90,
  sessionTimeoutMinutes: 30,
  deadlineMs: 4000,
  logLevel: 'info' as LogLevel,
});

/** Every variable touchpoint reads, with what it is for (used in error messages and `touchpoint config`). */
export const VARIABLES = {
  TOUCHPOINT_STORE: 'where state lives: sqlite:<path>, memory, or dynamodb:<table>',
  SEGMENT_WRITE_KEY: 'write key of the Segment source that receives the trait identify calls',
  SEGMENT_WRITE_KEY_PARAMETER:
    'name of an SSM SecureString parameter holding the write key (used when SEGMENT_WRITE_KEY is unset)',
  SEGMENT_HOST: 'Segment tracking API host (EU: https://events.eu1.segmentapis.com)',
  TOUCHPOINT_OUTBOX: 'JSONL file that receives identify calls when no write key is set',
  TOUCHPOINT_TRAIT_PRESET: `trait names: ${TRAIT_PRESETS.join(', ')}`,
  TOUCHPOINT_LOOKBACK_DAYS: 'last-touch lookback window in days',
  TOUCHPOINT_SESSION_TIMEOUT_MINUTES:
    'inactivity that starts a new session (Direct touches, repeat collapsing)',
  TOUCHPOINT_OWN_DOMAINS: 'comma-separated domains that count as internal referrers (sister sites, checkout)',
  TOUCHPOINT_UNWANTED_REFERRERS: 'comma-separated referrer hosts that never make a touch (payment, sign-in)',
  TOUCHPOINT_SOURCE_ALIASES: 'comma-separated alias=source pairs, e.g. fb=facebook,ig=instagram',
  TOUCHPOINT_CLICK_IDS: 'comma-separated param=source/medium pairs, e.g. obclid=outbrain/cpc',
  TOUCHPOINT_DEADLINE_MS: 'internal time budget per invocation in ms (Segment allows 5000)',
  TOUCHPOINT_LOG_LEVEL: `log level: ${LOG_LEVELS.join(', ')}`,
  PERSONALIZE_TRACKING_ID: 'Amazon Personalize event tracker id; set to send tracked events with PutEvents',
  PERSONALIZE_CAMPAIGN_ARN:
    'Personalize campaign ARN for recommendations (or PERSONALIZE_RECOMMENDER_ARN, not both)',
  PERSONALIZE_RECOMMENDER_ARN:
    'Personalize recommender ARN for recommendations (or PERSONALIZE_CAMPAIGN_ARN, not both)',
  PERSONALIZE_FILTER_ARN: 'Personalize filter ARN applied to recommendations',
  PERSONALIZE_FILTER_VALUES:
    'comma-separated PLACEHOLDER=path pairs read from the trigger event, e.g. CATEGORY=properties.category',
  PERSONALIZE_CONTEXT:
    'comma-separated KEY=path pairs sent as recommendation context, e.g. DEVICE=context.device.type',
  PERSONALIZE_EVENT_TYPES:
    'comma-separated Segment event=Personalize event type pairs; only these events are sent',
  PERSONALIZE_ITEM_ID_PATHS: 'comma-separated paths tried in order for the item id',
  PERSONALIZE_EVENT_PROPERTIES:
    'comma-separated property names sent as event properties (default: all scalar leftovers)',
  PERSONALIZE_NUM_RESULTS: 'number of recommended items (1-500)',
  PERSONALIZE_RECOMMENDATION_TRIGGERS:
    'comma-separated events that refresh recommendations (identify or track names)',
  PERSONALIZE_REFRESH_MINUTES: 'minimum minutes between two recommendation refreshes of one profile',
  PERSONALIZE_RECOMMEND_ANONYMOUS: 'true/false: recommend for visitors not yet identified (by anonymousId)',
  PERSONALIZE_TRAIT_NAME: 'trait that receives the recommended item ids (must start with recommended_)',
  AWS_REGION: 'AWS region of the Personalize resources (AWS_DEFAULT_REGION also works)',
} as const;

type Env = Record<string, string | undefined>;

const list = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean),
  );

const pairs = (separator: string) =>
  list.transform((items, ctx) => {
    const result: Record<string, string> = {};
    for (const item of items) {
      const [key, value, ...rest] = item.split(separator);
      if (!key || !value || rest.length > 0) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not key${separator}value` });
        return z.NEVER;
      }
      result[key.trim()] = value.trim();
    }
    return result;
  });

const positiveNumber = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const number = Number(value);
      if (!Number.isFinite(number) || number <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a positive number` });
        return z.NEVER;
      }
      return number;
    });

/** Personalize defaults, stated once. */
export const PERSONALIZE_DEFAULTS = Object.freeze({
  eventTypes: 'Product Viewed=View,Product Added=AddToCart,Order Completed=Purchase,Product Clicked=Click',
  itemIdPaths: 'properties.product_id,properties.sku',
  numResults: 10,
  triggers: 'identify,Product Added,Order Completed',
  refreshMinutes: 15,
  recommendAnonymous: true,
  traitName: 'recommended_products',
});

/** A case-preserving comma list (event names and paths are case-sensitive). */
const exactList = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value) =>
      (value?.trim() ? value : fallback)
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );

const exactPairs = (fallback: string) =>
  exactList(fallback).transform((items, ctx) => {
    const result: Record<string, string> = {};
    for (const item of items) {
      const at = item.indexOf('=');
      const key = item.slice(0, at).trim();
      const value = item.slice(at + 1).trim();
      if (at < 0 || !key || !value) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not key=value` });
        return z.NEVER;
      }
      result[key] = value;
    }
    return result;
  });

const optionalText = z
  .string()
  .optional()
  .transform((value) => value?.trim() || null);

const personalizeArn = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const arn = value?.trim() || null;
    if (arn !== null && !/^arn:aws[a-z-]*:personalize:[a-z0-9-]+:\d{12}:\S+$/.test(arn)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${arn}" is not a Personalize ARN (arn:aws:personalize:<region>:<account>:...)`,
      });
      return z.NEVER;
    }
    return arn;
  });

const personalizeEnv = {
  PERSONALIZE_TRACKING_ID: optionalText.pipe(z.string().max(256).nullable()),
  PERSONALIZE_CAMPAIGN_ARN: personalizeArn,
  PERSONALIZE_RECOMMENDER_ARN: personalizeArn,
  PERSONALIZE_FILTER_ARN: personalizeArn,
  PERSONALIZE_FILTER_VALUES: exactPairs(''),
  PERSONALIZE_CONTEXT: exactPairs(''),
  PERSONALIZE_EVENT_TYPES: exactPairs(PERSONALIZE_DEFAULTS.eventTypes).refine(
    (pairs) => Object.values(pairs).every((type) => type.length <= 256),
    'event types are at most 256 characters',
  ),
  PERSONALIZE_ITEM_ID_PATHS: exactList(PERSONALIZE_DEFAULTS.itemIdPaths).refine(
    (paths) => paths.length > 0,
    'needs at least one path',
  ),
  PERSONALIZE_EVENT_PROPERTIES: exactList('*').transform((names) => (names.includes('*') ? null : names)),
  PERSONALIZE_NUM_RESULTS: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? Number(value) : PERSONALIZE_DEFAULTS.numResults))
    .pipe(z.number().int('must be a whole number').min(1).max(500)),
  PERSONALIZE_RECOMMENDATION_TRIGGERS: exactList(PERSONALIZE_DEFAULTS.triggers),
  PERSONALIZE_REFRESH_MINUTES: positiveNumber(PERSONALIZE_DEFAULTS.refreshMinutes),
  PERSONALIZE_RECOMMEND_ANONYMOUS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const text = value?.trim().toLowerCase() ?? '';
      if (text === '') return PERSONALIZE_DEFAULTS.recommendAnonymous;
      if (['true', '1', 'yes', 'on'].includes(text)) return true;
      if (['false', '0', 'no', 'off'].includes(text)) return false;
      ctx.addIssue({ code: 'custom', message: `"${value}" is not true or false` });
      return z.NEVER;
    }),
  // The loop guard recognises touchpoint's own write-backs by the `recommended_` prefix.
  PERSONALIZE_TRAIT_NAME: z
    .string()
    .optional()
    .transform((value) => value?.trim() || PERSONALIZE_DEFAULTS.traitName)
    .pipe(
      z.string().regex(/^recommended_[A-Za-z0-9_]+$/, 'must start with recommended_ (letters, digits, _)'),
    ),
  AWS_REGION: optionalText,
  AWS_DEFAULT_REGION: optionalText,
};

/** Cross-variable rules, failing fast with the variable to fix. */
function personalizeConfig(e: z.output<z.ZodObject<typeof personalizeEnv>>): PersonalizeConfig {
  const problems: string[] = [];
  if (e.PERSONALIZE_CAMPAIGN_ARN && e.PERSONALIZE_RECOMMENDER_ARN) {
    problems.push(
      'PERSONALIZE_RECOMMENDER_ARN: set either PERSONALIZE_CAMPAIGN_ARN or PERSONALIZE_RECOMMENDER_ARN, not both',
    );
  }
  const region = e.AWS_REGION ?? e.AWS_DEFAULT_REGION;
  const used = e.PERSONALIZE_TRACKING_ID || e.PERSONALIZE_CAMPAIGN_ARN || e.PERSONALIZE_RECOMMENDER_ARN;
  if (used && !region)
    problems.push(`AWS_REGION: required when Personalize is configured (${VARIABLES.AWS_REGION})`);
  if (problems.length > 0) throw new ConfigurationError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return {
    trackingId: e.PERSONALIZE_TRACKING_ID,
    campaignArn: e.PERSONALIZE_CAMPAIGN_ARN,
    recommenderArn: e.PERSONALIZE_RECOMMENDER_ARN,
    filterArn: e.PERSONALIZE_FILTER_ARN,
    filterValues: e.PERSONALIZE_FILTER_VALUES,
    context: e.PERSONALIZE_CONTEXT,
    region,
    eventTypes: e.PERSONALIZE_EVENT_TYPES,
    itemIdPaths: e.PERSONALIZE_ITEM_ID_PATHS,
    eventProperties: e.PERSONALIZE_EVENT_PROPERTIES,
    numResults: e.PERSONALIZE_NUM_RESULTS,
    triggers: e.PERSONALIZE_RECOMMENDATION_TRIGGERS,
    refreshMinutes: e.PERSONALIZE_REFRESH_MINUTES,
    recommendAnonymous: e.PERSONALIZE_RECOMMEND_ANONYMOUS,
    traitName: e.PERSONALIZE_TRAIT_NAME,
  };
}

const envSchema = z.object({
  AWS_ENDPOINT_URL_SSM: optionalText,
  TOUCHPOINT_STORE: z
    .string()
    .optional()
    .transform((value, ctx): StoreLocation => {
      const spec = value?.trim() || DEFAULTS.store;
      if (spec === 'memory') return { kind: 'memory' };
      const [kind, ...rest] = spec.split(':');
      const target = rest.join(':');
      if (kind === 'sqlite' && target) return { kind: 'sqlite', path: target };
      if (kind === 'dynamodb' && target) return { kind: 'dynamodb', table: target };
      ctx.addIssue({ code: 'custom', message: `"${spec}" is not sqlite:<path>, memory or dynamodb:<table>` });
      return z.NEVER;
    }),
  SEGMENT_WRITE_KEY: z
    .string()
    .optional()
    .transform((value) => value?.trim() || null),
  SEGMENT_WRITE_KEY_PARAMETER: z
    .string()
    .optional()
    .transform((value) => value?.trim() || null),
  SEGMENT_HOST: z
    .string()
    .optional()
    .transform((value) => value?.trim() || DEFAULTS.segmentHost)
    .pipe(z.url({ message: 'must be a URL such as https://api.segment.io' }))
    .transform((value) => value.replace(/\/+$/, '')),
  TOUCHPOINT_OUTBOX: z
    .string()
    .optional()
    .transform((value) => value?.trim() || DEFAULTS.outboxPath),
  TOUCHPOINT_TRAIT_PRESET: z
    .string()
    .optional()
    .transform((value) => value?.trim() || DEFAULTS.traitPreset)
    .pipe(z.enum(TRAIT_PRESETS as [TraitPreset, ...TraitPreset[]])),
  TOUCHPOINT_LOOKBACK_DAYS: positiveNumber(DEFAULTS.lookbackDays),
  TOUCHPOINT_SESSION_TIMEOUT_MINUTES: positiveNumber(DEFAULTS.sessionTimeoutMinutes),
  TOUCHPOINT_OWN_DOMAINS: list,
  TOUCHPOINT_UNWANTED_REFERRERS: list,
  TOUCHPOINT_SOURCE_ALIASES: pairs('='),
  TOUCHPOINT_CLICK_IDS: pairs('=').transform((items, ctx) => {
    const result: Record<string, { source: string; medium: string }> = {};
    for (const [param, sourceMedium] of Object.entries(items)) {
      const [source, medium] = sourceMedium.split('/');
      if (!source || !medium) {
        ctx.addIssue({ code: 'custom', message: `"${param}=${sourceMedium}" is not param=source/medium` });
        return z.NEVER;
      }
      result[param] = { source, medium };
    }
    return result;
  }),
  TOUCHPOINT_DEADLINE_MS: positiveNumber(DEFAULTS.deadlineMs),
  TOUCHPOINT_LOG_LEVEL: z
    .string()
    .optional()
    .transform((value) => value?.trim().toLowerCase() || DEFAULTS.logLevel)
    .pipe(z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]])),
  ...personalizeEnv,
});

/**
 * Reads and validates the configuration from `env` (process.env by default).
 * @throws ConfigurationError naming every bad variable and what it is for
 */
export function loadConfig(env: Env = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const purpose = VARIABLES[name as keyof typeof VARIABLES];
      return `${name}: ${issue.message}${purpose ? ` (${purpose})` : ''}`;
    });
    throw new ConfigurationError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const personalize = personalizeConfig(e);
  return deepFreeze({
    store: e.TOUCHPOINT_STORE,
    segment: {
      writeKey: e.SEGMENT_WRITE_KEY,
      writeKeyParameter: e.SEGMENT_WRITE_KEY_PARAMETER,
      host: e.SEGMENT_HOST,
      outboxPath: e.TOUCHPOINT_OUTBOX,
    },
    traitPreset: e.TOUCHPOINT_TRAIT_PRESET,
    aws: { region: e.AWS_REGION ?? e.AWS_DEFAULT_REGION, ssmEndpoint: e.AWS_ENDPOINT_URL_SSM },
    attribution: {
      lookbackDays: e.TOUCHPOINT_LOOKBACK_DAYS,
      sessionTimeoutMinutes: e.TOUCHPOINT_SESSION_TIMEOUT_MINUTES,
    },
    classifier: {
      ownDomains: e.TOUCHPOINT_OWN_DOMAINS,
      unwantedReferrers: e.TOUCHPOINT_UNWANTED_REFERRERS,
      sourceAliases: e.TOUCHPOINT_SOURCE_ALIASES,
      clickIds: e.TOUCHPOINT_CLICK_IDS,
    },
    deadlineMs: e.TOUCHPOINT_DEADLINE_MS,
    logLevel: e.TOUCHPOINT_LOG_LEVEL,
    personalize,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

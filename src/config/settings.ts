import { z } from 'zod';
import { DEFAULT_URL_PARAMETERS, TRAIT_PRESETS } from '../attribution';
import type { ClassifierOptions } from '../classify';
import { LOG_LEVELS } from '../log';
import {
  baseUrl,
  exactList,
  exactPairs,
  flag,
  isoInstant,
  lowercaseList,
  lowercasePairs,
  oneOf,
  optionalText,
  personalizeArn,
  positiveNumber,
  storeLocation,
  text,
  wholeNumber,
} from './parsers';

/** Which table of the README's "## Configuration" section lists a setting (./readme.ts renders them). */
export type SettingGroup = 'core' | 'personalize' | 'aws' | 'http' | 'conversions';

/**
 * One environment variable, declared once: the Config type, the loader, the defaults, the error
 * messages and the README tables are all derived from these entries, so none of them can drift from
 * another. Descriptions may use `code` spans; error messages print them without the backticks.
 */
export interface SettingSpec {
  /** README table the variable is listed in */
  readonly group: SettingGroup;
  /** dotted Config paths that receive the parsed value (more than one when several parts need it) */
  readonly at: readonly string[];
  /** reads the variable's text: the default's text when it is unset or blank, `undefined` without a default */
  readonly parse: z.ZodType<unknown, string | undefined>;
  /** the value as one would write it in the environment, typed for numbers and flags */
  readonly default?: string | number | boolean;
  /** other names read, in order, when this one is unset or blank */
  readonly aliases?: readonly string[];
  /** one line: what the variable is for (error messages and the README) */
  readonly description: string;
  /** more for the README's meaning column only */
  readonly details?: string;
}

/**
 * PutEvents `properties` sent by default: product fields that say nothing about the person (an email or
 * phone number in `properties` never reaches Personalize unless `*` or its name is configured).
 */
export const DEFAULT_EVENT_PROPERTIES = [
  'name',
  'category',
  'brand',
  'variant',
  'color',
  'size',
  'price',
  'currency',
  'quantity',
  'coupon',
  'position',
] as const;

/** Trait names that identify a person; PERSONALIZE_USER_TRAITS refuses them (lower case, no separators). */
const IDENTIFYING_TRAITS = new Set([
  'email',
  'phone',
  'name',
  'firstname',
  'lastname',
  'username',
  'address',
  'street',
  'postalcode',
  'zip',
  'ip',
  'birthday',
  'dateofbirth',
  'ssn',
  'avatar',
]);

function isIdentifyingTrait(name: string): boolean {
  return IDENTIFYING_TRAITS.has(name.toLowerCase().replace(/[^a-z]/g, ''));
}

const codeList = (names: readonly string[]) => names.map((name) => `\`${name}\``).join(', ');

/** A trait name as Segment and warehouses take it: a letter, then letters, digits and `_`. */
const traitName = text.pipe(
  z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'must be a letter, then letters, digits or _'),
);

/** Every variable touchpoint reads. Table order is README order within each group. */
export const SETTINGS = {
  TOUCHPOINT_STORE: {
    group: 'core',
    at: ['store'],
    parse: storeLocation,
    default: 'sqlite:./.touchpoint/touchpoint.db',
    description:
      'where state lives: `sqlite:<path>`, `memory`, or `dynamodb:<table>`; the Lambda bundles take `dynamodb:<table>` or `memory` (they leave the SQLite store out: Lambda ships no better-sqlite3, and `sqlite:` there is a ConfigurationError saying so)',
  },
  SEGMENT_WRITE_KEY: {
    group: 'core',
    at: ['segment.writeKey'],
    parse: optionalText,
    description: 'write key of the Segment source that receives the trait `identify` calls',
    details: 'unset: the calls go to the outbox file',
  },
  SEGMENT_WRITE_KEY_PARAMETER: {
    group: 'core',
    at: ['segment.writeKeyParameter'],
    parse: optionalText,
    description:
      'name of an SSM SecureString parameter holding the write key (used when `SEGMENT_WRITE_KEY` is unset)',
    details: 'read once per container, in `AWS_REGION`; the SAM template sets it',
  },
  SEGMENT_HOST: {
    group: 'core',
    at: ['segment.host'],
    parse: baseUrl('https://api.segment.io'),
    default: 'https://api.segment.io',
    description: 'Segment tracking API host (EU workspaces: `https://events.eu1.segmentapis.com`)',
  },
  TOUCHPOINT_OUTBOX: {
    group: 'core',
    at: ['segment.outboxPath'],
    parse: text,
    default: './.touchpoint/outbox.jsonl',
    description: 'JSONL file that receives the `identify` calls when no write key is set',
  },
  TOUCHPOINT_TRAIT_PRESET: {
    group: 'core',
    at: ['traitPreset'],
    parse: oneOf(TRAIT_PRESETS),
    default: 'touchpoint',
    description: `trait names: ${codeList(TRAIT_PRESETS)}`,
    details:
      '`segment-attribution`: the `source_first_*` names of Segment\'s "Solving Marketing Attribution" series; `both`: both sets (see Traits written back)',
  },
  TOUCHPOINT_LOOKBACK_DAYS: {
    group: 'core',
    at: ['attribution.lookbackDays'],
    parse: positiveNumber,
    default: 90,
    description: 'last-touch lookback window in days',
    details: "measured back from the profile's newest event",
  },
  TOUCHPOINT_SESSION_TIMEOUT_MINUTES: {
    group: 'core',
    at: ['attribution.sessionTimeoutMinutes'],
    parse: positiveNumber,
    default: 30,
    description: 'inactivity in minutes that starts a new session (Direct touches, repeat collapsing)',
    details: 'a Direct visit is a touch only when it starts one',
  },
  TOUCHPOINT_OWN_DOMAINS: {
    group: 'core',
    at: ['classifier.ownDomains'],
    parse: lowercaseList,
    description:
      'comma-separated domains that count as internal referrers (sister sites, cross-domain checkout)',
    details: "in addition to the page's own registrable domain",
  },
  TOUCHPOINT_UNWANTED_REFERRERS: {
    group: 'core',
    at: ['classifier.unwantedReferrers'],
    parse: lowercaseList,
    description: 'comma-separated referrer hosts that never make a touch (payment, sign-in)',
    details: 'in addition to the built-in list',
  },
  TOUCHPOINT_SOURCE_ALIASES: {
    group: 'core',
    at: ['classifier.sourceAliases'],
    parse: lowercasePairs('='),
    description: 'comma-separated `alias=source` pairs, e.g. `fb=facebook,ig=instagram`',
  },
  TOUCHPOINT_CLICK_IDS: {
    group: 'core',
    at: ['classifier.clickIds'],
    parse: lowercasePairs('=').transform((items, ctx): ClassifierOptions['clickIds'] => {
      const result: Record<string, { source: string; medium: string }> = {};
      for (const [param, sourceMedium] of Object.entries(items)) {
        const [source, medium] = sourceMedium.split('/');
        if (!source || !medium) {
          ctx.addIssue({ code: 'custom', message: 'an item is not param=source/medium' });
          return z.NEVER;
        }
        result[param] = { source, medium };
      }
      return result;
    }),
    description:
      'comma-separated extra click-id parameters, `param=source/medium`, e.g. `obclid=outbrain/cpc`',
  },
  TOUCHPOINT_DEADLINE_MS: {
    group: 'core',
    at: ['deadlineMs'],
    parse: positiveNumber,
    default: 4000,
    description: 'internal time budget per invocation in ms (Segment allows 5000, cold start included)',
  },
  TOUCHPOINT_LOG_LEVEL: {
    group: 'core',
    at: ['logLevel'],
    parse: oneOf(LOG_LEVELS, { caseInsensitive: true }),
    default: 'info',
    description: `log level: ${codeList(LOG_LEVELS)}`,
  },
  TOUCHPOINT_EVENT_BUS: {
    group: 'core',
    at: ['eventBus'],
    parse: optionalText,
    description:
      "EventBridge bus name or ARN that receives an `Attribution Changed` event when a profile's first or last touch changes",
    details: 'in `AWS_REGION`; unset: no events are published',
  },
  TOUCHPOINT_EARLIEST_TIMESTAMP: {
    group: 'core',
    at: ['timestamps.earliest'],
    parse: isoInstant,
    default: '2000-01-01T00:00:00.000Z',
    description: 'events timed before this instant are dead-lettered (implausible)',
    details: 'ISO-8601; with the next setting, keeps every stored time in one fixed-width form',
  },
  TOUCHPOINT_FUTURE_TOLERANCE_HOURS: {
    group: 'core',
    at: ['timestamps.futureToleranceHours'],
    parse: positiveNumber,
    default: 24,
    description:
      "events timed more than this many hours after the message's `receivedAt` (else `sentAt`, else now) are dead-lettered",
    details: 'never more than this after now',
  },
  TOUCHPOINT_URL_PARAMETERS: {
    group: 'core',
    at: ['attribution.urlParameters'],
    parse: lowercaseList.transform((names) => (names.length > 0 ? names : DEFAULT_URL_PARAMETERS)),
    default: DEFAULT_URL_PARAMETERS.join(','),
    description:
      'comma-separated query parameters kept in the referrer and landing-page URLs written as traits; every other one is dropped',
    details:
      'default: the UTM and click-id parameters; the parameters of `TOUCHPOINT_CLICK_IDS` are kept too; fragments and user:password@ always go',
  },

  PERSONALIZE_TRACKING_ID: {
    group: 'personalize',
    at: ['personalize.trackingId'],
    parse: optionalText.pipe(z.string().max(256).nullable()),
    description: 'Amazon Personalize event tracker id; set: mapped events are sent with PutEvents',
  },
  PERSONALIZE_CAMPAIGN_ARN: {
    group: 'personalize',
    at: ['personalize.campaignArn'],
    parse: personalizeArn,
    description:
      'Personalize campaign ARN that recommendations come from (or `PERSONALIZE_RECOMMENDER_ARN`, not both)',
    details: 'neither: the local fallback recommender',
  },
  PERSONALIZE_RECOMMENDER_ARN: {
    group: 'personalize',
    at: ['personalize.recommenderArn'],
    parse: personalizeArn,
    description:
      'Personalize recommender ARN that recommendations come from (or `PERSONALIZE_CAMPAIGN_ARN`, not both)',
    details: 'neither: the local fallback recommender',
  },
  PERSONALIZE_FILTER_ARN: {
    group: 'personalize',
    at: ['personalize.filterArn'],
    parse: personalizeArn,
    description: 'Personalize filter ARN applied to GetRecommendations',
  },
  PERSONALIZE_FILTER_VALUES: {
    group: 'personalize',
    at: ['personalize.filterValues'],
    parse: exactPairs,
    description:
      'comma-separated `PLACEHOLDER=path` pairs read from the trigger event, e.g. `CATEGORY=properties.category`',
    details: 'sent quoted',
  },
  PERSONALIZE_CONTEXT: {
    group: 'personalize',
    at: ['personalize.context'],
    parse: exactPairs,
    description:
      'comma-separated `KEY=path` pairs sent as recommendation context, e.g. `DEVICE=context.device.type`',
  },
  PERSONALIZE_EVENT_TYPES: {
    group: 'personalize',
    at: ['personalize.eventTypes'],
    parse: exactPairs.refine(
      (pairs) => Object.values(pairs).every((type) => type.length <= 256),
      'event types are at most 256 characters',
    ),
    default: 'Product Viewed=View,Product Added=AddToCart,Order Completed=Purchase,Product Clicked=Click',
    description: 'comma-separated `Segment event=Personalize event type` pairs; only these events are sent',
    details: '`identify=<Type>` adds an explicit stitch event',
  },
  PERSONALIZE_ITEM_ID_PATHS: {
    group: 'personalize',
    at: ['personalize.itemIdPaths'],
    parse: exactList.refine((paths) => paths.length > 0, 'needs at least one path'),
    default: 'properties.product_id,properties.sku',
    description: 'comma-separated paths tried in order for the item id',
    details: 'relative to each `products[]` entry too',
  },
  PERSONALIZE_EVENT_PROPERTIES: {
    group: 'personalize',
    at: ['personalize.eventProperties'],
    parse: exactList.transform((names) => (names.includes('*') ? null : names)),
    default: DEFAULT_EVENT_PROPERTIES.join(','),
    description: "comma-separated property names sent as the event's `properties` JSON (<= 1,024 chars)",
    details:
      'default: non-identifying product fields; `*`: every scalar property not mapped elsewhere (emails and phone numbers included)',
  },
  PERSONALIZE_NUM_RESULTS: {
    group: 'personalize',
    at: ['personalize.numResults'],
    parse: wholeNumber(1, 500),
    default: 10,
    description: 'number of recommended items per profile (1-500)',
  },
  PERSONALIZE_RECOMMENDATION_TRIGGERS: {
    group: 'personalize',
    at: ['personalize.triggers'],
    parse: exactList,
    default: 'identify,Product Added,Order Completed',
    description: 'comma-separated events that refresh recommendations (`identify` or track event names)',
  },
  PERSONALIZE_REFRESH_MINUTES: {
    group: 'personalize',
    at: ['personalize.refreshMinutes'],
    parse: positiveNumber,
    default: 15,
    description: 'minimum minutes between two recommendation refreshes of one profile',
  },
  PERSONALIZE_RECOMMEND_ANONYMOUS: {
    group: 'personalize',
    at: ['personalize.recommendAnonymous'],
    parse: flag,
    default: true,
    description: '`true`/`false`: recommend for visitors not yet identified (by anonymousId)',
  },
  PERSONALIZE_TRAIT_NAME: {
    group: 'personalize',
    at: ['personalize.traitName'],
    // The loop guard recognises touchpoint's own write-backs by the `recommended_` prefix.
    parse: text.pipe(
      z.string().regex(/^recommended_[A-Za-z0-9_]+$/, 'must start with recommended_ (letters, digits, _)'),
    ),
    default: 'recommended_products',
    description: 'trait that receives the recommended item ids (must start with `recommended_`)',
  },
  PERSONALIZE_REGION: {
    group: 'personalize',
    aliases: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
    at: ['personalize.region'],
    parse: optionalText,
    description: "region of the Personalize resources when it is not the function's own",
    details:
      'Lambda reserves `AWS_REGION`, so a campaign in another region is named here; unset: `AWS_REGION`',
  },

  PERSONALIZE_ATTRIBUTION_SOURCE_PATH: {
    group: 'personalize',
    at: ['personalize.attributionSourcePath'],
    parse: text,
    default: 'properties.event_attribution_source',
    description:
      "path in a tracked event whose text is sent as PutEvents' `metricAttribution.eventAttributionSource`",
    details: 'printable ASCII, <= 1,024 chars; absent: not sent',
  },
  PERSONALIZE_RELATED_CAMPAIGN_ARN: {
    group: 'personalize',
    at: ['personalize.relatedCampaignArn'],
    parse: personalizeArn,
    description:
      'campaign of a related-items recipe (e.g. SIMS): GetRecommendations with the viewed `itemId` (or `PERSONALIZE_RELATED_RECOMMENDER_ARN`)',
    details: 'neither: no related-items list',
  },
  PERSONALIZE_RELATED_RECOMMENDER_ARN: {
    group: 'personalize',
    at: ['personalize.relatedRecommenderArn'],
    parse: personalizeArn,
    description:
      'recommender of a related-items use case (e.g. "Customers who viewed X also viewed"), instead of a campaign',
  },
  PERSONALIZE_RELATED_TRIGGERS: {
    group: 'personalize',
    at: ['personalize.relatedTriggers'],
    parse: exactList,
    default: 'Product Viewed',
    description: 'comma-separated track events whose item refreshes the related-items list',
  },
  PERSONALIZE_RELATED_TRAIT_NAME: {
    group: 'personalize',
    at: ['personalize.relatedTraitName'],
    parse: text.pipe(
      z.string().regex(/^recommended_[A-Za-z0-9_]+$/, 'must start with recommended_ (letters, digits, _)'),
    ),
    default: 'recommended_related_products',
    description: 'trait that receives the related item ids (must start with `recommended_`)',
    details: 'with `<name>_item_id`, `<name>_updated_at` and `<name>_recommendation_id`',
  },

  PERSONALIZE_USERS_DATASET_ARN: {
    group: 'personalize',
    at: ['personalize.usersDatasetArn'],
    parse: personalizeArn,
    description: 'Users dataset ARN: identify traits in `PERSONALIZE_USER_TRAITS` are sent with PutUsers',
  },
  PERSONALIZE_USER_TRAITS: {
    group: 'personalize',
    at: ['personalize.userTraits'],
    parse: exactList.refine(
      (names) => names.every((name) => !isIdentifyingTrait(name)),
      'names identifying a person (email, phone, name, address, ip, birthday ...) are never sent to Personalize',
    ),
    default: 'plan',
    description: 'comma-separated identify traits sent as user properties (camelCase keys, <= 24,000 chars)',
    details: 'non-identifying fields only: identifying names are refused',
  },
  PERSONALIZE_ITEMS_DATASET_ARN: {
    group: 'personalize',
    at: ['personalize.itemsDatasetArn'],
    parse: personalizeArn,
    description: 'Items dataset ARN: product properties of `PERSONALIZE_ITEM_EVENTS` are sent with PutItems',
  },
  PERSONALIZE_ITEM_EVENTS: {
    group: 'personalize',
    at: ['personalize.itemEvents'],
    parse: exactList,
    default: 'Product Viewed,Product Added,Product Clicked,Order Completed',
    description: 'comma-separated track events whose product (or `products[]`) properties describe items',
  },
  PERSONALIZE_ITEM_PROPERTIES: {
    group: 'personalize',
    at: ['personalize.itemProperties'],
    parse: exactList,
    default: 'category,price',
    description:
      'comma-separated product properties sent as item properties (camelCase keys, <= 32,000 chars)',
    details: "they must be fields of the Items dataset's schema",
  },

  AWS_REGION: {
    group: 'aws',
    aliases: ['AWS_DEFAULT_REGION'],
    at: ['aws.region'],
    parse: optionalText,
    description:
      'AWS region of the SSM write-key parameter, and of Personalize unless `PERSONALIZE_REGION` is set',
    details: 'required when either is used; the DynamoDB client reads it too',
  },
  AWS_ENDPOINT_URL_SSM: {
    group: 'aws',
    at: ['aws.ssmEndpoint'],
    parse: optionalText,
    description: 'SSM endpoint for the write-key lookup (tests, VPC endpoints)',
    details: 'unset: `https://ssm.<region>.amazonaws.com`',
  },

  TOUCHPOINT_WEBHOOK_SECRET: {
    group: 'http',
    at: ['http.webhookSecret'],
    parse: optionalText,
    description:
      'shared secret of the Segment Webhooks destination: `POST /segment` then requires a valid `X-Signature`',
    details: 'unset: the webhook accepts unsigned requests',
  },
  TOUCHPOINT_WEBHOOK_SECRET_PARAMETER: {
    group: 'http',
    at: ['http.webhookSecretParameter'],
    parse: optionalText,
    description:
      'name of an SSM SecureString parameter holding the webhook secret (used when `TOUCHPOINT_WEBHOOK_SECRET` is unset)',
    details: 'read once per container, in `AWS_REGION`; the SAM template sets it',
  },
  TOUCHPOINT_API_TOKEN: {
    group: 'http',
    at: ['http.apiToken'],
    parse: optionalText,
    description: 'bearer token the profile API (`/api/...`) and the web view require',
    details: 'unset: the API answers only when `touchpoint serve` is bound to a loopback address',
  },
  TOUCHPOINT_API_TOKEN_PARAMETER: {
    group: 'http',
    at: ['http.apiTokenParameter'],
    parse: optionalText,
    description:
      'name of an SSM SecureString parameter holding the API token (used when `TOUCHPOINT_API_TOKEN` is unset)',
    details: 'read once per container, in `AWS_REGION`; the SAM template sets it',
  },
  TOUCHPOINT_HTTP_BODY_LIMIT_BYTES: {
    group: 'http',
    at: ['http.bodyLimitBytes'],
    parse: wholeNumber(1024, 6_000_000),
    default: 1_048_576,
    description:
      'largest request body the HTTP doors read, in bytes (1,024-6,000,000); a larger one gets 413',
  },

  TOUCHPOINT_CONVERSION_EVENTS: {
    group: 'conversions',
    at: ['conversion.events'],
    parse: exactList.refine((events) => events.length > 0, 'needs at least one event name'),
    default: 'Order Completed',
    description: 'comma-separated track event names that are conversions',
    details:
      'value from `revenue`, else `total`, else `value`, else the sum of `products[].price * quantity`',
  },
  TOUCHPOINT_CONVERSION_CURRENCY: {
    group: 'conversions',
    at: ['conversion.defaultCurrency'],
    parse: text.pipe(
      z
        .string()
        .regex(/^[A-Za-z]{3}$/, 'must be a three-letter ISO 4217 code')
        .transform((code) => code.toUpperCase()),
    ),
    default: 'USD',
    description: 'currency of a conversion whose event has no `currency` property',
  },
  TOUCHPOINT_CREDIT_LOOKBACK_DAYS: {
    group: 'conversions',
    at: ['conversion.creditLookbackDays'],
    parse: positiveNumber,
    default: 30,
    description: 'touches up to this many days before a conversion share its credit',
    details: 'Direct only when none of them is non-direct',
  },
  TOUCHPOINT_CREDIT_HALF_LIFE_DAYS: {
    group: 'conversions',
    at: ['conversion.halfLifeDays'],
    parse: positiveNumber,
    default: 7,
    description: 'time-decay model: a touch this many days before the conversion weighs half',
  },
  TOUCHPOINT_TRAIT_CONVERSION_COUNT: {
    group: 'conversions',
    at: ['conversion.traits.conversionCount'],
    parse: traitName,
    default: 'conversion_count',
    description: "trait that receives the profile's number of conversions",
  },
  TOUCHPOINT_TRAIT_LIFETIME_REVENUE: {
    group: 'conversions',
    at: ['conversion.traits.lifetimeRevenue'],
    parse: traitName,
    default: 'lifetime_revenue',
    description: "trait that receives the sum of the profile's conversion values",
  },
  TOUCHPOINT_TRAIT_FIRST_CONVERSION_CHANNEL: {
    group: 'conversions',
    at: ['conversion.traits.firstConversionChannel'],
    parse: traitName,
    default: 'first_conversion_channel',
    description:
      "trait that receives the channel of the last non-direct touch before the profile's first conversion",
  },
} as const satisfies Readonly<Record<string, SettingSpec>>;

/**
 * Endpoint overrides the AWS SDK clients read themselves (so src/config does not): listed in the README
 * next to the settings, because they are part of how touchpoint is configured.
 */
export const SDK_ENDPOINT_OVERRIDES = [
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_PERSONALIZE_EVENTS',
  'AWS_ENDPOINT_URL_PERSONALIZE_RUNTIME',
  'AWS_ENDPOINT_URL_EVENTBRIDGE',
  'AWS_ENDPOINT_URL_KINESIS',
] as const;

type Settings = typeof SETTINGS;

/** The name of a variable touchpoint reads (its primary name, not an alias). */
export type SettingName = keyof Settings;

/** Each variable's parsed value, by name (what the cross-variable rules in ./load.ts look at). */
export type SettingValues = { -readonly [N in SettingName]: z.output<Settings[N]['parse']> };

/** One (Config path, value type) pair per place a setting lands. */
type Landing = {
  [N in SettingName]: Settings[N]['at'][number] extends infer P
    ? P extends string
      ? { path: P; value: SettingValues[N] }
      : never
    : never;
}[SettingName];

type ValueAt<P> = Extract<Landing, { path: P }>['value'];
type Head<P> = P extends `${infer H}.${string}` ? H : P;
type Below<P, H extends string> = P extends `${H}.${infer R}` ? R : never;
/** The nested object the dotted paths `P` (under `Prefix`) describe. */
type Shape<P extends string, Prefix extends string = ''> = {
  [H in Head<P>]: H extends P ? ValueAt<`${Prefix}${H}`> : Shape<Below<P, H>, `${Prefix}${H}.`>;
};

/**
 * Everything touchpoint is configured with, as `loadConfig` returns it (deep-frozen). Derived from
 * SETTINGS: each setting's parsed type, at each of its `at` paths, so a new variable is one new entry.
 */
export type Config = Shape<Landing['path']>;

/** Amazon Personalize (src/personalize). Tracking and recommendations are each on when their ids are set. */
export type PersonalizeConfig = Config['personalize'];

type Leaf<P> = P extends `${string}.${infer R}` ? Leaf<R> : P;
type FirstPath<N extends SettingName> = Settings[N]['at'][0];
type DefaultsWhere<InPersonalize extends boolean> = {
  -readonly [
    N in SettingName as Settings[N] extends { default: unknown }
      ? (FirstPath<N> extends `personalize.${string}` ? true : false) extends InPersonalize
        ? Leaf<FirstPath<N>>
        : never
      : never
  ]: Settings[N] extends { default: infer D } ? D : never;
};

/** Each default, named by the last part of the Config path its setting lands at. */
function defaultsWhere(inPersonalize: boolean): Record<string, string | number | boolean> {
  const defaults: Record<string, string | number | boolean> = {};
  for (const spec of Object.values(SETTINGS) as SettingSpec[]) {
    const path = spec.at[0] ?? '';
    if (spec.default === undefined || path.startsWith('personalize.') !== inPersonalize) continue;
    defaults[path.slice(path.lastIndexOf('.') + 1)] = spec.default;
  }
  return Object.freeze(defaults);
}

/** Defaults of the settings outside Personalize, as written in the environment (e.g. DEFAULTS.lookbackDays). */
export const DEFAULTS = defaultsWhere(false) as Readonly<DefaultsWhere<false>>;

/** Defaults of the Personalize settings, as written in the environment (e.g. PERSONALIZE_DEFAULTS.triggers). */
export const PERSONALIZE_DEFAULTS = defaultsWhere(true) as Readonly<DefaultsWhere<true>>;

/** A description as plain text, for error messages and terminals (no Markdown code spans). */
export const plainText = (markdown: string): string => markdown.replace(/`/g, '');

/** What each variable is for, by name: the purpose printed next to a bad value. */
export const VARIABLES = Object.freeze(
  Object.fromEntries(
    (Object.entries(SETTINGS) as Array<[SettingName, SettingSpec]>).map(([name, spec]) => [
      name,
      plainText(spec.description) + (spec.aliases ? `; ${spec.aliases.join(', ')} also works` : ''),
    ]),
  ) as Record<SettingName, string>,
);

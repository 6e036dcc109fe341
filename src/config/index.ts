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
  | { kind: 'memory' }
  | { kind: 'sqlite'; path: string }
  | { kind: 'dynamodb'; table: string };

export interface Config {
  store: StoreLocation;
  segment: {
    /** absent: traits go to the local outbox file instead of Segment */
    writeKey: string | null;
    host: string;
    outboxPath: string;
  };
  traitPreset: TraitPreset;
  attribution: AttributionOptions;
  classifier: ClassifierOptions;
  /** internal deadline per invocation, inside Segment's 5 s budget */
  deadlineMs: number;
  logLevel: LogLevel;
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
  SEGMENT_HOST: 'Segment tracking API host (EU: https://events.eu1.segmentapis.com)',
  TOUCHPOINT_OUTBOX: 'JSONL file that receives identify calls when no write key is set',
  TOUCHPOINT_TRAIT_PRESET: `trait names: ${TRAIT_PRESETS.join(', ')}`,
  TOUCHPOINT_LOOKBACK_DAYS: 'last-touch lookback window in days',
  TOUCHPOINT_SESSION_TIMEOUT_MINUTES: 'inactivity that starts a new session (Direct touches, repeat collapsing)',
  TOUCHPOINT_OWN_DOMAINS: 'comma-separated domains that count as internal referrers (sister sites, checkout)',
  TOUCHPOINT_UNWANTED_REFERRERS: 'comma-separated referrer hosts that never make a touch (payment, sign-in)',
  TOUCHPOINT_SOURCE_ALIASES: 'comma-separated alias=source pairs, e.g. fb=facebook,ig=instagram',
  TOUCHPOINT_CLICK_IDS: 'comma-separated param=source/medium pairs, e.g. obclid=outbrain/cpc',
  TOUCHPOINT_DEADLINE_MS: 'internal time budget per invocation in ms (Segment allows 5000)',
  TOUCHPOINT_LOG_LEVEL: `log level: ${LOG_LEVELS.join(', ')}`,
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

const envSchema = z.object({
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
  return deepFreeze({
    store: e.TOUCHPOINT_STORE,
    segment: { writeKey: e.SEGMENT_WRITE_KEY, host: e.SEGMENT_HOST, outboxPath: e.TOUCHPOINT_OUTBOX },
    traitPreset: e.TOUCHPOINT_TRAIT_PRESET,
    attribution: { lookbackDays: e.TOUCHPOINT_LOOKBACK_DAYS, sessionTimeoutMinutes: e.TOUCHPOINT_SESSION_TIMEOUT_MINUTES },
    classifier: {
      ownDomains: e.TOUCHPOINT_OWN_DOMAINS,
      unwantedReferrers: e.TOUCHPOINT_UNWANTED_REFERRERS,
      sourceAliases: e.TOUCHPOINT_SOURCE_ALIASES,
      clickIds: e.TOUCHPOINT_CLICK_IDS,
    },
    deadlineMs: e.TOUCHPOINT_DEADLINE_MS,
    logLevel: e.TOUCHPOINT_LOG_LEVEL,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

import type { AttributionOptions, TraitPreset } from '../attribution';
import { DEFAULT_CLASSIFIER_OPTIONS, type ClassifierOptions } from '../classify';
import { ConfigurationError } from '../errors';

/**
 * The settings of the two Segment Functions, declared once: the scripts read them from here, and
 * `touchpoint functions deploy` sends these declarations to Segment's Public API, so a setting cannot be
 * read without being declared in Segment's UI, or declared without being read.
 */

/** Segment's setting types (Public API `FunctionSettingV1.type`). */
export type FunctionSettingType = 'STRING' | 'ARRAY' | 'BOOLEAN' | 'TEXT_MAP';

/** One setting as Segment's Functions UI and Public API describe it. */
export interface FunctionSetting {
  readonly name: string;
  readonly label: string;
  readonly type: FunctionSettingType;
  readonly description: string;
  readonly required: boolean;
  /** encrypted and never shown again in Segment's UI (keys, tokens) */
  readonly sensitive: boolean;
}

/** Where the insert function writes the classification when `targetField` is empty. */
export const DEFAULT_TARGET_FIELD = 'context.touchpoint';
/** Last-touch lookback in days when `lookbackDays` is empty (docs/attribution.md §7). */
export const DEFAULT_LOOKBACK_DAYS = 90;
/** Repeats of one source within this many minutes are one touch (docs/attribution.md §7). */
export const SESSION_TIMEOUT_MINUTES = 30;
/** The trait presets this mode can keep: it reads its state back from the `first_touch_*` names. */
export const FUNCTION_TRAIT_PRESETS = ['touchpoint', 'both'] as const satisfies readonly TraitPreset[];
/** The Segment regions, choosing the Profile API and Tracking API hosts. */
export const REGIONS = {
  us: { profiles: 'https://profiles.segment.com', tracking: 'https://api.segment.io' },
  eu: { profiles: 'https://profiles.euw1.segment.com', tracking: 'https://events.eu1.segmentapis.com' },
} as const;

const CLASSIFIER_SETTINGS: readonly FunctionSetting[] = [
  {
    name: 'ownDomains',
    label: 'Own domains',
    type: 'ARRAY',
    description:
      'Domains that count as internal referrers (sister sites, cross-domain checkout), besides the page’s own domain.',
    required: false,
    sensitive: false,
  },
  {
    name: 'unwantedReferrers',
    label: 'Unwanted referrers',
    type: 'ARRAY',
    description: 'Referrer hosts that never make a touch (payment, sign-in), besides the built-in list.',
    required: false,
    sensitive: false,
  },
  {
    name: 'sourceAliases',
    label: 'Source aliases',
    type: 'TEXT_MAP',
    description: 'Raw source (utm_source or host) -> canonical source, e.g. fb -> facebook.',
    required: false,
    sensitive: false,
  },
  {
    name: 'clickIds',
    label: 'Extra click ids',
    type: 'TEXT_MAP',
    description: 'Query parameter -> source/medium, e.g. obclid -> outbrain/cpc.',
    required: false,
    sensitive: false,
  },
];

/** The insert function's settings. */
export const INSERT_SETTINGS: readonly FunctionSetting[] = [
  ...CLASSIFIER_SETTINGS,
  {
    name: 'targetField',
    label: 'Target field',
    type: 'STRING',
    description: `Dot path that receives the classification; default ${DEFAULT_TARGET_FIELD}.`,
    required: false,
    sensitive: false,
  },
];

/** The attribution destination function's settings. */
export const ATTRIBUTION_SETTINGS: readonly FunctionSetting[] = [
  {
    name: 'spaceId',
    label: 'Space ID',
    type: 'STRING',
    description: 'Unify space id (Unify > Unify settings > API access).',
    required: true,
    sensitive: false,
  },
  {
    name: 'profileApiToken',
    label: 'Profile API token',
    type: 'STRING',
    description: 'Profile API access token of that space (read traits).',
    required: true,
    sensitive: true,
  },
  {
    name: 'writeKey',
    label: 'Write key',
    type: 'STRING',
    description: 'Write key of the source that receives the trait identify calls (an HTTP API source).',
    required: true,
    sensitive: true,
  },
  {
    name: 'region',
    label: 'Region',
    type: 'STRING',
    description:
      'us or eu: the workspace region, choosing the Profile API and Tracking API hosts; default us.',
    required: false,
    sensitive: false,
  },
  {
    name: 'profilesApiHost',
    label: 'Profile API host',
    type: 'STRING',
    description: 'Overrides the region’s Profile API host (proxies, tests).',
    required: false,
    sensitive: false,
  },
  {
    name: 'trackingApiHost',
    label: 'Tracking API host',
    type: 'STRING',
    description: 'Overrides the region’s Tracking API host (proxies, tests).',
    required: false,
    sensitive: false,
  },
  {
    name: 'lookbackDays',
    label: 'Lookback days',
    type: 'STRING',
    description: `Last-touch lookback window in days; default ${DEFAULT_LOOKBACK_DAYS}.`,
    required: false,
    sensitive: false,
  },
  {
    name: 'traitPreset',
    label: 'Trait preset',
    type: 'STRING',
    description:
      'touchpoint (first_touch_* names) or both (adds the source_first_* names); default touchpoint.',
    required: false,
    sensitive: false,
  },
  ...CLASSIFIER_SETTINGS,
];

/** What the insert function runs with. */
export interface InsertOptions {
  readonly classifier: ClassifierOptions;
  /** the dot path's segments, e.g. ['context', 'touchpoint'] */
  readonly targetPath: readonly string[];
}

/** What the attribution function runs with. */
export interface AttributionFunctionOptions {
  readonly classifier: ClassifierOptions;
  readonly attribution: AttributionOptions;
  readonly preset: (typeof FUNCTION_TRAIT_PRESETS)[number];
  readonly spaceId: string;
  readonly profileApiToken: string;
  readonly writeKey: string;
  readonly profilesApiHost: string;
  readonly trackingApiHost: string;
}

/** Settings as Segment hands them to a handler: whatever the user typed, by setting name. */
export type RawSettings = Readonly<Record<string, unknown>>;

const optionsCache = new WeakMap<object, InsertOptions | AttributionFunctionOptions>();

/**
 * The insert function's options from its settings; built once per settings object, since Segment passes
 * the same object to every call of a warm function.
 * @throws ConfigurationError naming the setting at fault
 */
export function insertOptionsOf(settings: RawSettings): InsertOptions {
  const cached = optionsCache.get(settings);
  if (cached && 'targetPath' in cached) return cached;
  const target = text(settings, 'targetField') ?? DEFAULT_TARGET_FIELD;
  const targetPath = target.split('.');
  if (targetPath.some((part) => !/^[A-Za-z_$][\w$-]*$/.test(part) || UNSAFE_KEYS.has(part)))
    throw new ConfigurationError(`targetField: "${target}" is not a dot path like context.touchpoint`);
  const options = Object.freeze({ classifier: classifierOptionsOf(settings), targetPath });
  optionsCache.set(settings, options);
  return options;
}

/**
 * The attribution function's options from its settings, once per settings object.
 * @throws ConfigurationError naming the setting at fault
 */
export function attributionOptionsOf(settings: RawSettings): AttributionFunctionOptions {
  const cached = optionsCache.get(settings);
  if (cached && 'spaceId' in cached) return cached;
  const region = (text(settings, 'region') ?? 'us').toLowerCase();
  if (region !== 'us' && region !== 'eu') throw new ConfigurationError(`region: "${region}" is not us or eu`);
  const lookbackText = text(settings, 'lookbackDays');
  const lookbackDays = lookbackText === null ? DEFAULT_LOOKBACK_DAYS : Number(lookbackText);
  if (!Number.isInteger(lookbackDays) || lookbackDays < 1 || lookbackDays > 3650)
    throw new ConfigurationError(`lookbackDays: "${lookbackText}" is not a whole number of days (1-3650)`);
  const preset = text(settings, 'traitPreset') ?? 'touchpoint';
  if (!(FUNCTION_TRAIT_PRESETS as readonly string[]).includes(preset))
    throw new ConfigurationError(
      `traitPreset: "${preset}" is not touchpoint or both (this mode reads its state back from the first_touch_* traits, which segment-attribution does not write)`,
    );
  const options: AttributionFunctionOptions = Object.freeze({
    classifier: classifierOptionsOf(settings),
    attribution: Object.freeze({ lookbackDays, sessionTimeoutMinutes: SESSION_TIMEOUT_MINUTES }),
    preset: preset as AttributionFunctionOptions['preset'],
    spaceId: requiredText(settings, 'spaceId'),
    profileApiToken: requiredText(settings, 'profileApiToken'),
    writeKey: requiredText(settings, 'writeKey'),
    profilesApiHost: hostOf(settings, 'profilesApiHost') ?? REGIONS[region].profiles,
    trackingApiHost: hostOf(settings, 'trackingApiHost') ?? REGIONS[region].tracking,
  });
  optionsCache.set(settings, options);
  return options;
}

const UNSAFE_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

function classifierOptionsOf(settings: RawSettings): ClassifierOptions {
  const clickIds: Record<string, { source: string; medium: string }> = {};
  for (const [param, touch] of Object.entries(map(settings, 'clickIds'))) {
    const [source, medium, ...rest] = touch.split('/').map((part) => part.trim());
    if (!source || !medium || rest.length > 0)
      throw new ConfigurationError(`clickIds: "${param}" maps to "${touch}", not source/medium`);
    clickIds[param] = { source, medium };
  }
  return Object.freeze({
    ...DEFAULT_CLASSIFIER_OPTIONS,
    ownDomains: list(settings, 'ownDomains'),
    unwantedReferrers: list(settings, 'unwantedReferrers'),
    sourceAliases: map(settings, 'sourceAliases'),
    clickIds,
  });
}

function text(settings: RawSettings, name: string): string | null {
  const value = settings[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new ConfigurationError(`${name}: expected text, got ${typeof value}`);
  const trimmed = String(value).trim();
  return trimmed === '' ? null : trimmed;
}

function requiredText(settings: RawSettings, name: string): string {
  const value = text(settings, name);
  const setting = ATTRIBUTION_SETTINGS.find((candidate) => candidate.name === name);
  if (value === null)
    throw new ConfigurationError(
      `${name}: not set (${setting?.label ?? name}: ${setting?.description ?? ''})`,
    );
  return value;
}

function hostOf(settings: RawSettings, name: string): string | null {
  const value = text(settings, name);
  if (value === null) return null;
  if (!/^https?:\/\/[^/\s]+/.test(value))
    throw new ConfigurationError(`${name}: "${value}" is not an http(s) URL`);
  return value.replace(/\/+$/, '');
}

/** An ARRAY setting; a comma-separated STRING is accepted too (a setting typed by hand). */
function list(settings: RawSettings, name: string): readonly string[] {
  const value = settings[name];
  if (value === undefined || value === null || value === '') return [];
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : null;
  if (items === null) throw new ConfigurationError(`${name}: expected a list, got ${typeof value}`);
  return items.map((item) => String(item).trim().toLowerCase()).filter(Boolean);
}

/** A TEXT_MAP setting; `key=value` pairs separated by commas are accepted too. */
function map(settings: RawSettings, name: string): Readonly<Record<string, string>> {
  const value = settings[name];
  if (value === undefined || value === null || value === '') return {};
  const result: Record<string, string> = {};
  const entries =
    typeof value === 'string'
      ? value
          .split(',')
          .filter((pair) => pair.trim() !== '')
          .map((pair) => {
            const at = pair.indexOf('=');
            if (at <= 0) throw new ConfigurationError(`${name}: "${pair.trim()}" is not key=value`);
            return [pair.slice(0, at), pair.slice(at + 1)] as const;
          })
      : typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value as Record<string, unknown>)
        : null;
  if (entries === null) throw new ConfigurationError(`${name}: expected a map, got ${typeof value}`);
  for (const [key, entry] of entries) {
    const cleanKey = key.trim().toLowerCase();
    if (cleanKey === '' || UNSAFE_KEYS.has(cleanKey)) continue;
    result[cleanKey] = String(entry).trim().toLowerCase();
  }
  return result;
}

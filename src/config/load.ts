import { ConfigurationError } from '../errors';
import {
  SETTINGS,
  VARIABLES,
  type Config,
  type SettingName,
  type SettingSpec,
  type SettingValues,
} from './settings';

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the configuration from `env` (process.env by default): every setting in SETTINGS
 * is parsed from its variable (or the first alias set, or its default), then the cross-variable rules
 * are checked, and the values are placed at their Config paths. This is the only place that reads
 * `process.env`, so the rest of the code sees one typed, deep-frozen object.
 * @throws ConfigurationError naming every bad variable and what it is for
 */
export function loadConfig(env: Env = process.env): Config {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(SETTINGS) as Array<[SettingName, SettingSpec]>) {
    const read = [name, ...(spec.aliases ?? [])].find((variable) => env[variable]?.trim());
    const input = read === undefined ? spec.default?.toString() : env[read];
    const parsed = spec.parse.safeParse(input);
    if (parsed.success) values[name] = parsed.data;
    else {
      for (const issue of parsed.error.issues) {
        problems.push(`${read ?? name}: ${issue.message} (${VARIABLES[name]})`);
      }
    }
  }
  if (problems.length === 0) problems.push(...crossVariableProblems(values as SettingValues));
  if (problems.length > 0) throw new ConfigurationError(`invalid configuration:\n  ${problems.join('\n  ')}`);

  const config: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as Array<[SettingName, SettingSpec]>) {
    for (const path of spec.at) place(config, path, values[name]);
  }
  // The Config type is derived from the same `at` paths this loop follows (./settings.ts).
  return deepFreeze(config) as Config;
}

/** Rules that involve more than one variable, each naming the variable to fix. */
function crossVariableProblems(e: SettingValues): string[] {
  const problems: string[] = [];
  if (e.PERSONALIZE_CAMPAIGN_ARN && e.PERSONALIZE_RECOMMENDER_ARN) {
    problems.push(
      'PERSONALIZE_RECOMMENDER_ARN: set either PERSONALIZE_CAMPAIGN_ARN or PERSONALIZE_RECOMMENDER_ARN, not both',
    );
  }
  if (e.PERSONALIZE_RELATED_CAMPAIGN_ARN && e.PERSONALIZE_RELATED_RECOMMENDER_ARN) {
    problems.push(
      'PERSONALIZE_RELATED_RECOMMENDER_ARN: set either PERSONALIZE_RELATED_CAMPAIGN_ARN or PERSONALIZE_RELATED_RECOMMENDER_ARN, not both',
    );
  }
  const personalizeUsed =
    e.PERSONALIZE_TRACKING_ID ||
    e.PERSONALIZE_CAMPAIGN_ARN ||
    e.PERSONALIZE_RECOMMENDER_ARN ||
    e.PERSONALIZE_RELATED_CAMPAIGN_ARN ||
    e.PERSONALIZE_RELATED_RECOMMENDER_ARN ||
    e.PERSONALIZE_USERS_DATASET_ARN ||
    e.PERSONALIZE_ITEMS_DATASET_ARN;
  // SEGMENT_WRITE_KEY_PARAMETER needs a region too, but src/secrets/resolve.ts checks that where it reads
  // the parameter: its caller may hand it a region of its own, and an explicit write key makes it unused.
  if (personalizeUsed && !e.PERSONALIZE_REGION) {
    problems.push(
      `AWS_REGION: required when Personalize is configured, or PERSONALIZE_REGION (${VARIABLES.AWS_REGION})`,
    );
  }
  return problems;
}

function place(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() ?? path;
  let node = target;
  for (const key of keys) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[last] = value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

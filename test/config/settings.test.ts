import {
  DEFAULTS,
  loadConfig,
  PERSONALIZE_DEFAULTS,
  SETTINGS,
  VARIABLES,
  type SettingSpec,
} from '../../src/config';

const settings = Object.entries(SETTINGS) as Array<[string, SettingSpec]>;

function valueAt(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
}

describe('settings table', () => {
  it('lands each setting at Config paths no other setting uses, and nothing else is in Config', () => {
    // Prepare
    const paths = settings.flatMap(([, spec]) => spec.at);
    const sections = new Set(paths.filter((path) => path.includes('.')).map((path) => path.split('.')[0]));

    // Act
    const config = loadConfig({});

    // Assess
    expect(new Set(paths).size).toBe(paths.length);
    for (const path of paths) expect(valueAt(config, path)).not.toBeUndefined();
    const expectedKeys = (prefix: string) =>
      [
        ...new Set(
          paths.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('.')[0]),
        ),
      ].sort();
    expect(Object.keys(config).sort()).toEqual(expectedKeys(''));
    for (const section of sections) {
      expect(Object.keys(valueAt(config, section ?? '') as object).sort()).toEqual(
        expectedKeys(`${section}.`),
      );
    }
  });

  it('derives DEFAULTS and PERSONALIZE_DEFAULTS from the table, each parsing to the loaded value', () => {
    const config = loadConfig({});

    expect(DEFAULTS).toMatchObject({ lookbackDays: 90, sessionTimeoutMinutes: 30, deadlineMs: 4000 });
    expect(DEFAULTS.outboxPath).toBe(SETTINGS.TOUCHPOINT_OUTBOX.default);
    expect(config.attribution.lookbackDays).toBe(DEFAULTS.lookbackDays);
    expect(config.personalize.refreshMinutes).toBe(PERSONALIZE_DEFAULTS.refreshMinutes);
    expect(config.personalize.triggers).toEqual(PERSONALIZE_DEFAULTS.triggers.split(','));
    const withDefault = settings.filter(([, spec]) => spec.default !== undefined).length;
    expect(Object.keys(DEFAULTS).length + Object.keys(PERSONALIZE_DEFAULTS).length).toBe(withDefault);
  });

  it('describes every variable in plain text for error messages', () => {
    expect(Object.keys(VARIABLES)).toEqual(Object.keys(SETTINGS));
    for (const purpose of Object.values(VARIABLES)) expect(purpose).toMatch(/^[^`]{10,}$/);
  });

  it('treats a blank variable as unset, so its default applies', () => {
    const config = loadConfig({ TOUCHPOINT_LOOKBACK_DAYS: '  ', PERSONALIZE_TRAIT_NAME: '' });

    expect(config.attribution.lookbackDays).toBe(90);
    expect(config.personalize.traitName).toBe('recommended_products');
  });

  it('reads AWS_DEFAULT_REGION when AWS_REGION is unset or blank, for both places that need it', () => {
    const config = loadConfig({ AWS_REGION: ' ', AWS_DEFAULT_REGION: 'eu-west-1' });
    const both = loadConfig({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'eu-west-1' });

    expect([config.aws.region, config.personalize.region]).toEqual(['eu-west-1', 'eu-west-1']);
    expect([both.aws.region, both.personalize.region]).toEqual(['us-east-1', 'us-east-1']);
  });

  it('reads PERSONALIZE_REGION for Personalize only, and falls back to AWS_REGION without it', () => {
    const apart = loadConfig({ AWS_REGION: 'eu-central-1', PERSONALIZE_REGION: 'eu-west-1' });
    const missing = () => loadConfig({ PERSONALIZE_TRACKING_ID: 'abc', PERSONALIZE_REGION: ' ' });

    expect([apart.aws.region, apart.personalize.region]).toEqual(['eu-central-1', 'eu-west-1']);
    expect(
      loadConfig({ PERSONALIZE_TRACKING_ID: 'abc', PERSONALIZE_REGION: 'eu-west-1' }).personalize.region,
    ).toBe('eu-west-1');
    expect(missing).toThrow(/AWS_REGION: required when Personalize is configured, or PERSONALIZE_REGION/);
  });
});

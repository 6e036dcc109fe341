import {
  ATTRIBUTION_SETTINGS,
  INSERT_SETTINGS,
  REGIONS,
  attributionOptionsOf,
  insertOptionsOf,
} from '../../src/segment-functions';

const required = { spaceId: 'spa_1', profileApiToken: 'token', writeKey: 'key' };

describe('Segment Functions settings', () => {
  it('declares every setting once, with a label, a type and a description; the credentials are sensitive', () => {
    for (const settings of [INSERT_SETTINGS, ATTRIBUTION_SETTINGS]) {
      const names = settings.map((setting) => setting.name);
      expect(new Set(names).size).toBe(names.length);
      for (const setting of settings) {
        expect(setting.label).not.toBe('');
        expect(setting.description).not.toBe('');
        expect(['STRING', 'ARRAY', 'BOOLEAN', 'TEXT_MAP']).toContain(setting.type);
      }
    }
    const sensitive = ATTRIBUTION_SETTINGS.filter((setting) => setting.sensitive).map(
      (setting) => setting.name,
    );
    expect(sensitive.sort()).toEqual(['profileApiToken', 'writeKey']);
  });

  it('chooses the Profile API and Tracking API hosts by region, and lets the overrides win', () => {
    expect(attributionOptionsOf({ ...required })).toMatchObject({
      profilesApiHost: REGIONS.us.profiles,
      trackingApiHost: 'https://api.segment.io',
    });
    expect(attributionOptionsOf({ ...required, region: 'EU' })).toMatchObject({
      profilesApiHost: 'https://profiles.euw1.segment.com',
      trackingApiHost: 'https://events.eu1.segmentapis.com',
    });
    expect(
      attributionOptionsOf({
        ...required,
        region: 'eu',
        profilesApiHost: 'http://127.0.0.1:9/',
        trackingApiHost: 'http://127.0.0.1:8',
      }),
    ).toMatchObject({ profilesApiHost: 'http://127.0.0.1:9', trackingApiHost: 'http://127.0.0.1:8' });
  });

  it.each([
    [{ ...required, region: 'apac' }, /^region:/],
    [{ ...required, lookbackDays: 'ninety' }, /^lookbackDays:/],
    [{ ...required, traitPreset: 'segment-attribution' }, /^traitPreset:.*first_touch_/],
    [{ spaceId: 'spa_1', writeKey: 'key' }, /^profileApiToken: not set/],
    [{ ...required, clickIds: { obclid: 'outbrain' } }, /^clickIds:/],
    [{ ...required, trackingApiHost: 'api.segment.io' }, /^trackingApiHost:/],
  ])('refuses %j, naming the setting', (settings, message) => {
    expect(() => attributionOptionsOf(settings)).toThrow(message);
  });

  it('reads ARRAY and TEXT_MAP values, and the same typed by hand as comma lists', () => {
    const typed = insertOptionsOf({
      ownDomains: ['Sister.com'],
      sourceAliases: { FB: 'Facebook' },
      clickIds: { obclid: 'outbrain/cpc' },
    });
    const byHand = insertOptionsOf({
      ownDomains: 'sister.com',
      sourceAliases: 'fb=facebook',
      clickIds: 'obclid=outbrain/cpc',
    });

    expect(typed.classifier).toEqual(byHand.classifier);
    expect(typed.classifier).toMatchObject({
      ownDomains: ['sister.com'],
      sourceAliases: { fb: 'facebook' },
      clickIds: { obclid: { source: 'outbrain', medium: 'cpc' } },
    });
    expect(typed.targetPath).toEqual(['context', 'touchpoint']);
  });
});

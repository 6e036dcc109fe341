import { ConfigurationError } from '../../src/errors';
import { DEFAULTS, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      store: { kind: 'sqlite', path: './.touchpoint/touchpoint.db' },
      segment: { writeKey: null, host: 'https://api.segment.io', outboxPath: DEFAULTS.outboxPath },
      traitPreset: 'touchpoint',
      attribution: { lookbackDays: 90, sessionTimeoutMinutes: 30 },
      deadlineMs: 4000,
    });
  });

  it('parses every store kind', () => {
    expect(loadConfig({ TOUCHPOINT_STORE: 'memory' }).store).toEqual({ kind: 'memory' });
    expect(loadConfig({ TOUCHPOINT_STORE: 'sqlite:/tmp/x.db' }).store).toEqual({
      kind: 'sqlite',
      path: '/tmp/x.db',
    });
    expect(loadConfig({ TOUCHPOINT_STORE: 'dynamodb:touchpoint-prod' }).store).toEqual({
      kind: 'dynamodb',
      table: 'touchpoint-prod',
    });
  });

  it('parses classifier lists and pairs', () => {
    const config = loadConfig({
      TOUCHPOINT_OWN_DOMAINS: 'Shop.example.com, checkout.example.net',
      TOUCHPOINT_SOURCE_ALIASES: 'fb=facebook,ig=instagram',
      TOUCHPOINT_CLICK_IDS: 'obclid=outbrain/cpc',
    });
    expect(config.classifier).toMatchObject({
      ownDomains: ['shop.example.com', 'checkout.example.net'],
      sourceAliases: { fb: 'facebook', ig: 'instagram' },
      clickIds: { obclid: { source: 'outbrain', medium: 'cpc' } },
    });
  });

  it('accepts the EU host and strips a trailing slash', () => {
    expect(loadConfig({ SEGMENT_HOST: 'https://events.eu1.segmentapis.com/' }).segment.host).toBe(
      'https://events.eu1.segmentapis.com',
    );
  });

  it('fails fast naming every bad variable and what it is for', () => {
    const load = () =>
      loadConfig({
        TOUCHPOINT_STORE: 'postgres:x',
        TOUCHPOINT_LOOKBACK_DAYS: 'ninety',
        TOUCHPOINT_CLICK_IDS: 'obclid=outbrain',
      });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(
      /TOUCHPOINT_STORE: "postgres:x" is not sqlite:<path>, memory or dynamodb:<table> \(where state lives/,
    );
    expect(load).toThrow(/TOUCHPOINT_LOOKBACK_DAYS: "ninety" is not a positive number/);
    expect(load).toThrow(/TOUCHPOINT_CLICK_IDS: "obclid=outbrain" is not param=source\/medium/);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.classifier.ownDomains)).toBe(true);
  });
});

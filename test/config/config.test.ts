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

  it('fails fast naming every bad variable and what it is for, never its value', () => {
    const load = () =>
      loadConfig({
        TOUCHPOINT_STORE: 'postgres://admin:hunter2@db',
        TOUCHPOINT_LOOKBACK_DAYS: 'ninety',
        TOUCHPOINT_CLICK_IDS: 'zzclid=vendorx',
        TOUCHPOINT_EARLIEST_TIMESTAMP: '+275760-09-13T00:00:00.000Z',
      });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(
      /TOUCHPOINT_STORE: not sqlite:<path>, memory or dynamodb:<table> \(where state lives/,
    );
    expect(load).toThrow(/TOUCHPOINT_LOOKBACK_DAYS: not a positive number/);
    expect(load).toThrow(/TOUCHPOINT_CLICK_IDS: an item is not param=source\/medium/);
    expect(load).toThrow(/TOUCHPOINT_EARLIEST_TIMESTAMP: not an ISO-8601 date/);
    const message = (() => {
      try {
        load();
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    for (const value of ['hunter2', 'postgres', 'ninety', 'vendorx', '275760'])
      expect(message).not.toContain(value);
  });

  it('reads the timestamp bounds and the kept URL parameters, with their defaults', () => {
    expect(loadConfig({}).timestamps).toEqual({
      earliest: '2000-01-01T00:00:00.000Z',
      futureToleranceHours: 24,
    });
    expect(loadConfig({}).attribution.urlParameters).toContain('gclid');
    const config = loadConfig({
      TOUCHPOINT_EARLIEST_TIMESTAMP: '2015-06-01',
      TOUCHPOINT_FUTURE_TOLERANCE_HOURS: '2',
      TOUCHPOINT_URL_PARAMETERS: 'UTM_Source, ref',
    });
    expect(config.timestamps).toEqual({ earliest: '2015-06-01T00:00:00.000Z', futureToleranceHours: 2 });
    expect(config.attribution.urlParameters).toEqual(['utm_source', 'ref']);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.classifier.ownDomains)).toBe(true);
  });
});

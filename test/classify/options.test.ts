import { compiledOptions, compileOptions, hostInList } from '../../src/classify/options';
import { DEFAULT_CLASSIFIER_OPTIONS, type ClassifierOptions } from '../../src/classify/types';

const options = (overrides: Partial<ClassifierOptions>): ClassifierOptions => ({
  ...DEFAULT_CLASSIFIER_OPTIONS,
  ...overrides,
});

describe('compileOptions', () => {
  it('normalises own domains given as URLs or www hosts', () => {
    const compiled = compileOptions(
      options({ ownDomains: ['https://www.Sister.com/shop', 'checkout.partner.net'] }),
    );

    expect([...compiled.ownHosts]).toEqual(['sister.com', 'checkout.partner.net']);
  });

  it('splits unwanted referrers into host suffixes and brand labels, after the defaults', () => {
    const compiled = compileOptions(options({ unwantedReferrers: ['sso.example.io', 'Affirm'] }));

    expect(compiled.unwantedHosts.has('paypal.com')).toBe(true);
    expect(compiled.unwantedHosts.has('sso.example.io')).toBe(true);
    expect(compiled.unwantedBrands.has('affirm')).toBe(true);
    expect(compiled.unwantedBrands.has('klarna')).toBe(true);
  });

  it('lets a configured click id replace a default one and reads its parameter', () => {
    const compiled = compileOptions(
      options({
        clickIds: { MSCLKID: { source: 'Microsoft', medium: 'CPC' }, zclid: { source: 'z', medium: 'cpc' } },
      }),
    );

    expect(compiled.clickIds.find((rule) => rule.param === 'msclkid')).toEqual({
      param: 'msclkid',
      source: 'microsoft',
      medium: 'cpc',
    });
    expect(compiled.clickIds.at(-1)).toEqual({ param: 'zclid', source: 'z', medium: 'cpc' });
    expect(compiled.wantedParams.has('zclid')).toBe(true);
  });

  it('lower-cases source aliases', () => {
    expect(compileOptions(options({ sourceAliases: { FB: 'Facebook' } })).sourceAliases.get('fb')).toBe(
      'facebook',
    );
  });
});

describe('compiledOptions', () => {
  it('compiles each options object once', () => {
    const settings = options({ ownDomains: ['a.com'] });

    expect(compiledOptions(settings)).toBe(compiledOptions(settings));
    expect(compiledOptions(options({ ownDomains: ['a.com'] }))).not.toBe(compiledOptions(settings));
  });

  it('uses the defaults without options', () => {
    expect(compiledOptions().explain).toBe(false);
  });
});

describe('hostInList', () => {
  it('matches the host and its parent domains, not look-alikes', () => {
    const hosts = new Set(['paypal.com']);

    expect(hostInList('paypal.com', hosts)).toBe(true);
    expect(hostInList('www.sandbox.paypal.com', hosts)).toBe(true);
    expect(hostInList('notpaypal.com', hosts)).toBe(false);
  });
});

import { decodeComponent, findQueryParam, readQueryParams } from '../../src/classify/params';

const read = (query: string, wanted?: ReadonlySet<string>): Record<string, string> => {
  const params = new Map<string, string>();
  readQueryParams(query, params, wanted);
  return Object.fromEntries(params);
};

describe('decodeComponent', () => {
  it('turns + into a space and decodes escapes', () => {
    expect(decodeComponent('Spring+Sale%21')).toBe('Spring Sale!');
  });

  it('keeps the raw text of a malformed escape but decodes the good ones around it', () => {
    expect(decodeComponent('50%off%20now')).toBe('50%off now');
    expect(decodeComponent('%E0%A4%A')).toBe('%E0%A4%A');
  });
});

describe('readQueryParams', () => {
  it('lower-cases names and keeps the first non-empty value', () => {
    expect(read('UTM_Source=A&utm_source=B&utm_medium=&utm_medium=email')).toEqual({
      utm_source: 'A',
      utm_medium: 'email',
    });
  });

  it('treats &amp; and a further ? as separators', () => {
    expect(read('a=1&amp;b=2?c=3')).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('skips names that are not wanted', () => {
    expect(read('a=1&b=2', new Set(['b']))).toEqual({ b: '2' });
  });

  it('ignores names without values and empty pairs', () => {
    expect(read('&&flag&x=%20&y=1')).toEqual({ y: '1' });
  });

  it('adds to an existing map without replacing earlier values', () => {
    const params = new Map([['utm_source', 'search-part']]);

    readQueryParams('utm_source=fragment&utm_medium=email', params);

    expect(Object.fromEntries(params)).toEqual({ utm_source: 'search-part', utm_medium: 'email' });
  });
});

describe('findQueryParam', () => {
  it('prefers names in the order given', () => {
    expect(findQueryParam('q=second&p=first', new Set(['p', 'q']))).toBe('first');
  });

  it('returns null when no name has a value', () => {
    expect(findQueryParam('q=&x=1', new Set(['q']))).toBeNull();
    expect(findQueryParam('', new Set(['q']))).toBeNull();
  });
});

import { DEFAULT_URL_PARAMETERS, keepAllowedParameters } from '../../src/attribution';

const allowed = new Set(DEFAULT_URL_PARAMETERS);

describe('keepAllowedParameters', () => {
  it.each([
    [
      'https://shop.example/?email=jane%40example.com&utm_source=news&phone=%2B14155550100&gclid=abc',
      'https://shop.example/?utm_source=news&gclid=abc',
    ],
    ['https://shop.example/p?token=sk_live_1&session=9', 'https://shop.example/p'],
    [
      'https://shop.example/?UTM_Campaign=Spring#access_token=xyz',
      'https://shop.example/?UTM_Campaign=Spring',
    ],
    ['https://jane:hunter2@shop.example/a?utm_medium=email', 'https://shop.example/a?utm_medium=email'],
    ['https://shop.example/?utm%5Fsource=encoded&x', 'https://shop.example/?utm%5Fsource=encoded'],
    ['https://shop.example/', 'https://shop.example/'],
    ['not a url?email=jane@example.com', 'not a url'],
  ])('%s -> %s', (url, kept) => {
    expect(keepAllowedParameters(url, allowed)).toBe(kept);
  });

  it('keeps exactly the configured names', () => {
    expect(keepAllowedParameters('https://a.example/?ref=x&utm_source=y', new Set(['ref']))).toBe(
      'https://a.example/?ref=x',
    );
  });

  it('drops a 1 MB query string of empty parameters in one pass', () => {
    expect(keepAllowedParameters(`https://a.example/?${'&'.repeat(1_000_000)}`, allowed)).toBe(
      'https://a.example/',
    );
  });
});

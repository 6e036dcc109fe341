import { hostFacts, matchReferrerRule } from '../../src/classify/hosts';
import { normaliseReferrer } from '../../src/classify/normalise';
import { searchTermOf } from '../../src/classify/search-terms';

const termFor = (referrerUrl: string): string | null => {
  const referrer = normaliseReferrer(referrerUrl);
  if (!referrer) throw new Error(`not a referrer: ${referrerUrl}`);
  return searchTermOf(matchReferrerRule(hostFacts(referrer.host), referrer.path), referrer);
};

describe('searchTermOf', () => {
  it.each([
    ['https://www.google.com/search?q=running+shoes', 'running shoes'],
    ['https://search.yahoo.com/search?q=ignored&p=yahoo+first', 'yahoo first'],
    ['https://www.baidu.com/s?kw=kw-last&wd=wd-first', 'wd-first'],
    ['https://yandex.ru/search/?text=%D1%82%D0%B5%D1%81%D1%82', 'тест'],
    ['https://search.naver.com/search.naver?query=naver', 'naver'],
    ['https://www.sogou.com/web?query=sogou&q=not-this', 'sogou'],
    ['https://www.startpage.com/do/search?q=sp', 'sp'],
    ['https://www.googleadservices.com/pagead/aclk?q=ad+term', 'ad term'],
  ])('%s gives %j', (referrer, term) => {
    expect(termFor(referrer)).toBe(term);
  });

  it('matches the parameter name case-insensitively', () => {
    expect(termFor('https://www.bing.com/search?Q=upper')).toBe('upper');
  });

  it('is null for an empty value, a non-search host or an unknown host', () => {
    expect(termFor('https://www.google.com/url?q=&url=x')).toBeNull();
    expect(termFor('https://www.facebook.com/search/?q=social')).toBeNull();
    expect(termFor('https://docs.google.com/?q=doc')).toBeNull();
    expect(termFor('https://someblog.net/?q=blog')).toBeNull();
  });
});

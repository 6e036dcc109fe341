import { CHANNELS, classify, compileClassifier } from '../../src/classify';
import { loadCorpus, toClassifyInput, toOptions } from './corpus';

const corpus = loadCorpus();

describe('classifier corpus', () => {
  it('has at least 300 cases, each with a justification', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    for (const corpusCase of corpus)
      expect(corpusCase.why).toMatch(/docs\/attribution\.md §|ClassifierOptions|ClassifyInput/);
  });

  it('covers every one of the 20 channels', () => {
    const covered = new Set(corpus.map((corpusCase) => corpusCase.expect.channel));
    expect(CHANNELS.filter((channel) => !covered.has(channel))).toEqual([]);
  });

  it('has unique case names', () => {
    expect(new Set(corpus.map((corpusCase) => corpusCase.name)).size).toBe(corpus.length);
  });

  it.each(corpus.map((corpusCase) => [corpusCase.name, corpusCase] as const))('%s', (_name, corpusCase) => {
    const result = classify(toClassifyInput(corpusCase), toOptions(corpusCase));
    expect(result).toMatchObject(corpusCase.expect);
  });
});

describe('classify', () => {
  it('returns Direct / (direct) / (none) with signal none for an empty input', () => {
    expect(classify({})).toEqual({
      channel: 'Direct',
      source: '(direct)',
      medium: '(none)',
      campaign: null,
      term: null,
      content: null,
      search_term: null,
      click_id: null,
      referrer_host: null,
      landing_page: null,
      internal: false,
      signal: 'none',
    });
  });

  it('adds explain only when asked, naming the deciding rule per field', () => {
    const input = { pageUrl: 'https://example.com/', referrer: 'https://mail.google.com/mail/u/0/' };
    const options = { ...toOptions(corpus[0]!), explain: true };

    const plain = classify(input);
    const explained = classify(input, options);

    expect(plain.explain).toBeUndefined();
    expect(explained.explain).toEqual({
      source: 'host-suffix mail.google.com -> gmail (email)',
      medium: 'host-suffix mail.google.com -> gmail (email)',
      channel: 'decision table row 15 Email (docs/attribution.md §6: gmail / email)',
    });
  });

  it('explains auto-tagging, internal referrers and search terms', () => {
    const options = { ...toOptions(corpus[0]!), explain: true };

    const autoTag = classify({ pageUrl: 'https://example.com/?gclid=1&utm_source=x&utm_medium=y' }, options);
    const internal = classify(
      { pageUrl: 'https://example.com/', referrer: 'https://blog.example.com/' },
      options,
    );
    const search = classify(
      { pageUrl: 'https://example.com/', referrer: 'https://www.bing.com/search?q=x' },
      options,
    );

    expect(autoTag.explain?.source).toBe(
      'gclid present: google auto-tagging beats UTMs (docs/attribution.md §4 item 1)',
    );
    expect(autoTag.explain?.channel).toBe(
      'decision table row 5 Paid Search (docs/attribution.md §6: google / cpc)',
    );
    expect(internal.explain?.internal).toBe(
      "referrer registrable domain example.com = page's (docs/attribution.md §3)",
    );
    expect(search.explain?.search_term).toBe(
      'search-term parameter of host-suffix bing.com (docs/attribution.md §5)',
    );
  });

  it('gives the same result through compileClassifier as through classify', () => {
    const options = toOptions(corpus[0]!);
    const classifyWithOptions = compileClassifier(options);

    for (const corpusCase of corpus.slice(0, 50)) {
      const input = toClassifyInput(corpusCase);
      expect(classifyWithOptions(input)).toEqual(classify(input, options));
    }
  });

  it('is deterministic: classifying twice gives equal results', () => {
    for (const corpusCase of corpus) {
      const input = toClassifyInput(corpusCase);
      const options = toOptions(corpusCase);
      expect(classify(input, options)).toEqual(classify(input, options));
    }
  });
});

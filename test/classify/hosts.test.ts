import {
  aiSourceOf,
  hostFacts,
  matchAppPackage,
  matchReferrerRule,
  sourceKindOf,
} from '../../src/classify/hosts';

const ruleFor = (host: string, path = '/') => {
  const match = matchReferrerRule(hostFacts(host), path);
  return match ? { source: match.rule.source, kind: match.rule.kind, pattern: match.pattern } : null;
};

describe('hostFacts', () => {
  it('finds the registrable domain by the Public Suffix List, private section included', () => {
    expect(hostFacts('a.b.example.co.uk').domain).toBe('example.co.uk');
    expect(hostFacts('alice.github.io').domain).toBe('alice.github.io');
  });

  it('falls back to the host for IP addresses', () => {
    expect(hostFacts('192.168.0.1').domain).toBe('192.168.0.1');
  });

  it('returns the same object for the same host (memoised)', () => {
    expect(hostFacts('memo.example.org')).toBe(hostFacts('memo.example.org'));
  });
});

describe('matchReferrerRule', () => {
  it('matches host suffixes on whole labels only', () => {
    expect(ruleFor('xx.mail.yahoo.com')).toMatchObject({ source: 'yahoo-mail', kind: 'email' });
    expect(ruleFor('netflix.com')?.source).not.toBe('x');
    expect(ruleFor('xbox.com')).toBeNull();
  });

  it('matches brand labels only as the registrable-domain label', () => {
    expect(ruleFor('google.com.br')).toMatchObject({ source: 'google', pattern: 'brand google.{}' });
    expect(ruleFor('notgoogle.com')).toBeNull();
    expect(ruleFor('google.com.evil.io')).toBeNull();
  });

  it('prefers the most specific rule: host+path, then the longer match', () => {
    expect(ruleFor('bing.com', '/images/search')).toMatchObject({
      source: 'bing',
      pattern: 'host+path bing.com/images/search',
    });
    expect(ruleFor('bing.com', '/chat')).toMatchObject({ source: 'copilot', kind: 'ai' });
    expect(ruleFor('bing.com', '/chatter')).toMatchObject({ source: 'bing', kind: 'search' });
    expect(ruleFor('gemini.google.com')).toMatchObject({ source: 'gemini', kind: 'ai' });
    expect(ruleFor('mail.google.com')).toMatchObject({ source: 'gmail', kind: 'email' });
    expect(ruleFor('docs.google.com')).toMatchObject({ kind: 'not-search' });
  });

  it('lets a sub-brand rule beat a shorter host suffix', () => {
    expect(ruleFor('docs.google.de')).toMatchObject({ kind: 'not-search', pattern: 'brand docs.google.{}' });
  });

  it('matches path prefixes case-insensitively and on segment boundaries', () => {
    expect(ruleFor('icloud.com', '/Mail/inbox')).toMatchObject({ source: 'icloud-mail' });
    expect(ruleFor('icloud.com', '/mailbox')?.source).not.toBe('icloud-mail');
  });
});

describe('matchAppPackage', () => {
  it('matches Android packages exactly, never by suffix', () => {
    expect(matchAppPackage('com.google.android.gm')?.rule.source).toBe('gmail');
    expect(matchAppPackage('com.linkedin.android')?.rule.source).toBe('linkedin');
    expect(matchAppPackage('evil.com.google.android.gm')).toBeNull();
  });
});

describe('sourceKindOf', () => {
  it('knows canonical keys, GA4 names and host-like sources', () => {
    expect(sourceKindOf('google')).toBe('search');
    expect(sourceKindOf('igshopping')).toBe('shopping');
    expect(sourceKindOf('m.facebook.com')).toBe('social');
    expect(sourceKindOf('www.youtube.com')).toBe('video');
  });

  it('returns null for unknown sources and non-search hosts', () => {
    expect(sourceKindOf('newsletter')).toBeNull();
    expect(sourceKindOf('docs.google.com')).toBeNull();
  });
});

describe('aiSourceOf', () => {
  it('maps AI aliases and AI hosts to the canonical key', () => {
    expect(aiSourceOf('chatgpt.com')).toBe('chatgpt');
    expect(aiSourceOf('openai')).toBe('chatgpt');
    expect(aiSourceOf('www.perplexity.ai')).toBe('perplexity');
  });

  it('returns null for everything else', () => {
    expect(aiSourceOf('google')).toBeNull();
    expect(aiSourceOf('example.com')).toBeNull();
  });
});

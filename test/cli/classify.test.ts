import { classifyInputOf } from '../../src/cli/commands/classify';
import { runTouchpoint } from '../support/cli';
import { pageEvent, trackEvent } from '../support/events';

const results = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('touchpoint classify', () => {
  it('accepts a full Segment page event, reading context.page as the pipeline does', async () => {
    const event = pageEvent({
      anonymousId: 'a1',
      at: '2026-03-01T10:00:00Z',
      url: 'https://shop.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=spring',
      referrer: 'https://mail.example.net/',
    });

    const { code, stdout, stderr } = await runTouchpoint(['classify'], { stdin: JSON.stringify(event) });

    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(results(stdout)).toEqual([
      expect.objectContaining({
        channel: 'Email',
        source: 'newsletter',
        medium: 'email',
        campaign: 'spring',
      }),
    ]);
  });

  it('classifies a page event by properties.url when context.page is absent, and a track event by context.page', async () => {
    const stdin = [
      JSON.stringify({
        type: 'page',
        properties: { url: 'https://shop.example.com/', referrer: 'https://www.google.com/' },
      }),
      JSON.stringify(
        trackEvent({
          anonymousId: 'a1',
          event: 'Product Viewed',
          at: '2026-03-01T10:00:00Z',
          url: 'https://shop.example.com/p/1?gclid=abc',
        }),
      ),
    ].join('\n');

    const { code, stdout } = await runTouchpoint(['classify'], { stdin });

    expect(code).toBe(0);
    expect(results(stdout)).toEqual([
      expect.objectContaining({ channel: 'Organic Search', source: 'google' }),
      expect.objectContaining({ channel: 'Paid Search', source: 'google', medium: 'cpc' }),
    ]);
  });

  it('rejects lines it cannot read, naming the line number and the fault, counts them and exits 1', async () => {
    const stdin = [
      JSON.stringify({ page_url: 'https://shop.example.com/', referrer: 'https://www.bing.com/' }),
      '{not json',
      '',
      '{}',
      '{"foo":1}',
      '[1,2]',
      '{"page_url": 5}',
      '{"type":"identify","userId":"u1"}',
      '{"type":"page","context":{}}',
      JSON.stringify({ page_url: 'https://shop.example.com/', referrer: '' }),
    ].join('\n');

    const { code, stdout, stderr } = await runTouchpoint(['classify'], { stdin });

    expect(code).toBe(1);
    expect(results(stdout).map((result) => result.channel)).toEqual(['Organic Search', 'Direct']);
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^touchpoint classify: line 2: not JSON \(/),
      'touchpoint classify: line 4: expected {"page_url","referrer","page_host"?} or a Segment page event, got an empty object',
      'touchpoint classify: line 5: expected {"page_url","referrer","page_host"?} or a Segment page event, got the keys foo',
      'touchpoint classify: line 6: expected a JSON object, got an array',
      expect.stringMatching(/^touchpoint classify: line 7: page_url: .*string/),
      'touchpoint classify: line 8: type "identify" is no visit: only page, track and screen messages are classified',
      'touchpoint classify: line 9: the page message has no URL and no referrer (context.page.url/referrer or properties.url/referrer)',
      'touchpoint classify: 7 of 9 lines rejected (not classified)',
    ]);
    expect(stdout).not.toContain('error');
  });

  it('never answers Direct for input it does not understand', () => {
    for (const line of ['{}', '{"foo":1}', '{"url":"https://x.example/"}', 'null', '"text"'])
      expect(() => classifyInputOf(line)).toThrow();
    expect(classifyInputOf('{"referrer":""}')).toEqual({
      pageUrl: undefined,
      referrer: '',
      pageHost: undefined,
    });
  });
});

import { loadCorpus, type CorpusCase } from '../classify/corpus';
import { runTouchpoint } from '../support/cli';
import { buildSegmentFunctionScripts, loadFunctionScript } from '../support/segment-functions-runtime';

const FIELDS = [
  'channel',
  'source',
  'medium',
  'campaign',
  'term',
  'content',
  'click_id',
  'search_term',
  'referrer_host',
  'internal',
] as const;

/** A corpus case as the Segment page event a browser would send. */
function pageEventOf(corpusCase: CorpusCase, index: number): Record<string, unknown> {
  return {
    type: 'page',
    messageId: `corpus-${index}`,
    anonymousId: `anon-${index}`,
    timestamp: '2026-03-01T10:00:00.000Z',
    context: {
      page: { url: corpusCase.input.page_url, referrer: corpusCase.input.referrer },
      ...(corpusCase.input.campaign ? { campaign: corpusCase.input.campaign } : {}),
    },
  };
}

/** The case's options as the insert function's settings (ARRAY and TEXT_MAP values). */
function settingsOf(corpusCase: CorpusCase): Record<string, unknown> {
  const options = corpusCase.options ?? {};
  return {
    ...(options.ownDomains ? { ownDomains: options.ownDomains } : {}),
    ...(options.unwantedReferrers ? { unwantedReferrers: options.unwantedReferrers } : {}),
    ...(options.sourceAliases ? { sourceAliases: options.sourceAliases } : {}),
    ...(options.clickIds
      ? {
          clickIds: Object.fromEntries(
            Object.entries(options.clickIds).map(([param, t]) => [param, `${t.source}/${t.medium}`]),
          ),
        }
      : {}),
  };
}

/** The same options as `touchpoint classify` reads them from the environment. */
function envOf(corpusCase: CorpusCase): Record<string, string> {
  const options = corpusCase.options ?? {};
  const env: Record<string, string> = {};
  if (options.ownDomains) env.TOUCHPOINT_OWN_DOMAINS = options.ownDomains.join(',');
  if (options.unwantedReferrers) env.TOUCHPOINT_UNWANTED_REFERRERS = options.unwantedReferrers.join(',');
  if (options.sourceAliases)
    env.TOUCHPOINT_SOURCE_ALIASES = Object.entries(options.sourceAliases)
      .map(([alias, source]) => `${alias}=${source}`)
      .join(',');
  if (options.clickIds)
    env.TOUCHPOINT_CLICK_IDS = Object.entries(options.clickIds)
      .map(([param, t]) => `${param}=${t.source}/${t.medium}`)
      .join(',');
  return env;
}

const pick = (value: Record<string, unknown>) =>
  Object.fromEntries(FIELDS.map((field) => [field, value[field]]));

describe('the insert function (built script, in the sandbox)', () => {
  const sandbox = loadFunctionScript(buildSegmentFunctionScripts().insert, 'touchpoint-insert.js');
  const corpus = loadCorpus();

  it('gives every corpus case the classification `touchpoint classify` gives the same event', async () => {
    // Prepare: the CLI refuses an event with no URL and no referrer, so those are compared below only
    const readable = corpus
      .map((corpusCase, index) => ({ corpusCase, event: pageEventOf(corpusCase, index) }))
      .filter(({ corpusCase }) => corpusCase.input.page_url || corpusCase.input.referrer);
    const groups = new Map<string, typeof readable>();
    for (const entry of readable) {
      const key = JSON.stringify(envOf(entry.corpusCase));
      groups.set(key, [...(groups.get(key) ?? []), entry]);
    }
    let compared = 0;

    for (const [key, entries] of groups) {
      // Act
      const cli = await runTouchpoint(['classify'], {
        stdin: entries.map(({ event }) => JSON.stringify(event)).join('\n'),
        env: JSON.parse(key) as Record<string, string>,
      });
      const inserted = await Promise.all(
        entries.map(({ corpusCase, event }) => sandbox.deliver(event, settingsOf(corpusCase))),
      );

      // Assess
      expect(cli.code).toBe(0);
      const lines = cli.stdout.trim().split('\n');
      expect(lines).toHaveLength(entries.length);
      inserted.forEach((outcome, index) => {
        expect(outcome.kind).toBe('returned');
        const event = (outcome as { value: { context: { touchpoint: Record<string, unknown> } } }).value;
        expect(pick(event.context.touchpoint)).toEqual(
          pick(JSON.parse(lines[index]!) as Record<string, unknown>),
        );
        compared++;
      });
    }
    expect(compared).toBe(readable.length);
    expect(compared).toBeGreaterThan(380);
  });

  it("meets every corpus case's expected fields (the classifier's own corpus passes through it)", async () => {
    const failures: string[] = [];
    for (const [index, corpusCase] of corpus.entries()) {
      if (corpusCase.input.page_host) continue; // a Segment event carries no separate page host
      const outcome = await sandbox.deliver(pageEventOf(corpusCase, index), settingsOf(corpusCase));
      const result = (outcome as { value: { context: { touchpoint: Record<string, unknown> } } }).value
        .context.touchpoint;
      for (const [field, expected] of Object.entries(corpusCase.expect)) {
        if (field === 'signal' || field === 'landing_page' || field === 'explain') continue;
        if (result[field] !== expected)
          failures.push(`${corpusCase.name}: ${field} ${String(result[field])}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('returns a batch in input order, classifying visits and passing the rest through unchanged', async () => {
    const identify = { type: 'identify', messageId: 'i1', userId: 'u1', traits: { plan: 'pro' } };
    const trackWithoutPage = { type: 'track', messageId: 't0', anonymousId: 'a1', event: 'Signed Up' };
    const events = [
      pageEventOf(
        {
          name: '',
          why: '',
          expect: {},
          input: { page_url: 'https://shop.example/?gclid=g1', referrer: null },
        },
        1,
      ),
      identify,
      pageEventOf(
        {
          name: '',
          why: '',
          expect: {},
          input: { page_url: 'https://shop.example/', referrer: 'https://www.bing.com/search?q=shoes' },
        },
        2,
      ),
      trackWithoutPage,
      pageEventOf(
        {
          name: '',
          why: '',
          expect: {},
          input: { page_url: 'https://shop.example/?utm_source=newsletter&utm_medium=email', referrer: null },
        },
        3,
      ),
    ];

    const outcome = await sandbox.deliverBatch(events, { targetField: 'properties.traffic' });

    expect(outcome.kind).toBe('returned');
    const returned = (outcome as { value: Array<Record<string, unknown>> }).value;
    expect(returned.map((event) => event.messageId)).toEqual([
      'corpus-1',
      'i1',
      'corpus-2',
      't0',
      'corpus-3',
    ]);
    const channels = returned.map(
      (event) => (event.properties as { traffic?: { channel: string } } | undefined)?.traffic?.channel,
    );
    expect(channels).toEqual(['Paid Search', undefined, 'Organic Search', undefined, 'Email']);
    expect(returned[1]).toEqual(identify);
    expect(returned[3]).toEqual(trackWithoutPage);
    expect((returned[2]!.properties as { traffic: Record<string, unknown> }).traffic).toMatchObject({
      source: 'bing',
      search_term: 'shoes',
      referrer_host: 'bing.com',
    });
  });

  it('passes identify, group, alias and delete through its per-type handlers unchanged', async () => {
    for (const type of ['identify', 'group', 'alias', 'delete']) {
      const event = { type, messageId: `m-${type}`, userId: 'u1' };
      await expect(sandbox.deliver(event, {})).resolves.toEqual({ kind: 'returned', value: event });
    }
  });

  it('refuses a target field that is not a dot path, naming the setting', async () => {
    const outcome = await sandbox.deliver(pageEventOf(corpus[0]!, 0), { targetField: 'context..__proto__' });

    expect(outcome).toMatchObject({ kind: 'discarded', message: expect.stringMatching(/^targetField:/) });
  });
});

import { pageEvent } from '../support/events';
import { FakeProfileApi } from '../support/profile-api-server';
import { FakeSegmentApi } from '../support/segment-server';
import {
  buildSegmentFunctionScripts,
  loadFunctionScript,
  type FunctionsSandbox,
} from '../support/segment-functions-runtime';

const SITE = 'https://shop.example.com';
const DAY = 86_400_000;
const at = (base: string, days: number) => new Date(Date.parse(base) + days * DAY).toISOString();

describe('the attribution destination function (built script, in the sandbox, against fake APIs)', () => {
  const profiles = new FakeProfileApi();
  const tracking = new FakeSegmentApi();
  let sandbox: FunctionsSandbox;
  let settings: Record<string, unknown>;

  beforeAll(async () => {
    sandbox = loadFunctionScript(buildSegmentFunctionScripts().attribution, 'touchpoint-attribution.js');
    const [profilesUrl, trackingUrl] = await Promise.all([profiles.start(), tracking.start()]);
    settings = {
      spaceId: profiles.spaceId,
      profileApiToken: profiles.token,
      writeKey: 'function-write-key',
      profilesApiHost: profilesUrl,
      trackingApiHost: trackingUrl,
      ownDomains: ['shop.example.com'],
    };
  });

  afterAll(async () => {
    await Promise.all([profiles.stop(), tracking.stop()]);
  });

  beforeEach(() => {
    profiles.profiles.clear();
    profiles.requests.length = 0;
    profiles.failures = 0;
    profiles.failWith = 500;
    tracking.failWith = 500;
    profiles.failingProfiles.clear();
    tracking.received.length = 0;
    tracking.attempts.length = 0;
    tracking.failures = 0;
  });

  const identifies = () => tracking.messages();

  it('writes first and last touch to a new profile (404) with one identify carrying the rules of the contract', async () => {
    const event = pageEvent({
      anonymousId: 'anon-new',
      userId: 'user-new',
      at: '2026-03-01T10:00:00.000Z',
      url: `${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=Spring`,
      messageId: 'msg-new',
    });

    const outcome = await sandbox.deliver(event, settings);

    expect(outcome).toEqual({ kind: 'returned', value: undefined });
    expect(profiles.requests).toHaveLength(1);
    const read = profiles.requests[0]!;
    expect(read.externalId).toBe('user_id:user-new');
    expect(read.include).toEqual(expect.arrayContaining(['first_touch_channel', 'last_touch_timestamp']));
    expect(read.headers.authorization).toBe(`Basic ${Buffer.from('profile-token:').toString('base64')}`);
    expect(tracking.received).toHaveLength(1);
    expect(tracking.received[0]!.path).toBe('/v1/batch');
    expect(tracking.received[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('function-write-key:').toString('base64')}`,
    );
    const [identify] = identifies();
    expect(identify).toMatchObject({
      type: 'identify',
      userId: 'user-new',
      messageId: expect.stringMatching(/^touchpoint-fn-[0-9a-f]{16}$/),
      context: { active: false, ip: null, library: { name: 'touchpoint-segment-function' } },
      integrations: { 'touchpoint attribution': false },
      traits: {
        first_touch_channel: 'Email',
        first_touch_source: 'newsletter',
        first_touch_campaign: 'Spring',
        first_touch_timestamp: '2026-03-01T10:00:00.000Z',
        last_touch_channel: 'Email',
        first_non_direct_touch_channel: 'Email',
      },
    });
    expect(identify!.traits).not.toHaveProperty('touch_count');
    expect(identify!.traits).not.toHaveProperty('first_touch_term'); // null and never written: not sent
  });

  it('replaces the first touch when an earlier touch arrives late, and keeps the later last touch', async () => {
    const later = pageEvent({
      anonymousId: 'anon-late',
      at: '2026-03-10T10:00:00.000Z',
      url: `${SITE}/?utm_source=newsletter&utm_medium=email`,
    });
    await sandbox.deliver(later, settings);
    profiles.applyIdentifies(identifies());
    tracking.received.length = 0;
    const earlier = pageEvent({
      anonymousId: 'anon-late',
      at: '2026-03-01T10:00:00.000Z',
      url: `${SITE}/landing`,
      referrer: 'https://www.google.com/search?q=boots',
    });

    const outcome = await sandbox.deliver(earlier, settings);

    expect(outcome.kind).toBe('returned');
    expect(identifies()).toHaveLength(1);
    const traits = identifies()[0]!.traits as Record<string, unknown>;
    expect(traits).toMatchObject({
      first_touch_channel: 'Organic Search',
      first_touch_source: 'google',
      first_touch_search_term: 'boots',
      first_touch_timestamp: '2026-03-01T10:00:00.000Z',
      first_non_direct_touch_channel: 'Organic Search',
    });
    expect(traits).not.toHaveProperty('last_touch_channel'); // unchanged: still the later Email touch
    expect(identifies()[0]!.anonymousId).toBe('anon-late');
  });

  it('changes nothing for a Direct visit after a non-direct touch within the lookback', async () => {
    const base = '2026-03-01T10:00:00.000Z';
    await sandbox.deliver(
      pageEvent({ anonymousId: 'anon-direct', at: base, url: `${SITE}/?utm_source=x&utm_medium=cpc` }),
      settings,
    );
    profiles.applyIdentifies(identifies());
    tracking.received.length = 0;

    const outcome = await sandbox.deliver(
      pageEvent({ anonymousId: 'anon-direct', at: at(base, 30), url: `${SITE}/` }),
      settings,
    );

    expect(outcome.kind).toBe('returned');
    expect(profiles.requests).toHaveLength(2);
    expect(tracking.attempts.filter((request) => request.body.batch.length > 0)).toHaveLength(1);
    expect(tracking.received).toHaveLength(0);
  });

  it('lets a Direct visit become the last touch once the non-direct one is past the lookback', async () => {
    const base = '2026-01-01T10:00:00.000Z';
    const customSettings = { ...settings, lookbackDays: '60' };
    await sandbox.deliver(
      pageEvent({
        anonymousId: 'anon-expiry',
        at: base,
        url: `${SITE}/?utm_source=fb&utm_medium=paid_social`,
      }),
      customSettings,
    );
    profiles.applyIdentifies(identifies());
    tracking.received.length = 0;

    await sandbox.deliver(
      pageEvent({ anonymousId: 'anon-expiry', at: at(base, 59), url: `${SITE}/` }),
      customSettings,
    );
    expect(tracking.received).toHaveLength(0);
    await sandbox.deliver(
      pageEvent({ anonymousId: 'anon-expiry', at: at(base, 61), url: `${SITE}/` }),
      customSettings,
    );

    expect(identifies()).toHaveLength(1);
    expect(identifies()[0]!.traits).toEqual({
      last_touch_channel: 'Direct',
      last_touch_source: '(direct)',
      last_touch_medium: '(none)',
      last_touch_landing_page: `${SITE}/`,
      last_touch_timestamp: at(base, 61),
    });
  });

  it.each([
    ['Profile API', 429],
    ['Profile API', 503],
    ['Tracking API', 429],
    ['Tracking API', 500],
  ])('retries (RetryError) when the %s answers %i', async (api, status) => {
    const fake = api === 'Profile API' ? profiles : tracking;
    fake.failWith = status;
    fake.failures = 1;
    const event = pageEvent({
      anonymousId: `anon-retry-${api}-${status}`,
      at: '2026-03-01T10:00:00.000Z',
      url: `${SITE}/?gclid=g`,
    });

    const outcome = await sandbox.deliver(event, settings);

    expect(outcome).toMatchObject({
      kind: 'retried',
      name: 'RetryError',
      message: expect.stringContaining(String(status)),
    });
    const again = await sandbox.deliver(event, settings);
    expect(again.kind).toBe('returned');
    expect(identifies()).toHaveLength(1);
  });

  it('fails with an error naming the setting on 401 from either API, and does not ask for a retry', async () => {
    const event = pageEvent({
      anonymousId: 'anon-401',
      at: '2026-03-01T10:00:00.000Z',
      url: `${SITE}/?gclid=g`,
    });

    const badToken = await sandbox.deliver(event, { ...settings, profileApiToken: 'wrong' });
    tracking.failWith = 401;
    tracking.failures = 1;
    const badKey = await sandbox.deliver(event, settings);

    expect(badToken).toMatchObject({
      kind: 'discarded',
      message: expect.stringMatching(/401.*profileApiToken/),
    });
    expect(badKey).toMatchObject({ kind: 'discarded', message: expect.stringMatching(/401.*writeKey/) });
  });

  it('sends the same messageId for a duplicate delivery, so Segment deduplicates it', async () => {
    const event = pageEvent({
      anonymousId: 'anon-dup',
      at: '2026-03-01T10:00:00.000Z',
      url: `${SITE}/?utm_source=newsletter&utm_medium=email`,
      messageId: 'msg-dup',
    });

    await sandbox.deliver(event, settings);
    await sandbox.deliver(event, settings); // Unify has not applied the first identify yet
    const [first, second] = identifies();
    profiles.applyIdentifies([first!]);
    await sandbox.deliver(event, settings); // now it has: nothing to write

    expect(identifies()).toHaveLength(2);
    expect(second!.messageId).toBe(first!.messageId);
    expect(second!.traits).toEqual(first!.traits);
  });

  it('reads no profile for internal navigation or a track event without a page (no touch)', async () => {
    const internal = pageEvent({
      anonymousId: 'anon-internal',
      at: '2026-03-01T10:00:00.000Z',
      url: `${SITE}/cart`,
      referrer: `${SITE}/product/1`,
    });
    const track = {
      type: 'track',
      event: 'Order Completed',
      messageId: 'track-no-page',
      anonymousId: 'anon-internal',
      timestamp: '2026-03-01T10:00:00Z',
    };

    const outcomes = [await sandbox.deliver(internal, settings), await sandbox.deliver(track, settings)];

    expect(outcomes).toEqual([
      { kind: 'returned', value: undefined },
      { kind: 'returned', value: undefined },
    ]);
    expect(profiles.requests).toHaveLength(0);
    expect(tracking.attempts).toHaveLength(0);
  });

  it('rejects an invalid event (InvalidEventPayload) and reports identify as unsupported', async () => {
    const invalid = await sandbox.deliver(
      { type: 'page', messageId: 'm-bad', timestamp: '2026-03-01T10:00:00Z' },
      settings,
    );
    const identify = await sandbox.deliver(
      { type: 'identify', messageId: 'm-id', userId: 'u1', timestamp: '2026-03-01T10:00:00Z' },
      settings,
    );

    expect(invalid).toMatchObject({
      kind: 'rejected',
      name: 'InvalidEventPayload',
      message: expect.stringMatching(/userId/),
    });
    expect(identify).toMatchObject({ kind: 'unsupported', name: 'EventNotSupported' });
    expect(profiles.requests).toHaveLength(0);
  });

  it('onBatch: one Profile API read per profile, one /v1/batch call, one status per event in order', async () => {
    profiles.failingProfiles.add('anonymous_id:anon-batch-b');
    const events = [
      pageEvent({
        anonymousId: 'anon-batch-a',
        at: '2026-03-05T10:00:00.000Z',
        url: `${SITE}/?utm_source=newsletter&utm_medium=email`,
      }),
      { type: 'page', messageId: 'no-ids', timestamp: '2026-03-05T10:00:00Z' },
      { type: 'identify', messageId: 'id-1', userId: 'u1', timestamp: '2026-03-05T10:00:00Z' },
      pageEvent({
        anonymousId: 'anon-batch-a',
        at: '2026-03-01T10:00:00.000Z',
        url: `${SITE}/`,
        referrer: 'https://www.bing.com/search?q=x',
      }),
      pageEvent({ anonymousId: 'anon-batch-b', at: '2026-03-01T10:00:00.000Z', url: `${SITE}/?gclid=g` }),
      pageEvent({ anonymousId: 'anon-batch-a', at: '2026-03-06T10:00:00.000Z', url: `${SITE}/` }),
    ];

    const outcome = await sandbox.deliverBatch(events, settings);

    expect(outcome.kind).toBe('returned');
    expect((outcome as { value: unknown }).value).toEqual([
      { status: 200 },
      { status: 400, errormessage: expect.stringMatching(/userId/) },
      { status: 400, errormessage: 'identify carries no visit' },
      { status: 200 },
      { status: 500, errormessage: expect.stringMatching(/500/) },
      { status: 200 },
    ]);
    expect(profiles.requests.map((request) => request.externalId).sort()).toEqual([
      'anonymous_id:anon-batch-a',
      'anonymous_id:anon-batch-b',
    ]);
    expect(tracking.received).toHaveLength(1);
    expect(identifies()).toHaveLength(1);
    expect(identifies()[0]).toMatchObject({
      anonymousId: 'anon-batch-a',
      traits: {
        first_touch_channel: 'Organic Search',
        first_touch_timestamp: '2026-03-01T10:00:00.000Z',
        last_touch_channel: 'Email',
        last_touch_timestamp: '2026-03-05T10:00:00.000Z',
      },
    });
  });

  it('onBatch marks every event of a failed /v1/batch call for retry', async () => {
    tracking.failWith = 503;
    tracking.failures = 1;
    const events = [
      pageEvent({ anonymousId: 'anon-batch-c', at: '2026-03-05T10:00:00.000Z', url: `${SITE}/?gclid=g` }),
      pageEvent({ anonymousId: 'anon-batch-d', at: '2026-03-05T10:00:00.000Z', url: `${SITE}/?gclid=h` }),
    ];

    const outcome = await sandbox.deliverBatch(events, settings);

    expect((outcome as { value: Array<{ status: number }> }).value.map((entry) => entry.status)).toEqual([
      500, 500,
    ]);
    expect(tracking.attempts).toHaveLength(1);
    expect(tracking.attempts[0]!.body.batch).toHaveLength(2);
  });
});

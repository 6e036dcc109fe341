import { RetryableError } from '../../src/errors';
import { silentLogger } from '../../src/log';
import { Analytics } from '@segment/analytics-node';
import { SegmentTraitWriter, type IdentifyCall, type TrackCall } from '../../src/writeback';
import { FakeSegmentApi } from '../support/segment-server';

const call = (target: IdentifyCall['target'], n = 1): IdentifyCall => ({
  target,
  traits: { first_touch_channel: 'Email', touch_count: n },
  messageId: `touchpoint-test-${target}-${n}`,
  timestamp: '2026-03-01T10:00:00.000Z',
});

describe('SegmentTraitWriter', () => {
  const api = new FakeSegmentApi();
  let host: string;

  beforeAll(async () => {
    host = await api.start();
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.failures = 0;
    api.hang = false;
    api.received.length = 0;
    api.connections.clear();
  });

  const writer = () => new SegmentTraitWriter({ writeKey: 'wk', host, log: silentLogger });
  /** A writer that counts the analytics-node clients it builds. */
  const countingWriter = () => {
    let built = 0;
    const w = new SegmentTraitWriter({
      writeKey: 'wk',
      host,
      log: silentLogger,
      createClient: (settings) => (built++, new Analytics(settings)),
    });
    return { w, clients: () => built };
  };

  it('delivers queued identify calls in one batch, to userId or anonymousId', async () => {
    const w = writer();
    w.identify(call('user:u1'));
    w.identify(call('anon:a1'));

    const result = await w.flush(3000);

    expect(result.rejected).toEqual([]);
    expect(api.received).toHaveLength(1);
    expect(api.messages()).toEqual([
      expect.objectContaining({ type: 'identify', userId: 'u1', messageId: 'touchpoint-test-user:u1-1' }),
      expect.objectContaining({
        type: 'identify',
        anonymousId: 'a1',
        messageId: 'touchpoint-test-anon:a1-1',
      }),
    ]);
    expect(api.messages()[0]).not.toHaveProperty('anonymousId');
  });

  it('sends more calls than one batch holds without waiting out its budget (a replay window)', async () => {
    const w = writer();
    for (let n = 1; n <= 1234; n++) w.identify(call(`user:u${n}`));

    // A 10-minute budget, as a replay window has: finishing at all inside Jest's 5 s means no batch waited
    // for a flush timer.
    const { rejected } = await w.flush(600_000);

    expect(rejected).toEqual([]);
    expect(api.messages()).toHaveLength(1234);
    expect(new Set(api.messages().map((message) => message.messageId)).size).toBe(1234);
  });

  it('keeps one client and one connection across flushes (one per container, a flush per invocation)', async () => {
    const { w, clients } = countingWriter();
    for (let n = 1; n <= 3; n++) {
      w.identify(call(`user:u${n}`, n));
      expect((await w.flush(3000)).rejected).toEqual([]);
    }

    expect(api.received).toHaveLength(3);
    expect(clients()).toBe(1);
    expect(api.connections.size).toBe(1);
    await w.close();
  });

  it('sends again at once after a flush that timed out on a hung network, with a new client', async () => {
    const { w, clients } = countingWriter();
    api.hang = true;
    w.identify(call('user:hung'));
    await expect(w.flush(300)).rejects.toThrow(RetryableError);
    api.hang = false;
    w.identify(call('user:later'));

    expect(await w.flush(3000)).toEqual({ rejected: [] });
    expect(api.messages().map((message) => message.userId)).toContain('later');
    expect(clients()).toBe(2);
    await w.close();
  });

  it('flushes calls queued while another flush is still sending after it, each within its own budget', async () => {
    const w = writer();
    w.identify(call('user:first'));
    const first = w.flush(3000);
    w.identify(call('user:second'));
    const second = w.flush(3000);

    expect(await Promise.all([first, second])).toEqual([{ rejected: [] }, { rejected: [] }]);
    expect(api.messages().map((message) => message.userId)).toEqual(['first', 'second']);
    await w.close();
  });

  it('delivers track calls beside the identify calls, addressed and loop-guarded alike', async () => {
    // Prepare
    const w = writer();
    const track: TrackCall = {
      target: 'anon:a9',
      event: 'Conversion Attributed',
      properties: {
        conversion_message_id: 'order-1',
        credit_version: 2,
        credits: [{ model: 'linear', credit: 5 }],
      },
      messageId: 'touchpoint-credit-test',
      timestamp: '2026-03-01T10:00:00.000Z',
    };
    w.identify(call('user:u1'));
    w.track(track);

    // Act
    const result = await w.flush(3000);

    // Assess
    expect(result.rejected).toEqual([]);
    expect(api.messages()).toEqual([
      expect.objectContaining({ type: 'identify', userId: 'u1' }),
      expect.objectContaining({
        type: 'track',
        anonymousId: 'a9',
        event: 'Conversion Attributed',
        properties: track.properties,
        messageId: 'touchpoint-credit-test',
        timestamp: '2026-03-01T10:00:00.000Z',
        integrations: { 'Amazon Lambda': false, 'Amazon Personalize': false },
        context: expect.objectContaining({ active: false }),
      }),
    ]);
    await w.close();
  });

  it('returns a track call Segment rejects with 400 like an identify', async () => {
    api.failures = 1;
    api.failWith = 400;
    const w = writer();
    const track: TrackCall = {
      target: 'user:u5',
      event: 'Conversion Attributed',
      properties: {},
      messageId: 'touchpoint-credit-rejected',
      timestamp: '2026-03-01T10:00:00.000Z',
    };
    w.track(track);
    const result = await w.flush(3000);
    api.failWith = 500;
    expect(result.rejected).toEqual([track]);
    await w.close();
  });

  it('does nothing when nothing is queued', async () => {
    expect(await writer().flush(1000)).toEqual({ rejected: [] });
    expect(api.received).toHaveLength(0);
  });

  it('throws RetryableError when Segment keeps answering 500', async () => {
    api.failures = 10;
    const w = writer();
    w.identify(call('user:u1'));
    await expect(w.flush(3000)).rejects.toThrow(RetryableError);
  });

  it('returns calls Segment rejects with 400 instead of retrying them', async () => {
    api.failures = 1;
    api.failWith = 400;
    const w = writer();
    const rejected = call('user:u2');
    w.identify(rejected);
    const result = await w.flush(3000);
    api.failWith = 500;
    expect(result.rejected).toEqual([rejected]);
  });

  it('gives up within its time budget when the network hangs', async () => {
    api.hang = true;
    const w = writer();
    w.identify(call('user:u3'));
    const started = Date.now();
    await expect(w.flush(400)).rejects.toThrow(RetryableError);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

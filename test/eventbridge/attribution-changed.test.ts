import { createApp, lambdaHandler, type LambdaResponse } from '../../src/app';
import { MemoryStore } from '../../src/store';
import { pageEvent } from '../support/events';
import { FakeEventBridge } from '../support/eventbridge-server';
import { kinesisEvent, lambdaContext } from '../support/lambda-events';
import { RecordingTraitWriter } from '../support/recording-writer';

const SITE = 'https://shop.example.com';
const paidSocial = (anonymousId: string, at: string, n = 0) =>
  pageEvent({
    anonymousId,
    at,
    url: `${SITE}/landing/${n}?utm_source=facebook&utm_medium=paid_social&utm_campaign=spring`,
  });
const email = (anonymousId: string, at: string) =>
  pageEvent({ anonymousId, at, url: `${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=weekly` });

describe('Attribution Changed events (EventBridge PutEvents against a local EventBridge)', () => {
  const bus = new FakeEventBridge();
  let endpoint: string;
  let store: MemoryStore;
  let writer: RecordingTraitWriter;
  let handler: (event: unknown) => Promise<LambdaResponse>;

  beforeAll(async () => {
    endpoint = await bus.start();
  });

  afterAll(async () => {
    await bus.stop();
  });

  beforeEach(() => {
    bus.accepted.length = 0;
    bus.calls.length = 0;
    bus.failCalls = 0;
    bus.refuse = () => null;
    store = new MemoryStore();
    writer = new RecordingTraitWriter();
    const app = createApp(
      {
        TOUCHPOINT_STORE: 'memory',
        TOUCHPOINT_EVENT_BUS: 'touchpoint-attribution',
        TOUCHPOINT_OWN_DOMAINS: 'shop.example.com',
        TOUCHPOINT_LOG_LEVEL: 'silent',
        AWS_REGION: 'us-east-2',
      },
      {
        store,
        writer,
        eventBridge: { endpoint, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } },
      },
    );
    const handle = lambdaHandler(() => app);
    handler = (event) => handle(event, lambdaContext());
  });

  it('publishes one event per changed profile, with old and new values, never again on redelivery', async () => {
    const first = paidSocial('anon-1', '2026-03-01T10:00:00.000Z');

    expect(await handler(kinesisEvent([first]))).toEqual({ batchItemFailures: [] });
    expect(await handler(kinesisEvent([first]))).toEqual({ batchItemFailures: [] }); // redelivered

    expect(bus.accepted).toHaveLength(1);
    const [event] = bus.accepted;
    expect(event).toMatchObject({
      EventBusName: 'touchpoint-attribution',
      Source: 'touchpoint',
      DetailType: 'Attribution Changed',
      Detail: {
        profile: { target: 'anon:anon-1', userId: null, anonymousId: 'anon-1' },
        changed: ['firstTouch', 'lastTouch'],
        firstTouch: {
          old: null,
          new: expect.objectContaining({ channel: 'Paid Social', source: 'facebook' }),
        },
        lastTouch: { old: null, new: expect.objectContaining({ channel: 'Paid Social' }) },
        timestamp: '2026-03-01T10:00:00.000Z',
      },
    });
  });

  it('says only the last touch changed when a later campaign arrives, and nothing when neither changed', async () => {
    await handler(kinesisEvent([paidSocial('anon-2', '2026-03-01T10:00:00.000Z')]));
    const later = email('anon-2', '2026-03-05T10:00:00.000Z');
    await handler(kinesisEvent([later], 2));
    // A page in the same session changes no touch: no event.
    await handler(
      kinesisEvent(
        [pageEvent({ anonymousId: 'anon-2', at: '2026-03-05T10:05:00.000Z', url: `${SITE}/cart` })],
        3,
      ),
    );

    expect(bus.accepted).toHaveLength(2);
    expect(bus.accepted[1]?.Detail).toMatchObject({
      changed: ['lastTouch'],
      lastTouch: {
        old: expect.objectContaining({ channel: 'Paid Social' }),
        new: expect.objectContaining({ channel: 'Email', campaign: 'weekly' }),
      },
    });
  });

  it('packs at most 10 entries per PutEvents call', async () => {
    const messages = Array.from({ length: 23 }, (_, n) =>
      paidSocial(`anon-batch-${n}`, '2026-03-01T10:00:00.000Z', n),
    );

    expect(await handler(kinesisEvent(messages))).toEqual({ batchItemFailures: [] });

    expect(bus.accepted).toHaveLength(23);
    expect(Math.max(...bus.calls)).toBeLessThanOrEqual(10);
    expect(bus.calls.reduce((sum, entries) => sum + entries, 0)).toBe(23);
  });

  it('reports the records whose event failed transiently, and their retry publishes each change once', async () => {
    const messages = ['a', 'b', 'c'].map((id, n) => paidSocial(`anon-${id}`, '2026-03-01T10:00:00.000Z', n));
    // anon-b's entry is throttled on both attempts (the publisher retries once); the others go through.
    bus.refuse = (entry) =>
      (entry.Detail.profile as { anonymousId: string }).anonymousId === 'anon-b'
        ? 'ThrottlingException'
        : null;

    const response = await handler(kinesisEvent(messages));

    // Kinesis: the failed record and every later record of the shard.
    expect(response).toEqual({
      batchItemFailures: [
        { itemIdentifier: expect.stringMatching(/2$/) },
        { itemIdentifier: expect.stringMatching(/3$/) },
      ],
    });
    expect(bus.accepted.map((entry) => (entry.Detail.profile as { target: string }).target).sort()).toEqual([
      'anon:anon-a',
      'anon:anon-c',
    ]);

    bus.refuse = () => null;
    // Lambda redelivers from the first reported record: b and c again.
    expect(await handler(kinesisEvent(messages.slice(1), 2))).toEqual({ batchItemFailures: [] });

    const targets = bus.accepted.map((entry) => (entry.Detail.profile as { target: string }).target).sort();
    expect(targets).toEqual(['anon:anon-a', 'anon:anon-b', 'anon:anon-c']);
    // Segment got each profile's identify once per messageId (b's was resent with the same id: deduplicated).
    const b = writer.delivered.filter((call) => call.target === 'anon:anon-b');
    expect(new Set(b.map((call) => call.messageId)).size).toBe(1);
    // b's change was published (marked), and b completed in a batch without failures: not marked done.
    expect((await store.getMessage(messages[1]!.messageId as string))?.steps).toEqual(['attribution-event']);
    expect((await store.getMessage(messages[0]!.messageId as string))?.steps).toEqual([
      'attribution-event',
      'done',
    ]);
  });

  it('retries a PutEvents call EventBridge failed (500), within the same invocation', async () => {
    bus.failCalls = 1;

    expect(await handler(kinesisEvent([paidSocial('anon-5', '2026-03-01T10:00:00.000Z')]))).toEqual({
      batchItemFailures: [],
    });
    expect(bus.accepted).toHaveLength(1);
  });
});

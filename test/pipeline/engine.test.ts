import { generateEvents } from '../../src/generate';
import { RACED_WRITE, WRITE_BACK_SLICE } from '../../src/pipeline';
import { MemoryStore, type ProfileState } from '../../src/store';
import type { IdentityKey } from '../../src/identity';
import type { Traits } from '../../src/attribution';
import { aliasEvent, identifyEvent, pageEvent, shuffled, trackEvent, type Message } from '../support/events';
import { RetryableError } from '../../src/errors';
import { parseEnvelope } from '../../src/events';
import { TRACKING_CHUNK_SIZE, type EventTracker } from '../../src/pipeline';
import { testPipeline, type TestPipeline } from '../support/pipeline';
import { openSqliteStore } from '../../src/store/sqlite';
import { RecordingTraitWriter } from '../support/recording-writer';

const SITE = 'https://shop.example.com';

describe('the delivery engine', () => {
  describe('idempotency', () => {
    it('gives the same traits and no extra writes when every event is delivered three times', async () => {
      // Prepare
      const stream = generateEvents({ users: 40, seed: 11, start: new Date('2026-03-01T00:00:00Z') });
      const once = testPipeline();
      const thrice = testPipeline();

      // Act
      for (const event of stream) await once.deliver(event);
      for (const event of stream) for (let i = 0; i < 3; i++) await thrice.deliver(event);

      // Assess
      expect(thrice.writer.delivered.length).toBe(once.writer.delivered.length);
      expect(thrice.writer.profiles()).toEqual(once.writer.profiles());
      expect(once.writer.delivered.length).toBeGreaterThan(40);
    });

    it('applies a message that comes again after it completed once more, and writes nothing for it', async () => {
      const pipeline = testPipeline();
      const event = pageEvent({
        anonymousId: 'a1',
        at: '2026-03-01T10:00:00Z',
        url: `${SITE}/?utm_source=newsletter&utm_medium=email`,
      });

      const first = await pipeline.deliver(event);
      const again = await pipeline.deliver(event);

      expect(first).toMatchObject({ processed: 1, touches: 1, identifyCalls: 1 });
      // Not marked done (a Lambda delivery comes again only when it failed): applied again, idempotently.
      expect(again).toMatchObject({ processed: 1, duplicates: 0, touches: 0, identifyCalls: 0 });
      expect(pipeline.writer.delivered).toHaveLength(1);
      expect(await pipeline.store.touchesOf(['anon:a1'])).toHaveLength(1);
      expect(await pipeline.store.getMessage(event.messageId as string)).toBeNull();
    });

    it('treats the same messageId twice in one batch as one message', async () => {
      const pipeline = testPipeline();
      const event = pageEvent({
        anonymousId: 'a1',
        at: '2026-03-01T10:00:00Z',
        url: `${SITE}/?utm_source=x&utm_medium=email`,
      });

      const report = await pipeline.deliver([event, event]);

      expect(report).toMatchObject({ received: 2, processed: 1, duplicates: 1 });
    });
  });

  describe('order independence', () => {
    it('gives the same final traits for a shuffled stream as for the sorted one', async () => {
      const stream = generateEvents({ users: 60, seed: 5, start: new Date('2026-03-01T00:00:00Z') });
      const sorted = testPipeline();
      const shuffledRun = testPipeline();

      for (const event of stream) await sorted.deliver(event);
      for (const event of shuffled(stream, 99)) await shuffledRun.deliver(event);

      const final = async (run: ReturnType<typeof testPipeline>) => {
        const { resolveProfile } = await import('../../src/identity');
        const result = new Map<string, unknown>();
        for (const [target, traits] of run.writer.profiles()) {
          // docs/attribution.md §8: a trait with no value is omitted or null; Segment treats both alike.
          const present = Object.fromEntries(Object.entries(traits).filter(([, value]) => value !== null));
          if ((await resolveProfile(target, run.store)).target === target) result.set(target, present);
        }
        return result;
      };
      const expected = await final(sorted);
      expect(expected.size).toBeGreaterThan(30);
      expect(await final(shuffledRun)).toEqual(expected);
    });

    it.each([
      ['memory', async () => new MemoryStore()],
      ['SQLite', () => openSqliteStore(':memory:')],
    ])(
      'gives the same traits on the %s store whichever copy of a message resent with another timestamp comes first',
      async (_name, openStore) => {
        // Segment corrects a resend's timestamp by that send's sentAt: the copies can differ by milliseconds.
        const stream = generateEvents({ users: 40, seed: 8, start: new Date('2026-03-01T00:00:00Z') });
        const resent = (event: Message): Message => {
          const at = new Date(Date.parse(String(event.timestamp)) + 40).toISOString();
          return { ...event, timestamp: at, originalTimestamp: at };
        };
        const runs = [];
        for (const resentFirst of [false, true]) {
          const run = testPipeline({ store: await openStore() });
          for (const [index, event] of stream.entries()) {
            const copies = index % 3 === 0 ? [event, resent(event)] : [event];
            for (const copy of resentFirst ? copies.reverse() : copies) await run.deliver(copy);
          }
          runs.push(run);
        }

        const [originalFirst, resentFirst] = runs as [TestPipeline, TestPipeline];
        expect(originalFirst.writer.profiles().size).toBeGreaterThan(20);
        expect(resentFirst.writer.profiles()).toEqual(originalFirst.writer.profiles());
        for (const run of runs) await run.store.close();
      },
    );

    it('lets a late, earlier touch become the first touch', async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-05T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.bing.com/',
        }),
      );
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=spring`,
        }),
      );

      const traits = pipeline.writer.profiles().get('anon:a1');
      expect(traits).toMatchObject({
        first_touch_channel: 'Email',
        first_touch_campaign: 'spring',
        first_touch_timestamp: '2026-03-01T10:00:00.000Z',
        last_touch_channel: 'Organic Search',
        last_touch_source: 'bing',
        touch_count: 2,
      });
    });
  });

  describe('identity', () => {
    it('merges devices: an earlier touch on device B becomes first touch once B identifies', async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'laptop',
          at: '2026-03-10T09:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.google.com/',
        }),
      );
      await pipeline.deliver(
        identifyEvent({ anonymousId: 'laptop', userId: 'u1', at: '2026-03-10T09:05:00Z' }),
      );
      expect(pipeline.writer.profiles().get('user:u1')).toMatchObject({
        first_touch_channel: 'Organic Search',
      });

      await pipeline.deliver(
        pageEvent({
          anonymousId: 'phone',
          at: '2026-03-02T20:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://l.facebook.com/',
        }),
      );
      await pipeline.deliver(
        identifyEvent({ anonymousId: 'phone', userId: 'u1', at: '2026-03-11T08:00:00Z' }),
      );

      expect(pipeline.writer.profiles().get('user:u1')).toMatchObject({
        first_touch_channel: 'Organic Social',
        first_touch_source: 'facebook',
        first_touch_timestamp: '2026-03-02T20:00:00.000Z',
        last_touch_channel: 'Organic Search',
        touch_count: 2,
      });
    });

    it('writes to the anonymousId before identify and to the userId after', async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://duckduckgo.com/',
        }),
      );
      await pipeline.deliver(identifyEvent({ anonymousId: 'a1', userId: 'u1', at: '2026-03-01T10:05:00Z' }));

      expect(pipeline.writer.delivered.map((call) => call.target)).toEqual(['anon:a1', 'user:u1']);
      expect(pipeline.writer.delivered[1]?.traits).toMatchObject({
        first_touch_source: 'duckduckgo',
        touch_count: 1,
      });
    });

    it('follows an alias from an anonymousId to a userId', async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'anon-7',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/?utm_source=partner&utm_medium=affiliate`,
        }),
      );
      await pipeline.deliver(aliasEvent({ previousId: 'anon-7', userId: 'u7', at: '2026-03-02T10:00:00Z' }));

      expect(pipeline.writer.profiles().get('user:u7')).toMatchObject({
        first_touch_channel: 'Affiliates',
        first_touch_source: 'partner',
      });
    });

    it('follows an alias from an old userId to a new one, writing to the new one', async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://t.co/',
        }),
      );
      await pipeline.deliver(
        identifyEvent({ anonymousId: 'a1', userId: 'old-id', at: '2026-03-01T10:01:00Z' }),
      );
      await pipeline.deliver(
        aliasEvent({ previousId: 'old-id', userId: 'new-id', at: '2026-04-01T10:00:00Z' }),
      );

      expect(pipeline.writer.delivered.at(-1)?.target).toBe('user:new-id');
      expect(pipeline.writer.profiles().get('user:new-id')).toMatchObject({ first_touch_source: 'x' });
    });
  });

  describe('touches', () => {
    it('makes no touch for internal navigation', async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.google.com/',
        }),
      );
      const report = await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:01:00Z',
          url: `${SITE}/shoes`,
          referrer: `${SITE}/`,
        }),
      );

      expect(report.touches).toBe(0);
      expect(await pipeline.store.touchesOf(['anon:a1'])).toHaveLength(1);
      expect(pipeline.writer.delivered).toHaveLength(1);
    });

    it('never lets Direct override a non-direct last touch', async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/?utm_source=newsletter&utm_medium=email`,
        }),
      );
      await pipeline.deliver(pageEvent({ anonymousId: 'a1', at: '2026-03-08T10:00:00Z', url: `${SITE}/` }));

      const traits = pipeline.writer.profiles().get('anon:a1');
      expect(await pipeline.store.touchesOf(['anon:a1'])).toHaveLength(2);
      expect(traits).toMatchObject({
        last_touch_channel: 'Email',
        first_non_direct_touch_channel: 'Email',
        touch_count: 2,
      });
    });

    it('counts a Direct visit as a touch only when it starts a session, whatever the arrival order', async () => {
      const events: Message[] = [
        pageEvent({ anonymousId: 'a1', at: '2026-03-01T10:00:00Z', url: `${SITE}/` }),
        trackEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:10:00Z',
          url: `${SITE}/shoes`,
          event: 'Product Viewed',
        }),
        pageEvent({ anonymousId: 'a1', at: '2026-03-01T10:20:00Z', url: `${SITE}/sale` }),
        pageEvent({ anonymousId: 'a1', at: '2026-03-01T12:00:00Z', url: `${SITE}/` }),
      ];
      for (const order of [events, [...events].reverse(), shuffled(events, 3)]) {
        const pipeline = testPipeline();
        for (const event of order) await pipeline.deliver(event);
        const touches = await pipeline.store.touchesOf(['anon:a1']);
        expect(touches.map((touch) => touch.timestamp).sort()).toEqual([
          '2026-03-01T10:00:00.000Z',
          '2026-03-01T12:00:00.000Z',
        ]);
      }
    });

    it('uses only touches inside the lookback window for last touch, measured from the newest event', async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-01-01T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.google.com/',
        }),
      );
      await pipeline.deliver(pageEvent({ anonymousId: 'a1', at: '2026-06-01T10:00:00Z', url: `${SITE}/` }));

      expect(pipeline.writer.profiles().get('anon:a1')).toMatchObject({
        first_touch_channel: 'Organic Search',
        last_touch_channel: 'Direct',
        last_touch_timestamp: '2026-06-01T10:00:00.000Z',
      });
    });

    it('writes back only the traits that changed, and nothing when none did', async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.google.com/',
        }),
      );
      await pipeline.deliver(
        trackEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:01:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.google.com/',
          event: 'Product Viewed',
        }),
      );
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-09T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.bing.com/',
        }),
      );

      expect(pipeline.writer.delivered).toHaveLength(2);
      const second = pipeline.writer.delivered[1]?.traits ?? {};
      expect(Object.keys(second).every((key) => key.startsWith('last_touch_') || key === 'touch_count')).toBe(
        true,
      );
      expect(second).toMatchObject({ last_touch_source: 'bing', touch_count: 2 });
    });
  });

  describe('concurrent writers', () => {
    /** A store shared by parallel invocations, where one invocation can be held between read and save. */
    class SharedStore extends MemoryStore {
      readonly concurrentWriters = true;
      hold: Promise<void> | null = null;
      /** hold after reading the profile state (the invocation then computes against it), not before */
      holdAfterRead = false;
      override async getProfileState(target: IdentityKey): Promise<ProfileState | null> {
        const hold = this.hold;
        this.hold = null;
        if (hold && !this.holdAfterRead) await hold;
        const state = await super.getProfileState(target);
        if (hold && this.holdAfterRead) await hold;
        return state;
      }
    }

    /** Runs `stalled` until its next profile-state read is held, all of `meanwhile`, then the rest of `stalled`. */
    async function interleave(
      store: SharedStore,
      stalled: () => Promise<unknown>,
      meanwhile: () => Promise<unknown>,
    ): Promise<void> {
      let release = () => {};
      store.hold = new Promise<void>((resolve) => (release = resolve));
      const first = stalled();
      await new Promise((resolve) => setImmediate(resolve));
      await meanwhile();
      release();
      await first;
    }

    /** A visit of device a1 at `at` from `referrer`. */
    const visit = (at: string, referrer: string) =>
      pageEvent({ anonymousId: 'a1', at, url: `${SITE}/`, referrer });

    it('corrects a stale write-back that lands after a newer one (lost update)', async () => {
      // Prepare: invocation A reads the touches, then stalls; B stores a newer touch and writes back first.
      const store = new SharedStore();
      const a = testPipeline({ store });
      const b = testPipeline({ store, writer: a.writer });

      // Act
      await interleave(
        store,
        () => a.deliver(visit('2026-03-01T10:00:00Z', 'https://www.google.com/')),
        () => b.deliver(visit('2026-03-01T12:00:00Z', 'https://www.bing.com/')),
      );

      // Assess: the last word on the wire and in the store is the fresh one.
      expect(a.writer.profiles().get('anon:a1')).toMatchObject({ touch_count: 2, last_touch_source: 'bing' });
      expect((await store.getProfileState('anon:a1'))?.writtenTraits).toMatchObject({
        touch_count: 2,
        last_touch_source: 'bing',
      });
    });

    it('resends every trait after a save another writer beat, whichever identify reached Segment last', async () => {
      // Prepare: A reads the profile's written state, then stalls; B writes back and saves first.
      const store = new SharedStore();
      store.holdAfterRead = true;
      const a = testPipeline({ store });
      const b = testPipeline({ store, writer: a.writer });
      await a.deliver(visit('2026-03-01T09:00:00Z', 'https://t.co/'));

      // Act
      await interleave(
        store,
        () => a.deliver(visit('2026-03-01T10:00:00Z', 'https://www.google.com/')),
        () => b.deliver(visit('2026-03-01T12:00:00Z', 'https://www.bing.com/')),
      );

      // Assess: A's save found B's write; its re-check sent every trait, first touch and nulls included
      const calls = a.writer.delivered;
      const resend = calls[calls.length - 1];
      expect(resend?.traits).toMatchObject({
        first_touch_source: 'x',
        last_touch_source: 'bing',
        touch_count: 3,
        first_touch_campaign: null,
      });
      const state = await store.getProfileState('anon:a1');
      expect(state?.writtenFor).not.toBe(RACED_WRITE);
      expect(state?.writtenBy).toBe(resend?.messageId);
      expect(new Set(calls.map((call) => call.messageId)).size).toBe(calls.length);
    });

    it('corrects a stale write-back made before a concurrent identify merged another device', async () => {
      // Prepare: device b already belongs to u1; device a has an earlier, anonymous touch.
      const store = new SharedStore();
      const x = testPipeline({ store });
      const y = testPipeline({ store, writer: x.writer });
      await x.deliver(
        pageEvent({
          anonymousId: 'b',
          at: '2026-03-05T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://t.co/',
        }),
      );
      await x.deliver(identifyEvent({ anonymousId: 'b', userId: 'u1', at: '2026-03-05T10:01:00Z' }));
      await x.deliver(
        pageEvent({
          anonymousId: 'a',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.bing.com/',
        }),
      );

      // Act: Y resolves u1 as {b, u1} and stalls; X links a to u1 and writes the merged traits; Y resumes.
      await interleave(
        store,
        () =>
          y.deliver(
            pageEvent({
              anonymousId: 'b',
              userId: 'u1',
              at: '2026-03-06T10:00:00Z',
              url: `${SITE}/?utm_source=news&utm_medium=email`,
            }),
          ),
        () => x.deliver(identifyEvent({ anonymousId: 'a', userId: 'u1', at: '2026-03-06T11:00:00Z' })),
      );

      // Assess
      expect(x.writer.profiles().get('user:u1')).toMatchObject({
        first_touch_source: 'bing',
        touch_count: 3,
      });
    });
  });

  describe('failures', () => {
    it('dead-letters invalid messages with a reason, keeps the good ones, and does not throw', async () => {
      const pipeline = testPipeline();
      const good = pageEvent({
        anonymousId: 'a1',
        at: '2026-03-01T10:00:00Z',
        url: `${SITE}/`,
        referrer: 'https://www.google.com/',
      });

      const report = await pipeline.deliver([
        { type: 'page', messageId: 'no-ids', timestamp: '2026-03-01T10:00:00Z' },
        { type: 'track', messageId: 'bad-time', anonymousId: 'a2', event: 'X', timestamp: 'yesterday-ish' },
        'not even an object',
        good,
      ]);

      expect(report).toMatchObject({ received: 4, processed: 1, deadLettered: 3 });
      const letters = await pipeline.store.listDeadLetters(10);
      expect(letters.map((letter) => letter.messageId)).toEqual([null, 'bad-time', 'no-ids']);
      expect(letters.find((letter) => letter.messageId === 'no-ids')?.reason).toMatch(
        /userId or an anonymousId/,
      );
      expect(letters.find((letter) => letter.messageId === 'bad-time')?.reason).toMatch(
        /timestamp: not a date/,
      );
    });

    it('acknowledges unsupported types without dead-lettering them', async () => {
      const pipeline = testPipeline();
      const report = await pipeline.deliver({
        type: 'subscribe',
        messageId: 'm1',
        anonymousId: 'a1',
        timestamp: '2026-03-01T10:00:00Z',
      });
      expect(report).toMatchObject({ ignored: 1, deadLettered: 0 });
    });

    it('ignores identify calls that carry only its own traits (a write-back loop)', async () => {
      const pipeline = testPipeline();
      const report = await pipeline.deliver({
        type: 'identify',
        messageId: 'loop-1',
        userId: 'u1',
        timestamp: '2026-03-01T10:00:00Z',
        traits: { first_touch_channel: 'Email', touch_count: 3 },
      });
      expect(report).toMatchObject({ ignored: 1, processed: 0 });
      expect(await pipeline.store.newestActivity(['user:u1'])).toBeNull();
    });

    it('fails on a write-back outage, then completes on redelivery with no duplicate side effects', async () => {
      const pipeline = testPipeline();
      const event = pageEvent({
        anonymousId: 'a1',
        at: '2026-03-01T10:00:00Z',
        url: `${SITE}/`,
        referrer: 'https://www.google.com/',
      });
      pipeline.writer.failNextFlushes = 1;

      await expect(pipeline.deliver(event)).rejects.toThrow('simulated Segment outage');
      expect(await pipeline.store.getMessage(event.messageId as string)).toBeNull();
      const retry = await pipeline.deliver(event);

      expect(retry).toMatchObject({ processed: 1, identifyCalls: 1 });
      expect(await pipeline.store.touchesOf(['anon:a1'])).toHaveLength(1);
      expect(pipeline.writer.delivered).toHaveLength(1);
    });

    it('marks a tracked message `personalize` only when its write-back fails, so that redelivery does not track it twice', async () => {
      // Prepare
      const tracked: string[] = [];
      const tracker: EventTracker = {
        async track(messages) {
          tracked.push(...messages.map((message) => message.messageId));
          return { rejected: [] };
        },
      };
      const pipeline = testPipeline({ tracker });
      const ok = pageEvent({ anonymousId: 'a1', at: '2026-03-01T10:00:00Z', url: `${SITE}/` });
      const failing = pageEvent({
        anonymousId: 'a2',
        at: '2026-03-01T10:00:00Z',
        url: `${SITE}/`,
        referrer: 'https://www.google.com/',
      });

      // Act
      await pipeline.deliver(ok);
      pipeline.writer.failNextFlushes = 1;
      await expect(pipeline.deliver(failing)).rejects.toThrow('simulated Segment outage');
      const afterFailure = await pipeline.store.getMessage(failing.messageId as string);
      await pipeline.deliver(failing);

      // Assess
      expect(await pipeline.store.getMessage(ok.messageId as string)).toBeNull();
      expect(afterFailure?.steps).toEqual(['personalize']);
      expect(tracked).toEqual([ok.messageId, failing.messageId]);
      expect((await pipeline.store.getMessage(failing.messageId as string))?.steps).toEqual(['personalize']);
    });

    it("marks the chunks tracked before a later chunk's PutEvents failure, so they are not tracked again", async () => {
      // Prepare
      let calls = 0;
      const tracker: EventTracker = {
        async track() {
          if (++calls > 1) throw new RetryableError('PutEvents throttled');
          return { rejected: [] };
        },
      };
      const pipeline = testPipeline({ tracker });
      const window = pipeline.engine.openWindow();
      const pages = Array.from({ length: TRACKING_CHUNK_SIZE + 1 }, (_, i) =>
        pageEvent({
          anonymousId: `d${String(i).padStart(4, '0')}`,
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/`,
        }),
      );
      await window.apply(parseEnvelope(pages));

      // Act
      await expect(window.complete(Date.now() + 10_000)).rejects.toThrow('PutEvents throttled');

      // Assess
      const steps = await Promise.all(
        pages.map(async (page) => (await pipeline.store.getMessage(page.messageId as string))?.steps ?? []),
      );
      expect(steps.filter((marked) => marked.includes('personalize'))).toHaveLength(TRACKING_CHUNK_SIZE);
      expect(steps.filter((marked) => marked.includes('done'))).toHaveLength(0);
    });

    it('forgets a user on a delete message', async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.google.com/',
        }),
      );
      await pipeline.deliver(identifyEvent({ anonymousId: 'a1', userId: 'u1', at: '2026-03-01T10:05:00Z' }));

      await pipeline.deliver({
        type: 'delete',
        messageId: 'del-1',
        userId: 'u1',
        timestamp: '2026-03-02T00:00:00Z',
      });

      expect(await pipeline.store.touchesOf(['anon:a1', 'user:u1'])).toEqual([]);
      expect(await pipeline.store.getProfileState('user:u1')).toBeNull();
    });

    it("removes the user's dead letters on a delete message, of every linked id, and only theirs", async () => {
      const pipeline = testPipeline();
      await pipeline.deliver(identifyEvent({ anonymousId: 'a1', userId: 'u1', at: '2026-03-01T10:05:00Z' }));
      const bad = (messageId: string, ids: Record<string, string>) => ({
        type: 'identify',
        messageId,
        timestamp: 'soon',
        traits: { email: 'jane@example.com' },
        ...ids,
      });
      await pipeline.deliver([
        bad('of-user', { userId: 'u1' }),
        bad('of-device', { anonymousId: 'a1' }),
        bad('of-other', { userId: 'u2' }),
      ]);

      await pipeline.deliver({
        type: 'delete',
        messageId: 'del-2',
        userId: 'u1',
        timestamp: '2026-03-02T00:00:00Z',
      });

      expect((await pipeline.store.listDeadLetters(10)).map((letter) => letter.messageId)).toEqual([
        'of-other',
      ]);
    });

    it('keeps one dead letter per message however often it is redelivered, keyed by payload without an id', async () => {
      const pipeline = testPipeline();
      const invalid = [
        { type: 'page', messageId: 7, anonymousId: 'a1', timestamp: 'soon' },
        { type: 'page', anonymousId: 'a1', timestamp: '2026-03-01T10:00:00Z' },
        '{not json',
      ];
      for (let attempt = 0; attempt < 3; attempt++) await pipeline.deliver(invalid);

      const letters = await pipeline.store.listDeadLetters(10);
      expect(letters).toHaveLength(3);
      expect(letters.map((letter) => letter.messageId).sort()).toEqual(['7', null, null]);
      expect(letters.map((letter) => letter.key)).toEqual(
        expect.arrayContaining(['msg:7', expect.stringMatching(/^payload-sha256:[0-9a-f]{40}$/)]),
      );
    });

    it('orders touches as instants: an implausible year never becomes first touch', async () => {
      const pipeline = testPipeline();
      const visit = (at: string, source: string) =>
        pageEvent({ anonymousId: 'a1', at, url: `${SITE}/?utm_source=${source}&utm_medium=email` });

      const report = await pipeline.deliver([
        visit('+010000-01-01T00:00:00.000Z', 'year10000'),
        visit('0100-01-01T00:00:00.000Z', 'year100'),
        visit('2026-03-01T10:00:00.000Z', 'real'),
      ]);

      expect(report).toMatchObject({ processed: 1, deadLettered: 2 });
      expect(pipeline.writer.profiles().get('anon:a1')).toMatchObject({ first_touch_source: 'real' });
    });
  });

  describe('enrichers', () => {
    it('show every affected profile to observe() once, before the first traitsFor()', async () => {
      const calls: string[] = [];
      const pipeline = testPipeline({
        enrichers: [
          {
            observe: (profiles) => {
              calls.push(`observe ${profiles.map(({ profile }) => profile.target).join(',')}`);
            },
            traitsFor: async ({ profile }) => {
              calls.push(`traitsFor ${profile.target}`);
              return {};
            },
          },
        ],
      });

      await pipeline.deliver([
        pageEvent({
          anonymousId: 'a1',
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.bing.com/',
        }),
        pageEvent({
          anonymousId: 'a2',
          at: '2026-03-01T10:01:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.bing.com/',
        }),
      ]);

      expect(calls).toEqual(['observe anon:a1,anon:a2', 'traitsFor anon:a1', 'traitsFor anon:a2']);
    });

    it('write back what they add for a profile with no touch (server-side events only), and nothing else', async () => {
      const recommending = testPipeline({
        enrichers: [{ traitsFor: async () => ({ recommended_products: ['p1', 'p2'] }) }],
      });
      const plain = testPipeline();
      // not a conversion event, which would add conversion traits (test/pipeline/conversions.test.ts)
      const serverSide = {
        type: 'track',
        event: 'Product Added',
        messageId: 'order-1',
        userId: 'u9',
        timestamp: '2026-03-01T10:00:00Z',
        properties: { products: [{ product_id: 'p0' }] },
      };

      await recommending.deliver(serverSide);
      await plain.deliver(serverSide);

      expect(recommending.writer.delivered.map((call) => [call.target, call.traits])).toEqual([
        ['user:u9', { recommended_products: ['p1', 'p2'] }],
      ]);
      expect(plain.writer.delivered).toEqual([]);
    });
  });

  describe('recommendation lists after a merge', () => {
    /** u1 gets list p1,p2 on the laptop; the phone browses anonymously (with `phoneList` written to it, if any), then identifies. */
    async function mergeAfterList(phoneList: string[] | null) {
      const pipeline = testPipeline({
        enrichers: [
          {
            traitsFor: async ({ profile }): Promise<Traits> => {
              if (profile.target === 'user:u1')
                return {
                  recommended_products: ['p1', 'p2'],
                  recommendations_updated_at: '2026-03-10T09:05:00Z',
                };
              // the phone's list was fetched at another time: its companion differs even when the list does not
              return phoneList
                ? { recommended_products: phoneList, recommendations_updated_at: '2026-03-02T20:00:00Z' }
                : {};
            },
          },
        ],
      });
      const visit = (anonymousId: string, at: string, referrer: string) =>
        pageEvent({ anonymousId, at, url: `${SITE}/`, referrer });
      await pipeline.deliver([
        visit('laptop', '2026-03-10T09:00:00Z', 'https://www.google.com/'),
        identifyEvent({ anonymousId: 'laptop', userId: 'u1', at: '2026-03-10T09:05:00Z' }),
      ]);
      await pipeline.deliver(visit('phone', '2026-03-02T20:00:00Z', 'https://l.facebook.com/'));
      const before = pipeline.writer.delivered.length;
      await pipeline.deliver(
        identifyEvent({ anonymousId: 'phone', userId: 'u1', at: '2026-03-11T08:00:00Z' }),
      );
      return pipeline.writer.delivered.slice(before);
    }

    it('does not resend an unchanged list when no other id of the merged profile was written one', async () => {
      const calls = await mergeAfterList(null);

      // The merge still resends every attribution trait (the phone's touch is now first), not the list.
      expect(calls).toHaveLength(1);
      expect(calls[0]?.target).toBe('user:u1');
      expect(calls[0]?.traits).toMatchObject({
        first_touch_channel: 'Organic Social',
        last_touch_channel: 'Organic Search',
      });
      expect(calls[0]?.traits).not.toHaveProperty('recommended_products');
      expect(calls[0]?.traits).not.toHaveProperty('recommendations_updated_at');
    });

    it("resends the unchanged list when the merged-in id was written a different one (Segment's merge may keep it)", async () => {
      const calls = await mergeAfterList(['b1']);

      expect(calls).toHaveLength(1);
      expect(calls[0]?.traits).toMatchObject({
        recommended_products: ['p1', 'p2'],
        recommendations_updated_at: '2026-03-10T09:05:00Z',
        first_touch_channel: 'Organic Social',
      });
    });

    it('does not resend it when the merged-in id was written the same list, fetched at another time', async () => {
      const calls = await mergeAfterList(['p1', 'p2']);

      expect(calls).toHaveLength(1);
      expect(calls[0]?.traits).not.toHaveProperty('recommended_products');
      expect(calls[0]?.traits).not.toHaveProperty('recommendations_updated_at');
    });
  });

  describe('write-back of many profiles', () => {
    it(`writes back a slice of ${WRITE_BACK_SLICE} profiles per flush, the same calls in the same order`, async () => {
      const flushes: number[] = [];
      class CountingWriter extends RecordingTraitWriter {
        override async flush() {
          const before = this.delivered.length;
          const result = await super.flush();
          flushes.push(this.delivered.length - before);
          return result;
        }
      }
      const observed: number[] = [];
      const pipeline = testPipeline({
        writer: new CountingWriter(),
        enrichers: [
          { observe: (profiles) => void observed.push(profiles.length), traitsFor: async () => ({}) },
        ],
      });
      const profiles = 2 * WRITE_BACK_SLICE + 7;
      const visits = Array.from({ length: profiles }, (_, n) =>
        pageEvent({
          anonymousId: `a${String(n).padStart(5, '0')}`,
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/?utm_source=newsletter&utm_medium=email`,
        }),
      );

      await pipeline.deliver(visits);

      expect(flushes).toEqual([WRITE_BACK_SLICE, WRITE_BACK_SLICE, 7]);
      // the enrichers still see every profile of the round before the first is written
      expect(observed).toEqual([profiles]);
      expect(pipeline.writer.delivered.map((call) => call.target)).toEqual(
        visits.map((visit) => `anon:${String(visit.anonymousId)}`),
      );
    });

    it('asks the enrichers for up to 8 profiles at once and still sends identify calls in profile order', async () => {
      let inFlight = 0;
      let most = 0;
      const pipeline = testPipeline({
        enrichers: [
          {
            traitsFor: async ({ profile }) => {
              inFlight++;
              most = Math.max(most, inFlight);
              // later profiles answer sooner
              const n = Number(profile.target.slice(-2));
              for (let wait = 0; wait < 20 - n; wait++) await new Promise((resolve) => setImmediate(resolve));
              inFlight--;
              return { recommended_products: [`for-${profile.target}`] };
            },
          },
        ],
      });
      const visits = Array.from({ length: 20 }, (_, n) =>
        pageEvent({
          anonymousId: `a${String(n).padStart(2, '0')}`,
          at: '2026-03-01T10:00:00Z',
          url: `${SITE}/`,
          referrer: 'https://www.bing.com/',
        }),
      );

      await pipeline.deliver(visits);

      expect(most).toBe(8);
      expect(pipeline.writer.delivered.map((call) => call.target)).toEqual(
        visits.map((visit) => `anon:${String(visit.anonymousId)}`),
      );
    });
  });
});

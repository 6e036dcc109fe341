import type { Traits, TraitValue } from '../../src/attribution';
import { generateEvents } from '../../src/generate';
import { resolveProfile, type IdentityKey } from '../../src/identity';
import { computeProfile, type IdentifyCall } from '../../src/pipeline';
import { identifyEvent, pageEvent, shuffled } from '../support/events';
import { testPipeline, type TestPipeline } from '../support/pipeline';

/**
 * A small model of Segment Unify: every id (anonymousId or userId) of a person ends on one merged
 * profile, and each trait shows the value of the last identify that set it, to any of those ids, in the
 * order Segment received them. Arrival, not the identify's `timestamp`: Unify keeps a profile's latest
 * trait state as it processes messages, and touchpoint's identify timestamps are event times (the
 * profile's newest event), which two writes to a merged profile can share. Whether Unify merged the ids
 * before or after a write arrived makes no difference here, which is what touchpoint must live with.
 */
function mergedView(delivered: readonly IdentifyCall[], ids: ReadonlySet<IdentityKey>): Traits {
  const seen = new Set<string>();
  const view: Traits = {};
  for (const call of delivered) {
    if (!ids.has(call.target) || seen.has(call.messageId)) continue; // Segment drops a repeated messageId
    seen.add(call.messageId);
    Object.assign(view, call.traits);
  }
  return view;
}

function same(a: TraitValue | undefined, b: TraitValue | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The people whose merged Segment profile differs from what touchpoint computes for them. */
async function peopleWrong(pipeline: TestPipeline): Promise<string[]> {
  const people = new Map<IdentityKey, Set<IdentityKey>>();
  for (const call of pipeline.writer.delivered) {
    const profile = await resolveProfile(call.target, pipeline.store);
    people.set(profile.target, new Set(profile.keys));
  }
  const wrong: string[] = [];
  for (const [target, ids] of people) {
    const { traits } = await computeProfile(
      pipeline.store,
      await resolveProfile(target, pipeline.store),
      pipeline.settings,
    );
    const view = mergedView(pipeline.writer.delivered, ids);
    const differing = Object.keys(traits).filter((key) => !same(view[key], traits[key]));
    if (differing.length > 0) wrong.push(`${target}: ${differing.join(', ')}`);
  }
  return wrong;
}

describe("Segment Unify's merged profile after shuffled delivery", () => {
  const stream = generateEvents({ users: 300, seed: 10, start: new Date('2026-03-01T00:00:00Z') });

  it.each([1, 2, 3])(
    'is right for every person, whatever Unify merged first (shuffle seed %i)',
    async (seed) => {
      // Prepare
      const pipeline = testPipeline();
      const delivery = shuffled(stream, seed);

      // Act: one message per invocation, in the shuffled order
      for (const message of delivery) await pipeline.deliver(message);

      // Assess
      const people = new Set(
        await Promise.all(
          pipeline.writer.delivered.map(
            async (call) => (await resolveProfile(call.target, pipeline.store)).target,
          ),
        ),
      );
      expect(people.size).toBeGreaterThan(250);
      expect(await peopleWrong(pipeline)).toEqual([]);
    },
  );
});

describe('the write-back after a profile gains an id', () => {
  const SITE = 'https://shop.example.com';

  it('sends the full trait set once, nulls included, then only what changed', async () => {
    // Prepare: a user already written to, and a device written to before anyone knew it was theirs
    const pipeline = testPipeline();
    await pipeline.deliver(
      pageEvent({
        messageId: 'u-1',
        anonymousId: 'd0',
        userId: 'u1',
        at: '2026-03-01T10:00:00Z',
        url: `${SITE}/?utm_source=a&utm_medium=email`,
      }),
    );
    await pipeline.deliver(
      pageEvent({
        messageId: 'd-1',
        anonymousId: 'd1',
        at: '2026-03-02T10:00:00Z',
        url: `${SITE}/?utm_campaign=spring&utm_source=b&utm_medium=cpc`,
      }),
    );
    const before = pipeline.writer.delivered.length;

    // Act: the device logs in, then visits again
    await pipeline.deliver(
      identifyEvent({ messageId: 'link', anonymousId: 'd1', userId: 'u1', at: '2026-03-03T10:00:00Z' }),
    );
    await pipeline.deliver(
      pageEvent({
        messageId: 'd-2',
        anonymousId: 'd1',
        userId: 'u1',
        at: '2026-03-04T10:00:00Z',
        url: `${SITE}/?utm_source=c&utm_medium=email`,
      }),
    );

    // Assess
    const [full, next] = pipeline.writer.delivered.slice(before);
    const { traits } = await computeProfile(
      pipeline.store,
      await resolveProfile('user:u1', pipeline.store),
      pipeline.settings,
    );
    expect(full?.target).toBe('user:u1');
    expect(Object.keys(full?.traits ?? {}).sort()).toEqual(Object.keys(traits).sort());
    expect(full?.traits).toMatchObject({
      first_touch_source: 'a',
      first_touch_campaign: null,
      last_touch_campaign: 'spring',
    });
    expect(next?.target).toBe('user:u1');
    expect(next?.traits).toMatchObject({ last_touch_source: 'c', last_touch_campaign: null });
    expect(next?.traits).not.toHaveProperty('first_touch_source');
  });
});

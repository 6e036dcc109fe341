import type { Touch } from '../../src/attribution';
import type { Conversion } from '../../src/conversion';
import type { IdentityKey } from '../../src/identity';
import type { DeadLetter } from '../../src/pipeline';
import type { AttributionStore } from '../../src/store';
import { MAX_RECOMMENDER_WRITES, RACED_WRITE } from '../../src/pipeline';

/**
 * The behaviour every AttributionStore must have. Each backend's test file calls this with a factory
 * that returns a fresh, empty store (and a cleanup); the same assertions run against all of them.
 */
export function describeStoreConformance(name: string, openFresh: () => Promise<AttributionStore>): void {
  describe(`${name} store conformance`, () => {
    let store: AttributionStore;

    beforeEach(async () => {
      store = await openFresh();
    });

    afterEach(async () => {
      await store.close();
    });

    it('has no record of a message it never saw', async () => {
      expect(await store.getMessage('never-seen')).toBeNull();
    });

    it('records message steps idempotently', async () => {
      await store.markStep('m1', 'personalize');
      await store.markStep('m1', 'personalize');
      await store.markStep('m1', 'done');
      const record = await store.getMessage('m1');
      expect(record?.steps.sort()).toEqual(['done', 'personalize']);
    });

    it('records the attribution-event step next to the others', async () => {
      await store.markStep('m2', 'attribution-event');
      await store.markStep('m2', 'attribution-event');
      expect((await store.getMessage('m2'))?.steps).toEqual(['attribution-event']);
      await store.markStep('m2', 'done');
      expect((await store.getMessage('m2'))?.steps.sort()).toEqual(['attribution-event', 'done']);
    });

    it('says whether activity is new: not for a message whose activity was recorded before', async () => {
      expect(await store.recordActivity(A, '2026-01-01T10:00:00.000Z', 'a1')).toBe(true);
      expect(await store.recordActivity(A, '2026-01-01T10:00:00.000Z', 'a1')).toBe(false);
      expect(await store.recordActivity(A, '2026-01-01T10:00:00.000Z', 'a2')).toBe(true);
      expect(await store.recordActivity(B, '2026-01-01T10:00:00.000Z', 'b1')).toBe(true);
    });

    it('answers activity windows as half-open [from, to) and excludes the asking message', async () => {
      await store.recordActivity(A, '2026-01-01T10:00:00.000Z', 'a1');
      expect(
        await store.hasActivityBetween(A, '2026-01-01T09:30:00.000Z', '2026-01-01T10:00:00.000Z', 'x'),
      ).toBe(false);
      expect(
        await store.hasActivityBetween(A, '2026-01-01T10:00:00.000Z', '2026-01-01T10:30:00.000Z', 'x'),
      ).toBe(true);
      expect(
        await store.hasActivityBetween(A, '2026-01-01T10:00:00.000Z', '2026-01-01T10:30:00.000Z', 'a1'),
      ).toBe(false);
      expect(
        await store.hasActivityBetween(B, '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 'x'),
      ).toBe(false);
    });

    it('returns the newest activity over several ids', async () => {
      await store.recordActivity(A, '2026-01-01T10:00:00.000Z', 'a1');
      await store.recordActivity(A, '2026-01-01T10:00:00.000Z', 'a1');
      await store.recordActivity(B, '2026-01-03T10:00:00.000Z', 'b1');
      await store.recordActivity(U, '2026-01-02T10:00:00.000Z', 'u1');
      expect(await store.newestActivity([A, U])).toBe('2026-01-02T10:00:00.000Z');
      expect(await store.newestActivity([A, B, U])).toBe('2026-01-03T10:00:00.000Z');
      expect(await store.newestActivity([anon('nobody')])).toBeNull();
    });

    it('counts every timestamp a message came with as activity, whichever came first', async () => {
      // A resend of one message can carry another timestamp (Segment corrects it by each send's sentAt).
      const early = '2026-01-01T10:00:00.000Z';
      const late = '2026-01-01T10:00:00.040Z';
      expect(await store.recordActivity(A, early, 'a1')).toBe(true);
      expect(await store.recordActivity(A, late, 'a1')).toBe(true);
      expect(await store.recordActivity(B, late, 'b1')).toBe(true);
      expect(await store.recordActivity(B, early, 'b1')).toBe(true);
      for (const key of [A, B]) {
        expect(await store.newestActivity([key])).toBe(late);
        expect(await store.hasActivityBetween(key, early, late, 'x')).toBe(true);
        expect(await store.hasActivityBetween(key, late, '2026-01-01T10:00:01.000Z', 'x')).toBe(true);
      }
    });

    it('stores touches idempotently by messageId and returns them for every owner asked', async () => {
      await store.putTouch(touch(A, 't1', '2026-01-01T10:00:00.000Z'));
      await store.putTouch(touch(A, 't1', '2026-01-01T10:00:00.000Z'));
      await store.putTouch(
        touch(B, 't2', '2026-01-02T10:00:00.000Z', { channel: 'Email', source: 'newsletter' }),
      );
      const touches = await store.touchesOf([A, B]);
      expect(touches.map((t) => t.messageId).sort()).toEqual(['t1', 't2']);
      expect(touches.find((t) => t.messageId === 't2')).toEqual(
        touch(B, 't2', '2026-01-02T10:00:00.000Z', { channel: 'Email', source: 'newsletter' }),
      );
      expect(await store.touchesOf([U])).toEqual([]);
    });

    it('keeps one touch per messageId, also of a message that came again with another timestamp', async () => {
      await store.putTouch(touch(A, 't1', '2026-01-01T10:00:00.000Z'));
      await store.putTouch(touch(A, 't1', '2026-01-01T10:00:00.040Z'));
      expect((await store.touchesOf([A])).map((t) => t.messageId)).toEqual(['t1']);
      const inputs = await store.profileInputsOf?.([A]);
      if (inputs) expect(inputs.touches.map((t) => t.messageId)).toEqual(['t1']);
    });

    it('keeps the earliest timestamp of a touch whose message came again with another, whichever came first', async () => {
      const early = touch(A, 't1', '2026-01-01T10:00:00.000Z');
      const late = touch(A, 't1', '2026-01-01T10:00:00.040Z');
      await store.putTouch(early);
      await store.putTouch(late);
      await store.putTouch({ ...late, ownerKey: B });
      await store.putTouch({ ...early, ownerKey: B });
      expect(await store.touchesOf([A])).toEqual([early]);
      expect(await store.touchesOf([B])).toEqual([{ ...early, ownerKey: B }]);
      const inputs = await store.profileInputsOf?.([B]);
      if (inputs) expect(inputs.touches).toEqual([{ ...early, ownerKey: B }]);
    });

    it('deletes only Direct touches inside (after, until]', async () => {
      await store.putTouch(touch(A, 'd0', '2026-01-01T10:00:00.000Z', { direct: true, channel: 'Direct' }));
      await store.putTouch(touch(A, 'd1', '2026-01-01T10:10:00.000Z', { direct: true, channel: 'Direct' }));
      await store.putTouch(touch(A, 'd2', '2026-01-01T10:30:00.000Z', { direct: true, channel: 'Direct' }));
      await store.putTouch(touch(A, 'd3', '2026-01-01T10:31:00.000Z', { direct: true, channel: 'Direct' }));
      await store.putTouch(touch(A, 'n1', '2026-01-01T10:20:00.000Z'));
      await store.putTouch(touch(B, 'd4', '2026-01-01T10:10:00.000Z', { direct: true, channel: 'Direct' }));
      const deleted = await store.deleteDirectTouches(
        A,
        '2026-01-01T10:00:00.000Z',
        '2026-01-01T10:30:00.000Z',
      );
      expect(deleted).toBe(2);
      expect((await store.touchesOf([A, B])).map((t) => t.messageId).sort()).toEqual([
        'd0',
        'd3',
        'd4',
        'n1',
      ]);
    });

    it('links ids both ways and keeps the earliest timestamp of a link', async () => {
      await store.link({ from: A, to: U, primary: U, timestamp: '2026-01-02T00:00:00.000Z' });
      await store.link({ from: A, to: U, primary: U, timestamp: '2026-01-01T00:00:00.000Z' });
      await store.link({ from: U, to: A, primary: U, timestamp: '2026-01-03T00:00:00.000Z' });
      await store.link({ from: B, to: U, primary: U, timestamp: '2026-01-04T00:00:00.000Z' });
      const fromA = await store.linksOf([A]);
      expect(fromA).toEqual([{ from: A, to: U, primary: U, timestamp: '2026-01-01T00:00:00.000Z' }]);
      const fromU = await store.linksOf([U]);
      expect(fromU.map((link) => link.to).sort()).toEqual([A, B]);
      expect(fromU.every((link) => link.from === U && link.primary === U)).toBe(true);
    });

    it('ignores a link from an id to itself', async () => {
      await store.link({ from: A, to: A, primary: A, timestamp: '2026-01-01T00:00:00.000Z' });
      expect(await store.linksOf([A])).toEqual([]);
    });

    it('keeps written traits and recommendations per target without one clobbering the other', async () => {
      expect(await store.getProfileState(U)).toBeNull();
      await store.saveWrittenTraits(
        U,
        { first_touch_channel: 'Email', touch_count: 2 },
        '2026-01-01T00:00:00.000Z',
      );
      await store.saveRecommendations(U, {
        items: ['sku-1', 'sku-2'],
        recommendationId: 'rid',
        fetchedAt: '2026-01-01T00:00:01.000Z',
        origin: 'personalize',
      });
      await store.saveWrittenTraits(
        U,
        { first_touch_channel: 'Email', touch_count: 3 },
        '2026-01-01T00:00:02.000Z',
      );
      expect(await store.getProfileState(U)).toEqual({
        writtenTraits: { first_touch_channel: 'Email', touch_count: 3 },
        writtenAt: '2026-01-01T00:00:02.000Z',
        recommendations: {
          items: ['sku-1', 'sku-2'],
          recommendationId: 'rid',
          fetchedAt: '2026-01-01T00:00:01.000Z',
          origin: 'personalize',
        },
        relatedRecommendations: null,
      });
    });

    it('keeps which ids the traits were written for until a save says otherwise', async () => {
      await store.saveWrittenTraits(U, { touch_count: 1 }, '2026-01-01T00:00:00.000Z');
      expect((await store.getProfileState(U))?.writtenFor).toBeUndefined();

      await store.saveWrittenTraits(U, { touch_count: 2 }, '2026-01-01T00:00:01.000Z', 'ids-1');
      await store.saveRecommendations(U, {
        items: [],
        recommendationId: null,
        fetchedAt: '2026-01-01T00:00:02.000Z',
        origin: 'local-fallback',
      });
      expect(await store.getProfileState(U)).toMatchObject({
        writtenTraits: { touch_count: 2 },
        writtenFor: 'ids-1',
      });

      await store.saveWrittenTraits(U, { touch_count: 3 }, '2026-01-01T00:00:03.000Z', 'ids-2');
      expect((await store.getProfileState(U))?.writtenFor).toBe('ids-2');
    });

    it('saves written traits only over the write they were computed against', async () => {
      const at = '2026-01-01T00:00:00.000Z';
      // Two writers read a profile never written: the first save wins, the second is refused
      expect(
        await store.saveWrittenTraits(U, { touch_count: 1 }, at, 'ids', { by: 'w1', replacing: null }),
      ).toBe(true);
      expect(
        await store.saveWrittenTraits(U, { touch_count: 2 }, at, 'ids', { by: 'w2', replacing: null }),
      ).toBe(false);
      expect(await store.getProfileState(U)).toMatchObject({
        writtenTraits: { touch_count: 1 },
        writtenBy: 'w1',
      });

      // The same write saved again (a retry) is not a race; one computed against w1 replaces it
      expect(
        await store.saveWrittenTraits(U, { touch_count: 1 }, at, 'ids', { by: 'w1', replacing: null }),
      ).toBe(true);
      expect(
        await store.saveWrittenTraits(U, { touch_count: 3 }, at, 'ids', { by: 'w3', replacing: 'w1' }),
      ).toBe(true);
      expect(
        await store.saveWrittenTraits(U, { touch_count: 4 }, at, 'ids', { by: 'w4', replacing: 'w1' }),
      ).toBe(false);

      // A raced mark keeps the write it found; a save without a condition always lands, and one without
      // a writer leaves none recorded
      await store.markWrittenRaced(U);
      expect(await store.getProfileState(U)).toMatchObject({
        writtenTraits: { touch_count: 3 },
        writtenFor: RACED_WRITE,
        writtenBy: 'w3',
      });
      await store.markWrittenRaced(A);
      expect(await store.getProfileState(A)).toBeNull();
      expect(await store.saveWrittenTraits(U, { touch_count: 5 }, at, 'ids', { by: 'w5' })).toBe(true);
      expect(await store.getProfileState(U)).toMatchObject({ writtenFor: 'ids', writtenBy: 'w5' });
      expect(await store.saveWrittenTraits(U, { touch_count: 6 }, at)).toBe(true);
      expect((await store.getProfileState(U))?.writtenBy).toBeUndefined();
      expect(
        await store.saveWrittenTraits(A, { touch_count: 1 }, at, 'ids', { by: 'w6', replacing: 'w5' }),
      ).toBe(false);
    });

    it('keeps the related-items list beside the other list, neither clobbering the other', async () => {
      const list = {
        items: ['sku-1'],
        recommendationId: 'rid-1',
        fetchedAt: '2026-01-01T00:00:01.000Z',
        origin: 'personalize',
      };
      const related = { ...list, items: ['sku-9', 'sku-8'], recommendationId: 'rid-2', itemId: 'sku-5' };

      await store.saveRelatedRecommendations(U, related);
      await store.saveRecommendations(U, list);
      await store.saveWrittenTraits(U, { touch_count: 1 }, '2026-01-01T00:00:02.000Z');

      expect(await store.getProfileState(U)).toMatchObject({
        recommendations: list,
        relatedRecommendations: related,
      });
      await store.forget([U]);
      expect(await store.getProfileState(U)).toBeNull();
    });

    it('lists the targets written most recently, newest first, and only those with written traits', async () => {
      // Prepare
      await store.saveWrittenTraits(A, { touch_count: 1 }, '2026-01-01T00:00:01.000Z');
      await store.saveWrittenTraits(U, { touch_count: 1 }, '2026-01-01T00:00:03.000Z');
      await store.saveWrittenTraits(B, { touch_count: 1 }, '2026-01-01T00:00:02.000Z');
      await store.saveRecommendations(anon('only-recommended'), {
        items: ['sku-1'],
        recommendationId: null,
        fetchedAt: '2026-01-01T00:00:09.000Z',
        origin: 'local-fallback',
      });
      await store.saveWrittenTraits(A, { touch_count: 2 }, '2026-01-01T00:00:04.000Z');

      // Act
      const all = await store.recentProfiles(10);
      const two = await store.recentProfiles(2);

      // Assess
      expect(all).toEqual([
        { target: A, writtenAt: '2026-01-01T00:00:04.000Z' },
        { target: U, writtenAt: '2026-01-01T00:00:03.000Z' },
        { target: B, writtenAt: '2026-01-01T00:00:02.000Z' },
      ]);
      expect(two.map((profile) => profile.target)).toEqual([A, U]);
      expect(await store.recentProfiles(0)).toEqual([]);
    });

    it('keeps dead letters newest first with their reason, payload, note and owners', async () => {
      const first = letter({
        at: '2026-01-01T00:00:00.000Z',
        key: 'msg:bad-1',
        messageId: 'bad-1',
        reason: 'first',
        payload: { a: 1 },
        owners: [A],
      });
      const second = letter({
        at: '2026-01-01T00:00:01.000Z',
        key: 'payload-sha256:0f',
        reason: 'second',
        payload: 'not json',
        note: 'payload cut',
      });
      await store.addDeadLetter(first);
      await store.addDeadLetter(second);
      expect(await store.listDeadLetters(10)).toEqual([second, first]);
      expect(await store.listDeadLetters(1)).toHaveLength(1);
      expect(await store.listDeadLetters(0)).toEqual([]);
    });

    it('keeps one dead letter per key however often it is added: the latest', async () => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        await store.addDeadLetter(
          letter({
            at: `2026-01-01T00:00:0${attempt}.000Z`,
            key: 'msg:m1',
            messageId: 'm1',
            reason: `try ${attempt}`,
            owners: [U],
          }),
        );
      }
      await store.addDeadLetter(letter({ at: '2026-01-01T00:00:02.500Z', key: 'msg:m2', messageId: 'm2' }));
      const letters = await store.listDeadLetters(10);
      expect(letters.map((kept) => [kept.key, kept.reason])).toEqual([
        ['msg:m1', 'try 3'],
        ['msg:m2', 'bad'],
      ]);
      expect(letters[0]?.owners).toEqual([U]);
    });

    it('filters dead letters by time and by reason text, case-insensitively', async () => {
      await store.addDeadLetter(
        letter({ at: '2026-01-01T00:00:00.000Z', key: 'msg:old', reason: 'timestamp: before 2000' }),
      );
      await store.addDeadLetter(
        letter({ at: '2026-01-02T00:00:00.000Z', key: 'msg:new-time', reason: 'Timestamp: before 2000' }),
      );
      await store.addDeadLetter(
        letter({ at: '2026-01-03T00:00:00.000Z', key: 'msg:new-json', reason: 'not JSON' }),
      );
      const keys = async (filter: { since?: string; reason?: string }) =>
        (await store.listDeadLetters(10, filter)).map((kept) => kept.key);
      expect(await keys({ since: '2026-01-02T00:00:00.000Z' })).toEqual(['msg:new-json', 'msg:new-time']);
      expect(await keys({ reason: 'TIMESTAMP' })).toEqual(['msg:new-time', 'msg:old']);
      expect(await keys({ since: '2026-01-02T00:00:00.000Z', reason: 'timestamp' })).toEqual([
        'msg:new-time',
      ]);
    });

    it('removes dead letters by key and says how many there were', async () => {
      await store.addDeadLetter(letter({ key: 'msg:a', owners: [A] }));
      await store.addDeadLetter(letter({ key: 'msg:b' }));
      expect(await store.removeDeadLetters(['msg:a', 'msg:missing'])).toBe(1);
      expect((await store.listDeadLetters(10)).map((kept) => kept.key)).toEqual(['msg:b']);
      // a removed letter's owners no longer lead to it; a new one with the same key is kept again
      await store.addDeadLetter(letter({ key: 'msg:a', reason: 'again' }));
      await store.forget([A]);
      expect((await store.listDeadLetters(10)).map((kept) => kept.key).sort()).toEqual(['msg:a', 'msg:b']);
    });

    it('forgets the dead letters of deleted ids, and only theirs', async () => {
      await store.addDeadLetter(letter({ key: 'msg:of-user', owners: [U] }));
      await store.addDeadLetter(letter({ key: 'msg:of-device', owners: [A, 'user:someone-else'] }));
      await store.addDeadLetter(letter({ key: 'msg:other', owners: [B] }));
      await store.forget([A, U]);
      expect((await store.listDeadLetters(10)).map((kept) => kept.key)).toEqual(['msg:other']);
    });

    it('forgets everything about deleted ids but keeps other profiles and idempotency records', async () => {
      await store.link({ from: A, to: U, primary: U, timestamp: '2026-01-01T00:00:00.000Z' });
      await store.recordActivity(A, '2026-01-01T10:00:00.000Z', 'a1');
      await store.putTouch(touch(A, 'a1', '2026-01-01T10:00:00.000Z'));
      await store.putTouch(touch(B, 'b1', '2026-01-01T10:00:00.000Z'));
      await store.saveWrittenTraits(U, { touch_count: 1 }, '2026-01-01T00:00:00.000Z');
      await store.markStep('a1', 'done');
      await store.forget([A, U]);
      expect(await store.touchesOf([A, U])).toEqual([]);
      expect(await store.linksOf([A, U])).toEqual([]);
      expect(await store.newestActivity([A])).toBeNull();
      expect(await store.getProfileState(U)).toBeNull();
      expect(await store.touchesOf([B])).toHaveLength(1);
      expect(await store.getMessage('a1')).not.toBeNull();
    });

    it('stores conversions idempotently by messageId, keeping the credit last sent', async () => {
      // Prepare
      const order = conversion(A, 'o1', '2026-01-02T10:00:00.000Z', 25.5);
      await store.putConversion(order);
      await store.putConversion(conversion(U, 'o2', '2026-01-03T10:00:00.000Z', 10, 'EUR'));
      const mark = { messageId: 'touchpoint-credit-v1', version: 1 };

      // Act
      const saved = await store.saveConversionCredit(order, mark);
      await store.putConversion(order); // a redelivery of the order: nothing changes
      const stored = await store.conversionsOf([A, U]);

      // Assess
      expect(saved).toBe(true);
      expect(stored.sort((a, b) => a.messageId.localeCompare(b.messageId))).toEqual([
        { ...order, credited: mark },
        conversion(U, 'o2', '2026-01-03T10:00:00.000Z', 10, 'EUR'),
      ]);
      expect(await store.conversionsOf([B])).toEqual([]);
      expect((await store.listConversions()).map((c) => c.messageId).sort()).toEqual(['o1', 'o2']);
    });

    it('saves a conversion credit only over the version it was computed from (compare-and-set)', async () => {
      // Prepare
      const order = conversion(A, 'o1', '2026-01-02T10:00:00.000Z', 25.5);
      await store.putConversion(order);
      const v1 = { messageId: 'credit-v1', version: 1 };

      // Act: two writers computed v1 from the uncredited conversion; then one goes on to v2
      const first = await store.saveConversionCredit(order, v1);
      const racing = await store.saveConversionCredit(order, { messageId: 'credit-v1-other', version: 1 });
      const next = await store.saveConversionCredit(
        { ...order, credited: v1 },
        { messageId: 'v2', version: 2 },
      );
      const missing = await store.saveConversionCredit(
        conversion(B, 'nope', '2026-01-01T00:00:00.000Z', 1),
        v1,
      );

      // Assess
      expect([first, racing, next, missing]).toEqual([true, false, true, false]);
      expect((await store.conversionsOf([A]))[0]?.credited).toEqual({ messageId: 'v2', version: 2 });
    });

    it('gives the same conversions whatever order (and how often) they were stored in', async () => {
      const orders = [
        conversion(A, 'o1', '2026-01-02T10:00:00.000Z', 1),
        conversion(A, 'o2', '2026-01-01T10:00:00.000Z', 2),
        conversion(A, 'o3', '2026-01-03T10:00:00.000Z', 3),
      ];
      for (const order of [orders[2], orders[0], orders[2], orders[1], orders[0]])
        await store.putConversion(order!);
      const stored = await store.conversionsOf([A]);
      expect(stored.sort((a, b) => a.messageId.localeCompare(b.messageId))).toEqual(orders);
    });

    it('keeps one conversion per messageId, the credited one, also of an order that came again with another timestamp', async () => {
      const order = conversion(A, 'o1', '2026-01-02T10:00:00.000Z', 25.5);
      const mark = { messageId: 'touchpoint-credit-v1', version: 1 };
      await store.putConversion(order);
      expect(await store.saveConversionCredit(order, mark)).toBe(true);
      await store.putConversion(conversion(A, 'o1', '2026-01-02T09:59:59.960Z', 25.5));

      const stored = await store.conversionsOf([A]);
      expect(stored.map((c) => [c.messageId, c.credited])).toEqual([['o1', mark]]);
      expect((await store.listConversions()).map((c) => c.messageId)).toEqual(['o1']);
      const inputs = await store.profileInputsOf?.([A]);
      if (inputs) expect(inputs.conversions.map((c) => [c.messageId, c.credited])).toEqual([['o1', mark]]);
    });

    it('keeps the earliest timestamp of an uncredited order that came again with another, whichever came first', async () => {
      const early = conversion(A, 'o1', '2026-01-02T10:00:00.000Z', 25.5);
      const late = conversion(A, 'o1', '2026-01-02T10:00:00.040Z', 25.5);
      await store.putConversion(early);
      await store.putConversion(late);
      await store.putConversion({ ...late, ownerKey: B });
      await store.putConversion({ ...early, ownerKey: B });
      expect(await store.conversionsOf([A])).toEqual([early]);
      expect(await store.conversionsOf([B])).toEqual([{ ...early, ownerKey: B }]);
    });

    it('forgets the conversions of deleted ids', async () => {
      await store.putConversion(conversion(A, 'o1', '2026-01-02T10:00:00.000Z', 1));
      await store.putConversion(conversion(B, 'o2', '2026-01-02T10:00:00.000Z', 1));
      await store.forget([A]);
      expect(await store.conversionsOf([A])).toEqual([]);
      expect((await store.listConversions()).map((c) => c.messageId)).toEqual(['o2']);
    });

    it('runs a batch and returns its result', async () => {
      const result = await store.batch(async () => {
        await store.putTouch(touch(A, 't1', '2026-01-01T10:00:00.000Z'));
        return 42;
      });
      expect(result).toBe(42);
      expect(await store.touchesOf([A])).toHaveLength(1);
    });

    describe('local recommender documents', () => {
      it('writes new documents at version 1 and reads back only the ones that exist', async () => {
        const outcome = await store.writeRecommenderDocs([
          { key: 'item:A', expectedVersion: 0, value: { count: 1, together: {} } },
          { key: 'lesson:m1', expectedVersion: 0, value: true, expires: true },
        ]);

        expect(outcome).toBe('applied');
        const docs = await store.readRecommenderDocs(['item:A', 'lesson:m1', 'item:missing']);
        expect([...docs.entries()].sort()).toEqual([
          ['item:A', { version: 1, value: { count: 1, together: {} } }],
          ['lesson:m1', { version: 1, value: true }],
        ]);
      });

      it('writes nothing when any document changed since it was read, and takes the retry', async () => {
        await store.writeRecommenderDocs([{ key: 'item:A', expectedVersion: 0, value: 'a1' }]);

        const stale = await store.writeRecommenderDocs([
          { key: 'item:B', expectedVersion: 0, value: 'b1' },
          { key: 'item:A', expectedVersion: 0, value: 'a-stale' },
        ]);
        const missing = await store.writeRecommenderDocs([
          { key: 'item:C', expectedVersion: 4, value: 'c?' },
        ]);
        const retried = await store.writeRecommenderDocs([
          { key: 'item:B', expectedVersion: 0, value: 'b1' },
          { key: 'item:A', expectedVersion: 1, value: 'a2' },
        ]);

        expect([stale, missing, retried]).toEqual(['conflict', 'conflict', 'applied']);
        const docs = await store.readRecommenderDocs(['item:A', 'item:B', 'item:C']);
        expect(docs.get('item:A')).toEqual({ version: 2, value: 'a2' });
        expect(docs.get('item:B')).toEqual({ version: 1, value: 'b1' });
        expect(docs.has('item:C')).toBe(false);
      });

      it("forgets a deleted id's device document and keeps the item documents", async () => {
        await store.writeRecommenderDocs([
          { key: `device:${A}`, expectedVersion: 0, value: { items: ['A'] } },
          { key: `device:${B}`, expectedVersion: 0, value: { items: ['B'] } },
          { key: 'item:A', expectedVersion: 0, value: { count: 1 } },
        ]);

        await store.forget([A]);

        const docs = await store.readRecommenderDocs([`device:${A}`, `device:${B}`, 'item:A']);
        expect([...docs.keys()].sort()).toEqual([`device:${B}`, 'item:A']);
      });

      it('takes the most writes one call allows, and reads more documents than one request takes', async () => {
        const keys = Array.from({ length: 2 * MAX_RECOMMENDER_WRITES }, (_, i) => `item:${i}`);
        for (let start = 0; start < keys.length; start += MAX_RECOMMENDER_WRITES)
          expect(
            await store.writeRecommenderDocs(
              keys
                .slice(start, start + MAX_RECOMMENDER_WRITES)
                .map((key) => ({ key, expectedVersion: 0, value: key })),
            ),
          ).toBe('applied');

        const docs = await store.readRecommenderDocs(keys);

        expect(docs.size).toBe(keys.length);
        expect(docs.get('item:199')?.value).toBe('item:199');
      });
    });
  });
}

const anon = (id: string): IdentityKey => `anon:${id}`;

function letter(overrides: Partial<DeadLetter>): DeadLetter {
  return {
    at: '2026-01-01T00:00:00.000Z',
    key: 'msg:m',
    messageId: null,
    reason: 'bad',
    payload: null,
    note: null,
    owners: [],
    ...overrides,
  };
}
const A = anon('device-a');
const B = anon('device-b');
const U: IdentityKey = 'user:user-1';

function conversion(
  ownerKey: IdentityKey,
  messageId: string,
  timestamp: string,
  value: number,
  currency = 'USD',
): Conversion {
  return { ownerKey, messageId, timestamp, event: 'Order Completed', value, currency, credited: null };
}

function touch(
  ownerKey: IdentityKey,
  messageId: string,
  timestamp: string,
  overrides: Partial<Touch> = {},
): Touch {
  return {
    ownerKey,
    messageId,
    timestamp,
    channel: 'Organic Search',
    source: 'google',
    medium: 'organic',
    campaign: null,
    term: null,
    content: null,
    search_term: 'running shoes',
    click_id: null,
    referrer: 'https://www.google.com/',
    referrer_host: 'google.com',
    landing_page: 'https://shop.example/',
    direct: false,
    ...overrides,
  };
}

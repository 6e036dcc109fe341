import {
  attributionOptionsOf,
  messageOf,
  planWriteBack,
  profileRefOf,
  writeBackIdOf,
} from '../../src/segment-functions';
import { pageEvent } from '../support/events';

const options = attributionOptionsOf({ spaceId: 'spa', profileApiToken: 't', writeKey: 'k' });
const library = { name: 'test', version: '0' };
const visit = (at: string, url: string, referrer?: string) =>
  messageOf(pageEvent({ anonymousId: 'a1', at, url, ...(referrer ? { referrer } : {}) }));

describe('planWriteBack (the attribution decision over Unify traits)', () => {
  it('keeps a Direct first touch and records the later non-direct touch as first non-direct and last', () => {
    const direct = visit('2026-03-01T10:00:00.000Z', 'https://shop.example/');
    const search = visit('2026-03-02T10:00:00.000Z', 'https://shop.example/', 'https://www.google.com/');

    const call = planWriteBack(profileRefOf(direct), null, [direct, search], options, library);

    expect(call?.traits).toMatchObject({
      first_touch_channel: 'Direct',
      first_non_direct_touch_channel: 'Organic Search',
      first_non_direct_touch_timestamp: '2026-03-02T10:00:00.000Z',
      last_touch_channel: 'Organic Search',
    });
  });

  it('keeps the stored first touch when a touch with the same timestamp arrives', () => {
    const first = visit('2026-03-01T10:00:00.000Z', 'https://shop.example/?utm_source=a&utm_medium=email');
    const stored = planWriteBack(profileRefOf(first), null, [first], options, library)!.traits;
    const sameTime = visit('2026-03-01T10:00:00.000Z', 'https://shop.example/?gclid=x');

    const call = planWriteBack(profileRefOf(sameTime), stored, [sameTime], options, library);

    expect(call?.traits).not.toHaveProperty('first_touch_channel');
    expect(call?.traits).toMatchObject({ last_touch_channel: 'Paid Search' });
  });

  it('gives the same write-back the same messageId (<= 100 chars), and other traits another one', () => {
    const id = writeBackIdOf(['m2', 'm1'], { first_touch_channel: 'Email' });

    expect(writeBackIdOf(['m1', 'm2'], { first_touch_channel: 'Email' })).toBe(id);
    expect(writeBackIdOf(['m1', 'm2'], { first_touch_channel: 'Direct' })).not.toBe(id);
    expect(writeBackIdOf(['x'.repeat(1000)], {}).length).toBeLessThanOrEqual(100);
  });
});

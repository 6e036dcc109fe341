import { computeAttribution, directTouchesContinued } from '../../src/attribution';
import type { IdentityKey } from '../../src/identity';
import { touchOn } from '../support/touches';

const options = { lookbackDays: 90, sessionTimeoutMinutes: 30 };

const touch = touchOn;

describe('computeAttribution', () => {
  it('orders touches as instants, not as text: "+010000-..." comes after 2026, "2026-03-01T10:00:00Z" with it', () => {
    const result = computeAttribution(
      [
        touch('far', '+010000-01-01T00:00:00.000Z', 'Email'),
        touch('real', '2026-03-01T10:00:00.000Z', 'Referral'),
        touch('short', '2026-03-01T09:00:00Z', 'Paid Search'),
      ],
      '2026-03-01T10:00:00.000Z',
      options,
    );
    expect(result.first?.messageId).toBe('short');
    expect(result.last?.messageId).toBe('real');
  });

  it('takes the earliest touch as first touch, even when it is Direct', () => {
    const result = computeAttribution(
      [touch('b', '2026-03-02T00:00:00.000Z', 'Email'), touch('a', '2026-03-01T00:00:00.000Z', 'Direct')],
      '2026-03-02T00:00:00.000Z',
      options,
    );
    expect(result.first?.messageId).toBe('a');
    expect(result.firstNonDirect?.messageId).toBe('b');
  });

  it('takes the last non-direct touch as last touch', () => {
    const result = computeAttribution(
      [touch('a', '2026-03-01T00:00:00.000Z', 'Email'), touch('b', '2026-03-05T00:00:00.000Z', 'Direct')],
      '2026-03-05T00:00:00.000Z',
      options,
    );
    expect(result.last?.messageId).toBe('a');
  });

  it('falls back to Direct only when the window has no other touch', () => {
    const result = computeAttribution(
      [touch('a', '2026-01-01T00:00:00.000Z', 'Email'), touch('b', '2026-05-01T00:00:00.000Z', 'Direct')],
      '2026-05-01T00:00:00.000Z',
      options,
    );
    expect(result.last?.messageId).toBe('b');
  });

  it('measures the window from the newest event, not the wall clock', () => {
    const touches = [touch('a', '2020-01-01T00:00:00.000Z', 'Email')];
    expect(computeAttribution(touches, '2020-02-01T00:00:00.000Z', options).last?.messageId).toBe('a');
    expect(computeAttribution(touches, '2020-06-01T00:00:00.000Z', options).last).toBeNull();
  });

  it('breaks timestamp ties by messageId, whatever the input order', () => {
    const x = touch('x', '2026-03-01T00:00:00.000Z', 'Email');
    const y = touch('y', '2026-03-01T00:00:00.000Z', 'Referral');
    const forward = computeAttribution([x, y], null, options);
    const backward = computeAttribution([y, x], null, options);
    expect(forward.first?.messageId).toBe('x');
    expect(forward.last?.messageId).toBe('y');
    expect(backward).toEqual(forward);
  });

  it('collapses consecutive identical touches within a session but not across sessions', () => {
    const result = computeAttribution(
      [
        touch('a', '2026-03-01T10:00:00.000Z', 'Email', { campaign: 'spring' }),
        touch('b', '2026-03-01T10:20:00.000Z', 'Email', { campaign: 'spring' }),
        touch('c', '2026-03-01T10:40:00.000Z', 'Email', { campaign: 'spring' }),
        touch('d', '2026-03-01T10:45:00.000Z', 'Email', { campaign: 'summer' }),
        touch('e', '2026-03-03T10:00:00.000Z', 'Email', { campaign: 'summer' }),
      ],
      null,
      options,
    );
    expect(result.touchCount).toBe(3);
    expect(result.last?.messageId).toBe('e');
  });

  it('returns nulls for a profile without touches', () => {
    expect(computeAttribution([], null, options)).toEqual({
      first: null,
      firstNonDirect: null,
      last: null,
      touchCount: 0,
    });
  });
});

describe('directTouchesContinued', () => {
  const event = (timestamp: string, ownerKey: IdentityKey = 'anon:a1') => ({ ownerKey, timestamp });

  it('finds the Direct touches that come after an event of the same id within the session timeout', () => {
    const touches = [
      touch('before', '2026-03-01T09:59:00.000Z', 'Direct'),
      touch('same-time', '2026-03-01T10:00:00.000Z', 'Direct'),
      touch('inside', '2026-03-01T10:10:00.000Z', 'Direct'),
      touch('at-timeout', '2026-03-01T10:30:00.000Z', 'Direct'),
      touch('past-timeout', '2026-03-01T10:30:00.001Z', 'Direct'),
      touch('not-direct', '2026-03-01T10:05:00.000Z', 'Email'),
    ];
    const continued = directTouchesContinued(touches, [event('2026-03-01T10:00:00.000Z')], 30);
    expect(continued.map((found) => found.messageId)).toEqual(['inside', 'at-timeout']);
  });

  it("leaves other ids' Direct touches and finds none without events", () => {
    const touches = [touch('other', '2026-03-01T10:10:00.000Z', 'Direct', { ownerKey: 'anon:a2' })];
    expect(directTouchesContinued(touches, [event('2026-03-01T10:00:00.000Z')], 30)).toEqual([]);
    expect(directTouchesContinued(touches, [], 30)).toEqual([]);
  });

  it('takes any of the events, in any order', () => {
    const touches = [
      touch('second-session', '2026-03-01T12:10:00.000Z', 'Direct'),
      touch('new-session', '2026-03-01T14:00:00.000Z', 'Direct'),
    ];
    const events = [event('2026-03-01T12:00:00.000Z'), event('2026-03-01T10:00:00.000Z')];
    expect(directTouchesContinued(touches, events, 30).map((found) => found.messageId)).toEqual([
      'second-session',
    ]);
  });
});

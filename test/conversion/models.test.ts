import type { Touch } from '../../src/attribution';
import { touchOn } from '../support/touches';
import {
  creditBySource,
  creditConversion,
  eligibleTouches,
  splitUnits,
  MODELS,
  type ConversionCredit,
  type CreditOptions,
} from '../../src/conversion';

const options: CreditOptions = { creditLookbackDays: 30, halfLifeDays: 7, sessionTimeoutMinutes: 30 };
const CONVERTED_AT = '2026-03-31T00:00:00.000Z';
const order = (value: number, currency = 'USD') => ({ timestamp: CONVERTED_AT, value, currency });

/** A touch `daysBefore` the conversion. */
function touch(messageId: string, daysBefore: number, channel: Touch['channel']): Touch {
  return touchOn(
    messageId,
    new Date(Date.parse(CONVERTED_AT) - daysBefore * 86_400_000).toISOString(),
    channel,
  );
}

/** Each model's credits as `messageId: credit` pairs. */
function shares(credit: ConversionCredit): Record<string, Record<string, number>> {
  return Object.fromEntries(
    MODELS.map((model) => [
      model,
      Object.fromEntries(credit[model].map((row) => [row.touchMessageId, row.credit])),
    ]),
  );
}

describe('creditConversion (hand-computed: 100.00 USD converted 2026-03-31, half-life 7 days)', () => {
  it('gives one touch everything under every model', () => {
    const credit = creditConversion([touch('a', 1, 'Paid Search')], order(100), options);
    expect(shares(credit)).toEqual({
      first: { a: 100 },
      last: { a: 100 },
      linear: { a: 100 },
      position: { a: 100 },
      time_decay: { a: 100 },
    });
  });

  it('splits two touches 50/50 (linear, position) and 1:2 by time decay (14 and 7 days old)', () => {
    // time decay weights 2^-2 = 0.25 and 2^-1 = 0.5: 33.333.. and 66.666.. -> 3333 + 6666 cents, the
    // cent left over goes to the larger remainder (0.67): 33.33 / 66.67
    const credit = creditConversion(
      [touch('b', 7, 'Paid Search'), touch('a', 14, 'Email')],
      order(100),
      options,
    );
    expect(shares(credit)).toEqual({
      first: { a: 100 },
      last: { b: 100 },
      linear: { a: 50, b: 50 },
      position: { a: 50, b: 50 },
      time_decay: { a: 33.33, b: 66.67 },
    });
  });

  it('splits three touches 40/20/40 by position, and by 1:4:8 under time decay (28, 14, 7 days old)', () => {
    // linear: 3333.33 cents each, floor 3333 x 3 = 9999, the last cent to the earliest of the equal remainders.
    // time decay: weights 1/16, 4/16, 8/16 -> 769.23, 3076.92, 6153.85 cents; floors sum to 9998, the two
    // cents left go to the largest remainders (.92, .85).
    const touches = [touch('c', 7, 'Email'), touch('a', 28, 'Paid Social'), touch('b', 14, 'Organic Search')];
    expect(shares(creditConversion(touches, order(100), options))).toEqual({
      first: { a: 100 },
      last: { c: 100 },
      linear: { a: 33.34, b: 33.33, c: 33.33 },
      position: { a: 40, b: 20, c: 40 },
      time_decay: { a: 7.69, b: 30.77, c: 61.54 },
    });
  });

  it('splits five touches: 40 / 6.67 / 6.67 / 6.66 / 40 by position, 1:2:4:8:16 by time decay (28..0 days old)', () => {
    // position: 20% over three middle touches = 666.67 cents each; the two cents left go to the earlier ties.
    // time decay: 100 x (1, 2, 4, 8, 16) / 31 = 322.58, 645.16, 1290.32, 2580.65, 5161.29 cents; floors sum
    // to 9998, the two cents go to the remainders .65 and .58.
    const touches = [
      touch('e', 0, 'Paid Search'),
      touch('a', 28, 'Paid Social'),
      touch('c', 14, 'Email'),
      touch('b', 21, 'Referral'),
      touch('d', 7, 'Organic Social'),
    ];
    expect(shares(creditConversion(touches, order(100), options))).toEqual({
      first: { a: 100 },
      last: { e: 100 },
      linear: { a: 20, b: 20, c: 20, d: 20, e: 20 },
      position: { a: 40, b: 6.67, c: 6.67, d: 6.66, e: 40 },
      time_decay: { a: 3.23, b: 6.45, c: 12.9, d: 25.81, e: 51.61 },
    });
  });

  it('sums every model to the value exactly, in minor units (99.99 USD, 1,000 JPY, -10 USD refund)', () => {
    const three = [touch('a', 20, 'Email'), touch('b', 10, 'Referral'), touch('c', 3, 'Paid Search')];
    const cents = (credits: ConversionCredit[keyof ConversionCredit]) =>
      credits.reduce((sum, row) => sum + Math.round(row.credit * 100), 0);
    for (const model of MODELS)
      expect(cents(creditConversion(three, order(99.99), options)[model])).toBe(9999);
    expect(shares(creditConversion(three, order(1000, 'JPY'), options)).linear).toEqual({
      a: 334,
      b: 333,
      c: 333,
    });
    expect(shares(creditConversion(three, order(-10), options)).linear).toEqual({
      a: -3.34,
      b: -3.33,
      c: -3.33,
    });
  });

  it('gives the same credit whatever order the touches come in', () => {
    const touches = [touch('a', 28, 'Paid Social'), touch('b', 14, 'Email'), touch('c', 2, 'Referral')];
    const forward = creditConversion(touches, order(57.31), options);
    expect(creditConversion([...touches].reverse(), order(57.31), options)).toEqual(forward);
    expect(creditConversion([touches[1]!, touches[2]!, touches[0]!], order(57.31), options)).toEqual(forward);
  });
});

describe('eligibleTouches', () => {
  it('keeps the non-direct touches inside the lookback window up to the conversion, chronological', () => {
    const touches = [
      touch('late', -1, 'Email'), // after the conversion
      touch('old', 31, 'Email'), // outside the 30-day window
      touch('direct', 5, 'Direct'),
      touch('b', 10, 'Referral'),
      touch('a', 30, 'Paid Search'), // exactly 30 days: inside
      touch('now', 0, 'Paid Social'), // the conversion's own time: inside
    ];
    expect(eligibleTouches(touches, order(1), options).map((t) => t.messageId)).toEqual(['a', 'b', 'now']);
  });

  it('gives the latest Direct touch the credit only when the window has no other touch', () => {
    const touches = [touch('d1', 9, 'Direct'), touch('d2', 2, 'Direct'), touch('old', 40, 'Email')];
    expect(eligibleTouches(touches, order(1), options).map((t) => t.messageId)).toEqual(['d2']);
    expect(eligibleTouches([], order(1), options)).toEqual([]);
    expect(creditConversion([], order(10), options).linear).toEqual([]);
  });

  it('counts consecutive identical touches within one session once', () => {
    const first = touch('a', 3, 'Paid Search');
    const repeat = touch('a2', 3 - 10 / 1440, 'Paid Search'); // ten minutes later, same source
    const nextDay = touch('a3', 2, 'Paid Search');
    expect(eligibleTouches([repeat, first, nextDay], order(1), options).map((t) => t.messageId)).toEqual([
      'a',
      'a3',
    ]);
  });
});

describe('splitUnits', () => {
  it('floors each share and gives the units left to the largest remainders, ties to the earlier', () => {
    expect(splitUnits(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitUnits(100, [1, 2])).toEqual([33, 67]);
    expect(splitUnits(7, [0, 0])).toEqual([0, 0]);
    expect(splitUnits(-10, [1, 1, 1])).toEqual([-4, -3, -3]);
  });
});

describe('creditBySource', () => {
  it('sums a model credit per channel/source/medium/campaign, exact in cents, in order of first touch', () => {
    const credit = creditConversion(
      [touch('a', 20, 'Email'), touch('b', 10, 'Referral'), touch('c', 3, 'Email')],
      order(10),
      options,
    );
    expect(creditBySource(credit.linear, 'USD')).toEqual([
      { channel: 'Email', source: 'email', medium: 'x', campaign: null, credit: 6.67, share: 0.6667 },
      { channel: 'Referral', source: 'referral', medium: 'x', campaign: null, credit: 3.33, share: 0.3333 },
    ]);
  });
});

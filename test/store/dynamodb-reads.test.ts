import { KEPT_READ_MS, KEPT_READS, PartitionReads } from '../../src/store/dynamodb-reads';

type Read = { inputs: string; state: string };

describe('PartitionReads', () => {
  it('hands each part of a read to one taker, once', () => {
    // Prepare
    const reads = new PartitionReads<Read>();
    const pending = reads.begin('anon:a');
    reads.finish('anon:a', pending, { inputs: 'touches', state: 'traits' });

    // Act
    const taken = [
      reads.take('anon:a', 'inputs'),
      reads.take('anon:a', 'inputs'),
      reads.take('anon:a', 'state'),
      reads.take('user:other', 'state'),
    ];

    // Assess
    expect(taken).toEqual(['touches', undefined, 'traits', undefined]);
    expect(reads.size).toBe(0);
  });

  it('drops a read when its id is written to, after it finished or while it was in flight', () => {
    // Prepare
    const reads = new PartitionReads<Read>();
    const done = reads.begin('anon:a');
    reads.finish('anon:a', done, { inputs: 'a', state: 'a' });
    const inFlight = reads.begin('anon:b');
    const beside = reads.begin('anon:c');

    // Act
    reads.written('anon:a');
    reads.written('anon:b');
    reads.finish('anon:b', inFlight, { inputs: 'b', state: 'b' });
    reads.finish('anon:c', beside, { inputs: 'c', state: 'c' });
    const later = reads.begin('anon:b');
    reads.finish('anon:b', later, { inputs: 'b2', state: 'b2' });

    // Assess: only the write's own id is dropped, and a read begun after the write is kept
    expect(reads.take('anon:a', 'inputs')).toBeUndefined();
    expect(reads.take('anon:c', 'inputs')).toBe('c');
    expect(reads.take('anon:b', 'inputs')).toBe('b2');
  });

  it(`keeps a read for ${KEPT_READ_MS} ms at most`, () => {
    // Prepare
    let now = 0;
    const reads = new PartitionReads<Read>(() => now);
    reads.finish('anon:a', reads.begin('anon:a'), { inputs: 'a', state: 'a' });
    reads.finish('anon:b', reads.begin('anon:b'), { inputs: 'b', state: 'b' });

    // Act
    now = KEPT_READ_MS;
    const inTime = reads.take('anon:a', 'inputs');
    now = KEPT_READ_MS + 1;
    const late = [reads.take('anon:a', 'state'), reads.take('anon:b', 'inputs')];

    // Assess
    expect(inTime).toBe('a');
    expect(late).toEqual([undefined, undefined]);
    expect(reads.size).toBe(0);
  });

  it('keeps nothing of a read that failed', () => {
    const reads = new PartitionReads<Read>();
    reads.finish('anon:a', reads.begin('anon:a'));

    expect(reads.take('anon:a', 'state')).toBeUndefined();
    expect(reads.size).toBe(0);
  });

  it(`keeps the newest ${KEPT_READS} ids' reads`, () => {
    // Prepare
    const reads = new PartitionReads<Read>();

    // Act
    for (let i = 0; i <= KEPT_READS; i++)
      reads.finish(`anon:${i}`, reads.begin(`anon:${i}`), { inputs: `${i}`, state: `${i}` });

    // Assess
    expect(reads.size).toBe(KEPT_READS);
    expect(reads.take('anon:0', 'inputs')).toBeUndefined();
    expect(reads.take(`anon:${KEPT_READS}`, 'inputs')).toBe(`${KEPT_READS}`);
  });
});

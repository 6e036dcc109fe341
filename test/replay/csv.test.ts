import type { CsvRecord } from '../../src/io/csv';
import { csvMessages, parseColumnMapping } from '../../src/replay/csv';

async function messages(rows: string[][], columns = '') {
  const records: CsvRecord[] = rows.map((fields, i) => ({ fields, line: i + 1 }));
  const all = [];
  for await (const batch of csvMessages(
    (async function* () {
      yield records;
    })(),
    parseColumnMapping(columns),
  ))
    all.push(...batch);
  return all;
}

const header = ['type', 'messageId', 'anonymousId', 'timestamp', 'context.page.url'];
const row = ['page', 'm1', 'a1', '2026-03-01T10:00:00.000Z', 'https://shop.example.com/?utm_source=x'];

describe('csvMessages', () => {
  it('takes the header as field paths when there is no mapping', async () => {
    const [parsed] = await messages([header, row]);

    expect(parsed).toMatchObject({
      kind: 'message',
      message: {
        type: 'page',
        messageId: 'm1',
        anonymousId: 'a1',
        context: { page: { url: 'https://shop.example.com/?utm_source=x' } },
      },
    });
  });

  it('maps columns to paths with types, drops columns mapped to -, and leaves empty cells out', async () => {
    const rows = [
      ['kind', 'id', 'anonymous_id', 'user_id', 'ts', 'event', 'revenue', 'props', 'vip', 'junk'],
      [
        'track',
        'm2',
        'a2',
        '',
        '2026-03-01T10:00:00Z',
        'Order Completed',
        '42.5',
        '{"currency":"USD"}',
        'true',
        'x',
      ],
    ];
    const columns =
      'kind=type,id=messageId,anonymous_id=anonymousId,user_id=userId,ts=timestamp,revenue=properties.revenue:number,' +
      'props=context.extra:json,vip=properties.vip:boolean,junk=-';

    const [parsed] = await messages(rows, columns);

    expect(parsed?.kind).toBe('message');
    const message = parsed?.kind === 'message' ? parsed.message : undefined;
    expect(message).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      properties: { revenue: 42.5, vip: true },
    });
    expect(message).not.toHaveProperty('userId');
    expect(message).not.toHaveProperty('junk');
  });

  it('dead-letters a row with the wrong number of fields, or that fails validation, naming its line', async () => {
    const [short, invalid, good] = await messages([
      header,
      ['page', 'm3'],
      ['page', 'm4', 'a4', 'not a date', ''],
      row,
    ]);

    expect(short).toEqual({
      kind: 'invalid',
      messageId: 'm3',
      reason: 'CSV line 2: 2 fields, the header has 5',
      raw: { type: 'page', messageId: 'm3' },
    });
    expect(invalid).toMatchObject({
      kind: 'invalid',
      messageId: 'm4',
      reason: expect.stringMatching(/^CSV line 3: /),
    });
    expect(good?.kind).toBe('message');
  });

  it('refuses a mapping that names a column the header lacks, and a header that is not a field path', async () => {
    await expect(messages([header, row], 'missing=userId')).rejects.toThrow(
      /"missing", not in the CSV header/,
    );
    await expect(
      messages([
        ['type', 'page..url'],
        ['page', 'x'],
      ]),
    ).rejects.toThrow(/map it with --columns/);
  });
});

describe('parseColumnMapping', () => {
  it('reads column=path[:type] pairs and - to drop', () => {
    expect([...parseColumnMapping('a=properties.x:number, b=-,c=traits:json')]).toEqual([
      ['a', { path: ['properties', 'x'], type: 'number' }],
      ['b', null],
      ['c', { path: ['traits'], type: 'json' }],
    ]);
  });

  it('names the bad pair: no =, an unknown type, an empty or prototype path', () => {
    expect(() => parseColumnMapping('a')).toThrow('"a": expected column=field.path[:type] or column=-');
    expect(() => parseColumnMapping('a=x:date')).toThrow(/must be one of string, number, boolean, json/);
    expect(() => parseColumnMapping('a=x..y')).toThrow(/expected a field path/);
    expect(() => parseColumnMapping('a=__proto__.polluted')).toThrow(/may not use __proto__/);
  });
});

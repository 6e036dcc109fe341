import { csvRecords, type CsvRecord } from '../../src/io/csv';

async function records(...blocks: string[]): Promise<CsvRecord[]> {
  const all: CsvRecord[] = [];
  for await (const batch of csvRecords(
    (async function* () {
      yield* blocks;
    })(),
  ))
    all.push(...batch);
  return all;
}

describe('csvRecords', () => {
  it('splits fields and records, LF or CRLF, skipping blank lines, with each record line', async () => {
    expect(await records('a,b,c\r\n1,,3\n\n4,5,6')).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', '', '3'], line: 2 },
      { fields: ['4', '5', '6'], line: 4 },
    ]);
  });

  it('keeps commas, line breaks and doubled quotes inside quoted fields', async () => {
    expect(await records('"x, y","say ""hi""","two\nlines",""\nnext,"",z\n')).toEqual([
      { fields: ['x, y', 'say "hi"', 'two\nlines', ''], line: 1 },
      { fields: ['next', '', 'z'], line: 3 },
    ]);
  });

  it('reads the same records whatever the block boundaries', async () => {
    const text = 'id,props\n1,"{""a"":""b,c""}"\r\n2,"multi\r\nline"\n3,plain\n';
    const whole = await records(text);
    for (let cut = 1; cut < text.length; cut++)
      expect(await records(text.slice(0, cut), text.slice(cut))).toEqual(whole);
    expect(whole.map((record) => record.fields)).toEqual([
      ['id', 'props'],
      ['1', '{"a":"b,c"}'],
      ['2', 'multi\r\nline'],
      ['3', 'plain'],
    ]);
  });

  it('keeps a quote inside an unquoted field, and ends an unclosed quoted field at the end', async () => {
    expect(await records('5" screen,b\n"open')).toEqual([
      { fields: ['5" screen', 'b'], line: 1 },
      { fields: ['open'], line: 2 },
    ]);
  });
});

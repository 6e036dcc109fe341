/** One CSV record: its fields, and the line it starts on (1-based, for error messages). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Parses RFC 4180 CSV from text blocks, yielding the records of each block together (no await per
 * record): comma-separated, fields optionally in double quotes (`""` is a quote inside them; commas and
 * line breaks are kept there), LF or CRLF line ends, blank lines skipped. A quote inside an unquoted field
 * is kept as a character. A quoted field still open at the end of the text ends there.
 */
export async function* csvRecords(text: AsyncIterable<string>): AsyncIterable<CsvRecord[]> {
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let closedQuote = false; // just after a quoted field's closing quote (or the first of a `""`)
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  const endRecord = (batch: CsvRecord[]) => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '' || fieldStarted) batch.push({ fields, line: recordLine });
    fields = [];
    field = '';
    fieldStarted = false;
    closedQuote = false;
  };
  for await (const chunk of text) {
    const batch: CsvRecord[] = [];
    let from = 0; // start of the characters not yet added to `field`
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.charCodeAt(i);
      if (quoted) {
        if (code === QUOTE) {
          field += chunk.slice(from, i);
          from = i + 1;
          quoted = false;
          closedQuote = true;
        } else if (code === LF) line++;
        continue;
      }
      if (code === QUOTE) {
        field += chunk.slice(from, i);
        from = i + 1;
        if (closedQuote) {
          field += '"'; // `""` inside quotes
          quoted = true;
          closedQuote = false;
        } else if (field === '' && !fieldStarted) {
          quoted = true;
          fieldStarted = true;
        } else {
          field += '"';
        }
        continue;
      }
      closedQuote = false;
      if (code === COMMA) {
        fields.push(field + chunk.slice(from, i));
        from = i + 1;
        field = '';
        fieldStarted = false;
      } else if (code === LF || code === CR) {
        field += chunk.slice(from, i);
        from = i + 1;
        if (code === LF) {
          endRecord(batch);
          line++;
          recordLine = line;
        }
      } else {
        fieldStarted = true;
      }
    }
    field += chunk.slice(from);
    if (batch.length > 0) yield batch;
  }
  const last: CsvRecord[] = [];
  endRecord(last);
  if (last.length > 0) yield last;
}

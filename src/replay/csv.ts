import { parseMessage, type ParsedMessage, type ParseOptions } from '../events';
import type { CsvRecord } from '../io/csv';

/** How a cell's text becomes the field's value. */
export type CellType = 'string' | 'number' | 'boolean' | 'json';
const CELL_TYPES: readonly CellType[] = ['string', 'number', 'boolean', 'json'];

/** Where a column goes in the message: a dotted path and a type; `null` drops the column. */
export type ColumnTarget = { path: string[]; type: CellType } | null;

/** Keys that would reach an object's prototype when set. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Column name -> target, from `--columns`. */
export type ColumnMapping = ReadonlyMap<string, ColumnTarget>;

/**
 * Reads a target, `path[:type]` (`context.page.url`, `properties.revenue:number`, `traits:json`), or
 * `-` to drop the column.
 * @throws Error naming the bad part
 */
export function parseColumnTarget(text: string): ColumnTarget {
  const trimmed = text.trim();
  if (trimmed === '-') return null;
  const colon = trimmed.lastIndexOf(':');
  const path = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const type = colon < 0 ? 'string' : trimmed.slice(colon + 1);
  if (!(CELL_TYPES as readonly string[]).includes(type))
    throw new Error(`"${text}": the type after ":" must be one of ${CELL_TYPES.join(', ')}`);
  const parts = path.split('.');
  if (parts.some((part) => part === ''))
    throw new Error(`"${text}": expected a field path such as context.page.url`);
  if (parts.some((part) => UNSAFE_KEYS.has(part)))
    throw new Error(`"${text}": a field path may not use ${[...UNSAFE_KEYS].join(', ')}`);
  return { path: parts, type: type as CellType };
}

/**
 * Reads `--columns`: comma-separated `column=target` pairs (`id=messageId,ts=timestamp,url=context.page.url,
 * revenue=properties.revenue:number,extra=-`).
 * @throws Error naming the bad pair
 */
export function parseColumnMapping(spec: string): ColumnMapping {
  const mapping = new Map<string, ColumnTarget>();
  for (const pair of spec.split(',')) {
    if (pair.trim() === '') continue;
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new Error(`"${pair}": expected column=field.path[:type] or column=-`);
    mapping.set(pair.slice(0, equals).trim(), parseColumnTarget(pair.slice(equals + 1)));
  }
  return mapping;
}

/**
 * Segment messages from CSV records: the first record is the header. A column named in `mapping` goes
 * where it says; any other column's header is its target (`context.page.url`, `properties.revenue:number`),
 * so a file whose header already names the fields needs no mapping. Empty cells are left out; a cell that
 * is not the number, boolean or JSON its type says stays text, for validation to name. Each row is
 * validated like a JSON line; a row with another number of fields than the header is invalid. The
 * reason of an invalid row starts with its line number.
 * @throws Error when `mapping` names a column the header does not have, or a header is not a target
 */
export async function* csvMessages(
  records: AsyncIterable<CsvRecord[]>,
  mapping: ColumnMapping = new Map(),
  parseOptions: ParseOptions = {},
): AsyncGenerator<ParsedMessage[]> {
  let targets: ColumnTarget[] | undefined;
  for await (const batch of records) {
    const parsed: ParsedMessage[] = [];
    for (const record of batch) {
      if (!targets) {
        targets = headerTargets(record.fields, mapping);
        continue;
      }
      parsed.push(rowMessage(record, targets, parseOptions));
    }
    if (parsed.length > 0) yield parsed;
  }
}

function headerTargets(header: readonly string[], mapping: ColumnMapping): ColumnTarget[] {
  const missing = [...mapping.keys()].filter((column) => !header.includes(column));
  if (missing.length > 0)
    throw new Error(
      `--columns names ${missing.map((column) => `"${column}"`).join(', ')}, not in the CSV header (${header.join(', ')})`,
    );
  return header.map((column) => {
    const mapped = mapping.get(column);
    if (mapped !== undefined) return mapped;
    try {
      return parseColumnTarget(column);
    } catch (error) {
      throw new Error(`CSV header column ${(error as Error).message}; map it with --columns`, {
        cause: error,
      });
    }
  });
}

function rowMessage(
  record: CsvRecord,
  targets: readonly ColumnTarget[],
  parseOptions: ParseOptions,
): ParsedMessage {
  const raw: Record<string, unknown> = {};
  const count = Math.min(record.fields.length, targets.length);
  for (let i = 0; i < count; i++) {
    const target = targets[i];
    const cell = record.fields[i] as string;
    if (target && cell !== '') setPath(raw, target.path, cellValue(cell, target.type));
  }
  if (record.fields.length !== targets.length) {
    const messageId = typeof raw.messageId === 'string' ? raw.messageId : null;
    return {
      kind: 'invalid',
      messageId,
      reason: `CSV line ${record.line}: ${record.fields.length} fields, the header has ${targets.length}`,
      raw,
    };
  }
  const parsed = parseMessage(raw, parseOptions);
  return parsed.kind === 'invalid'
    ? { ...parsed, reason: `CSV line ${record.line}: ${parsed.reason}` }
    : parsed;
}

function cellValue(cell: string, type: CellType): unknown {
  switch (type) {
    case 'string':
      return cell;
    case 'number': {
      const value = Number(cell.trim());
      return cell.trim() !== '' && Number.isFinite(value) ? value : cell;
    }
    case 'boolean': {
      const lower = cell.trim().toLowerCase();
      return lower === 'true' || lower === '1' ? true : lower === 'false' || lower === '0' ? false : cell;
    }
    case 'json':
      try {
        return JSON.parse(cell) as unknown;
      } catch {
        return cell;
      }
  }
}

/** Sets `value` at `path` in `target`, making the objects on the way (a non-object there is replaced). */
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      node = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[path[path.length - 1] as string] = value;
}

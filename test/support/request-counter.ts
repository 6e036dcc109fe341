import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What DynamoDB bills for a run of requests: read and write request units, and requests, per operation. */
export interface RequestTally {
  readUnits: number;
  writeUnits: number;
  requests: number;
  byOperation: Record<string, { requests: number; readUnits: number; writeUnits: number }>;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export function emptyTally(): RequestTally {
  return { readUnits: 0, writeUnits: 0, requests: 0, byOperation: {} };
}

/**
 * Counts what every data-plane request sent through `client` costs on an on-demand table, from the
 * ConsumedCapacity DynamoDB (Local) returns for it (strongly consistent reads: one unit per 4 KB; writes:
 * one per 1 KB), with the minimum charges DynamoDB Local leaves out: a read request (a GetItem, each Query
 * page, each key of a BatchGetItem) costs at least one read unit even when it finds nothing, every item a
 * write request names costs at least one write unit even when its condition fails, and a transaction's
 * items cost two each. `reset` returns the tally so far and starts a new one. Adding it to a client again
 * replaces the previous counter.
 */
export function countRequests(client: DynamoDBClient): { tally: RequestTally; reset(): RequestTally } {
  const counter = { tally: emptyTally(), reset };
  function reset(): RequestTally {
    const previous = counter.tally;
    counter.tally = emptyTally();
    return previous;
  }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      if (!READS.has(operation) && !WRITES.has(operation)) return next(args);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      let reported = 0;
      try {
        const result = await next(args);
        reported = consumed((result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
        return result;
      } finally {
        record(counter.tally, operation, input, reported);
      }
    },
    { step: 'initialize', name: 'countRequests', override: true },
  );
  return counter;
}

function consumed(capacity: unknown): number {
  const entries = Array.isArray(capacity) ? capacity : capacity ? [capacity] : [];
  return entries.reduce<number>(
    (sum, entry) => sum + Number((entry as { CapacityUnits?: number }).CapacityUnits ?? 0),
    0,
  );
}

function record(tally: RequestTally, operation: string, input: Record<string, unknown>, reported: number) {
  const isRead = READS.has(operation);
  const items = itemsNamed(operation, input);
  const minimum = operation === 'TransactWriteItems' ? 2 * items : items;
  const units = Math.max(minimum, reported);
  const entry = (tally.byOperation[operation] ??= { requests: 0, readUnits: 0, writeUnits: 0 });
  entry.requests++;
  tally.requests++;
  if (isRead) {
    entry.readUnits += units;
    tally.readUnits += units;
  } else {
    entry.writeUnits += units;
    tally.writeUnits += units;
  }
}

function itemsNamed(operation: string, input: Record<string, unknown>): number {
  if (operation === 'BatchGetItem') {
    const requests = Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>);
    return requests.reduce((sum, request) => sum + (request.Keys?.length ?? 0), 0);
  }
  if (operation === 'TransactWriteItems') return (input.TransactItems as unknown[] | undefined)?.length ?? 1;
  if (operation === 'BatchWriteItem') {
    const requests = Object.values((input.RequestItems ?? {}) as Record<string, unknown[]>);
    return requests.reduce((sum, list) => sum + list.length, 0);
  }
  return 1;
}

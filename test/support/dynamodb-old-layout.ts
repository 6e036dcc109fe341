import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Writes items where touchpoint 0.1.0 kept them, before links and profile states moved into their id's
 * partition: both ends of a link under `LINKS#<key>`, and profile states under `PROFILE#<key>` (their
 * written traits as JSON text, as 0.1.0 stored them).
 */
export async function writeOldLayout(
  client: DynamoDBDocumentClient,
  table: string,
  items: {
    links?: Array<{ from: string; to: string; primary: string; ts: string }>;
    states?: Array<{ key: string; writtenTraits: Record<string, unknown>; writtenAt?: string }>;
  },
): Promise<void> {
  const put = (Item: Record<string, unknown>) => client.send(new PutCommand({ TableName: table, Item }));
  for (const link of items.links ?? []) {
    for (const [from, to] of [
      [link.from, link.to],
      [link.to, link.from],
    ] as const)
      await put({ pk: `LINKS#${from}`, sk: `LINK#${to}`, from, to, primary: link.primary, ts: link.ts });
  }
  for (const state of items.states ?? [])
    await put({
      pk: `PROFILE#${state.key}`,
      sk: 'STATE',
      writtenTraits: JSON.stringify(state.writtenTraits),
      ...(state.writtenAt ? { writtenAt: state.writtenAt } : {}),
    });
}

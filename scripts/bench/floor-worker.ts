/**
 * One floor of the replay bench, in its own process (`tsx scripts/bench/floor-worker.ts <floor> <file>`):
 * reads the JSONL file the way `touchpoint replay` does (1 MB blocks) and does only part of its work, so
 * the replay is judged against the same events on the same machine in the same minute. Prints one JSON
 * line: `{"events": n, "seconds": s}` (the work only, no process startup, like replay's own figure).
 *
 * - `parse`: JSON.parse each line.
 * - `classify`: parse, validate (the Segment message schema) and classify (the touch candidate).
 * - `sqlite`: the above, plus a minimal better-sqlite3 writer: one row per event into each of 3 tables
 *   (messages, activity, touches), WAL, synchronous=NORMAL, 50,000-row transactions.
 */
import Database from 'better-sqlite3';
import { touchCandidateOf } from '../../src/attribution';
import { loadConfig } from '../../src/config';
import { parseEnvelope } from '../../src/events';
import { openJsonLines } from '../../src/io/jsonl';

/** Rows per transaction of the minimal writer: replay's default chunk. */
const TRANSACTION_ROWS = 50_000;

type Floor = 'parse' | 'classify' | 'sqlite';

async function run(
  floor: Floor,
  file: string,
  db: string | undefined,
): Promise<{ events: number; seconds: number }> {
  const classifier = loadConfig({}).classifier;
  const started = performance.now();
  const source = openJsonLines(file, process.stdin);
  let events = 0;
  let sink: ((messageId: string, owner: string, at: string, touch: string | null) => void) | undefined;
  let commit = () => undefined as void;
  if (floor === 'sqlite') {
    const sqlite = new Database(db as string);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.exec(`
      CREATE TABLE messages (message_id TEXT PRIMARY KEY, steps TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE activity (owner TEXT NOT NULL, at TEXT NOT NULL, message_id TEXT NOT NULL, PRIMARY KEY (owner, at, message_id)) WITHOUT ROWID;
      CREATE TABLE touches (owner TEXT NOT NULL, at TEXT NOT NULL, message_id TEXT NOT NULL, touch TEXT NOT NULL, PRIMARY KEY (owner, at, message_id)) WITHOUT ROWID;
    `);
    const message = sqlite.prepare('INSERT OR IGNORE INTO messages VALUES (?, ?)');
    const activity = sqlite.prepare('INSERT OR IGNORE INTO activity VALUES (?, ?, ?)');
    const touch = sqlite.prepare('INSERT OR REPLACE INTO touches VALUES (?, ?, ?, ?)');
    let inTransaction = 0;
    sqlite.exec('BEGIN');
    sink = (messageId, owner, at, touchJson) => {
      message.run(messageId, 'done');
      activity.run(owner, at, messageId);
      if (touchJson !== null) touch.run(owner, at, messageId, touchJson);
      if (++inTransaction >= TRANSACTION_ROWS) {
        sqlite.exec('COMMIT; BEGIN');
        inTransaction = 0;
      }
    };
    commit = () => {
      sqlite.exec('COMMIT');
      sqlite.close();
    };
  }
  for await (const batch of source.batches) {
    for (const line of batch) {
      events++;
      if (floor === 'parse') {
        JSON.parse(line);
        continue;
      }
      for (const parsed of parseEnvelope(line)) {
        if (parsed.kind !== 'message') continue;
        const { message } = parsed;
        const candidate = touchCandidateOf(message, classifier);
        const owner = message.userId ? `u:${message.userId}` : `a:${message.anonymousId as string}`;
        sink?.(message.messageId, owner, message.timestamp, candidate ? JSON.stringify(candidate) : null);
      }
    }
  }
  commit();
  return { events, seconds: (performance.now() - started) / 1000 };
}

const [floor, file, db] = process.argv.slice(2);
if (floor !== 'parse' && floor !== 'classify' && floor !== 'sqlite')
  throw new Error(`unknown floor ${floor}`);
void run(floor, file as string, db).then((result) => console.log(JSON.stringify(result)));

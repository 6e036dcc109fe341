import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CHANNELS } from '../../classify';
import { attributionReport, MODELS } from '../../conversion';
import { createApp } from '../../app';
import { generateEvents } from '../../generate';
import { resolveProfile, type IdentityKey } from '../../identity';
import { openJsonLines } from '../../io/jsonl';
import { viewProfile, type ProfileView } from '../../profile';
import { creditOptionsOf } from '../../pipeline';
import { formatReport, replayLines } from '../../replay';
import { creditedConversions, reportTable } from '../../report';
import { UsageError } from '../args';
import { SqliteFileError } from '../errors';
import { commandLogger } from '../logging';
import { createProgress } from '../progress';
import { defineCommand } from '../types';

/**
 * The file that marks a directory as the demo's own: only a directory holding it is emptied and
 * reused, so `--dir .` or a typo never deletes anything the demo did not write.
 */
export const DEMO_MARKER = '.touchpoint-demo';

/**
 * The end-to-end demo on the embedded store: generate traffic, replay it, and show what touchpoint
 * wrote back. Everything lands in `--dir` (default `.touchpoint/demo/`), recreated each run when the
 * demo made it; nothing leaves the machine.
 */
export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'generate traffic, replay it into the embedded store, and summarise the traits written back',
  positionals: [],
  flags: {
    users: { type: 'number', min: 1, max: 100_000, default: 3000, help: 'visitors to simulate' },
    seed: { type: 'number', min: 0, max: 4_294_967_295, default: 42, help: 'seed of the generator' },
    dir: {
      type: 'string',
      placeholder: 'path',
      default: '.touchpoint/demo',
      help: `where the demo writes; must be new, empty, or a previous demo's (marked by ${DEMO_MARKER})`,
    },
  },
  async run({ flags }, io) {
    const dir = resolve(flags.dir);
    prepareDemoDir(dir);
    const { users } = flags;
    const started = Date.now();

    const events = generateEvents({ users, seed: flags.seed, start: new Date('2026-09-01T00:00:00Z') });
    const eventsPath = join(dir, 'events.jsonl');
    writeFileSync(eventsPath, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    io.stdout.write(
      `generated ${events.length.toLocaleString('en-US')} Segment messages from ${users} visitors -> ${eventsPath}\n\n`,
    );

    const outbox = join(dir, 'outbox.jsonl');
    const database = join(dir, 'touchpoint.db');
    try {
      // Nothing leaves the machine: no write key, no SSM parameter, so identify calls go to the outbox.
      const app = await createApp(
        {
          ...io.env,
          TOUCHPOINT_STORE: `sqlite:${database}`,
          TOUCHPOINT_OUTBOX: outbox,
          SEGMENT_WRITE_KEY: '',
          SEGMENT_WRITE_KEY_PARAMETER: '',
        },
        { log: commandLogger(io) },
      );
      const { store, settings } = app.pipeline;
      try {
        const source = openJsonLines(eventsPath, io.stdin);
        const progress = createProgress(io.stderr, 'replay');
        const replayStarted = Date.now();
        const report = await replayLines(app.engine, source.batches, {
          onProgress: (applied, phase) => progress.update(applied, applied / events.length, phase),
        });
        progress.finish();
        io.stdout.write(formatReport(report, (Date.now() - replayStarted) / 1000) + '\n\n');

        const written = mergeOutbox(outbox);
        const current: Array<[IdentityKey, Record<string, unknown>]> = [];
        for (const [target, traits] of written) {
          if ((await resolveProfile(target, store)).target === target) current.push([target, traits]);
        }
        io.stdout.write(channelTable(current.map(([, traits]) => traits)) + '\n');
        io.stdout.write(
          `identify calls: ${report.identifyCalls.toLocaleString('en-US')} for ${report.received.toLocaleString('en-US')} messages ` +
            `(${((report.identifyCalls / Math.max(report.received, 1)) * 1000).toFixed(0)} per 1,000; a call only when a trait changed) ` +
            `to ${current.length.toLocaleString('en-US')} profiles\n\n`,
        );
        for (const example of await examples(current, store, settings)) {
          io.stdout.write(example + '\n');
        }
        const someUser = current.find(([target]) => target.startsWith('user:'))?.[0].slice('user:'.length);
        io.stdout.write(`\ntraits written (the identify calls Segment would receive): ${outbox}\n`);
        io.stdout.write(
          `look up a profile: TOUCHPOINT_STORE=sqlite:${database} npx touchpoint profile ${someUser ?? '<userId>'}\n`,
        );
        io.stdout.write(
          `report as a page with charts: TOUCHPOINT_STORE=sqlite:${database} npx touchpoint report --format html --out report.html\n`,
        );
        io.stdout.write(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`);
        // Last, so it is what the terminal shows: who gets the credit for the orders, under each model.
        const credit = attributionReport(await creditedConversions(store), {
          models: MODELS,
          by: 'channel',
          credit: creditOptionsOf(settings),
        });
        io.stdout.write(`credit for the orders, per model (touchpoint report)\n${reportTable(credit)}`);
        return 0;
      } finally {
        await app.close();
      }
    } catch (error) {
      // The demo's store is not the one TOUCHPOINT_STORE names: let the error line name the right file.
      throw new SqliteFileError(database, { cause: error });
    }
  },
});

/**
 * Makes `dir` an empty directory holding only the marker. A directory is emptied only when it is the
 * demo's own (it holds the marker); a new or empty one is used as it is; anything else is refused
 * before a single file is touched.
 * @throws UsageError when `dir` is a file, a non-empty directory without the marker, or holds the
 *   current directory
 */
export function prepareDemoDir(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--dir ${dir} exists and is not a directory`);
    const entries = readdirSync(dir);
    if (entries.length > 0) {
      if (!entries.includes(DEMO_MARKER))
        throw new UsageError(
          `--dir ${dir} is not empty and was not made by the demo (no ${DEMO_MARKER} file in it); nothing was ` +
            'deleted: name a new or empty directory',
        );
      const fromThere = relative(dir, process.cwd());
      if (!isAbsolute(fromThere) && fromThere !== '..' && !fromThere.startsWith(`..${sep}`))
        throw new UsageError(`--dir ${dir} holds the current directory; run the demo from elsewhere`);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, DEMO_MARKER),
    'made by `touchpoint demo`, which empties and reuses this directory on each run\n',
  );
}

/** Merges the outbox's identify calls per target, as Segment merges traits on a profile. */
function mergeOutbox(path: string): Map<IdentityKey, Record<string, unknown>> {
  const merged = new Map<IdentityKey, Record<string, unknown>>();
  if (!existsSync(path)) return merged;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const call = JSON.parse(line) as {
      type: string;
      userId?: string;
      anonymousId?: string;
      traits: Record<string, unknown>;
    };
    if (call.type !== 'identify') continue; // the Conversion Attributed tracks
    const target: IdentityKey = call.userId ? `user:${call.userId}` : `anon:${call.anonymousId}`;
    merged.set(target, { ...(merged.get(target) ?? {}), ...call.traits });
  }
  return merged;
}

function channelTable(profiles: Array<Record<string, unknown>>): string {
  const count = (field: string, channel: string) =>
    profiles.filter((traits) => traits[field] === channel).length;
  const rows = CHANNELS.map(
    (channel) =>
      [channel, count('first_touch_channel', channel), count('last_touch_channel', channel)] as const,
  )
    .filter(([, first, last]) => first + last > 0)
    .sort((a, b) => b[1] - a[1]);
  const lines = [
    `${'channel'.padEnd(26)}${'first touch'.padStart(12)}${'last touch'.padStart(12)}`,
    ...rows.map(
      ([channel, first, last]) =>
        `${channel.padEnd(26)}${String(first).padStart(12)}${String(last).padStart(12)}`,
    ),
    `${'profiles'.padEnd(26)}${String(profiles.length).padStart(12)}${String(profiles.length).padStart(12)}`,
  ];
  return lines.join('\n') + '\n';
}

/** A few profiles worth reading: one merged across devices, one whose first and last touch differ. */
async function examples(
  profiles: Array<[IdentityKey, Record<string, unknown>]>,
  store: Parameters<typeof viewProfile>[0],
  settings: Parameters<typeof viewProfile>[2],
): Promise<string[]> {
  const lines: string[] = [];
  let crossDevice: ProfileView | null = null;
  let differing: ProfileView | null = null;
  for (const [target] of profiles) {
    if (crossDevice && differing) break;
    if (!target.startsWith('user:')) continue;
    const view = await viewProfile(store, target, settings);
    if (!view) continue;
    if (!crossDevice && view.linked_ids.filter((key) => key.startsWith('anon:')).length > 1)
      crossDevice = view;
    else if (!differing && view.first_touch?.channel !== view.last_touch?.channel) differing = view;
  }
  for (const [title, view] of [
    ['merged across two devices', crossDevice],
    ['first and last touch differ', differing],
  ] as const) {
    if (!view) continue;
    const describe = (touch: ProfileView['first_touch']) =>
      touch
        ? `${touch.channel} (${touch.source} / ${touch.medium}${touch.campaign ? `, ${touch.campaign}` : ''}) at ${touch.timestamp}`
        : '-';
    lines.push(`example, ${title}: ${view.target}`);
    lines.push(`  linked ids   ${view.linked_ids.join(', ')}`);
    lines.push(`  touches      ${view.touches.length}`);
    lines.push(`  first touch  ${describe(view.first_touch)}`);
    lines.push(`  last touch   ${describe(view.last_touch)}`);
  }
  return lines;
}

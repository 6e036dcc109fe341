import { existsSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHANNELS } from '../../classify';
import { loadConfig } from '../../config';
import { generateEvents } from '../../generate';
import { resolveProfile, type IdentityKey } from '../../identity';
import { openJsonLines } from '../../io/jsonl';
import { createPipeline } from '../../pipeline';
import { viewProfile, type ProfileView } from '../../profile';
import { formatReport, replayLines } from '../../replay';
import { flag, numberFlag, parseArgs } from '../args';
import { createProgress } from '../progress';
import type { Command } from '../types';

/**
 * The end-to-end demo on the embedded store: generate traffic, replay it, and show what touchpoint
 * wrote back. Everything lands in `.touchpoint/demo/` (recreated each run); nothing leaves the machine.
 */
export const demoCommand: Command = {
  name: 'demo',
  usage: 'demo [--users 3000] [--seed 42] [--dir .touchpoint/demo]',
  summary: 'generate traffic, replay it into the embedded store, and summarise the traits written back',
  async run(args, io) {
    const parsed = parseArgs(args);
    const dir = resolve(flag(parsed, 'dir', '.touchpoint/demo') as string);
    const users = numberFlag(parsed, 'users', 3000);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const started = Date.now();

    const events = generateEvents({
      users,
      seed: numberFlag(parsed, 'seed', 42),
      start: new Date('2026-09-01T00:00:00Z'),
    });
    const eventsPath = join(dir, 'events.jsonl');
    writeFileSync(eventsPath, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    io.stdout.write(
      `generated ${events.length.toLocaleString('en-US')} Segment messages from ${users} visitors -> ${eventsPath}\n\n`,
    );

    const outbox = join(dir, 'outbox.jsonl');
    const config = loadConfig({
      ...io.env,
      TOUCHPOINT_STORE: `sqlite:${join(dir, 'touchpoint.db')}`,
      TOUCHPOINT_OUTBOX: outbox,
      SEGMENT_WRITE_KEY: '',
      TOUCHPOINT_LOG_LEVEL: 'warn',
    });
    const pipeline = await createPipeline(config);
    try {
      const source = openJsonLines(eventsPath, io.stdin);
      const progress = createProgress(io.stderr, 'replay');
      const replayStarted = Date.now();
      const report = await replayLines(pipeline, source.batches, {
        onProgress: (applied, phase) => progress.update(applied, applied / events.length, phase),
      });
      progress.finish();
      io.stdout.write(formatReport(report, (Date.now() - replayStarted) / 1000) + '\n\n');

      const written = mergeOutbox(outbox);
      const current: Array<[IdentityKey, Record<string, unknown>]> = [];
      for (const [target, traits] of written) {
        if ((await resolveProfile(target, pipeline.store)).target === target) current.push([target, traits]);
      }
      io.stdout.write(channelTable(current.map(([, traits]) => traits)) + '\n');
      io.stdout.write(
        `identify calls: ${report.identifyCalls.toLocaleString('en-US')} for ${report.received.toLocaleString('en-US')} messages ` +
          `(${((report.identifyCalls / Math.max(report.received, 1)) * 1000).toFixed(0)} per 1,000; a call only when a trait changed) ` +
          `to ${current.length.toLocaleString('en-US')} profiles\n\n`,
      );
      for (const example of await examples(current, pipeline.store, pipeline.settings)) {
        io.stdout.write(example + '\n');
      }
      io.stdout.write(`\ntraits written (the identify calls Segment would receive): ${outbox}\n`);
      io.stdout.write(
        `look up any profile: node dist/cli.js profile <userId> with TOUCHPOINT_STORE=sqlite:${join(dir, 'touchpoint.db')}\n`,
      );
      io.stdout.write(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      return 0;
    } finally {
      await pipeline.store.close();
    }
  },
};

/** Merges the outbox's identify calls per target, as Segment merges traits on a profile. */
function mergeOutbox(path: string): Map<IdentityKey, Record<string, unknown>> {
  const merged = new Map<IdentityKey, Record<string, unknown>>();
  if (!existsSync(path)) return merged;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const call = JSON.parse(line) as {
      userId?: string;
      anonymousId?: string;
      traits: Record<string, unknown>;
    };
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

import { createInterface } from 'node:readline';
import { z } from 'zod';
import { classify, type ClassifyInput } from '../../classify';
import { loadConfig } from '../../config';
import { defineCommand } from '../types';

/** The flat shape: what a spreadsheet export or a quick test writes. */
const flatInput = z.object({
  page_url: z.string().nullish(),
  referrer: z.string().nullish(),
  page_host: z.string().nullish(),
});

const text = z.string().nullish();

/** The part of a Segment page (or track/screen) message that says where the visit came from. */
const segmentEvent = z.object({
  type: z.string(),
  context: z
    .object({
      page: z.object({ url: text, referrer: text }).nullish(),
      campaign: z.object({ name: text, source: text, medium: text, term: text, content: text }).nullish(),
    })
    .nullish(),
  properties: z.record(z.string(), z.unknown()).nullish(),
});

/** Why a line could not be classified; the line is counted as rejected. */
class UnreadableLine extends Error {
  override readonly name = 'UnreadableLine';
}

export const classifyCommand = defineCommand({
  name: 'classify',
  summary:
    'classify JSON lines from stdin ({"page_url","referrer","page_host"?} or Segment page events), one JSON result per line',
  positionals: [],
  flags: {
    explain: { type: 'boolean', help: 'add the signal and the rule that decided each field' },
  },
  async run({ flags }, io) {
    const options = { ...loadConfig(io.env).classifier, explain: flags.explain };
    let number = 0;
    let read = 0;
    let rejected = 0;
    for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
      number++;
      if (line.trim() === '') continue;
      read++;
      let input: ClassifyInput;
      try {
        input = classifyInputOf(line);
      } catch (error) {
        if (!(error instanceof UnreadableLine)) throw error;
        rejected++;
        io.stderr.write(`touchpoint classify: line ${number}: ${error.message}\n`);
        continue;
      }
      const { signal, explain: why, ...result } = classify(input, options);
      io.stdout.write(JSON.stringify(flags.explain ? { ...result, signal, explain: why } : result) + '\n');
    }
    if (rejected > 0) {
      io.stderr.write(`touchpoint classify: ${rejected} of ${read} lines rejected (not classified)\n`);
      return 1;
    }
    return 0;
  },
});

/**
 * What the classifier reads from one line: the flat `{"page_url","referrer","page_host"}` shape or a
 * Segment message with a page (context.page first, then properties, as the pipeline reads it).
 * Anything else is refused rather than classified as Direct: a visit with no URL and no referrer
 * is Direct, but a line nobody can read says nothing about a visit.
 * @throws UnreadableLine saying what is wrong with the line
 */
export function classifyInputOf(line: string): ClassifyInput {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new UnreadableLine(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UnreadableLine(
      `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    );
  if ('type' in value) return fromSegmentEvent(value);
  if (!('page_url' in value) && !('referrer' in value)) {
    const keys = Object.keys(value);
    throw new UnreadableLine(
      `expected {"page_url","referrer","page_host"?} or a Segment page event, got ${
        keys.length === 0 ? 'an empty object' : `the keys ${keys.slice(0, 5).join(', ')}`
      }`,
    );
  }
  const flat = flatInput.safeParse(value);
  if (!flat.success) throw new UnreadableLine(issueText(flat.error));
  return { pageUrl: flat.data.page_url, referrer: flat.data.referrer, pageHost: flat.data.page_host };
}

function fromSegmentEvent(value: object): ClassifyInput {
  const parsed = segmentEvent.safeParse(value);
  if (!parsed.success) throw new UnreadableLine(issueText(parsed.error));
  const { type, context, properties } = parsed.data;
  if (type !== 'page' && type !== 'track' && type !== 'screen')
    throw new UnreadableLine(
      `type "${type}" is no visit: only page, track and screen messages are classified`,
    );
  const page = context?.page;
  if (type !== 'page' && !page)
    throw new UnreadableLine(`a ${type} message without context.page has no page to classify`);
  const pageUrl = page?.url ?? stringOrNull(properties?.url);
  const referrer = page?.referrer ?? stringOrNull(properties?.referrer);
  if (pageUrl === null && referrer === null)
    throw new UnreadableLine(
      'the page message has no URL and no referrer (context.page.url/referrer or properties.url/referrer)',
    );
  return { pageUrl, referrer, campaign: context?.campaign ?? null };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unreadable';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

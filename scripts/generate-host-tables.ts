/**
 * Generates src/classify/generated/host-tables.ts from the vendored data lists (data/matomo, data/ga4)
 * and the curated overlay (src/classify/overlay.ts). Run `npx tsx scripts/generate-host-tables.ts`
 * after changing any of them; test/classify/generate-host-tables.test.ts fails when the checked-in file
 * is stale. The output is sorted so regenerating is byte-for-byte stable.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDomainWithoutSuffix } from 'tldts';
import type { HostRule, HostTables, SourceKind } from '../src/classify/host-table-types';
import { KIND_TIE_ORDER } from '../src/classify/host-table-types';
import {
  AI_SOURCE_ALIASES,
  DROPPED_PATTERNS,
  MATOMO_NAME_KEYS,
  MATOMO_SOCIAL_KIND_OVERRIDES,
  OVERLAY_RULES,
  SEARCH_TERM_PARAMS,
} from '../src/classify/overlay';

/** The text of every input file, so the generator itself stays a pure function. */
export interface HostTableSources {
  matomoSearchEngines: string;
  matomoSocials: string;
  matomoAiAssistants: string;
  matomoSourceNote: string;
  ga4SourceCategories: string;
  ga4SourceNote: string;
}

/** Where the generated module is written, relative to the repository root. */
export const GENERATED_HOST_TABLES_PATH = 'src/classify/generated/host-tables.ts';

/** Reads the vendored data files (paths relative to the repository root). */
export function readHostTableSources(repoRoot: string): HostTableSources {
  const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
  return {
    matomoSearchEngines: read('data/matomo/SearchEngines.yml'),
    matomoSocials: read('data/matomo/Socials.yml'),
    matomoAiAssistants: read('data/matomo/AIAssistants.yml'),
    matomoSourceNote: read('data/matomo/SOURCE').trim(),
    ga4SourceCategories: read('data/ga4/source_categories.csv'),
    ga4SourceNote: read('data/ga4/SOURCE').trim(),
  };
}

// ---------------------------------------------------------------------------------------------------
// A reader for the YAML subset the Matomo lists use: block mappings, block sequences (including the
// `- key: value` compact form), `[]`, and plain or quoted scalars. Adding a YAML dependency for three
// regular files is not worth it; anything outside the subset throws so a format change is noticed.

/** A parsed YAML value. */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface YamlLine {
  indent: number;
  text: string;
  lineNumber: number;
}

/** Parses the YAML subset described above. */
export function parseSimpleYaml(text: string): YamlValue {
  const lines: YamlLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed === '---') return;
    lines.push({ indent: raw.length - raw.trimStart().length, text: trimmed, lineNumber: index + 1 });
  });
  let position = 0;

  const isSequenceItem = (line: string): boolean => line === '-' || line.startsWith('- ');
  const fail = (line: YamlLine | undefined, why: string): never => {
    throw new Error(`YAML line ${line?.lineNumber ?? 'end'}: ${why}`);
  };

  const splitKey = (line: string): [string, string] | null => {
    if (line.startsWith("'") || line.startsWith('"')) {
      const close = line.indexOf(line[0] ?? '', 1);
      if (close < 0 || line[close + 1] !== ':') return null;
      return [line.slice(1, close), line.slice(close + 2).trim()];
    }
    const colon = line.search(/:( |$)/);
    if (colon <= 0) return null;
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  };

  const scalar = (raw: string): string => {
    if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2)
      return raw.slice(1, -1).replace(/''/g, "'");
    if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) return JSON.parse(raw) as string;
    return raw;
  };

  const parseBlock = (): YamlValue => {
    const first = lines[position];
    if (!first) return fail(first, 'expected a block');
    return isSequenceItem(first.text) ? parseSequence(first.indent) : parseMapping(first.indent);
  };

  const parseValueAfterKey = (indent: number, rest: string): YamlValue => {
    if (rest === '[]') return [];
    if (rest !== '') return scalar(rest);
    const next = lines[position];
    if (next && (next.indent > indent || (next.indent === indent && isSequenceItem(next.text))))
      return parseBlock();
    return '';
  };

  function parseSequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (
      let line = lines[position];
      line && line.indent === indent && isSequenceItem(line.text);
      line = lines[position]
    ) {
      const rest = line.text === '-' ? '' : line.text.slice(2).trim();
      if (rest === '') {
        position += 1;
        const next = lines[position];
        items.push(next && next.indent > indent ? parseBlock() : '');
      } else if (splitKey(rest)) {
        // `- key: value` opens a mapping whose keys sit where `key` sits.
        lines[position] = { indent: indent + 2, text: rest, lineNumber: line.lineNumber };
        items.push(parseMapping(indent + 2));
      } else {
        items.push(scalar(rest));
        position += 1;
      }
    }
    return items;
  }

  function parseMapping(indent: number): { [key: string]: YamlValue } {
    const mapping: { [key: string]: YamlValue } = {};
    for (let line = lines[position]; line && line.indent === indent; line = lines[position]) {
      if (isSequenceItem(line.text)) return fail(line, 'sequence item inside a mapping');
      const entry = splitKey(line.text);
      if (!entry) return fail(line, `expected "key:" in ${JSON.stringify(line.text)}`);
      position += 1;
      mapping[scalar(entry[0])] = parseValueAfterKey(indent, entry[1]);
    }
    const stray = lines[position];
    if (stray && stray.indent > indent) fail(stray, 'unexpected indentation');
    return mapping;
  }

  const document = lines.length === 0 ? {} : parseBlock();
  if (position < lines.length) fail(lines[position], 'trailing content');
  return document;
}

// ---------------------------------------------------------------------------------------------------

/** Where a candidate rule came from; lower wins a tie of the same kind. */
const Origin = { Overlay: 0, Matomo: 1, Ga4: 2 } as const;
type Origin = (typeof Origin)[keyof typeof Origin];

interface Candidate {
  pattern: string;
  source: string;
  kind: SourceKind;
  params: readonly string[];
  origin: Origin;
}

type ParsedPattern =
  | { type: 'host'; key: string; path: string }
  | { type: 'brand'; key: string; path: string }
  | { type: 'dropped' };

/** Turns a list pattern into a lookup key (see the grammar in src/classify/overlay.ts). */
export function parsePattern(raw: string): ParsedPattern {
  let pattern = raw.trim().toLowerCase();
  if (pattern === '' || /\s/.test(pattern) || pattern.includes('//')) return { type: 'dropped' };
  if (pattern.startsWith('www.')) pattern = pattern.slice(4);
  const slash = pattern.indexOf('/');
  const hostPart = slash < 0 ? pattern : pattern.slice(0, slash);
  let path = slash < 0 ? '' : pattern.slice(slash);
  if (path.endsWith('/')) path = path.slice(0, -1);
  if (hostPart.startsWith('{}.')) {
    const host = hostPart.slice(3);
    return host.includes('{}') || host === '' ? { type: 'dropped' } : { type: 'host', key: host, path };
  }
  if (hostPart.endsWith('.{}')) {
    const brand = hostPart.slice(0, -3);
    return brand.includes('{}') || brand === '' ? { type: 'dropped' } : { type: 'brand', key: brand, path };
  }
  if (hostPart.includes('{}') || hostPart === '') return { type: 'dropped' };
  return { type: 'host', key: hostPart, path };
}

const slug = (name: string): string =>
  decodeURIComponent(name)
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** A Matomo name's key; a name with no Latin letters falls back to its first host's brand label. */
function matomoKey(name: string, urls: readonly string[]): string {
  const key = MATOMO_NAME_KEYS[name] ?? slug(name);
  if (key !== '') return key;
  const firstHost = (urls[0] ?? '').replace(/^\{\}\./, '').replace(/\.\{\}.*$/, '.com');
  return getDomainWithoutSuffix(firstHost) ?? slug(firstHost);
}

/** Kinds that share one source key: Google's ad hosts are still the `google` source. */
const keyFamily = (kind: SourceKind): SourceKind =>
  kind === 'search-ad' || kind === 'display-ad' ? 'search' : kind;

const KEY_SUFFIX: Readonly<Record<SourceKind, string>> = {
  ai: 'ai',
  email: 'mail',
  'search-ad': 'search',
  'display-ad': 'search',
  'not-search': 'referral',
  search: 'search',
  social: 'social',
  video: 'video',
  shopping: 'shopping',
};

const GA4_KINDS: Readonly<Record<string, SourceKind>> = {
  SOURCE_CATEGORY_SEARCH: 'search',
  SOURCE_CATEGORY_SOCIAL: 'social',
  SOURCE_CATEGORY_VIDEO: 'video',
  SOURCE_CATEGORY_SHOPPING: 'shopping',
};

const stringList = (value: YamlValue | undefined): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

function collectCandidates(sources: HostTableSources, ga4Names: Map<string, SourceKind>): Candidate[] {
  const candidates: Candidate[] = [];
  // Search-term parameters only matter for search hosts (docs/attribution.md §5); regex parameters are
  // Matomo-specific.
  const paramsFor = (source: string, kind: SourceKind, listed: readonly string[]): readonly string[] =>
    kind !== 'search' && kind !== 'search-ad'
      ? []
      : (SEARCH_TERM_PARAMS[source] ?? [
          ...new Set(listed.filter((param) => !param.startsWith('/')).map((param) => param.toLowerCase())),
        ]);

  for (const rule of OVERLAY_RULES) {
    candidates.push({ ...rule, params: paramsFor(rule.source, rule.kind, []), origin: Origin.Overlay });
  }

  const engines = parseSimpleYaml(sources.matomoSearchEngines);
  if (typeof engines !== 'object' || Array.isArray(engines))
    throw new Error('SearchEngines.yml: expected a mapping');
  for (const [name, groups] of Object.entries(engines)) {
    if (!Array.isArray(groups)) continue;
    for (const group of groups) {
      if (typeof group !== 'object' || Array.isArray(group)) continue;
      const urls = stringList(group['urls']);
      const source = matomoKey(name, urls);
      const params = paramsFor(source, 'search', stringList(group['params']));
      for (const pattern of urls) {
        candidates.push({ pattern, source, kind: 'search', params, origin: Origin.Matomo });
      }
    }
  }

  const addHostList = (text: string, file: string, kindOf: (name: string) => SourceKind): void => {
    const list = parseSimpleYaml(text);
    if (typeof list !== 'object' || Array.isArray(list)) throw new Error(`${file}: expected a mapping`);
    for (const [name, hosts] of Object.entries(list)) {
      const urls = stringList(hosts);
      for (const pattern of urls) {
        candidates.push({
          pattern,
          source: matomoKey(name, urls),
          kind: kindOf(name),
          params: [],
          origin: Origin.Matomo,
        });
      }
    }
  };
  addHostList(sources.matomoSocials, 'Socials.yml', (name) => MATOMO_SOCIAL_KIND_OVERRIDES[name] ?? 'social');
  addHostList(sources.matomoAiAssistants, 'AIAssistants.yml', () => 'ai');

  for (const row of sources.ga4SourceCategories.split(/\r?\n/).slice(1)) {
    const comma = row.lastIndexOf(',');
    if (comma < 0) continue;
    const name = row.slice(0, comma).trim().toLowerCase();
    const kind = GA4_KINDS[row.slice(comma + 1).trim()];
    if (!kind || name === '' || name in DROPPED_PATTERNS) continue;
    if (!name.includes('.')) {
      ga4Names.set(name, kind);
      continue;
    }
    const brand = getDomainWithoutSuffix(name) ?? name;
    candidates.push({
      pattern: name,
      source: brand,
      kind,
      params: paramsFor(brand, kind, []),
      origin: Origin.Ga4,
    });
  }

  return candidates.filter((candidate) => !(candidate.pattern.trim().toLowerCase() in DROPPED_PATTERNS));
}

/**
 * Gives every data-list candidate a key that means one kind only: a brand that already names another
 * kind gets a suffix (`yahoo` search, `yahoo-mail` email), as docs/attribution.md §5 asks for `-mail` keys.
 */
function assignKeys(candidates: Candidate[]): Map<string, SourceKind> {
  const owner = new Map<string, SourceKind>();
  for (const candidate of candidates) {
    if (candidate.origin !== Origin.Overlay || candidate.kind === 'not-search') continue;
    const family = keyFamily(candidate.kind);
    const existing = owner.get(candidate.source);
    if (existing && existing !== family) {
      throw new Error(`overlay: source ${candidate.source} used for ${existing} and ${family}`);
    }
    owner.set(candidate.source, family);
  }
  // Data candidates claim keys in docs/attribution.md §5's tie order, so `you.com` names the AI assistant
  // and the search engine of the same name becomes `you.com-search`.
  const byTieOrder = [...candidates].sort(
    (a, b) => KIND_TIE_ORDER.indexOf(a.kind) - KIND_TIE_ORDER.indexOf(b.kind) || a.origin - b.origin,
  );
  for (const candidate of byTieOrder) {
    if (candidate.origin === Origin.Overlay || candidate.kind === 'not-search') continue;
    const family = keyFamily(candidate.kind);
    const existing = owner.get(candidate.source);
    if (existing && existing !== family)
      candidate.source = `${candidate.source}-${KEY_SUFFIX[candidate.kind]}`;
    if (!owner.has(candidate.source)) owner.set(candidate.source, family);
  }
  return owner;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Picks one rule per pattern: the overlay, else docs/attribution.md §5's tie order, else list order, else
 * name.
 */
function pickWinner(claims: Candidate[]): Candidate {
  const overlay = claims.filter((claim) => claim.origin === Origin.Overlay);
  if (overlay.length > 1) throw new Error(`overlay: pattern ${overlay[0]?.pattern ?? ''} listed twice`);
  if (overlay[0]) return overlay[0];
  const [winner] = [...claims].sort(
    (a, b) =>
      KIND_TIE_ORDER.indexOf(a.kind) - KIND_TIE_ORDER.indexOf(b.kind) ||
      a.origin - b.origin ||
      compareText(a.source, b.source),
  );
  if (!winner) throw new Error('pattern without claims');
  return winner;
}

/** Builds the tables from the list texts: pure, deterministic, sorted. */
export function buildHostTables(sources: HostTableSources): HostTables {
  const ga4Names = new Map<string, SourceKind>();
  const candidates = collectCandidates(sources, ga4Names);
  const owners = assignKeys(candidates);
  // A GA4 search host (daum.net) has no parameters of its own: it takes its engine's from Matomo.
  const paramsByKey = new Map<string, readonly string[]>();
  for (const candidate of candidates) {
    if (candidate.kind === 'search' && candidate.params.length > 0 && !paramsByKey.has(candidate.source)) {
      paramsByKey.set(candidate.source, candidate.params);
    }
  }
  for (const candidate of candidates) {
    if (candidate.kind === 'search' && candidate.params.length === 0) {
      candidate.params = paramsByKey.get(candidate.source) ?? [];
    }
  }

  const claims = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    const parsed = parsePattern(candidate.pattern);
    if (parsed.type === 'dropped') continue;
    const slot = `${parsed.type}\u0000${parsed.key}\u0000${parsed.path}`;
    const list = claims.get(slot);
    if (list) list.push(candidate);
    else claims.set(slot, [candidate]);
  }

  const ruleIndex = new Map<string, HostRule>();
  const winners: Array<{ type: string; key: string; path: string; rule: HostRule }> = [];
  for (const [slot, slotClaims] of claims) {
    const [type = '', key = '', path = ''] = slot.split('\u0000');
    const winner = pickWinner(slotClaims);
    const rule: HostRule = [winner.source, winner.kind, winner.params.join(',')];
    const ruleKey = rule.join('\u0000');
    if (!ruleIndex.has(ruleKey)) ruleIndex.set(ruleKey, rule);
    winners.push({ type, key, path, rule: ruleIndex.get(ruleKey) as HostRule });
  }

  const rules = [...ruleIndex.values()].sort((a, b) => compareText(a.join('\u0000'), b.join('\u0000')));
  const indexOf = new Map(rules.map((rule, index) => [rule, index]));
  const pick = (type: string, withPath: boolean): typeof winners =>
    winners
      .filter((winner) => winner.type === type && (winner.path !== '') === withPath)
      .sort((a, b) => compareText(a.key, b.key) || compareText(a.path, b.path));

  const sourceKinds = new Map<string, SourceKind>(ga4Names);
  for (const [source, kind] of owners) sourceKinds.set(source, kind);

  const aiAliases = new Map<string, string>(Object.entries(AI_SOURCE_ALIASES));
  for (const winner of winners) {
    if (winner.rule[1] !== 'ai') continue;
    aiAliases.set(winner.rule[0], winner.rule[0]);
    if (winner.type === 'host' && winner.path === '') aiAliases.set(winner.key, winner.rule[0]);
  }

  const sortedEntries = <T>(map: Map<string, T>): Array<readonly [string, T]> =>
    [...map.entries()].sort((a, b) => compareText(a[0], b[0]));

  return {
    rules,
    hosts: pick('host', false).map((winner) => [winner.key, indexOf.get(winner.rule) ?? -1] as const),
    hostPaths: pick('host', true).map(
      (winner) => [winner.key, winner.path, indexOf.get(winner.rule) ?? -1] as const,
    ),
    brands: pick('brand', false).map((winner) => [winner.key, indexOf.get(winner.rule) ?? -1] as const),
    brandPaths: pick('brand', true).map(
      (winner) => [winner.key, winner.path, indexOf.get(winner.rule) ?? -1] as const,
    ),
    sourceKinds: sortedEntries(sourceKinds),
    aiAliases: sortedEntries(aiAliases),
  };
}

/** Renders the tables as the checked-in TypeScript module (one entry per line, for readable diffs). */
export function generateHostTables(sources: HostTableSources): string {
  const tables = buildHostTables(sources);
  const list = (name: keyof HostTables, rows: readonly (readonly unknown[])[]): string =>
    `  ${name}: [\n${rows.map((row) => `    ${JSON.stringify(row)},\n`).join('')}  ],\n`;
  return (
    [
      '// GENERATED by scripts/generate-host-tables.ts, do not edit.',
      '// Regenerate with `npx tsx scripts/generate-host-tables.ts` after changing data/ or src/classify/overlay.ts.',
      '//',
      '// Data and licences:',
      `// - data/matomo: Matomo searchengine-and-social-list, CC0-1.0 (${sources.matomoSourceNote})`,
      `// - data/ga4: GA4 source categories, MIT, Copyright (c) 2022 Adam Ribaudo (${sources.ga4SourceNote})`,
      '// - src/classify/overlay.ts: touchpoint curation, MIT',
      '',
      "import type { HostTables } from '../host-table-types';",
      '',
      '/** Referrer host rules and source categories (see host-table-types.ts for the shape). */',
      'export const HOST_TABLES: HostTables = {',
    ].join('\n') +
    '\n' +
    list('rules', tables.rules) +
    list('hosts', tables.hosts) +
    list('hostPaths', tables.hostPaths) +
    list('brands', tables.brands) +
    list('brandPaths', tables.brandPaths) +
    list('sourceKinds', tables.sourceKinds) +
    list('aiAliases', tables.aiAliases) +
    '};\n'
  );
}

if (require.main === module) {
  const repoRoot = join(__dirname, '..');
  const output = generateHostTables(readHostTableSources(repoRoot));
  writeFileSync(join(repoRoot, GENERATED_HOST_TABLES_PATH), output);
  console.log(`wrote ${GENERATED_HOST_TABLES_PATH} (${output.split('\n').length} lines)`);
}

/**
 * The spec lives in docs/ and everything that cites it (comments, the corpus, `--explain`, the README)
 * names a section that exists there, in one form: `docs/attribution.md §N`, `§N item K` (the K-th
 * numbered item of section N) or `§N row K` (row K of a table in section N). Nothing may point outside
 * the repository: the spec used to live in a sibling folder that users of the repository do not have.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { classify } from '../../src/classify';
import { loadCorpus, toClassifyInput, toOptions } from '../classify/corpus';

const ROOT = resolve(__dirname, '../..');
const DOCS_DIR = join(ROOT, 'docs');

/** What a docs file offers to cite: its numbered headings, each with its numbered items and table rows. */
type DocsSections = Map<string, { items: Set<number>; rows: Set<number> }>;

function readDocsSections(text: string): DocsSections {
  const sections: DocsSections = new Map();
  let current: { items: Set<number>; rows: Set<number> } | null = null;
  for (const line of text.split('\n')) {
    if (/^#{1,6}\s/.test(line)) {
      const number = /^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s/.exec(line)?.[1];
      current = number === undefined ? null : { items: new Set(), rows: new Set() };
      if (number !== undefined && current) sections.set(number, current);
      continue;
    }
    const item = /^(\d+)\.\s/.exec(line)?.[1];
    if (current && item !== undefined) current.items.add(Number(item));
    const row = /^\|\s*(\d+)\s*\|/.exec(line)?.[1];
    if (current && row !== undefined) current.rows.add(Number(row));
  }
  return sections;
}

const DOCS = new Map<string, DocsSections>(
  readdirSync(DOCS_DIR)
    .filter((name) => name.endsWith('.md'))
    .map((name) => [`docs/${name}`, readDocsSections(readFileSync(join(DOCS_DIR, name), 'utf8'))]),
);

/** `§4`, `§4 item 3`, `§6 row 15`; a dotted number is read whole so that it is checked, not truncated. */
const REFERENCE = String.raw`§(\d+(?:\.\d+)*)(?: (item|row) (\d+))?`;
const REFERENCE_TEXT = String.raw`§\d+(?:\.\d+)*(?: (?:item|row) \d+)?`;
/** `docs/x.md §4 item 1`, `docs/x.md §1-§6`, `docs/x.md §2 item 1 and §2 item 2` */
const CITATION = new RegExp(
  String.raw`(docs/[\w.-]+\.md) (${REFERENCE_TEXT}(?:(?:-| and |, )${REFERENCE_TEXT})*)`,
  'g',
);
const LEGACY_CITATIONS = [/\bspec(?:\s+sections?)?\s+\d[\d.]*/gi, /(?<!docs\/)\bspec\/[\w-]+\.md/gi];
/** The sibling folder the spec came from, and the machine's absolute workspace paths. */
const OUTSIDE_PATHS = [/\.\.\/shared\b/g, /(?<![\w.-])\/work\//g, /\bshared\/spec\b/g];

/** Problems with the citations and paths in one text; `file` is where it comes from, repository-relative. */
function citationProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const [citation, docsFile, references] of text.matchAll(CITATION)) {
    const sections = DOCS.get(docsFile!);
    if (!sections) {
      problems.push(`${file}: "${citation}" names ${docsFile}, which does not exist`);
      continue;
    }
    for (const [, section, kind, index] of references!.matchAll(new RegExp(REFERENCE, 'g'))) {
      const found = sections.get(section!);
      if (!found) problems.push(`${file}: "${citation}": ${docsFile} has no heading "${section}."`);
      else if (kind === 'item' && !found.items.has(Number(index)))
        problems.push(`${file}: "${citation}": ${docsFile} §${section} has no item ${index}`);
      else if (kind === 'row' && !found.rows.has(Number(index)))
        problems.push(`${file}: "${citation}": ${docsFile} §${section} has no row ${index}`);
    }
  }
  for (const orphan of text.replace(CITATION, '').match(/§\s*\d[\d.]*/g) ?? [])
    problems.push(`${file}: "${orphan}" does not name the docs file it cites`);
  for (const [legacy] of LEGACY_CITATIONS.flatMap((pattern) => [...text.matchAll(pattern)]))
    problems.push(`${file}: "${legacy}" cites the spec without docs/<file>.md §N`);
  for (const [outside] of OUTSIDE_PATHS.flatMap((pattern) => [...text.matchAll(pattern)]))
    problems.push(`${file}: "${outside}" points outside the repository`);
  for (const [up] of text.matchAll(/(?<![\w./])(?:\.\.\/)+[\w.-]*/g)) {
    const target = resolve(dirname(join(ROOT, file)), up);
    if (target !== ROOT && !target.startsWith(ROOT + sep))
      problems.push(`${file}: "${up}" resolves outside the repository`);
  }
  if (file.endsWith('.md')) {
    for (const [, link] of text.matchAll(/\]\(([^)\s#]+)[^)]*\)/g)) {
      if (/^[a-z]+:/i.test(link!)) continue;
      if (!existsSync(resolve(dirname(join(ROOT, file)), link!)))
        problems.push(`${file}: link ${link} points at a file that does not exist`);
    }
  }
  return problems;
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

const SOURCE = (name: string) => /\.(ts|mjs|js|json)$/.test(name);
const SCANNED = [
  ...filesUnder('src', SOURCE),
  ...filesUnder('scripts', SOURCE),
  ...filesUnder('functions', SOURCE),
  ...filesUnder('test', SOURCE).filter((file) => file !== relative(ROOT, __filename)),
  ...filesUnder('docs', (name) => name.endsWith('.md')),
  'README.md',
];

describe('docs/', () => {
  it('holds the spec and the contracts, with numbered sections to cite', () => {
    expect([...DOCS.keys()]).toEqual(expect.arrayContaining(['docs/attribution.md', 'docs/contracts.md']));
    const spec = DOCS.get('docs/attribution.md')!;

    expect([...spec.keys()]).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect([...spec.get('4')!.items]).toEqual([1, 2, 3, 4, 5]);
    expect(spec.get('6')!.rows.size).toBe(20);
  });
});

describe('section citations', () => {
  it('scans the corpus, the README and the classifier sources', () => {
    expect(SCANNED).toEqual(
      expect.arrayContaining(['README.md', 'test/classify/corpus.json', 'src/classify/classify.ts']),
    );
  });

  it('cite only sections that exist, name their docs file, and stay inside the repository', () => {
    const problems = SCANNED.flatMap((file) =>
      citationProblems(file, readFileSync(join(ROOT, file), 'utf8')),
    );

    expect(problems).toEqual([]);
  });

  it('justify every corpus case with a valid citation or a public option', () => {
    for (const corpusCase of loadCorpus()) {
      expect(citationProblems(`corpus "${corpusCase.name}"`, corpusCase.why)).toEqual([]);
      expect(corpusCase.why).toMatch(/docs\/attribution\.md §\d|ClassifierOptions|ClassifyInput/);
    }
  });

  it.each([
    ['a section with no heading', 'see docs/attribution.md §9', 'has no heading "9."'],
    ['a dotted sub-section that is not a heading', 'docs/attribution.md §4.3', 'has no heading "4.3."'],
    ['an item the section does not have', 'docs/attribution.md §4 item 6', '§4 has no item 6'],
    ['a table row that does not exist', 'docs/attribution.md §6 row 21', '§6 has no row 21'],
    ['a docs file that does not exist', 'docs/spec.md §1', 'docs/spec.md, which does not exist'],
    ['a section without its file', 'as in §5', '"§5" does not name'],
    ['the old spec form', '(spec 4.2)', 'cites the spec without'],
    ['the old spec path', 'implements `spec/attribution.md`', 'cites the spec without'],
    ['the shared folder', 'copied from ../shared/spec/attribution.md', 'points outside the repository'],
    ['a relative path above the repository', 'see ../../../elsewhere/notes.md', 'resolves outside'],
  ])('are reported when they cite %s', (_case, text, problem) => {
    expect(citationProblems('src/classify/example.ts', text)).toEqual(
      expect.arrayContaining([expect.stringContaining(problem)]),
    );
  });

  it('are not reported when they name existing sections, items and rows', () => {
    const text =
      'docs/attribution.md §1-§6; docs/attribution.md §2 item 1 and §2 item 4; docs/attribution.md §6 row 20';

    expect(citationProblems('src/classify/example.ts', text)).toEqual([]);
  });
});

describe('classify --explain', () => {
  it('cites existing sections of docs/attribution.md for every corpus case', () => {
    const problems: string[] = [];
    let citations = 0;

    for (const corpusCase of loadCorpus()) {
      const { explain } = classify(toClassifyInput(corpusCase), { ...toOptions(corpusCase), explain: true });
      for (const [field, text] of Object.entries(explain ?? {})) {
        problems.push(...citationProblems(`explain.${field} of "${corpusCase.name}"`, text));
        citations += text.match(CITATION)?.length ?? 0;
      }
      expect(explain?.channel).toMatch(/\(docs\/attribution\.md §6: /);
    }

    expect(problems).toEqual([]);
    expect(citations).toBeGreaterThan(loadCorpus().length);
  });
});

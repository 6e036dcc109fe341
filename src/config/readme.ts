import { SDK_ENDPOINT_OVERRIDES, SETTINGS, type SettingGroup, type SettingSpec } from './settings';

/**
 * The README's configuration tables, rendered from SETTINGS, and the check that the README still shows
 * them (test/config/readme.test.ts). Development tooling: nothing at runtime imports this module. To
 * update the README after changing a setting, replace the text between the two markers with:
 *   npx tsx -e "process.stdout.write(require('./src/config/readme').renderConfigurationTables())"
 */

/** Marks where the rendered tables start in the README's "## Configuration" section. */
export const TABLES_BEGIN =
  '<!-- configuration tables: rendered from src/config/settings.ts; test/config/readme.test.ts fails when they differ -->';
/** Marks where the rendered tables end. */
export const TABLES_END = '<!-- end of configuration tables -->';

/** The sentence above each group's table, in README order (the section's own intro covers `core`). */
const GROUP_LEADS: Readonly<Record<SettingGroup, string | null>> = {
  core: null,
  personalize:
    'Amazon Personalize (all optional; with none set, a local fallback recommender fills `recommended_products`):',
  aws: 'AWS (in Lambda, `AWS_REGION` is already set):',
  http: 'HTTP doors (`touchpoint serve` and the HTTP Lambda; see Receive Segment through webhooks):',
  conversions:
    'Conversions and their credit (see Conversions and multi-touch credit, and [docs/unify.md](docs/unify.md)):',
};

const HEADER = ['| variable | default | meaning |', '|---|---|---|'];
const cell = (markdown: string) => markdown.replace(/\|/g, '\\|');
const defaultCell = (spec: SettingSpec) => (spec.default === undefined ? '(none)' : `\`${spec.default}\``);

function row(name: string, spec: SettingSpec): string {
  const variable = [`\`${name}\``, ...(spec.aliases ?? []).map((alias) => `(or \`${alias}\`)`)].join(' ');
  const meaning = spec.details ? `${spec.description}; ${spec.details}` : spec.description;
  return `| ${variable} | ${defaultCell(spec)} | ${cell(meaning)} |`;
}

/**
 * The Markdown between TABLES_BEGIN and TABLES_END: one `variable | default | meaning` table per group,
 * then the endpoint overrides the SDK reads itself. Rendered, not hand-kept, so the README cannot list a
 * variable, default or meaning the code does not have.
 */
export function renderConfigurationTables(): string {
  const entries = Object.entries(SETTINGS) as Array<[string, SettingSpec]>;
  const blocks: string[] = [];
  for (const [group, lead] of Object.entries(GROUP_LEADS) as Array<[SettingGroup, string | null]>) {
    const rows = entries.filter(([, spec]) => spec.group === group).map(([name, spec]) => row(name, spec));
    blocks.push([...(lead ? [lead, ''] : []), ...HEADER, ...rows].join('\n'));
  }
  const overrides = SDK_ENDPOINT_OVERRIDES.map((name) => `\`${name}\``).join(', ');
  blocks.push(
    `The other AWS endpoints follow the SDK's standard overrides, read by the SDK clients themselves: ${overrides}.`,
  );
  return `${blocks.join('\n\n')}\n`;
}

/** The "## Configuration" section of a README, up to the next `## ` heading; null when absent. */
export function configurationSection(readme: string): string | null {
  const start = readme.search(/^## Configuration\s*$/m);
  if (start < 0) return null;
  const next = readme.slice(start + 1).search(/^## /m);
  return next < 0 ? readme.slice(start) : readme.slice(start, start + 1 + next);
}

/**
 * How the README's configuration tables disagree with SETTINGS, one line per problem (empty: they
 * agree). Names and defaults are compared row by row, so the message says which variable drifted;
 * anything else (a meaning, the order, a group) is caught by comparing the whole rendered text.
 */
export function configurationDrift(readme: string): string[] {
  const section = configurationSection(readme);
  if (section === null) return ['README.md has no "## Configuration" section'];
  const begin = section.indexOf(TABLES_BEGIN);
  const end = section.indexOf(TABLES_END);
  if (begin < 0 || end < begin)
    return [`README.md "## Configuration" lacks the markers ${TABLES_BEGIN} ... ${TABLES_END}`];
  const shown = section.slice(begin + TABLES_BEGIN.length, end).trim();

  const rows = new Map<string, { aliases: string[]; default: string }>();
  for (const line of shown.split('\n')) {
    const cells = /^\| (.+?) \| (.+?) \| .* \|$/.exec(line);
    const names = cells
      ? [...(cells[1] ?? '').matchAll(/`([A-Z0-9_]+)`/g)].map((match) => match[1] ?? '')
      : [];
    const [name, ...aliases] = names;
    if (name) rows.set(name, { aliases, default: cells?.[2] ?? '' });
  }

  const problems: string[] = [];
  const settings = SETTINGS as Readonly<Record<string, SettingSpec>>;
  for (const [name, spec] of Object.entries(settings)) {
    const shownRow = rows.get(name);
    if (!shownRow) problems.push(`${name}: in src/config/settings.ts but not in the README tables`);
    else if (shownRow.default !== defaultCell(spec)) {
      problems.push(
        `${name}: the README says default ${shownRow.default}, the settings say ${defaultCell(spec)}`,
      );
    } else if (shownRow.aliases.join() !== (spec.aliases ?? []).join()) {
      problems.push(
        `${name}: the README lists aliases [${shownRow.aliases.join(', ')}], the settings [${(spec.aliases ?? []).join(', ')}]`,
      );
    }
  }
  for (const name of rows.keys()) {
    if (!(name in settings)) problems.push(`${name}: in the README tables but not in src/config/settings.ts`);
  }
  if (problems.length === 0 && shown !== renderConfigurationTables().trim()) {
    problems.push(
      'the README configuration tables differ from renderConfigurationTables() (a meaning, group or order)',
    );
  }
  return problems;
}

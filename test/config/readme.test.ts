import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS } from '../../src/config';
import {
  configurationDrift,
  configurationSection,
  renderConfigurationTables,
  TABLES_BEGIN,
  TABLES_END,
} from '../../src/config/readme';

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');

/** A README whose configuration tables are exactly the rendered ones: the base for the drift cases. */
const CLEAN = `# touchpoint\n\n## Configuration\n\nintro\n\n${TABLES_BEGIN}\n${renderConfigurationTables()}${TABLES_END}\n\n## Next\n`;

/** CLEAN with the one table line matching `find` replaced (or removed, with ''). */
function withLine(find: RegExp, replace: (line: string) => string): string {
  const lines = CLEAN.split('\n');
  const index = lines.findIndex((line) => find.test(line));
  if (index < 0) throw new Error(`no rendered line matches ${String(find)}`);
  const edited = replace(lines[index] ?? '');
  if (edited === '') lines.splice(index, 1);
  else lines[index] = edited;
  return lines.join('\n');
}

describe('README configuration tables', () => {
  it('list every setting with its default, exactly as rendered from the settings table', () => {
    // Act
    const drift = configurationDrift(README);

    // Assess
    expect(drift).toEqual([]);
  });

  it('match the rendered Markdown line for line (the diff shows what to paste)', () => {
    const section = configurationSection(README) ?? '';
    const shown = section.slice(
      section.indexOf(TABLES_BEGIN) + TABLES_BEGIN.length,
      section.indexOf(TABLES_END),
    );

    expect(shown.trim()).toBe(renderConfigurationTables().trim());
  });

  it('still mention the endpoint overrides the AWS SDK reads itself', () => {
    const section = configurationSection(README) ?? '';

    for (const name of [
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_PERSONALIZE_EVENTS',
      'AWS_ENDPOINT_URL_SSM',
    ]) {
      expect(section).toContain(`\`${name}\``);
    }
  });
});

describe('configurationDrift', () => {
  it('names a setting whose README row was deleted', () => {
    const readme = withLine(/^\| `TOUCHPOINT_LOOKBACK_DAYS` /, () => '');

    expect(configurationDrift(readme)).toEqual([
      'TOUCHPOINT_LOOKBACK_DAYS: in src/config/settings.ts but not in the README tables',
    ]);
  });

  it('names a README row for a variable the settings do not have', () => {
    const readme = withLine(
      /^\| `TOUCHPOINT_DEADLINE_MS` /,
      (line) => `${line}\n| \`TOUCHPOINT_RETIRED\` | (none) | gone |`,
    );

    expect(configurationDrift(readme)).toEqual([
      'TOUCHPOINT_RETIRED: in the README tables but not in src/config/settings.ts',
    ]);
  });

  it('names a variable whose README default differs', () => {
    const readme = withLine(/^\| `PERSONALIZE_NUM_RESULTS` /, (line) => line.replace('`10`', '`20`'));

    expect(configurationDrift(readme)).toEqual([
      'PERSONALIZE_NUM_RESULTS: the README says default `20`, the settings say `10`',
    ]);
  });

  it('names a variable whose README aliases differ', () => {
    const readme = withLine(/^\| `AWS_REGION` /, (line) => line.replace(' (or `AWS_DEFAULT_REGION`)', ''));

    expect(configurationDrift(readme)).toEqual([
      'AWS_REGION: the README lists aliases [], the settings [AWS_DEFAULT_REGION]',
    ]);
  });

  it('reports a meaning edited in the README only', () => {
    const readme = withLine(/^\| `TOUCHPOINT_OUTBOX` /, (line) => line.replace('JSONL file', 'file'));

    expect(configurationDrift(readme)).toEqual([
      'the README configuration tables differ from renderConfigurationTables() (a meaning, group or order)',
    ]);
  });

  it('finds nothing to report in the rendered tables themselves', () => {
    expect(configurationDrift(CLEAN)).toEqual([]);
  });

  it('reports a README without the generated-table markers', () => {
    const readme = CLEAN.replace(TABLES_END, '');

    expect(configurationDrift(readme)).toEqual([expect.stringContaining('lacks the markers')]);
  });
});

describe('renderConfigurationTables', () => {
  it('renders one row per setting, aliases beside the name and (none) for no default', () => {
    // Act
    const rendered = renderConfigurationTables();

    // Assess
    const rows = rendered.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toHaveLength(Object.keys(SETTINGS).length);
    expect(rendered).toContain(
      '| `AWS_REGION` (or `AWS_DEFAULT_REGION`) | (none) | AWS region of the SSM write-key parameter, and of Personalize unless `PERSONALIZE_REGION` is set;',
    );
    expect(rendered).toContain('| `TOUCHPOINT_LOOKBACK_DAYS` | `90` | last-touch lookback window in days;');
  });
});

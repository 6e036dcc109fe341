import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The direction of dependencies, checked over the real import graph of src/ and functions/:
 * lib <- core <- config, adapters <- app <- tools <- functions. The core computes, the adapters talk to the
 * world through the core's ports, and only the composition root (app), tools and doors construct adapters.
 */
const LAYERS = {
  lib: ['errors', 'log', 'aws'],
  core: ['events', 'classify', 'attribution', 'conversion', 'identity', 'pipeline', 'segment-functions'],
  config: ['config'],
  adapters: [
    'store',
    'writeback',
    'personalize',
    'secrets',
    'metrics',
    'eventbridge',
    'kinesis',
    'segment-api',
  ],
  app: ['app'],
  tools: ['cli', 'replay', 'generate', 'invoke', 'profile', 'io', 'http', 'report'],
} as const;
type Layer = keyof typeof LAYERS;

const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  lib: ['lib'],
  core: ['lib', 'core'],
  config: ['lib', 'core'],
  // never another adapter, the config, the app or a tool: an adapter is handed what it needs
  adapters: ['lib', 'core'],
  app: ['lib', 'core', 'config', 'adapters'],
  tools: ['lib', 'core', 'config', 'adapters', 'app', 'tools'],
};

/** Packages that do I/O: none of them in the core or the library, which must run anywhere. */
const IO_PACKAGES =
  /^(@aws-sdk\/|@smithy\/|@segment\/analytics-node|better-sqlite3|node:(fs|http|https|net|child_process))/;

const ROOT = resolve(__dirname, '../..');

interface Edge {
  from: string;
  to: string;
  file: string;
}

/** `from -> to` for each import (static, re-export, dynamic or require) between two folders of src/. */
function folderImports(): { edges: Edge[]; external: Edge[] } {
  const edges: Edge[] = [];
  const external: Edge[] = [];
  const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'functions'))];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const from = folderOf(file);
    const specifiers = text.matchAll(
      /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)'([^']+)'/gm,
    );
    for (const [, specifier] of specifiers) {
      if (!specifier) continue;
      const shown = relative(ROOT, file);
      if (!specifier.startsWith('.')) {
        external.push({ from, to: specifier, file: shown });
        continue;
      }
      const target = resolve(dirname(file), specifier);
      const inside = ['src', 'functions'].includes(relative(ROOT, target).split(sep)[0] ?? '');
      // a file beside the code (package.json for the version) is data, not a layer
      if (!inside) external.push({ from, to: relative(ROOT, target), file: shown });
      else if (folderOf(target) !== from) edges.push({ from, to: folderOf(target), file: shown });
    }
  }
  return { edges, external };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** `functions` for the doors, else the folder right under src/. */
function folderOf(path: string): string {
  const parts = relative(ROOT, path).split(sep);
  return parts[0] === 'src' ? (parts[1] ?? '') : (parts[0] ?? '');
}

function layerOf(folder: string): Layer | 'functions' | undefined {
  if (folder === 'functions') return 'functions';
  return (Object.keys(LAYERS) as Layer[]).find((layer) =>
    (LAYERS[layer] as readonly string[]).includes(folder),
  );
}

/** The cycles of a directed graph, one per strongly connected component of more than one node (Tarjan). */
export function cyclesOf(edges: ReadonlyArray<{ from: string; to: string }>): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) as number, index.get(target) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of next.keys()) if (!index.has(node)) visit(node);
  return components;
}

describe('the import graph of src/ and functions/', () => {
  const { edges, external } = folderImports();

  it('finds imports at all (the scanner works)', () => {
    expect(edges.length).toBeGreaterThan(50);
    expect(edges).toContainEqual({ from: 'functions', to: 'app', file: 'functions/segment-destination.ts' });
  });

  it('has no import cycle between folders', () => {
    const cycles = cyclesOf(edges).map((cycle) => {
      const inside = edges.filter((edge) => cycle.includes(edge.from) && cycle.includes(edge.to));
      return `${cycle.join(' <-> ')}: ${inside.map((edge) => `${edge.file} -> ${edge.to}`).join(', ')}`;
    });
    expect(cycles).toEqual([]);
  });

  it('puts every folder of src/ in a layer', () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => layerOf(folder) === undefined)).toEqual([]);
  });

  it('points every import inward: no core -> adapter, no adapter -> adapter, nothing -> a door', () => {
    const wrong = edges
      .filter((edge) => {
        const from = layerOf(edge.from);
        const to = layerOf(edge.to);
        if (from === 'functions') return to === 'functions';
        if (from === undefined || to === undefined || to === 'functions') return true;
        // an adapter's own folder is fine; another adapter's is not
        if (from === 'adapters' && to === 'adapters') return edge.from !== edge.to;
        return !MAY_IMPORT[from].includes(to);
      })
      .map((edge) => `${edge.file} (${layerOf(edge.from)}) imports ${edge.to} (${layerOf(edge.to)})`);
    expect(wrong).toEqual([]);
  });

  it('keeps I/O packages out of the core and the library', () => {
    const wrong = external
      .filter((edge) => ['core', 'lib'].includes(layerOf(edge.from) ?? '') && IO_PACKAGES.test(edge.to))
      .map((edge) => `${edge.file} imports ${edge.to}`);
    expect(wrong).toEqual([]);
  });
});

describe('cyclesOf', () => {
  it('finds a back-import between two folders and a longer loop, and nothing in a tree', () => {
    expect(
      cyclesOf([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ]),
    ).toEqual([['a', 'b']]);
    expect(
      cyclesOf([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'c', to: 'd' },
      ]),
    ).toEqual([['a', 'b', 'c']]);
    expect(
      cyclesOf([
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'c' },
      ]),
    ).toEqual([]);
  });
});

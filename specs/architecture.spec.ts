import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of src/ against the layering written in docs/architecture.md: no circle between
 * rooms or files, no arrow the table does not allow, every file in a room, and the main entry's
 * import closure free of mathjs (the claims entry holds it).
 */

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports: static imports, `export ... from`, and `import('...')` with a string literal. */
function specifiers(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** A relative specifier as the src/ file it names ('./x.js' is x.ts), null for a package. */
function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = resolve(dirname(from), spec).replace(/\.js$/, '.ts');
  return target.endsWith('.ts') ? target : join(target, 'index.ts');
}

/**
 * The room of a src/ file: the file itself when the table names it (`compare/rounding.ts`, a room
 * of its own at the bottom), else its first folder under src/, or its own name at the root.
 */
function roomOf(file: string, table: Map<string, string[]>): string {
  const path = relative(SRC, file).split(/[\\/]/).join('/');
  return table.has(path) ? path : path.split('/')[0]!;
}

/** The layering table of docs/architecture.md: room -> the rooms it may import directly. */
function layering(): Map<string, string[]> {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const table = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !/^`[^`]+`$/.test(cells[1]!)) continue;
    table.set(cells[1]!.slice(1, -1), [...cells[3]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
  }
  return table;
}

/** The rows of the table whose header's first cell is `header`: first cell, and the backticked names of the second. */
function rowsUnder(header: string): Map<string, string[]> {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8').split('\n');
  const out = new Map<string, string[]>();
  const start = doc.findIndex((l) => l.split('|').map((c) => c.trim())[1] === header);
  if (start < 0) return out;
  for (const line of doc.slice(start + 2)) {
    const cells = line.split('|').map((c) => c.trim());
    if (!line.trim().startsWith('|') || !/^`[^`]+`$/.test(cells[1] ?? '')) break;
    out.set(cells[1]!.slice(1, -1), [...cells[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
  }
  return out;
}

/** Everything a room may import: its own row and, transitively, the rows of the rooms in it. */
function allowed(table: Map<string, string[]>, room: string): Set<string> {
  const out = new Set<string>();
  const todo = [...(table.get(room) ?? [])];
  while (todo.length > 0) {
    const r = todo.pop()!;
    if (out.has(r)) continue;
    out.add(r);
    todo.push(...(table.get(r) ?? []));
  }
  return out;
}

/** The strongly connected components with more than one node (or a self-loop): the circles. */
function circles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const files = sourceFiles(SRC);
const fileGraph = new Map<string, Set<string>>();
const packages = new Map<string, Set<string>>();
for (const file of files) {
  const local = new Set<string>();
  const bare = new Set<string>();
  for (const spec of specifiers(file)) {
    const target = resolveImport(file, spec);
    if (target) local.add(target);
    else bare.add(spec);
  }
  fileGraph.set(file, local);
  packages.set(file, bare);
}
const rel = (f: string): string => relative(ROOT, f);

/** Every package the files reachable from an entry import. */
function closurePackages(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [join(SRC, entry)];
  const out = new Set<string>();
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const p of packages.get(f) ?? []) out.add(p);
    todo.push(...(fileGraph.get(f) ?? []));
  }
  return out;
}

describe('the architecture (docs/architecture.md)', () => {
  const table = layering();

  it('reads a layering table naming the rooms, and finds the imports', () => {
    expect(table.size).toBeGreaterThanOrEqual(15);
    for (const room of ['types.ts', 'network', 'oracle', 'compare', 'verify', 'report', 'cli', 'index.ts', 'claims.ts']) expect(table.has(room), room).toBe(true);
    for (const deps of table.values()) for (const d of deps) expect(table.has(d), `unknown room ${d}`).toBe(true);
    // the parser sees static, re-export and dynamic imports
    expect(fileGraph.get(join(SRC, 'index.ts'))!.size).toBeGreaterThan(5);
    expect([...fileGraph.get(join(SRC, 'cli/run.ts'))!].map(rel)).toContain('src/cli/catalogue.ts');
    expect(circles(new Map([['a', new Set(['b'])], ['b', new Set(['a'])], ['c', new Set(['a'])]]))).toEqual([['a', 'b']]);
  });

  it('puts every file in a room of the table', () => {
    const homeless = files.filter((f) => !table.has(roomOf(f, table))).map(rel);
    expect(homeless).toEqual([]);
  });

  it('has no import circle between files', () => {
    expect(circles(fileGraph).map((c) => c.map(rel))).toEqual([]);
  });

  it('has no import circle between rooms, and no arrow against the layering', () => {
    const roomGraph = new Map<string, Set<string>>();
    const against: string[] = [];
    for (const [file, targets] of fileGraph) {
      const from = roomOf(file, table);
      const may = allowed(table, from);
      for (const target of targets) {
        const to = roomOf(target, table);
        if (to === from) continue;
        if (!roomGraph.has(from)) roomGraph.set(from, new Set());
        roomGraph.get(from)!.add(to);
        if (!may.has(to)) against.push(`${rel(file)} -> ${rel(target)} (${from} may not import ${to})`);
      }
    }
    expect(against).toEqual([]);
    expect(circles(roomGraph)).toEqual([]);
    expect(circles(new Map([...table].map(([r, deps]) => [r, new Set(deps)])))).toEqual([]);
  });

  it('enters a room through its door, and keeps private files private', () => {
    const doors = rowsUnder('door');
    const privates = rowsUnder('private file');
    expect(doors.get('oracle/api.ts')).toEqual(['compare', 'verify']);
    expect(privates.size).toBeGreaterThanOrEqual(5);
    const wrong: string[] = [];
    for (const [file, targets] of fileGraph) {
      const from = roomOf(file, table);
      for (const target of targets) {
        const path = relative(SRC, target).split(/[\\/]/).join('/');
        const to = roomOf(target, table);
        if (to === from) continue;
        if (privates.has(path)) wrong.push(`${rel(file)} -> ${rel(target)} (private to ${to})`);
        for (const [door, rooms] of doors) {
          if (roomOf(join(SRC, door), table) === to && rooms.includes(from) && path !== door) wrong.push(`${rel(file)} -> ${rel(target)} (${from} enters ${to} through ${door})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('imports only files that exist', () => {
    const missing = [...fileGraph].flatMap(([file, targets]) => [...targets].filter((t) => !files.includes(t)).map((t) => `${rel(file)} -> ${rel(t)}`));
    expect(missing).toEqual([]);
  });

  it('keeps mathjs out of the main entry and in backprop-oracle/claims', () => {
    expect([...closurePackages('index.ts')].filter((p) => p.startsWith('mathjs'))).toEqual([]);
    expect([...closurePackages('vitest.ts')].filter((p) => p.startsWith('mathjs'))).toEqual([]);
    expect(closurePackages('claims.ts')).toContain('mathjs');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { import?: string }> };
    expect(pkg.exports['.']?.import).toBe('./dist/index.js');
    expect(pkg.exports['./claims']?.import).toBe('./dist/claims.js');
  });
});

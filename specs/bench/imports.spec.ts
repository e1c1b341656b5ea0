import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench` runs against dist/, which no spec exercises: a module moved in src/ would break
 * it unnoticed. Every name a bench imports from dist/ must be exported by the source module it is
 * built from (dist/x.js <- src/x.ts), checked here on every `npm test`.
 */
const BENCH = 'bench';
const STATIC = /import\s*\{([^}]+)\}\s*from\s*'\.\.\/dist\/([^']+)\.js'/g;
const DYNAMIC = /const\s*\{([^}]+)\}\s*=\s*await import\('\.\.\/dist\/([^']+)\.js'\)/g;

function imports(file: string): { module: string; names: string[] }[] {
  const text = readFileSync(`${BENCH}/${file}`, 'utf8');
  return [...text.matchAll(STATIC), ...text.matchAll(DYNAMIC)].map((m) => ({
    module: m[2]!,
    names: m[1]!.split(',').map((s) => s.trim().split(/\s+as\s+|:/)[0]!.trim()).filter((s) => s !== ''),
  }));
}

describe('the benches import what src exports', () => {
  const files = readdirSync(BENCH).filter((f) => f.endsWith('.mjs'));

  it('finds the benches and their imports', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(files.flatMap(imports).length).toBeGreaterThan(10);
  });

  it.each(files)('%s', async (file) => {
    for (const { module, names } of imports(file)) {
      const exported = (await import(/* @vite-ignore */ pathToFileURL(resolve('src', `${module}.ts`)).href)) as Record<string, unknown>;
      for (const name of names) expect(exported[name], `${file}: ${name} from dist/${module}.js`).toBeDefined();
    }
  });
});

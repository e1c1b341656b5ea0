#!/usr/bin/env node
/**
 * The example outputs of README.md and docs/*.md, produced by running their commands.
 *
 * An example is a command in a marker line, then the block of what it prints, then a closing marker:
 *
 *   <!-- example: verify --impl fixtures/implementations/textbook.mjs --runs 30 -->
 *   ```text
 *   $ backprop-oracle verify --impl fixtures/implementations/textbook.mjs --runs 30
 *   ...standard output (and standard error too when the exit code is 2)...
 *   $ echo $?
 *   0
 *   ```
 *   <!-- /example -->
 *
 * or, for a command that prints Markdown (catalogue --markdown), `<!-- example-markdown: ... -->`
 * with its standard output, unfenced, up to the closing marker.
 *
 * `node docs/examples.mjs` (npm run examples) runs every command from the repository's root with
 * the CLI's sources (node --import tsx src/cli/main.ts) and rewrites the blocks; `--check` only
 * compares, with durations and hashes masked, and exits 1 naming every example that differs.
 * specs/docs/examples.spec.ts makes the same comparison in-process on every `npm test`.
 * Commands that keep a counterexample corpus (verify, replay, claim) get a fresh one in a
 * temporary folder, written in the output as the default .backprop-oracle/corpus.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository's root: every example runs there. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const EXAMPLE = /<!-- example(-markdown)?: (.+?) -->\n([\s\S]*?)<!-- \/example -->/g;

/** README.md and every Markdown page of docs/, relative to the root. */
export function exampleFiles(root = ROOT) {
  return ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

/** A command line split into words as a POSIX shell would (double and single quotes, backslashes in double quotes). */
export function words(line) {
  const out = [];
  let word = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ') {
      if (word !== null) out.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unbalanced ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; i < line.length && line[i] !== '"'; i++) text += line[i] === '\\' && /["\\$`]/.test(line[i + 1] ?? '') ? line[++i] : line[i];
      if (i >= line.length) throw new Error(`unbalanced " in: ${line}`);
      word = (word ?? '') + text;
    } else word = (word ?? '') + c;
  }
  if (word !== null) out.push(word);
  return out;
}

/**
 * Every example of a Markdown text: its kind (`text`: a fenced block with the command, its output
 * and exit code; `markdown`: the command's standard output as Markdown, unfenced), its command
 * line, its words, and its body between the two markers as written.
 */
export function findExamples(text) {
  return [...text.matchAll(EXAMPLE)].map((m) => ({ kind: m[1] ? 'markdown' : 'text', command: m[2], args: words(m[2]), block: m[3] }));
}

/** The arguments with a corpus of their own (verify, replay and claim keep one), unless they name one. */
export function withCorpus(args, dir) {
  const [command, ...rest] = args;
  if (!['verify', 'replay', 'claim'].includes(command) || rest.includes('--corpus') || rest.includes('--save-counterexamples') || rest.includes('--help')) return [...args];
  // replay FILE: the file stays the first word after the command
  return command === 'replay' ? [command, rest[0], '--corpus', dir, ...rest.slice(1)] : [command, '--corpus', dir, ...rest];
}

/**
 * The body of an example: for `text`, a fenced block with the command, what it printed (standard
 * error too on exit 2) and its exit code; for `markdown`, its standard output.
 */
export function render(kind, command, result, corpusDir, root = ROOT) {
  let out = result.stdout + (kind === 'text' && result.code === 2 ? result.stderr : '');
  out = out.split(corpusDir).join('.backprop-oracle/corpus').split(`${root}/`).join('');
  if (out !== '' && !out.endsWith('\n')) out += '\n';
  return kind === 'markdown' ? out : `\`\`\`text\n$ backprop-oracle ${command}\n${out}$ echo $?\n${result.code}\n\`\`\`\n`;
}

/** A block with what changes from run to run masked: durations, and hashes (12 or more hex digits, letters among them). */
export function mask(block) {
  return block.replace(/\b\d+(\.\d+)? (s|ms)\b/g, '<time> $2').replace(/\b(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b/g, '<hash>');
}

/** Runs one example with the CLI's sources, from the root, in a clean environment. */
function runExample(args) {
  const dir = mkdtempSync(join(tmpdir(), 'bo-example-'));
  try {
    const env = { ...process.env };
    for (const k of ['GITHUB_ACTIONS', 'CI', 'FORCE_COLOR', 'BACKPROP_ORACLE_RUNS']) delete env[k];
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...withCorpus(args, dir)], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { result: { code: r.status ?? 2, stdout: r.stdout, stderr: r.stderr }, dir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main() {
  const check = process.argv.includes('--check');
  let differ = 0;
  let count = 0;
  for (const file of exampleFiles()) {
    const path = join(ROOT, file);
    const text = readFileSync(path, 'utf8');
    let changed = false;
    const updated = text.replace(EXAMPLE, (whole, markdown, command, block) => {
      count++;
      const started = performance.now();
      const { result, dir } = runExample(words(command));
      const fresh = render(markdown ? 'markdown' : 'text', command, result, dir);
      const same = mask(fresh) === mask(block);
      process.stderr.write(`${file}: ${command}: ${same ? 'same' : check ? 'DIFFERS' : 'rewritten'} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
      if (same) return whole;
      differ++;
      changed = true;
      return `<!-- example${markdown ?? ''}: ${command} -->\n${fresh}<!-- /example -->`;
    });
    if (changed && !check) writeFileSync(path, updated);
  }
  process.stderr.write(`${count} examples, ${differ} ${check ? 'differ' : 'rewritten'}\n`);
  if (check && differ > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();

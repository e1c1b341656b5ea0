import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../network/errors.js';
import { readJsonText } from '../network/json.js';
import type { CaseJson } from '../network/types.js';
import { parseCase } from '../network/validate.js';
import type { NamedCase } from './run.js';

/** Where counterexamples are kept unless told otherwise. */
export const DEFAULT_CORPUS_DIR = '.backprop-oracle/corpus';

/** One stored counterexample: a valid case file with what it was found against and why. */
export interface CorpusEntry {
  /** What the case was found against: an implementation's label or a claim's text. */
  readonly key: string;
  readonly network: CaseJson['network'];
  readonly batch: CaseJson['batch'];
  /** Free-form record of the failure (outcome, entry, values, seed, path). */
  readonly found: Record<string, unknown>;
}

/** What reading a corpus folder gave: the cases, and the files that could not be used. */
export interface CorpusRead {
  readonly cases: NamedCase[];
  readonly skipped: { file: string; reason: string }[];
}

function sha(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The folder of one implementation or claim: a hash of its key, so any key is a safe name. */
export function keyFolder(dir: string, key: string): string {
  return join(dir, sha(key, 16));
}

/** Writes a file atomically: a uniquely named temporary file beside it, renamed over it. */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // nothing was written
    }
    throw error;
  }
}

/**
 * Saves a counterexample under `dir/<hash of key>/<hash of case>.json` (content-addressed: the
 * same case found twice is one file, and two processes writing it at once both write the same
 * bytes through their own temporary files). Returns the file.
 */
export function saveToCorpus(dir: string, entry: CorpusEntry): string {
  const folder = keyFolder(dir, entry.key);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${sha(JSON.stringify({ network: entry.network, batch: entry.batch }), 24)}.json`);
  writeFileAtomically(file, JSON.stringify(entry, null, 2) + '\n');
  return file;
}

/**
 * The stored counterexamples of `key`, oldest name first, to replay before anything new is
 * generated. A file that is not valid JSON or not a valid case is skipped and reported, never fatal;
 * a missing folder is an empty corpus.
 */
export function readCorpus(dir: string, key: string): CorpusRead {
  const folder = keyFolder(dir, key);
  let names: string[];
  try {
    names = readdirSync(folder).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return { cases: [], skipped: [] };
  }
  const cases: NamedCase[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const name of names) {
    const file = join(folder, name);
    try {
      cases.push({ name: file, case: parseCase(readJsonText(readFileSync(file, 'utf8'), file), `${file}: case`) });
    } catch (error) {
      skipped.push({ file, reason: error instanceof InputError ? error.message : (error as Error).message });
    }
  }
  return { cases, skipped };
}

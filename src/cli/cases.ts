import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../network/errors.js';
import { readJsonText } from '../network/json.js';
import { parseCase } from '../network/validate.js';
import type { NamedCase } from '../verify/cases.js';
import { UsageError } from './errors.js';

/** Reads every `--case` path: a JSON file, or a folder whose .json files are read in name order. */
export function readCases(paths: readonly string[]): NamedCase[] {
  const files: string[] = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      throw new UsageError(`verify: --case ${path}: no such file or folder`);
    }
    if (!isDirectory) files.push(path);
    else {
      const inside = readdirSync(path).filter((f) => f.endsWith('.json')).sort();
      if (inside.length === 0) throw new UsageError(`verify: --case ${path}: the folder holds no .json case files`);
      files.push(...inside.map((f) => join(path, f)));
    }
  }
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`verify: --case ${file}: cannot read it (${(error as Error).message})`);
    }
    try {
      return { name: file, case: parseCase(readJsonText(text, file), `${file}: case`) };
    } catch (error) {
      if (error instanceof InputError) throw new UsageError(`verify: --case ${error.message}`);
      throw error;
    }
  });
}

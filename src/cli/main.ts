#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { run } from './run.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const code = await run(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  env: process.env,
}, pkg.version);
// exit once the output is flushed: an implementation's abandoned timers or handles must not keep the verifier alive
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));

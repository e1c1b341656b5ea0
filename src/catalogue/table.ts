/**
 * The catalogue's tables: kill status of every mistake (text for the terminal, Markdown for the
 * README), and the size of each shrunk counterexample.
 */
import { caseSize, formatSize, type CaseSize } from '../claims/size.js';
import type { ClaimResult } from '../claims/types.js';
import type { KillResult } from './kill.js';
import { familyOf } from './mistakes.js';

function layerOf(k: KillResult): string {
  const c = k.mistake.claim;
  const layer = c.layer ?? 'output';
  return c.target === 'loss' ? 'loss' : c.target === 'b' ? `${layer} bias` : String(layer);
}

function claimStatus(k: KillResult): string {
  return k.claim.verdict === 'false' ? `killed (case ${k.claim.cases})` : 'NOT KILLED';
}

function implementationStatus(k: KillResult): string {
  const i = k.implementation;
  const how = `${i.verdict}${i.strict ? ', --strict' : ''}`;
  return i.killed ? `killed (${how})` : `NOT KILLED (${how})`;
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
}

/** The kill table for a terminal, and a closing line with the count. */
export function formatCatalogue(results: readonly KillResult[], runs: { claimRuns: number; runs: number; seed: number }): string {
  const rows = [['id', 'family', 'layer', 'claimed formula', 'claim', 'implementation', 'claim counterexample']];
  for (const k of results) {
    const size = k.claim.verdict === 'false' ? formatSize(k.claim.counterexample) : '-';
    rows.push([k.mistake.id, familyOf(k.mistake), layerOf(k), k.mistake.claim.formula, claimStatus(k), implementationStatus(k), size]);
  }
  const killed = results.filter((k) => k.killed).length;
  const seconds = (results.reduce((t, k) => t + k.durationMs, 0) / 1000).toFixed(1);
  const lines = pad(rows);
  lines.push('', ...results.map((k) => `${k.mistake.id}: ${k.mistake.name}. ${k.mistake.explanation}.`));
  lines.push('', `${killed} of ${results.length} mistakes killed both ways (claims: ${runs.claimRuns} cases, implementations: ${runs.runs} cases, seed ${runs.seed}; ${seconds} s)`);
  return lines.join('\n');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The kill table in Markdown. */
export function catalogueMarkdown(results: readonly KillResult[]): string {
  const lines = ['| id | mistake | family | layer | claimed formula | claim | buggy implementation |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const k of results) {
    lines.push(`| \`${k.mistake.id}\` | ${cell(k.mistake.name)}: ${cell(k.mistake.explanation)} | ${familyOf(k.mistake)} | ${layerOf(k)} | \`${cell(k.mistake.claim.formula)}\` | ${claimStatus(k)} | ${implementationStatus(k)} |`);
  }
  return lines.join('\n');
}

function sizeCells(s: CaseSize | null): string {
  return s ? `${s.layers} | ${s.maxUnits} | ${s.batch} | ${s.maxDigits}` : '- | - | - | -';
}

/** The size of a claim result's counterexample, or null for a true claim. */
export function claimSize(r: ClaimResult | undefined): CaseSize | null {
  return r && r.verdict === 'false' ? caseSize(r.counterexample) : null;
}

/**
 * The shrink-size table in Markdown: layers, most units in a layer, batch and most significant
 * digits of the claim's counterexample (claim cases), of the same claim checked on the
 * verifier's generic cases (when given), and of the buggy implementation's (verifier).
 */
export function shrinkMarkdown(results: readonly KillResult[], generic: ReadonlyMap<string, ClaimResult> = new Map()): string {
  const withGeneric = generic.size > 0;
  const groups = ['claim', ...(withGeneric ? ['generic cases'] : []), 'implementation'];
  const lines = [`| mistake |${groups.map((g) => ` ${g}: layers | units | batch | digits |`).join('')}`, `| --- |${' --- |'.repeat(4 * groups.length)}`];
  for (const k of results) {
    const impl = k.implementation.case ? caseSize(k.implementation.case) : null;
    const g = withGeneric ? ` ${sizeCells(claimSize(generic.get(k.mistake.id)))} |` : '';
    lines.push(`| \`${k.mistake.id}\` | ${sizeCells(claimSize(k.claim))} |${g} ${sizeCells(impl)} |`);
  }
  return lines.join('\n');
}

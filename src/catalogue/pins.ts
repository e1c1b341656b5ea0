/**
 * Pinned counterexamples: the shrunk case of every catalogue mistake, kept in
 * `fixtures/counterexamples/<id>.json` as a regression set that CI replays. Each file is a valid
 * `--case` file (`network`, `batch`: the claim's counterexample) with the claim that fails on it,
 * and the verifier's own shrunk case of the buggy implementation under `implementation`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inProcess } from '../iut/module.js';
import { parseCase } from '../network/validate.js';
import type { ActivationName, CaseJson, LossName, Reduction } from '../network/types.js';
import { verifyCases } from '../verify/cases.js';
import { checkClaimOn } from '../claims/check.js';
import type { Arithmetic, ClaimLayer, ClaimTarget } from '../claims/types.js';
import type { KillResult } from './kill.js';
import { buggyImplementation, type Mistake } from './mistakes.js';

/** The folder of the pinned counterexamples, relative to the package root. */
export const PIN_DIR = 'fixtures/counterexamples';

/** One pinned counterexample file. */
export interface PinnedCounterexample extends CaseJson {
  readonly mistake: string;
  /** The claim as resolved; a version-2 mistake's also names its loss and the activation of its layer. */
  readonly claim: { formula: string; layer: ClaimLayer; target: ClaimTarget; reduction: Reduction; arithmetic: Arithmetic; loss?: LossName; activation?: ActivationName };
  readonly where: string;
  readonly claimed: string;
  readonly truth: string;
  readonly implementation: (CaseJson & { where: string | null; verdict: string }) | null;
}

/** The pin of a kill (null when the claim was not killed). */
export function pinOf(k: KillResult): PinnedCounterexample | null {
  if (k.claim.verdict !== 'false') return null;
  const c = k.claim.counterexample;
  const d = k.claim.claim;
  const impl = k.implementation;
  const m = k.mistake;
  const family = m.v2 ? { loss: m.claim.loss ?? 'bce', ...(m.claim.activation ? { activation: m.claim.activation } : {}) } : {};
  return {
    mistake: m.id,
    claim: { formula: d.text, layer: d.layer, target: d.target, reduction: d.reduction, arithmetic: d.arithmetic, ...family },
    where: c.where,
    claimed: c.claimed,
    truth: c.truth,
    network: c.network,
    batch: c.batch,
    implementation: impl.case ? { ...impl.case, where: impl.where, verdict: impl.verdict } : null,
  };
}

/** Every `.json` file of `dir` (in name order) with its parsed content. */
export function readPins(dir: string): { file: string; pin: PinnedCounterexample }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: join(dir, f), pin: JSON.parse(readFileSync(join(dir, f), 'utf8')) as PinnedCounterexample }));
}

/** Whether the mistake still fails on its pinned cases: the claim on the claim's case, the buggy implementation on its. */
export async function replayPin(pin: PinnedCounterexample, m: Mistake): Promise<{ claimFails: boolean; implementationFails: boolean | null }> {
  const claimFails = !checkClaimOn(m.claim, parseCase(pin, `${pin.mistake}`)).holds;
  if (!pin.implementation) return { claimFails, implementationFails: null };
  const iut = inProcess(buggyImplementation(m), `catalogue:${m.id}`);
  const report = await verifyCases(iut, [{ name: pin.mistake, case: parseCase(pin.implementation, `${pin.mistake}.implementation`) }], { strict: m.numerics === true });
  await iut.close();
  return { claimFails, implementationFails: report.exitCode === 1 };
}

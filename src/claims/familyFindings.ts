/**
 * The version-2 family's classic mistakes, named by the factor analysis: when the claim's left-over
 * factors equal, on every probe sample, a known wrong form of the factor of the chain it lacks (or
 * a known spurious factor), the finding says which mistake it is:
 *
 *   softmax + cce   dE/dS_i taken as dE/dZ_i * Z_i (1 - Z_i) = -t_i (1 - Z_i): the Jacobian's diagonal only;
 *                   the fused Z - t multiplied again by the diagonal Z (1 - Z);
 *   mse             the factor 2 of d(Z - t)^2/dZ dropped; cross-entropy's delta Z - t used for the squared error;
 *   tanh            the sigmoid's derivative Y (1 - Y); tanh's derivative at the output, 1 - tanh(Y)^2;
 *   leaky_relu      alpha ignored (step(S)); alpha on the positive side;
 *   any activation  the sigmoid's derivative used for it.
 */
import type { MathNode } from 'mathjs';
import type { ChainSegment } from './chain.js';
import { sampleValue, toDecimalValue } from './evaluate.js';
import { product, same, segmentValue, type Sample } from './factorValues.js';
import type { ResolvedClaim } from './resolve.js';

/** A wrong form of a chain factor, written in the claim's symbols, and what it means. */
interface WrongForm {
  /** The formula (parsed with the claim's mathjs, no symbol check: it is ours). */
  readonly formula: string;
  readonly message: string;
}

const parsed = new Map<string, MathNode>();

function valueOn(r: ResolvedClaim, p: Sample, formula: string): ReturnType<typeof toDecimalValue> {
  let node = parsed.get(formula);
  if (!node) {
    node = r.math.math.parse(formula);
    parsed.set(formula, node);
  }
  try {
    return toDecimalValue(r, sampleValue(r, p.scope, node));
  } catch {
    return null;
  }
}

/** The ids of the pieces of a run of the chain. */
function ids(p: Sample, seg: ChainSegment): string[] {
  return p.pieces.slice(seg.start, seg.end + 1).map((piece) => piece.id);
}

/** The known wrong forms of the run `seg` of r's chain. */
function wrongForms(r: ResolvedClaim, probe: Sample, seg: ChainSegment): WrongForm[] {
  const { family } = r;
  const run = ids(probe, seg).filter((id) => id !== 'r');
  const forms: WrongForm[] = [];
  const only = (...want: string[]): boolean => run.length === want.length && want.every((id, k) => run[k] === id);
  if (r.kind === 'output' && family.output === 'softmax' && only('dEdS')) {
    forms.push({
      formula: '-t * (1 - Z)',
      message: "the softmax's Jacobian dZ_k/dS_i = Z_k (delta_ki - Z_i) was replaced by its diagonal Z_i (1 - Z_i): dE/dZ_i * Z_i (1 - Z_i) = -t_i (1 - Z_i) leaves out the other units' terms sum_{k != i} t_k Z_i = Z_i (1 - t_i); the fused dE/dS = Z - t has them",
    });
  }
  if (r.kind === 'output' && family.loss === 'mse') {
    if (only('dEdZ')) forms.push({ formula: 'Z - t', message: "the factor 2 of the squared error's derivative d(Z - t)^2/dZ = 2 (Z - t) is missing" });
    if (only('dEdZ', 'dZdS')) {
      forms.push({ formula: 'Z - t', message: "Z - t is cross-entropy's delta with its matching output (sigmoid, softmax); the squared error's dE/dS is 2 (Z - t) f'(S)" });
    }
  }
  const unit = r.kind === 'output' ? { Z: 'Z', S: 'S', piece: 'dZdS' } : { Z: 'Y_j', S: 'S_j', piece: 'dYdS' };
  if (only(unit.piece)) {
    const { Z, S } = unit;
    const act = r.kind === 'output' ? family.output : family.activation;
    if (act !== 'sigmoid') forms.push({ formula: `${Z} * (1 - ${Z})`, message: `${Z} (1 - ${Z}) is the sigmoid's derivative, used for a ${act} layer` });
    if (act === 'tanh') forms.push({ formula: `1 - tanh(${Z})^2`, message: `tanh's derivative is evaluated at the output: 1 - tanh(${Z})^2 instead of 1 - tanh(${S})^2 = 1 - ${Z}^2` });
    if (act === 'leaky_relu') {
      forms.push({ formula: `step(${S})`, message: `leaky_relu's alpha is ignored: its derivative is alpha, not 0, for ${S} <= 0` });
      forms.push({ formula: `alpha * step(${S}) + 1 - step(${S})`, message: `leaky_relu's alpha is applied on the positive side: the derivative is 1 for ${S} > 0 and alpha below` });
    }
  }
  return forms;
}

/** Findings for the left-over factors (their values `extras` per probe) that stand where the run `seg` should be. */
export function familyFindings(r: ResolvedClaim, probes: readonly Sample[], extraMask: number, seg: ChainSegment): string[] {
  if (r.family.version1) return [];
  const found: string[] = [];
  for (const form of wrongForms(r, probes[0]!, seg)) {
    if (probes.every((p) => same(product(r, p.factors, extraMask), valueOn(r, p, form.formula), 1))) found.push(form.message);
  }
  if (found.length === 0) {
    // off by a constant factor: the same ratio on every probe sample
    const ratios = probes.map((p) => {
      const e = product(r, p.factors, extraMask);
      return e === null || e.isZero() ? null : segmentValue(r, p.pieces, seg).div(e);
    });
    const c = ratios[0];
    if (c && !c.isZero() && ratios.every((x) => x !== null && same(x, c, 1))) {
      const k = c.toSignificantDigits(12).toString();
      if (k !== '1' && k !== '-1') found.push(`the claim is off by the constant factor ${k}: ${seg.name} = ${seg.formula} is ${k} times the claim's factors`);
    }
  }
  return found;
}

/** A finding for left-over factors beside a complete chain, when they are a known spurious factor. */
export function familyExtraFinding(r: ResolvedClaim, probes: readonly Sample[], extraMask: number, text: string, value: string): string | null {
  if (r.family.version1 || r.kind !== 'output' || r.family.output !== 'softmax') return null;
  if (r.reduction === 'mean' && probes.every((p) => same(product(r, p.factors, extraMask), valueOn(r, p, '1 / n_L'), 1))) {
    return `an extra factor ${text} (= ${value}): categorical cross-entropy's "mean" divides by the batch size B alone (a row's terms are one sample's loss), not by B n_L`;
  }
  if (!probes.every((p) => same(product(r, p.factors, extraMask), valueOn(r, p, 'Z * (1 - Z)'), 1))) return null;
  return `an extra factor ${text} (= ${value}), the softmax's diagonal Z (1 - Z): with cross-entropy dE/dS = Z - t already includes the softmax's Jacobian`;
}

/**
 * When every factor matches on the probes (generic numbers, no unit at a kink) but the claim fails
 * on a counterexample whose unit sits exactly at a rectifier's kink: the slope taken there differs.
 */
export function kinkFinding(r: ResolvedClaim, example: Sample): string | null {
  const act = r.kind === 'output' ? r.family.output : r.family.activation;
  if (act !== 'relu' && act !== 'leaky_relu') return null;
  const name = r.kind === 'output' ? 'S' : 'S_j';
  const S = example.scope.values[name];
  if (S === undefined || !S.isZero()) return null;
  const left = act === 'relu' ? '0' : 'alpha';
  return `the factors agree away from the kink; at ${name} = 0 exactly (this counterexample) the derivation takes the left piece's slope ${left} (the protocol's convention for ${act}'(0)), the claim another`;
}

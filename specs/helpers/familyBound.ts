import fc from 'fast-check';
import { caseArbitrary as v1CaseArbitrary, type GeneratedCase, type MagnitudeClass } from '../../src/generate/index.js';
import { elementwise, isRowwiseHead, leakyRelu, modulesOf, mseHead, type ElementwiseActivation } from '../../src/layers/index.js';
import { reductionDivisor } from '../../src/network/shape.js';
import type { ActivationName, Batch, Gradients, Layer, LayerGradient, Network } from '../../src/network/types.js';

/**
 * A local mapping from the version-1 generators of `src/generate` (sigmoid / bce cases of the four
 * magnitude classes) to version-2 networks of every family, for the bound specs (the real version-2
 * generators live in `src/generate`; this mapping keeps the bound specs independent of them):
 * the numbers of a generated case are kept, each hidden layer gets an activation of the mix (tanh,
 * relu, leaky_relu with a drawn alpha, linear, sigmoid), and the output one of the families:
 *   sigmoid+bce          the case's own targets;
 *   softmax+cce one-hot  a one-hot row per sample (the hot unit drawn);
 *   softmax+cce soft     rows of multiples of 1/16 summing to exactly 1 (exact in float32 too);
 *   mse+<f>              f drawn among the elementwise activations, targets any finite number
 *                        (the case's targets stretched to [-4, 4], now and then times 1e6).
 * With `float32` every number stays float32-representable.
 */

/** The output families. */
export type Family = 'sigmoid+bce' | 'softmax+cce one-hot' | 'softmax+cce soft' | 'mse';
export const FAMILIES: readonly Family[] = ['sigmoid+bce', 'softmax+cce one-hot', 'softmax+cce soft', 'mse'];
/** The version-1 magnitude classes the mapping starts from. */
export const CLASSES: readonly MagnitudeClass[] = ['typical', 'zeros', 'tiny', 'saturating'];
/** The hidden activations of the mix. */
export const HIDDEN: readonly ActivationName[] = ['tanh', 'relu', 'leaky_relu', 'linear', 'sigmoid'];

/** A version-2 case of one family, with the activations it holds. */
export interface FamilyCase extends GeneratedCase {
  readonly family: Family;
  /** e.g. "tanh relu | mse+linear": the hidden activations, then the output family. */
  readonly label: string;
}

export interface FamilyOptions {
  readonly families?: readonly Family[];
  readonly classes?: readonly MagnitudeClass[];
  readonly hidden?: readonly ActivationName[];
  readonly float32?: boolean;
  readonly maxLayers?: number;
  readonly maxWidth?: number;
  readonly maxBatch?: number;
}

const ALPHAS = [0.01, 0.1, 0.2, 0.5, 0.3];

/** Version-2 cases of every family on the magnitude classes of `src/generate`. */
export function caseArbitrary(options: FamilyOptions = {}): fc.Arbitrary<FamilyCase> {
  const families = options.families ?? FAMILIES;
  const hidden = options.hidden ?? HIDDEN;
  const maxLayers = options.maxLayers ?? 4;
  const float32 = options.float32 ?? false;
  const base = v1CaseArbitrary({ classes: options.classes ?? CLASSES, maxLayers, maxWidth: options.maxWidth ?? 6, maxBatch: options.maxBatch ?? 3, float32 });
  return fc
    .tuple(
      base,
      fc.constantFrom(...families),
      fc.array(fc.constantFrom(...hidden), { minLength: maxLayers, maxLength: maxLayers }),
      fc.constantFrom<ActivationName>('linear', 'tanh', 'relu', 'leaky_relu', 'sigmoid'),
      fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
    )
    .map(([c, family, acts, mseOutput, draws]) => toFamily(c, family, acts, mseOutput, draws, float32));
}

function toFamily(c: GeneratedCase, family: Family, acts: readonly ActivationName[], mseOutput: ActivationName, draws: readonly number[], float32: boolean): FamilyCase {
  const L = c.network.layers.length;
  const draw = (q: number): number => draws[q % draws.length]!;
  const output: ActivationName = family === 'sigmoid+bce' ? 'sigmoid' : family === 'mse' ? mseOutput : 'softmax';
  const layers: Layer[] = c.network.layers.map((layer, l) => {
    const activation = l === L - 1 ? output : acts[l]!;
    const out: Layer = { nIn: layer.nIn, nOut: layer.nOut, W: layer.W, b: layer.b };
    if (activation === 'sigmoid') return out;
    if (activation === 'leaky_relu') return { ...out, activation, alpha: ALPHAS[draw(l) % ALPHAS.length]! };
    return { ...out, activation };
  });
  const loss = family === 'sigmoid+bce' ? undefined : family === 'mse' ? 'mse' : 'cce';
  const network: Network = loss ? { layers, reduction: c.network.reduction, loss } : { layers, reduction: c.network.reduction };
  const { size: B, nOut: n } = c.batch;
  const T = new Float64Array(c.batch.T.length);
  for (let s = 0; s < B; s++) {
    if (family === 'softmax+cce one-hot') T[s * n + (draw(10 + s) % n)] = 1;
    else if (family === 'softmax+cce soft') {
      // 16 sixteenths spread over the row
      for (let q = 0; q < 16; q++) T[s * n + (draw(20 + s * 16 + q) % n)]! += 1 / 16;
    } else if (family === 'mse') {
      for (let i = 0; i < n; i++) {
        const t = (c.batch.T[s * n + i]! - 0.5) * 8;
        const v = draw(40 + s * n + i) % 7 === 0 ? t * 1e6 : t;
        T[s * n + i] = float32 ? Math.fround(v) : v;
      }
    } else T.set(c.batch.T.subarray(s * n, (s + 1) * n), s * n);
  }
  const batch: Batch = { ...c.batch, T };
  const hiddenNames = layers.slice(0, -1).map((layer) => layer.activation ?? 'sigmoid');
  const outputName = family === 'mse' ? `mse+${output}` : family;
  return { network, batch, magnitude: c.magnitude, family, label: `${hiddenNames.join(' ')}${hiddenNames.length ? ' | ' : ''}${outputName}` };
}

/**
 * A float32 reference: the stable forms of the layer modules, every operation rounded to float32
 * (Math.fround), as a float32 library with correctly rounded elementary functions computes: the
 * dot products accumulated in float32 in the order b, j = 0, 1, ...; Z, Zc of each unit (and a
 * softmax row) rounded from the module's forms at the float32 S; the slopes and the output delta
 * rounded from the module's at the float32 Z, Zc; the backward sums accumulated in float32.
 * A leaky_relu layer's alpha is rounded to float32 too (as a float32 library stores it). The
 * case's numbers must be float32-representable. `kink`: the side taken at S = 0.
 */
export function float32Reference(network: Network, batch: Batch, kink: 'left' | 'right' = 'left'): Gradients & { outputs: Float64Array } {
  return roundedReference(network, batch, { round: Math.fround, kink });
}

/**
 * The same computation with every operation rounded by `round` (identity: a float64 reference in
 * the order of `src/reference`), taking the `kink` side's slope where a rectifier's S is 0 exactly
 * (`src/reference` takes the left one).
 */
export function roundedReference(network: Network, batch: Batch, { round, kink = 'left' }: { round: (x: number) => number; kink?: 'left' | 'right' }): Gradients & { outputs: Float64Array } {
  const f = round;
  const modules = modulesOf(network, kink);
  const B = batch.size;
  const L = network.layers.length;
  const Ss: Float64Array[] = [];
  const Zs: Float64Array[] = [];
  const Zcs: Float64Array[] = [];
  let Y = batch.X;
  // alpha as a float32 library holds it
  const act = (l: number): ReturnType<typeof modules.activation> => {
    const a = modules.activation(l);
    return a.shape === 'elementwise' && a.name === 'leaky_relu' && f !== identity ? (leakyRelu(f((a as ElementwiseActivation & { alpha: number }).alpha), kink) as ElementwiseActivation) : a;
  };
  network.layers.forEach(({ nIn, nOut, W, b }, l) => {
    const S = new Float64Array(B * nOut);
    const Z = new Float64Array(B * nOut);
    const Zc = new Float64Array(B * nOut);
    for (let s = 0; s < B; s++) {
      for (let i = 0; i < nOut; i++) {
        let acc = b ? b[i]! : 0;
        for (let j = 0; j < nIn; j++) acc = f(acc + f(Y[s * nIn + j]! * W[j * nOut + i]!));
        S[s * nOut + i] = acc;
      }
      act(l).forwardRow(S, Z, Zc, s * nOut, nOut);
      for (let i = s * nOut; i < (s + 1) * nOut; i++) {
        Z[i] = f(Z[i]!);
        Zc[i] = f(Zc[i]!);
      }
    }
    Ss.push(S);
    Zs.push(Z);
    Zcs.push(Zc);
    Y = Z;
  });
  const divisor = reductionDivisor(network, batch);
  const nL = network.layers[L - 1]!.nOut;
  const SL = Ss[L - 1]!;
  const last = act(L - 1);
  const head = last !== modules.activation(L - 1) ? mseHead(elementwise(last)) : modules.head;
  let E = 0;
  if (isRowwiseHead(head)) for (let row = 0; row < SL.length; row += nL) E = f(E + f(head.termRow(SL, batch.T, row, nL)));
  else for (let k = 0; k < SL.length; k++) E = f(E + f(head.term(SL[k]!, Zs[L - 1]![k]!, Zcs[L - 1]![k]!, batch.T[k]!)));
  E = divisor === 1 ? E : f(E / divisor);
  let d = new Float64Array(SL.length);
  for (let row = 0; row < SL.length; row += nL) head.deltaRow(Zs[L - 1]!, Zcs[L - 1]!, batch.T, row, nL, divisor, d);
  d = d.map(f);
  const grads: LayerGradient[] = new Array<LayerGradient>(L);
  for (let l = L - 1; l >= 0; l--) {
    const { nIn, nOut, W, b } = network.layers[l]!;
    const Yl = l === 0 ? batch.X : Zs[l - 1]!;
    const GW = new Float64Array(nIn * nOut);
    const Gb = b ? new Float64Array(nOut) : null;
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < nIn; j++) for (let i = 0; i < nOut; i++) GW[j * nOut + i] = f(GW[j * nOut + i]! + f(Yl[s * nIn + j]! * d[s * nOut + i]!));
      if (Gb) for (let i = 0; i < nOut; i++) Gb[i] = f(Gb[i]! + d[s * nOut + i]!);
    }
    grads[l] = { W: GW, b: Gb };
    if (l === 0) break;
    const below = elementwise(act(l - 1));
    const dp = new Float64Array(B * nIn);
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < nIn; j++) {
        let g = 0;
        for (let i = 0; i < nOut; i++) g = f(g + f(W[j * nOut + i]! * d[s * nOut + i]!));
        const k = s * nIn + j;
        dp[k] = f(f(below.slope(Zs[l - 1]![k]!, Zcs[l - 1]![k]!)) * g);
      }
    }
    d = dp;
  }
  return { loss: E, layers: grads, outputs: Zs[L - 1]! };
}

const identity = (x: number): number => x;
/** Rounding to float64: none. */
export const FLOAT64_ROUND = identity;

/** The median and the largest of a list (0 for an empty one). */
export function medianAndWorst(xs: readonly number[]): { median: number; worst: number; count: number } {
  if (xs.length === 0) return { median: 0, worst: 0, count: 0 };
  const sorted = [...xs].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, worst: sorted[sorted.length - 1]!, count: xs.length };
}

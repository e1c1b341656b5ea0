import { widths as widthsOf } from '../network/shape.js';
import { FLOAT64 } from './arithmetic.js';
import { decayViolations, underflowAllowance } from './check.js';
import { initNetwork, randomBatch, type HiddenActivation, type Init } from './init.js';
import { forward } from '../reference/forward.js';
import { seededRandom } from './random.js';
import { referenceDecay } from './sources.js';
import { spread, type Spread } from './spread.js';
import { trainingEffect } from './training.js';

/** What `backprop-oracle decay` measures: K random networks of one shape and initialisation. */
export interface DecayExperiment {
  /** Layers L (each a sigmoid layer, unless `activation` says otherwise). */
  readonly layers: number;
  /**
   * The hidden layers' activation (`--activation`), the output sigmoid + bce; absent: every layer a
   * sigmoid (version 1, the report as before).
   */
  readonly activation?: HiddenActivation;
  /** leaky_relu's alpha (absent: 0.01). */
  readonly alpha?: number;
  /** Width of every layer, input and output included. */
  readonly width: number;
  readonly init: Init;
  /** Networks K, each with its own random batch. */
  readonly samples: number;
  /** Samples per batch. */
  readonly batch: number;
  readonly seed: number;
  /** Gradient-descent steps of the training measurement (0: none). */
  readonly steps: number;
  /** Its learning rate. */
  readonly rate: number;
}

/** One layer's figures over the K networks, as log10 values (-Infinity: a norm that underflowed to 0). */
export interface LayerSummary {
  readonly layer: number;
  readonly above: number;
  /** log10 ||dE/dW^(l)||_F. */
  readonly gradient: Spread;
  /** log10 of the bound (1/4)^(L-l) prod_{m>l} ||W^(m)||_F sum_b ||Y_b|| ||delta^(L)_b||. */
  readonly bound: Spread;
  /** log10 of the decay factor (1/4)^(L-l) prod_{m>l} ||W^(m)||_F alone. */
  readonly decayFactor: Spread;
  /** log10(||dE/dW^(l)||_F / bound); 0 where the bound is attained. */
  readonly ratio: Spread;
  /** Networks whose float64 gradient norm of this layer is 0 (underflow, or a zero gradient). */
  readonly zeros: number;
  /**
   * relu and leaky_relu hidden layers only: the fraction of the layer's units with S <= 0 for the
   * sample (dead: slope 0 for relu, alpha for leaky_relu), over every unit, sample and network.
   * Absent for other activations and the output layer.
   */
  readonly dead?: number;
}

/** The training measurement over the K networks: medians over steps, then their spread over networks. */
export interface TrainingSummary {
  readonly steps: number;
  readonly rate: number;
  /** log10(r_1 / r_L), the first layer's relative change per step over the last's. */
  readonly ratio: Spread;
  /** log10 of the derived bound on r_1 / r_L. */
  readonly bound: Spread;
  /** log10 of the derived estimate of r_1 / r_L. */
  readonly estimate: Spread;
}

/** The result of a decay experiment. */
export interface DecayMeasurement {
  readonly experiment: DecayExperiment;
  /** Layers 1..L. */
  readonly layers: readonly LayerSummary[];
  /** Inequalities checked (per layer, sample and network) and how many failed (none, if the derivation is right). */
  readonly checked: number;
  readonly violations: number;
  readonly training: TrainingSummary | null;
}

/**
 * Runs a decay experiment: K networks of L layers of the given width drawn by `init` from one
 * seeded generator, each with a batch of inputs uniform in [-1, 1) and hard targets; per layer the
 * gradient norm, the derived bound and their ratio (float64 reference), every inequality of the
 * bound checked, and optionally a short training run per network.
 */
export function runDecayExperiment(experiment: DecayExperiment): DecayMeasurement {
  const { layers: L, width, init, samples, batch: B, seed, steps, rate, activation, alpha } = experiment;
  const rectifier = activation === 'relu' || activation === 'leaky_relu';
  const random = seededRandom(seed);
  const widths = new Array<number>(L + 1).fill(width);
  const perLayer = Array.from({ length: L }, () => ({ gradient: [] as number[], bound: [] as number[], factor: [] as number[], ratio: [] as number[], zeros: 0, dead: 0, units: 0 }));
  const training = { ratio: [] as number[], bound: [] as number[], estimate: [] as number[] };
  let checked = 0;
  let violations = 0;
  for (let k = 0; k < samples; k++) {
    const network = initNetwork(random, widths, init, activation, alpha);
    const batch = randomBatch(random, width, width, B);
    const pass = forward(network, batch);
    const decay = referenceDecay(network, batch, pass);
    if (rectifier) {
      // a unit is dead for a sample when S <= 0 (relu's slope 0 there, the left piece at the kink)
      for (let l = 0; l < L - 1; l++) {
        const S = pass.S[l]!;
        for (let k = 0; k < S.length; k++) if (S[k]! <= 0) perLayer[l]!.dead++;
        perLayer[l]!.units += S.length;
      }
    }
    violations += decayViolations(FLOAT64, decay, underflowAllowance(decay, widthsOf(network), B)).length;
    checked += L * (2 * B + 2) - B; // step (not for l = L) and delta per sample, outer and gradient per layer
    decay.forEach((d, l) => {
      const into = perLayer[l]!;
      into.gradient.push(Math.log10(d.gradientNorm));
      into.bound.push(Math.log10(d.gradientBound));
      into.factor.push(Math.log10(d.decayFactor));
      into.ratio.push(d.log10Ratio);
      if (d.gradientNorm === 0) into.zeros++;
    });
    if (steps > 0) {
      const effect = trainingEffect(network, batch, { steps, rate });
      training.ratio.push(effect.log10Ratio);
      training.bound.push(effect.log10Bound);
      training.estimate.push(effect.log10Estimate);
    }
  }
  return {
    experiment,
    layers: perLayer.map((p, l) => ({
      layer: l + 1,
      above: L - l - 1,
      gradient: spread(p.gradient),
      bound: spread(p.bound),
      decayFactor: spread(p.factor),
      ratio: spread(p.ratio),
      zeros: p.zeros,
      ...(rectifier && l < L - 1 ? { dead: p.dead / p.units } : {}),
    })),
    checked,
    violations,
    training: steps > 0 ? { steps, rate, ratio: spread(training.ratio), bound: spread(training.bound), estimate: spread(training.estimate) } : null,
  };
}

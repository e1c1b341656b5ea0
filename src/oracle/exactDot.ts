import type { BigFloat, Binary } from './bigfloat.js';
import { doubleParts, sh } from './bigfloat.js';

/**
 * Exact dot products of doubles: S_i = b_i + sum_j Y_j W_ji with every Y_j, W_ji, b_i a double.
 * Each product is an integer (m_Y m_W) times 2^(e_Y + e_W); all of them are summed exactly in one
 * BigInt aligned at the smallest exponent of the row, and only the total is rounded (to the
 * Binary's width). About 0.2 us a term: the first layer of a 784-128-10 network in 20 ms, with
 * no rounding at all before the sum.
 */

/** A layer's doubles split once into integer mantissas and exponents (zeros skipped). */
export interface SplitMatrix {
  readonly m: bigint[];
  readonly e: Int32Array;
  /** Per column i, the least exponent of a non-zero entry (or +Infinity). */
  readonly columnMin: Float64Array;
}

/** Splits W (nIn x nOut, row-major) into mantissas and exponents. */
export function splitMatrix(W: Float64Array, nIn: number, nOut: number): SplitMatrix {
  const m = new Array<bigint>(W.length);
  const e = new Int32Array(W.length);
  const columnMin = new Float64Array(nOut).fill(Number.POSITIVE_INFINITY);
  for (let k = 0; k < W.length; k++) {
    const w = W[k]!;
    if (w === 0) {
      m[k] = 0n;
      continue;
    }
    const parts = doubleParts(w);
    m[k] = BigInt(parts.mant);
    e[k] = parts.exp;
    const i = k % nOut;
    if (parts.exp < columnMin[i]!) columnMin[i] = parts.exp;
  }
  void nIn;
  return { m, e, columnMin };
}

/**
 * S = b + Y W exactly, rounded once to `bin`'s width, for one row Y (length nIn) of doubles.
 * `bias` may be null.
 */
export function exactRow(bin: Binary, Y: Float64Array, offset: number, nIn: number, nOut: number, W: SplitMatrix, bias: Float64Array | null): BigFloat[] {
  const ym: bigint[] = [];
  const ye: number[] = [];
  const yj: number[] = [];
  let rowMin = Number.POSITIVE_INFINITY;
  for (let j = 0; j < nIn; j++) {
    const y = Y[offset + j]!;
    if (y === 0) continue;
    const parts = doubleParts(y);
    ym.push(BigInt(parts.mant));
    ye.push(parts.exp);
    yj.push(j);
    if (parts.exp < rowMin) rowMin = parts.exp;
  }
  const out = new Array<BigFloat>(nOut);
  for (let i = 0; i < nOut; i++) {
    let E0 = rowMin + W.columnMin[i]!;
    let bm = 0n;
    let be = 0;
    if (bias && bias[i] !== 0) {
      const parts = doubleParts(bias[i]!);
      bm = BigInt(parts.mant);
      be = parts.exp;
      if (be < E0) E0 = be;
    }
    if (!Number.isFinite(E0)) {
      out[i] = bin.norm(0n, 0);
      continue;
    }
    let acc = bm === 0n ? 0n : bm << sh(be - E0);
    for (let k = 0; k < yj.length; k++) {
      const idx = yj[k]! * nOut + i;
      const wm = W.m[idx]!;
      if (wm === 0n) continue;
      acc += (ym[k]! * wm) << sh(ye[k]! + W.e[idx]! - E0);
    }
    out[i] = bin.norm(acc, E0);
  }
  return out;
}

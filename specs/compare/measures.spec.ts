import { describe, expect, it } from 'vitest';
import { createContext, decimalDigits } from '../helpers/oracle.js';
import { ETA64, formatLocation, gamma, measure, U64, ulp } from '../../src/compare/index.js';

const ctx = createContext(50);
const D = ctx.D;

describe('error measures', () => {
  it('measures the distance of a double from the exact decimal in digits and ulps, relative to scale', () => {
    const m = measure(0.1, new D('0.1'), 0.1);
    expect(m.error).toBeCloseTo(5.551115123125783e-18, 30);
    expect(m.ulps).toBeCloseTo(0.4, 10); // ulp(0.1) = 2^-56 = 1.39e-17
    expect(m.digits).toBeCloseTo(16.26, 2);
    // an entry of 4e-18 next to a scale of 1 is judged against the scale
    const cancelled = measure(4e-18 + 1e-33, new D('4e-18'), 1);
    expect(cancelled.relative).toBeLessThan(1e-32);
    expect(measure(2, new D(2), 2)).toMatchObject({ error: 0, relative: 0, digits: Infinity });
  });

  it('calls a non-finite value infinitely wrong, and an error at zero scale infinitely large', () => {
    expect(measure(Number.NaN, new D(1), 1)).toMatchObject({ error: Infinity, digits: -Infinity, ulps: Infinity });
    expect(measure(1e-300, new D(0), 0).relative).toBe(Infinity);
  });

  it('gives ulps and gamma_n as Higham defines them', () => {
    expect(ulp(1)).toBe(2 ** -52);
    expect(ulp(1.5)).toBe(2 ** -52);
    expect(ulp(2 - 2 ** -52)).toBe(2 ** -52);
    expect(ulp(1 - 2 ** -53)).toBe(2 ** -53);
    expect(ulp(-1024)).toBe(2 ** -42);
    expect(ulp(0)).toBe(ETA64);
    expect(ulp(1e-310)).toBe(ETA64);
    expect(ulp(Number.NaN)).toBeNaN();
    expect(ulp(Number.MAX_VALUE)).toBe(2 ** 971);
    expect(gamma(2)).toBeCloseTo((2 * U64) / (1 - 2 * U64), 40);
  });

  it('counts the digits two decimals share relative to a scale', () => {
    expect(decimalDigits(new D('1.000001'), new D(1), new D(1))).toBeCloseTo(6, 10);
    expect(decimalDigits(new D(1), new D(1), new D(0))).toBe(Infinity);
    expect(decimalDigits(new D(1), new D(2), new D(0))).toBe(-Infinity);
  });

  it('names every kind of entry as a person counts layers', () => {
    expect(formatLocation({ kind: 'loss' })).toBe('loss E');
    expect(formatLocation({ kind: 'weight', layer: 1, j: 1, i: 0 })).toBe('layer 2, dE/dW[j=1][i=0]');
    expect(formatLocation({ kind: 'bias', layer: 0, i: 3 })).toBe('layer 1, dE/db[i=3]');
    expect(formatLocation({ kind: 'output', sample: 2, i: 0 })).toBe('output Z[sample=2][i=0]');
  });
});

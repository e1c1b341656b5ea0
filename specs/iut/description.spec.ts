import { describe, expect, it } from 'vitest';
import { IutError, parseDescription } from '../../src/iut/index.js';

/** The message parseDescription throws for `value` (fails when it does not throw an IutError). */
function problem(value: unknown): string {
  try {
    parseDescription(value, 'impl', { id: 0, method: 'describe' });
  } catch (err: unknown) {
    expect(err).toBeInstanceOf(IutError);
    expect((err as IutError).code).toBe('E_IUT_PROTOCOL');
    expect((err as IutError).request).toEqual({ id: 0, method: 'describe' });
    return (err as IutError).message;
  }
  throw new Error('expected parseDescription to throw');
}

describe('parseDescription', () => {
  it('keeps every known field of the right type and ignores unknown ones', () => {
    const full = { name: 'n', precision: 'float64', bias: true, reductions: ['sum', 'mean'], maxLayers: 6 };
    expect(parseDescription({ ...full, extra: { anything: 1 } }, 'impl')).toEqual(full);
    expect(parseDescription({}, 'impl')).toEqual({});
  });

  it('does not fill in defaults and does not share the reductions array', () => {
    const reductions = ['sum'];
    const parsed = parseDescription({ reductions }, 'impl');
    expect(parsed).toEqual({ reductions: ['sum'] });
    expect(parsed.reductions).not.toBe(reductions);
  });

  it('rejects a description that is not an object', () => {
    expect(problem(null)).toBe('implementation "impl" broke the protocol: its description is null, expected an object');
    expect(problem([1])).toBe('implementation "impl" broke the protocol: its description is an array of 1, expected an object');
    expect(problem('float64')).toMatch(/its description is "float64", expected an object$/);
  });

  it('names the field and the value of each bad type', () => {
    expect(problem({ name: 3 })).toMatch(/its description's field "name" is 3, expected a string$/);
    expect(problem({ precision: 'float16' })).toMatch(/field "precision" is "float16", expected "float64" or "float32"$/);
    expect(problem({ precision: 64 })).toMatch(/field "precision" is 64, expected/);
    expect(problem({ bias: 'yes' })).toMatch(/field "bias" is "yes", expected true or false$/);
    expect(problem({ reductions: 'sum' })).toMatch(/field "reductions" is "sum", expected an array of "sum" and "mean"$/);
    expect(problem({ reductions: ['sum', 'max'] })).toMatch(/field "reductions\[1\]" is "max", expected "sum" or "mean"$/);
    expect(problem({ maxLayers: 2.5 })).toMatch(/field "maxLayers" is 2.5, expected a whole number of at least 1$/);
    expect(problem({ maxLayers: 0 })).toMatch(/field "maxLayers" is 0, expected/);
    expect(problem({ maxLayers: '3' })).toMatch(/field "maxLayers" is "3", expected/);
  });

  it('leaves the request out of the error when none is given', () => {
    try {
      parseDescription(5, 'impl');
      expect.unreachable();
    } catch (err: unknown) {
      expect((err as IutError).request).toBeUndefined();
    }
  });
});

import { describe, it, expect } from 'vitest';
import { describeValue, InputError, plural } from '../../src/network/index.js';

describe('InputError', () => {
  it('puts the path before the detail and keeps both, with a stable code', () => {
    const err = new InputError('E_TARGET', 'batch.targets[0][1]', 'is 1.5, a target must lie in [0, 1]');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('InputError');
    expect(err.code).toBe('E_TARGET');
    expect(err.path).toBe('batch.targets[0][1]');
    expect(err.detail).toBe('is 1.5, a target must lie in [0, 1]');
    expect(err.message).toBe('batch.targets[0][1] is 1.5, a target must lie in [0, 1]');
  });
});

describe('describeValue', () => {
  it('shows numbers and literals as they are and quotes strings', () => {
    expect(describeValue(1.5)).toBe('1.5');
    expect(describeValue(Infinity)).toBe('Infinity');
    expect(describeValue(true)).toBe('true');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue('abc')).toBe('"abc"');
  });

  it('shortens long strings', () => {
    expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(40)}..."`);
  });

  it('names other things by kind', () => {
    expect(describeValue([1, 2, 3])).toBe('an array of 3');
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue(10n)).toBe('10n');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(Symbol('s'))).toBe('a symbol');
  });
});

describe('plural', () => {
  it('chooses the singular only for one', () => {
    expect(plural(1, 'row')).toBe('1 row');
    expect(plural(0, 'row')).toBe('0 rows');
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
  });
});

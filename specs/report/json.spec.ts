import { describe, expect, it } from 'vitest';
import { REPORT_JSON_SCHEMA, reportToJson, validateJson, validateReportJson, type JsonSchema } from '../../src/report/json.js';
import { CORRECT, ERROR, failure, GIVEN, INACCURATE, report, REPORTS, WRONG } from './fixtures.js';

function parsed(r = WRONG): Record<string, unknown> {
  return JSON.parse(reportToJson(r)) as Record<string, unknown>;
}

/** A parsed WRONG report with one change made by `edit`. */
function broken(edit: (json: any) => void): string[] {
  const json = parsed();
  edit(json);
  return validateReportJson(json);
}

describe('reportToJson', () => {
  it.each(Object.entries(REPORTS))('%s: parses, starts with schemaVersion 2, and is valid against the schema', (_name, r) => {
    const text = reportToJson(r);
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(json)[0]).toBe('schemaVersion');
    expect(json.schemaVersion).toBe(2);
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 2,');
    expect(validateReportJson(json)).toEqual([]);
    const { schemaVersion, ...rest } = json;
    expect(schemaVersion).toBe(2);
    expect(Object.keys(rest)).toEqual(Object.keys(r));
  });

  it('keeps every finite value as it is', () => {
    expect(parsed(INACCURATE)).toEqual(JSON.parse(JSON.stringify({ schemaVersion: 2, ...INACCURATE })));
    expect(parsed(WRONG).durationMs).toBe(987.6543);
  });

  it('writes numbers that are not finite as null (worstDigits Infinity means exact)', () => {
    const classes = parsed(CORRECT).classes as Record<string, { worstDigits: number | null }>;
    expect(classes.zeros!.worstDigits).toBeNull();
    expect(classes.typical!.worstDigits).toBe(14.2);
    const odd = report({ durationMs: Number.NaN, failures: [failure({ digits: Number.NEGATIVE_INFINITY, iut: Number.POSITIVE_INFINITY })] });
    const text = reportToJson(odd);
    expect(text).not.toMatch(/Infinity|NaN/);
    const json = JSON.parse(text) as { durationMs: unknown; failures: { digits: unknown; iut: unknown }[] };
    expect(json.durationMs).toBeNull();
    expect(json.failures[0]).toMatchObject({ digits: null, iut: null });
  });
});

describe('validateReportJson', () => {
  it('accepts the report object itself when all its numbers are finite, and names a non-finite one', () => {
    expect(validateReportJson({ schemaVersion: 2, ...WRONG })).toEqual([]);
    expect(validateReportJson({ schemaVersion: 2, ...CORRECT })).toEqual([
      '$.classes.zeros.worstDigits: expected number or null, got Infinity (JSON holds no infinities or NaN: write null)',
    ]);
  });

  it('names a missing required field', () => {
    expect(broken((j) => delete j.verdict)).toEqual(['$.verdict: required field missing']);
    expect(broken((j) => delete j.failures[0].replay.seed)).toEqual(['$.failures[0].replay.seed: required field missing']);
    expect(broken((j) => delete j.classes.typical.properties.gradients)).toEqual(['$.classes.typical.properties.gradients: required field missing']);
  });

  it('names a field of the wrong type, including in arrays and nullable fields', () => {
    expect(broken((j) => (j.strict = 'yes'))).toEqual(['$.strict: expected boolean, got "yes"']);
    expect(broken((j) => (j.notes = ['ok', 3]))).toEqual(['$.notes[1]: expected string, got 3']);
    expect(broken((j) => (j.failures[0].iut = '0.6'))).toEqual(['$.failures[0].iut: expected number or null, got "0.6"']);
    expect(broken((j) => (j.casesRun = 1.5))).toEqual(['$.casesRun: expected integer, got 1.5']);
    expect(broken((j) => (j.failures[0].case.batch.inputs = [[1, 'x']]))).toEqual(['$.failures[0].case.batch.inputs[0][1]: expected number, got "x"']);
    expect(broken((j) => (j.failures = {}))).toEqual(['$.failures: expected array, got {}']);
    expect(broken((j) => (j.failures[0].case = null))).toEqual(['$.failures[0].case: expected object, got null']);
    expect(broken((j) => (j.verdict = undefined))).toEqual(['$.verdict: expected one of "correct", "inaccurate", "wrong", "error", got undefined']);
  });

  it('checks enums, constants and minimums', () => {
    expect(broken((j) => (j.verdict = 'ok'))).toEqual(['$.verdict: expected one of "correct", "inaccurate", "wrong", "error", got "ok"']);
    expect(broken((j) => (j.exitCode = 3))).toEqual(['$.exitCode: expected one of 0, 1, 2, 130, 143, got 3']);
    expect(broken((j) => (j.failures[0].outcome = 'correct'))).toEqual(['$.failures[0].outcome: expected one of "inaccurate", "wrong", got "correct"']);
    expect(broken((j) => (j.failures[0].cancellation = 'rounding'))[0]).toMatch(/^\$\.failures\[0\]\.cancellation: expected one of "slope", .*null, got "rounding"$/);
    expect(broken((j) => (j.schemaVersion = 1))).toEqual(['$.schemaVersion: expected 2, got 1']);
    expect(broken((j) => (j.failures[0].kind = 'state'))[0]).toBe('$.failures[0].kind: expected one of "value", "non-finite", "shape", "error", "repeat", got "state"');
    expect(broken((j) => (j.failures[0].repeat = { where: 'loss E', first: 1, second: 2 }))).toEqual(['$.failures[0].repeat.beyondBound: required field missing']);
    expect(broken((j) => (j.tool = 'other'))).toEqual(['$.tool: expected "backprop-oracle", got "other"']);
    expect(broken((j) => (j.runs = -1))).toEqual(['$.runs: expected at least 0, got -1']);
    expect(broken((j) => (j.implementation.description.precision = 'float16'))).toEqual(['$.implementation.description.precision: expected one of "float64", "float32", got "float16"']);
  });

  it('rejects unknown origins and cancellations but allows other new fields', () => {
    expect(broken((j) => (j.classes.huge = j.classes.typical))).toEqual(['$.classes.huge: unexpected field']);
    expect(broken((j) => (j.classes.typical.cancellations = { slope: { values: 1, maxDigitsLost: null }, rounding: {} }))).toEqual([
      '$.classes.typical.cancellations.rounding: unexpected field',
    ]);
    expect(broken((j) => (j.futureField = { anything: true }))).toEqual([]);
  });

  it('checks the nullable error and shard objects when they are there', () => {
    expect(validateReportJson(parsed(ERROR))).toEqual([]);
    expect(validateReportJson({ ...parsed(ERROR), error: { code: 'E_TIMEOUT', case: 'none' } })).toEqual([
      '$.error.message: required field missing',
      '$.error.case: expected object or null, got "none"',
    ]);
    expect(validateReportJson({ ...parsed(GIVEN), shard: { index: 1, count: 0 } })).toEqual(['$.shard.count: expected at least 1, got 0']);
  });

  it('reports several problems at once, and a value that is no object at all', () => {
    expect(broken((j) => Object.assign(j, { verdict: 1, exitCode: '1' }))).toHaveLength(2);
    expect(validateReportJson(null)).toEqual(['$: expected object, got null']);
    expect(validateReportJson([])).toEqual(['$: expected object, got []']);
    expect(validateReportJson({})).toContain('$.classes: required field missing');
  });

  it('shortens long values in its messages', () => {
    const [problem] = broken((j) => (j.verdict = 'x'.repeat(200)));
    expect(problem).toMatch(/got "x{56}\.\.\.$/);
  });
});

describe('REPORT_JSON_SCHEMA', () => {
  it('is draft 2020-12, plain JSON, and requires every field of the report', () => {
    expect(REPORT_JSON_SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(JSON.parse(JSON.stringify(REPORT_JSON_SCHEMA))).toEqual(REPORT_JSON_SCHEMA);
    expect(REPORT_JSON_SCHEMA.required).toEqual(['schemaVersion', ...Object.keys(WRONG)]);
    expect(Object.keys(REPORT_JSON_SCHEMA.properties!)).toEqual(REPORT_JSON_SCHEMA.required);
    expect(REPORT_JSON_SCHEMA.properties!.verdict!.enum).toEqual(['correct', 'inaccurate', 'wrong', 'error']);
    expect(REPORT_JSON_SCHEMA.properties!.exitCode!.enum).toEqual([0, 1, 2, 130, 143]);
    expect(REPORT_JSON_SCHEMA.$defs!.failure!.required).toEqual(Object.keys(failure()));
  });

  it('refers only to definitions it has', () => {
    const refs: string[] = [];
    const walk = (s: unknown): void => {
      if (Array.isArray(s)) s.forEach(walk);
      else if (s !== null && typeof s === 'object') {
        for (const [k, v] of Object.entries(s)) {
          if (k === '$ref') refs.push(v as string);
          else walk(v);
        }
      }
    };
    walk(REPORT_JSON_SCHEMA);
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) expect(REPORT_JSON_SCHEMA.$defs).toHaveProperty(r.replace('#/$defs/', ''));
  });

  it('validateJson supports other schemas and refuses a $ref it cannot resolve', () => {
    const schema: JsonSchema = { type: 'object', required: ['a'], properties: { a: { type: ['integer', 'null'], minimum: 2 } } };
    expect(validateJson({ a: 3 }, schema)).toEqual([]);
    expect(validateJson({ a: null }, schema)).toEqual([]);
    expect(validateJson({ a: 1 }, schema)).toEqual(['$.a: expected at least 2, got 1']);
    expect(() => validateJson(1, { $ref: 'https://example.com/s.json' })).toThrow(/cannot resolve \$ref "https:\/\/example.com\/s.json"/);
    expect(() => validateJson(1, { $ref: '#/$defs/missing' })).toThrow(/cannot resolve/);
  });
});

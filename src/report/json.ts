/**
 * The machine-readable report: a VerifyReport as JSON, the JSON Schema (draft 2020-12) of that
 * JSON, and a small checker for the subset of JSON Schema the schema uses (no dependency).
 */

import { CANCELLATION_TEXT, type CancellationName } from '../compare/judge.js';
import { ALL_MAGNITUDE_CLASSES } from '../generate/options.js';
import { ACTIVATION_NAMES, LOSS_NAMES, REDUCTIONS, type CaseJson, type Description } from '../network/types.js';
import {
  PROPERTIES,
  type CaseOrigin,
  type ClassStats,
  type ErrorReport,
  type FailureReport,
  type NondeterminismReport,
  type PropertyStats,
  type RepeatedAnswers,
  type TextbookAnswer,
  type Replay,
  type VerifyReport,
  EXIT_CODES,
} from '../verify/report.js';

/** The version of the JSON report's layout; raised on any change a reader could trip over. */
export const REPORT_SCHEMA_VERSION = 2;

/** The JSON of a report: the report's own fields after `schemaVersion`. */
export type ReportJson = { schemaVersion: typeof REPORT_SCHEMA_VERSION } & VerifyReport;

/** The part of JSON Schema that {@link REPORT_JSON_SCHEMA} uses and {@link validateJson} checks. */
export interface JsonSchema {
  readonly $schema?: string;
  readonly $id?: string;
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly title?: string;
  readonly description?: string;
  readonly type?: JsonType | readonly JsonType[];
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly const?: string | number | boolean | null;
  readonly minimum?: number;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean;
  readonly items?: JsonSchema;
}

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/** The keys of an exhaustive record, in order: a list the compiler keeps in step with a union type. */
function keys<K extends string>(record: Record<K, 0>): K[] {
  return Object.keys(record) as K[];
}

const ORIGINS: CaseOrigin[] = [...ALL_MAGNITUDE_CLASSES, 'given'];
const CANCELLATIONS = Object.keys(CANCELLATION_TEXT) as CancellationName[];
const VERDICTS = keys<VerifyReport['verdict']>({ correct: 0, inaccurate: 0, wrong: 0, error: 0 });
const FAILURE_OUTCOMES = keys<FailureReport['outcome']>({ inaccurate: 0, wrong: 0 });
const FAILURE_KINDS = keys<FailureReport['kind']>({ value: 0, 'non-finite': 0, shape: 0, error: 0, repeat: 0 });
const PRECISIONS = keys<VerifyReport['implementation']['precision']>({ float64: 0, float32: 0 });
const PRECISION_FROM = keys<VerifyReport['implementation']['precisionFrom']>({ option: 0, description: 0, default: 0 });
const MODES = keys<VerifyReport['mode']>({ generated: 0, cases: 0 });

/** A count or index: an integer, at least 0. */
const count = { type: 'integer', minimum: 0 } as const;
const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
const nullableText = { type: ['string', 'null'] } as const;
/** A number that may be absent, or that was not finite (JSON holds no infinities: exact agreement is null). */
const nullableNumber = { type: ['number', 'null'] } as const;
const numberMatrix = { type: 'array', items: { type: 'array', items: { type: 'number' } } } as const;

/** Every key of T must have a schema: a field added to the report type without one fails to compile. */
type PropertiesOf<T> = Record<keyof T, JsonSchema>;

/** An object with every one of these fields required. */
function object(properties: Readonly<Record<string, JsonSchema>>): JsonSchema {
  return { type: 'object', required: Object.keys(properties), properties };
}

/** The schema without its type, which applies only to the value types it names anyway. */
function untyped(schema: JsonSchema): JsonSchema {
  const { type, ...rest } = schema;
  void type;
  return rest;
}

/** A reference to a definition, with the type(s) the referring field allows. */
function ref(name: string, type: JsonSchema['type'] = 'object'): JsonSchema {
  return { type, $ref: `#/$defs/${name}` };
}

const propertyStats: JsonSchema = object({
  correct: count,
  inaccurate: count,
  wrong: count,
  firstMessage: nullableText,
} satisfies PropertiesOf<PropertyStats>);

const cancellationStats: JsonSchema = object({ values: count, maxDigitsLost: nullableNumber });

const classStats: JsonSchema = object({
  cases: count,
  correct: count,
  inaccurate: count,
  wrong: count,
  worstDigits: { ...nullableNumber, description: 'fewest correct digits relative to scale; null when every value was exact' },
  worstDigitsLost: nullableNumber,
  cancellations: {
    type: 'object',
    description: 'inaccurate values by the textbook cancellation that explains them',
    properties: Object.fromEntries(CANCELLATIONS.map((c) => [c, ref('cancellationStats')])),
    additionalProperties: false,
  },
  properties: object(Object.fromEntries(PROPERTIES.map((p) => [p, ref('propertyStats')]))),
} satisfies PropertiesOf<ClassStats>);

/** A case ({ network, batch }); untyped so that a field may allow null beside it (`ref('case', ['object', 'null'])`). */
const caseJson: JsonSchema = untyped(object({
  network: {
    type: 'object',
    required: ['layers'],
    properties: {
      layers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['weights'],
          properties: {
            weights: numberMatrix,
            bias: { type: ['array', 'null'], items: { type: 'number' } },
            activation: { enum: ACTIVATION_NAMES },
            alpha: { type: 'number', minimum: 0, description: 'leaky_relu only: 0 <= alpha < 1' },
          },
        },
      },
      reduction: { enum: REDUCTIONS },
      loss: { enum: LOSS_NAMES },
    },
  },
  batch: object({ inputs: numberMatrix, targets: numberMatrix }),
} satisfies PropertiesOf<CaseJson>));

const replay: JsonSchema = object({
  seed: { type: ['integer', 'null'] },
  path: nullableText,
  file: nullableText,
} satisfies PropertiesOf<Replay>);

const failure: JsonSchema = object({
  outcome: { enum: FAILURE_OUTCOMES },
  kind: { enum: FAILURE_KINDS },
  where: { ...text, description: '"loss E", "layer 2, dE/dW[j=1][i=0]", "output Z[sample=0][i=1]" or "result"' },
  message: text,
  iut: nullableNumber,
  oracle: { ...nullableText, description: 'the exact value, 20 significant digits' },
  finiteDifference: nullableText,
  error: nullableNumber,
  bound: nullableNumber,
  digits: nullableNumber,
  digitsLost: nullableNumber,
  cancellation: { enum: [...CANCELLATIONS, null] },
  textbook: { ...ref('textbook', ['object', 'null']), description: 'for a value beyond the stable bound: what the explaining (inaccurate) or nearest (wrong) named textbook computation gives there, and how far from it a value may lie' },
  origin: { enum: ORIGINS },
  valuesAffected: count,
  case: ref('case'),
  name: nullableText,
  shrinkSteps: { type: ['integer', 'null'], minimum: 0 },
  shrinkStopped: { ...nullableText, description: 'why shrinking stopped before it was done (a budget ran out, the implementation could not go on): the case is the smallest found so far' },
  repeat: { ...ref('repeat', ['object', 'null']), description: 'both answers, when the implementation answered this case twice and differently' },
  replay: ref('replay'),
} satisfies PropertiesOf<FailureReport>);

const repeatedAnswers = {
  where: text,
  first: nullableNumber,
  second: nullableNumber,
  beyondBound: { ...flag, description: 'one answer lies beyond the bound where they differ (the case is wrong); false: both within (a warning)' },
} satisfies PropertiesOf<RepeatedAnswers>;

const repeat: JsonSchema = untyped(object(repeatedAnswers));

const textbook: JsonSchema = untyped(object({ computation: { enum: CANCELLATIONS }, value: { type: 'number' }, allowed: { type: 'number', minimum: 0 } } satisfies PropertiesOf<TextbookAnswer>));

const nondeterminism: JsonSchema = object({
  ...repeatedAnswers,
  case: ref('case'),
} satisfies PropertiesOf<NondeterminismReport>);

const errorReport: JsonSchema = {
  ...object({ code: text, message: text, case: ref('case', ['object', 'null']) } satisfies PropertiesOf<ErrorReport>),
  type: ['object', 'null'],
  description: 'why the implementation could not be verified (crash, protocol breach, timeout, load failure)',
};

const description: JsonSchema = {
  type: 'object',
  description: 'what the implementation said of itself',
  properties: {
    name: text,
    precision: { enum: PRECISIONS },
    bias: flag,
    reductions: { type: 'array', items: { enum: REDUCTIONS } },
    maxLayers: { type: 'integer', minimum: 1 },
    activations: { type: 'array', items: { enum: ACTIVATION_NAMES } },
    losses: { type: 'array', items: { enum: LOSS_NAMES } },
    kink: { enum: ['left', 'right'] },
  } satisfies PropertiesOf<Required<Description>>,
};

/** The JSON Schema (draft 2020-12) of {@link reportToJson}'s output. */
export const REPORT_JSON_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:backprop-oracle:report:1',
  title: 'backprop-oracle verify report',
  description: 'The whole verdict of one `backprop-oracle verify` run. Numbers that are not finite are written as null.',
  ...object({
    schemaVersion: { const: REPORT_SCHEMA_VERSION },
    tool: { const: 'backprop-oracle' },
    verdict: { enum: VERDICTS },
    exitCode: { enum: EXIT_CODES, description: "the process's exit code: 0 correct (or inaccurate without strict), 1 wrong (or inaccurate with strict), 2 error (the verifier could not do its job, judged no case, or could not write what it found), 130 / 143 interrupted by SIGINT / SIGTERM" },
    strict: flag,
    implementation: object({
      label: text,
      description: ref('description'),
      precision: { enum: PRECISIONS },
      precisionFrom: { enum: PRECISION_FROM },
    } satisfies PropertiesOf<VerifyReport['implementation']>),
    mode: { enum: MODES },
    seed: { type: ['integer', 'null'] },
    runs: count,
    shard: { type: ['object', 'null'], required: ['index', 'count'], properties: { index: count, count: { type: 'integer', minimum: 1 } } },
    casesRun: count,
    casesReplayed: { ...count, description: 'stored counterexamples of the corpus replayed and judged first' },
    interrupted: flag,
    stoppedEarly: flag,
    classes: {
      type: 'object',
      description: 'counts and worst figures by magnitude class, or "given" for cases from files',
      properties: Object.fromEntries(ORIGINS.map((o) => [o, ref('classStats')])),
      additionalProperties: false,
    },
    failures: { type: 'array', items: ref('failure') },
    nondeterminism: object({ checked: count, differing: { type: 'array', items: ref('nondeterminism') } }),
    error: errorReport,
    notes: { type: 'array', items: text },
    durationMs: { type: 'number', minimum: 0 },
  } satisfies PropertiesOf<ReportJson>),
  $defs: { propertyStats, cancellationStats, classStats, case: caseJson, replay, failure, repeat, textbook, nondeterminism, description },
};

/** The report as pretty JSON (2 spaces), `schemaVersion` first; numbers that are not finite become null. */
export function reportToJson(report: VerifyReport): string {
  // fields a report may leave out (a report made before they existed) are written with their defaults
  const failures = report.failures.map((f) => ({ ...f, shrinkStopped: f.shrinkStopped ?? null, repeat: f.repeat ?? null, textbook: f.textbook ?? null }));
  const json: ReportJson = { schemaVersion: REPORT_SCHEMA_VERSION, ...report, casesReplayed: report.casesReplayed ?? 0, failures };
  return JSON.stringify(json, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function matchesType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeOf(value) === type;
  }
}

function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function resolve(ref: string, root: JsonSchema): JsonSchema {
  const name = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
  const target = name === undefined ? undefined : root.$defs?.[name];
  if (!target) throw new Error(`JSON Schema: cannot resolve $ref "${ref}" (only "#/$defs/<name>" is supported)`);
  return target;
}

function check(value: unknown, schema: JsonSchema, root: JsonSchema, at: string, problems: string[]): void {
  if (schema.type !== undefined) {
    const types: readonly JsonType[] = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!types.some((t) => matchesType(value, t))) {
      const finite = typeof value === 'number' && !Number.isFinite(value) ? ' (JSON holds no infinities or NaN: write null)' : '';
      problems.push(`${at}: expected ${types.join(' or ')}, got ${show(value)}${finite}`);
      return;
    }
  }
  if (schema.const !== undefined && value !== schema.const) problems.push(`${at}: expected ${show(schema.const)}, got ${show(value)}`);
  if (schema.enum && !schema.enum.includes(value as never)) {
    problems.push(`${at}: expected one of ${schema.enum.map(show).join(', ')}, got ${show(value)}`);
  }
  if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum) problems.push(`${at}: expected at least ${schema.minimum}, got ${show(value)}`);
  if (schema.$ref !== undefined) check(value, resolve(schema.$ref, root), root, at, problems);
  if (typeOf(value) === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) problems.push(`${at}.${key}: required field missing`);
    for (const [key, v] of Object.entries(record)) {
      const sub = schema.properties?.[key];
      if (sub) check(v, sub, root, `${at}.${key}`, problems);
      else if (schema.additionalProperties === false) problems.push(`${at}.${key}: unexpected field`);
    }
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    value.forEach((v, i) => check(v, items, root, `${at}[${i}]`, problems));
  }
}

/**
 * The problems of a value against a schema in the subset of JSON Schema that
 * {@link JsonSchema} describes (type, const, enum, minimum, required, properties,
 * additionalProperties: false, items, local $ref): one line each, naming the field (`$.failures[0].outcome`).
 */
export function validateJson(value: unknown, schema: JsonSchema, root: JsonSchema = schema): string[] {
  const problems: string[] = [];
  check(value, schema, root, '$', problems);
  return problems;
}

/** The problems of a parsed JSON report against {@link REPORT_JSON_SCHEMA}; empty when it is valid. */
export function validateReportJson(value: unknown): string[] {
  return validateJson(value, REPORT_JSON_SCHEMA);
}

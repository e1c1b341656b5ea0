/**
 * Checking the protocol "Description" an implementation gives of itself.
 */
import { describeValue } from '../network/errors.js';
import { ACTIVATION_NAMES, LOSS_NAMES, REDUCTIONS } from '../network/types.js';
import type { Description, KinkSide, Reduction } from '../network/types.js';
import { IutError, type IutRequest } from './errors.js';

/** The precisions the protocol knows. */
const PRECISIONS: readonly string[] = ['float64', 'float32'];

/**
 * Checks a description: known fields of the right type are kept, unknown fields are ignored
 * (the protocol allows extensions), anything else is an IutError `E_IUT_PROTOCOL` that names
 * the field and the value. Defaults are not filled in: a field left out stays out.
 * @param value what the implementation answered to `describe`
 * @param label the implementation's label, for messages
 * @param request the describe request, attached to the error
 */
export function parseDescription(value: unknown, label: string, request?: IutRequest): Description {
  const fail = (field: string, expected: string, got: unknown): never => {
    const where = field === '' ? 'its description' : `its description's field "${field}"`;
    throw new IutError(
      'E_IUT_PROTOCOL',
      `implementation ${JSON.stringify(label)} broke the protocol: ${where} is ${describeValue(got)}, expected ${expected}`,
      request ? { request } : {},
    );
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('', 'an object', value);
  const record = value as Record<string, unknown>;
  const description: Description = {};
  const { name, precision, bias, reductions, maxLayers, activations, losses, kink } = record;
  if (name !== undefined) {
    if (typeof name !== 'string') fail('name', 'a string', name);
    description.name = name as string;
  }
  if (precision !== undefined) {
    if (typeof precision !== 'string' || !PRECISIONS.includes(precision)) fail('precision', '"float64" or "float32"', precision);
    description.precision = precision as 'float64' | 'float32';
  }
  if (bias !== undefined) {
    if (typeof bias !== 'boolean') fail('bias', 'true or false', bias);
    description.bias = bias as boolean;
  }
  if (reductions !== undefined) {
    if (!Array.isArray(reductions)) fail('reductions', 'an array of "sum" and "mean"', reductions);
    const list = reductions as unknown[];
    list.forEach((entry, k) => {
      if (!REDUCTIONS.includes(entry as Reduction)) fail(`reductions[${k}]`, '"sum" or "mean"', entry);
    });
    description.reductions = [...(list as Reduction[])];
  }
  if (maxLayers !== undefined) {
    if (typeof maxLayers !== 'number' || !Number.isInteger(maxLayers) || maxLayers < 1) {
      fail('maxLayers', 'a whole number of at least 1', maxLayers);
    }
    description.maxLayers = maxLayers as number;
  }
  // protocol version 2
  const names = <N extends string>(field: string, value: unknown, known: readonly N[]): N[] => {
    const expected = `an array of ${known.map((n) => `"${n}"`).join(', ')}`;
    if (!Array.isArray(value)) fail(field, expected, value);
    const list = value as unknown[];
    list.forEach((entry, k) => {
      if (!known.includes(entry as N)) fail(`${field}[${k}]`, `one of ${known.map((n) => `"${n}"`).join(', ')}`, entry);
    });
    if (list.length === 0) fail(field, `a non-empty array (${expected})`, value);
    return [...new Set(list as N[])];
  };
  if (activations !== undefined) description.activations = names('activations', activations, ACTIVATION_NAMES);
  if (losses !== undefined) description.losses = names('losses', losses, LOSS_NAMES);
  if (kink !== undefined) {
    if (kink !== 'left' && kink !== 'right') fail('kink', '"left" or "right"', kink);
    description.kink = kink as KinkSide;
  }
  return description;
}

/**
 * The one error the project throws for bad input (a malformed network, batch, case or
 * implementation result), as opposed to a bug in the project itself.
 */

/**
 * What is wrong, as a stable code for programs (the message is for people):
 * - `E_TYPE`: a field is missing or has the wrong JSON type;
 * - `E_VALUE`: a number is not finite (JSON `null` stands for NaN or an infinity);
 * - `E_SHAPE`: sizes do not fit (ragged rows, layer sizes, bias length, row widths);
 * - `E_EMPTY`: a network without layers, or a layer with no inputs or no outputs;
 * - `E_BATCH`: a batch of size 0, or inputs and targets with different row counts;
 * - `E_TARGET`: a target outside [0, 1];
 * - `E_REDUCTION`: an unknown reduction;
 * - `E_ACTIVATION`: an unknown activation, softmax before the last layer, an alpha that is not
 *   leaky_relu's or outside [0, 1);
 * - `E_LOSS`: an unknown loss, or one its output activation does not allow (bce needs sigmoid,
 *   cce softmax, mse anything but softmax);
 * - `E_UNSUPPORTED`: a valid protocol version-2 activation or loss this version does not verify
 *   yet (tanh, relu, leaky_relu, linear, softmax, cce, mse);
 * - `E_JSON`: text that is not JSON.
 */
export type InputErrorCode =
  | 'E_TYPE'
  | 'E_VALUE'
  | 'E_SHAPE'
  | 'E_EMPTY'
  | 'E_BATCH'
  | 'E_TARGET'
  | 'E_REDUCTION'
  | 'E_ACTIVATION'
  | 'E_LOSS'
  | 'E_UNSUPPORTED'
  | 'E_JSON';

/**
 * Bad input. The message is `path` followed by `detail`, so it names the input (the root
 * of the path, such as `network` or `case.json: network`), the field and what is wrong with
 * it, e.g. `network.layers[1].weights[2] has 3 entries, expected 4 (layer 1 has 4 outputs)`.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** What is wrong, for programs. */
  readonly code: InputErrorCode;
  /** Where: the input's name followed by a JSON path, e.g. `network.layers[1].weights[2][0]`. */
  readonly path: string;
  /** What is wrong, for people, without the path, e.g. `is 1.5, a target must lie in [0, 1]`. */
  readonly detail: string;

  /** An error at `path` (which starts with the input's name) saying `detail`. */
  constructor(code: InputErrorCode, path: string, detail: string) {
    super(`${path} ${detail}`);
    this.code = code;
    this.path = path;
    this.detail = detail;
  }
}

/** Longest string quoted in full by {@link describeValue}. */
const MAX_QUOTED = 40;

/**
 * A short description of an offending value for a message: numbers and literals as they are,
 * strings quoted (and shortened when long), other things by kind (`an object`, `an array of 3`).
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}...` : value);
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
    case 'bigint':
      return `${value}n`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      return String(value);
  }
}

/** `1 row`, `3 rows`, `1 entry`, `2 entries`: a count with its noun. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * JSON in and out: packed forms back to the protocol's JSON shapes, and JSON text to values
 * with errors that name the input and the position. Every float64 survives the round trip
 * `writeJsonText` -> `readJsonText` -> `parse*` exactly, -0 included.
 */
import { InputError } from './errors.js';
import { layerAt, outputLayer } from './shape.js';
import type {
  Batch,
  BatchJson,
  Case,
  CaseJson,
  Gradients,
  LayerJson,
  Network,
  NetworkJson,
  ResultJson,
} from './types.js';
import { parseBatch, parseCase, parseNetwork } from './validate.js';

/** `rows` rows of `cols` numbers from a packed row-major array. */
function unpack(flat: Float64Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(flat.subarray(r * cols, (r + 1) * cols)));
}

/** One layer (or layer gradient) as JSON; `bias` null when there is none. */
function layerJson(W: Float64Array, b: Float64Array | null, nIn: number, nOut: number): LayerJson {
  return { weights: unpack(W, nIn, nOut), bias: b ? Array.from(b) : null };
}

/** A packed network as protocol JSON (`weights[j][i] = W[j * nOut + i]`, `bias: null` when absent). */
export function networkToJson(network: Network): NetworkJson {
  const json: NetworkJson = {
    layers: network.layers.map((layer) => {
      const out = layerJson(layer.W, layer.b, layer.nIn, layer.nOut);
      // protocol version 2's fields, written where they differ from version 1's defaults
      if (layer.activation !== undefined && layer.activation !== 'sigmoid') out.activation = layer.activation;
      if (layer.alpha !== undefined) out.alpha = layer.alpha;
      return out;
    }),
    reduction: network.reduction,
  };
  if (network.loss !== undefined && network.loss !== 'bce') json.loss = network.loss;
  return json;
}

/** A packed batch as protocol JSON: `inputs[b][j]`, `targets[b][i]`. */
export function batchToJson(batch: Batch): BatchJson {
  return { inputs: unpack(batch.X, batch.size, batch.nIn), targets: unpack(batch.T, batch.size, batch.nOut) };
}

/** A packed case as protocol JSON. */
export function caseToJson(item: Case): CaseJson {
  return { network: networkToJson(item.network), batch: batchToJson(item.batch) };
}

/**
 * Gradients (and optional last-layer outputs `Z[b * n_L + i]`) as a protocol "Result". The
 * network supplies the shapes, which the packed gradients do not carry. Non-finite values stay
 * as they are here; {@link writeJsonText} writes them as `null`.
 */
export function gradientsToJson(gradients: Gradients & { readonly outputs?: Float64Array }, network: Network): ResultJson {
  const json: ResultJson = {
    loss: gradients.loss,
    gradients: gradients.layers.map((g, l) => {
      const layer = layerAt(network, l);
      return layerJson(g.W, g.b, layer.nIn, layer.nOut);
    }),
  };
  const outputs = gradients.outputs;
  if (outputs) {
    const nOut = outputLayer(network).nOut;
    json.outputs = unpack(outputs, outputs.length / nOut, nOut);
  }
  return json;
}

/** Checks and packs a network given as JSON (see {@link parseNetwork}). */
export function packNetwork(json: NetworkJson, name = 'network'): Network {
  return parseNetwork(json, name);
}

/** Checks and packs a batch given as JSON against `network` (see {@link parseBatch}). */
export function packBatch(json: BatchJson, network: Network, name = 'batch'): Batch {
  return parseBatch(json, network, name);
}

/** Checks and packs a case given as JSON (see {@link parseCase}). */
export function packCase(json: CaseJson, name = 'case'): Case {
  return parseCase(json, name);
}

/**
 * JSON text for a JSON-shaped value (plain objects, arrays, numbers, strings, booleans, null),
 * on one line like `JSON.stringify`, except that -0 is written `-0` so that it survives.
 * NaN and infinities are written `null`, as the protocol says; undefined object fields are
 * left out and undefined array entries written `null`.
 */
export function writeJsonText(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : JSON.stringify(value);
  if (Array.isArray(value)) {
    return `[${Array.from(value, (entry: unknown) => (entry === undefined ? 'null' : writeJsonText(entry))).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).filter(([, field]) => field !== undefined);
    return `{${fields.map(([key, field]) => `${JSON.stringify(key)}:${writeJsonText(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Parses JSON text. A leading byte-order mark is ignored.
 * @param name the input's name in messages, e.g. a file name or `IUT line 3`.
 * @throws InputError `E_JSON` naming the input, the line and column and what is wrong.
 */
export function readJsonText(text: string, name: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (err: unknown) {
    const reason = String(err)
      .replace(/^SyntaxError: /, '')
      .replace(/^(Unexpected token '.+?'), .*$/su, '$1')
      .replace(/( in JSON)? at position \d+.*$/s, '');
    const offset = jsonErrorOffset(body);
    const before = body.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    throw new InputError('E_JSON', name, `is not valid JSON: ${reason} at line ${line}, column ${column}`);
  }
}

/** Escape letters allowed after a backslash in a JSON string (besides `u`). */
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/** JSON whitespace. */
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** Whether `ch` (one character, or '' past the end) is a decimal digit. */
function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** Whether `ch` (one character, or '' past the end) is a hexadecimal digit. */
function isHex(ch: string): boolean {
  return /^[0-9a-fA-F]$/.test(ch);
}

/**
 * The 0-based offset of the first syntax error in `text`: where JSON.parse stops (V8 does not
 * always say where). Returns `text.length` for text that is in fact valid JSON.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const at = (): string => text.charAt(i);
  const skip = (): void => {
    while (WHITESPACE.has(at())) i++;
  };
  const digits = (): boolean => {
    const start = i;
    while (isDigit(at())) i++;
    return i > start;
  };
  const word = (literal: string): boolean => {
    for (const ch of literal) {
      if (at() !== ch) return false;
      i++;
    }
    return true;
  };
  const escape = (): boolean => {
    if (ESCAPES.has(at())) {
      i++;
      return true;
    }
    if (at() !== 'u') return false;
    i++;
    for (let k = 0; k < 4; k++, i++) if (!isHex(at())) return false;
    return true;
  };
  const string = (): boolean => {
    if (at() !== '"') return false;
    i++;
    while (i < text.length) {
      const ch = at();
      if (ch < ' ') return false;
      i++;
      if (ch === '"') return true;
      if (ch === '\\' && !escape()) return false;
    }
    return false;
  };
  const number = (): boolean => {
    if (at() === '-') i++;
    if (at() === '0') i++;
    else if (!digits()) return false;
    if (at() === '.') {
      i++;
      if (!digits()) return false;
    }
    if (at() === 'e' || at() === 'E') {
      i++;
      if (at() === '+' || at() === '-') i++;
      if (!digits()) return false;
    }
    return true;
  };
  const scalar = (ch: string): boolean => {
    if (ch === '"') return string();
    if (ch === '-' || isDigit(ch)) return number();
    if (ch === 't') return word('true');
    if (ch === 'f') return word('false');
    return word('null');
  };
  const key = (): boolean => {
    skip();
    if (!string()) return false;
    skip();
    if (at() !== ':') return false;
    i++;
    return true;
  };
  const closers: string[] = [];
  for (;;) {
    skip();
    const ch = at();
    if (ch === '[' || ch === '{') {
      const close = ch === '[' ? ']' : '}';
      i++;
      skip();
      if (at() !== close) {
        closers.push(close);
        if (close === '}' && !key()) return i;
        continue;
      }
      i++;
    } else if (!scalar(ch)) {
      return i;
    }
    for (;;) {
      skip();
      const close = closers[closers.length - 1];
      if (close === undefined) return i;
      if (at() === ',') {
        i++;
        if (close === '}' && !key()) return i;
        break;
      }
      if (at() !== close) return i;
      i++;
      closers.pop();
    }
  }
}

/** Shared by the specs of src/iut: temporary files, small hand-made cases, closing every Iut. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Iut } from '../../src/iut/index.js';
import type { BatchJson, NetworkJson } from '../../src/network/index.js';

/** A temporary directory with a `write(name, text)` that returns the file's absolute path. */
export function tempDir(prefix: string): { dir: string; write: (name: string, text: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `backprop-oracle-${prefix}-`));
  return {
    dir,
    write: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Replaces every occurrence of `path` in `text` with `<dir>` (messages name absolute paths). */
export function normalise(text: string, path: string): string {
  return text.split(path).join('<dir>');
}

/** Keeps every Iut a spec opens, and closes them all (call `closeAll` in afterEach). */
export function iutTracker(): { track: (iut: Iut) => Iut; closeAll: () => Promise<void> } {
  const open: Iut[] = [];
  return {
    track: (iut) => {
      open.push(iut);
      return iut;
    },
    closeAll: async () => {
      await Promise.all(open.splice(0).map((iut) => iut.close()));
    },
  };
}

/** A 3 -> 4 -> 2 network with biases (non-square, asymmetric), and a batch of 3 with soft targets. */
export const small: { network: NetworkJson; batch: BatchJson } = {
  network: {
    layers: [
      {
        weights: [
          [0.5, -1.25, 0.75, 0.1],
          [-0.3, 0.8, 1.5, -0.6],
          [1.1, 0.2, -0.9, 0.4],
        ],
        bias: [0.1, -0.2, 0.05, 0.3],
      },
      {
        weights: [
          [1.2, -0.7],
          [-0.4, 0.9],
          [0.6, 0.35],
          [-1.3, 0.25],
        ],
        bias: [-0.15, 0.2],
      },
    ],
    reduction: 'sum',
  },
  batch: {
    inputs: [
      [1, 2, -0.5],
      [0.25, -1.5, 3],
      [-2, 0.5, 1],
    ],
    targets: [
      [1, 0],
      [0.3, 0.9],
      [0, 1],
    ],
  },
};

/** A 2 -> 3 -> 3 -> 1 network, the middle layer without bias, the last with `bias: null`; batch of 2. */
export const deep: { network: NetworkJson; batch: BatchJson } = {
  network: {
    layers: [
      { weights: [[0.4, -0.8, 1.1], [0.9, 0.3, -0.5]], bias: [0.2, 0, -0.1] },
      { weights: [[0.7, -0.2, 0.5], [-1.1, 0.6, 0.3], [0.25, 0.8, -0.45]] },
      { weights: [[1.5], [-0.75], [0.5]], bias: null },
    ],
    reduction: 'mean',
  },
  batch: {
    inputs: [
      [0.5, -1],
      [2, 0.75],
    ],
    targets: [[1], [0.2]],
  },
};

/** `case` with the reduction changed. */
export function withReduction(
  item: { network: NetworkJson; batch: BatchJson },
  reduction: 'sum' | 'mean',
): { network: NetworkJson; batch: BatchJson } {
  return { network: { ...item.network, reduction }, batch: item.batch };
}

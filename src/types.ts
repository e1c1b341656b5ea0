/**
 * The vocabulary every layer shares, at the bottom of the import graph (see docs/architecture.md):
 * the arithmetic an implementation declares, the verdict on a value, and which quantity an entry is.
 */

/** The arithmetic an implementation declares. */
export type Precision = 'float64' | 'float32';

/** The verdict on one value, and the run's verdict (the worst of its values'). */
export type Outcome = 'correct' | 'inaccurate' | 'wrong';

/** Which quantity an entry is: the loss, `dE/dW[j][i]`, `dE/db[i]` of a layer, or an output Z. */
export type EntryLocation =
  | { readonly kind: 'loss' }
  | { readonly kind: 'weight'; readonly layer: number; readonly j: number; readonly i: number }
  | { readonly kind: 'bias'; readonly layer: number; readonly i: number }
  | { readonly kind: 'output'; readonly sample: number; readonly i: number };

/** The same entry as text, with layers counted from 1 as people do: `layer 2, dE/dW[j=1][i=0]`. */
export function formatLocation(where: EntryLocation): string {
  switch (where.kind) {
    case 'loss':
      return 'loss E';
    case 'weight':
      return `layer ${where.layer + 1}, dE/dW[j=${where.j}][i=${where.i}]`;
    case 'bias':
      return `layer ${where.layer + 1}, dE/db[i=${where.i}]`;
    case 'output':
      return `output Z[sample=${where.sample}][i=${where.i}]`;
  }
}

/** Why a claim cannot be evaluated: a syntax error, an unknown symbol, a bad option. */
export type ClaimErrorCode = 'E_CLAIM_SYNTAX' | 'E_CLAIM_SYMBOL' | 'E_CLAIM_OPTION';

/**
 * A claim that cannot be evaluated (the `claim` command exits 2). The message points at the
 * place in the formula (a caret under it) and lists the symbols that exist.
 */
export class ClaimError extends Error {
  readonly code: ClaimErrorCode;
  constructor(code: ClaimErrorCode, message: string) {
    super(message);
    this.name = 'ClaimError';
    this.code = code;
  }
}

/** The formula with a caret under 0-based position `at` (clamped to the text). */
export function pointAt(text: string, at: number): string {
  const column = Math.max(0, Math.min(at, text.length));
  return `  ${text}\n  ${' '.repeat(column)}^`;
}

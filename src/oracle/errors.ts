/**
 * The one error the oracle throws when a quantity of a valid, finite network cannot be computed:
 * a value beyond the BigFloat exponent range (`MAX_EXPONENT` in `bigfloat.ts`: |x| >= 2^(2^51)).
 * Values below 2^-(2^51) are not an error: they are held as 0 (README, "Extreme inputs"). No
 * network of finite float64 numbers with fewer than about 10^12 layers reaches the upper limit;
 * the class exists so that if one does, the report says which quantity and which limit, with a
 * stable `code`, instead of an internal error.
 */
export class OracleLimitError extends Error {
  override readonly name = 'OracleLimitError';
  /** For programs: reports keep it, and the command line exits 2. */
  readonly code = 'E_ORACLE_LIMIT';

  /**
   * @param quantity what could not be computed, e.g. `layer 2, sample 0, unit 3: Z = sigma(S), S = 1.5e300`
   * @param limit the limit it ran into, e.g. `the BigFloat exponent range 2^-(2^51) .. 2^(2^51)`
   */
  constructor(
    readonly quantity: string,
    readonly limit: string,
  ) {
    super(`oracle: cannot compute ${quantity}: it is beyond ${limit}`);
  }

  /** The same limit, with the quantity named more precisely (where the caller knows the entry). */
  at(quantity: string): OracleLimitError {
    return new OracleLimitError(`${quantity} (${this.quantity})`, this.limit);
  }
}

/** The error `error`, located at `quantity` when it is an OracleLimitError; anything else unchanged. */
export function locateLimit(error: unknown, quantity: () => string): unknown {
  return error instanceof OracleLimitError ? error.at(quantity()) : error;
}

/** The arithmetic an implementation declares. */
export type Precision = 'float64' | 'float32';

/** The verdict on one value, and the run's verdict (the worst of its values'). */
export type Outcome = 'correct' | 'inaccurate' | 'wrong';

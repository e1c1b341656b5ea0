/**
 * A seeded generator of doubles uniform in [0, 1), each from 53 random bits of two outputs of
 * mulberry32 (a 32-bit generator by Tommy Ettinger): fast, dependency-free, and the same numbers
 * on every platform for the same seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  const next32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => ((next32() >>> 5) * 2 ** 26 + (next32() >>> 6)) / 2 ** 53;
}

/** A double uniform in [-a, a) from a generator of [0, 1). */
export function uniform(random: () => number, a: number): number {
  return a * (2 * random() - 1);
}

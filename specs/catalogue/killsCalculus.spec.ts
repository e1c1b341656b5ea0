import { describe } from 'vitest';
import { MISTAKES } from '../../src/catalogue/mistakes.js';
import { killSpecs } from './kills.js';

// the first half of the catalogue (the other half is in killsMore.spec.ts, so that the two run in parallel)
describe('the catalogue of classic mistakes, first half: each is killed twice', () => {
  killSpecs(MISTAKES.filter((m) => !m.v2).slice(0, 7));
});

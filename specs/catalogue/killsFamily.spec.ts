import { describe } from 'vitest';
import { MISTAKES } from '../../src/catalogue/mistakes.js';
import { killSpecs } from './kills.js';

// the version-2 family's mistakes, first half (the rest in killsFamilyMore.spec.ts, so that the two run in parallel)
const family = MISTAKES.filter((m) => m.v2);
describe('the catalogue of the version-2 family, first half: each is killed twice', () => {
  killSpecs(family.slice(0, Math.ceil(family.length / 2)));
});

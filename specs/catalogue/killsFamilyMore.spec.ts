import { describe } from 'vitest';
import { MISTAKES } from '../../src/catalogue/mistakes.js';
import { killSpecs } from './kills.js';

const family = MISTAKES.filter((m) => m.v2);
describe('the catalogue of the version-2 family, second half: each is killed twice', () => {
  killSpecs(family.slice(Math.ceil(family.length / 2)));
});

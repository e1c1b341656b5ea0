import { describe } from 'vitest';
import { MISTAKES } from '../../src/catalogue/mistakes.js';
import { killSpecs } from './kills.js';

describe('the catalogue of classic mistakes, second half: each is killed twice', () => {
  killSpecs(MISTAKES.filter((m) => !m.v2).slice(7));
});

import { describe, expect, it } from 'vitest';
import { IutError } from '../../src/iut/errors.js';
import { NEVER_ANSWERED_CRASHES, RestartingIut } from '../../src/iut/restarting.js';
import type { Iut } from '../../src/iut/types.js';

/** A fake process: crashes on the requests `crashes` says, answers the others. */
function fake(crashes: (n: number) => boolean): { start: () => Promise<Iut>; started: () => number } {
  let requests = 0;
  let starts = 0;
  return {
    started: () => starts,
    start: () => {
      starts += 1;
      let dead = false;
      return Promise.resolve({
        label: 'fake',
        describe: () => Promise.resolve({}),
        gradients: () => {
          if (dead) return Promise.reject(new IutError('E_IUT_CRASH', 'implementation "fake" exited with code 3'));
          if (crashes(requests++)) {
            dead = true;
            return Promise.reject(new IutError('E_IUT_CRASH', 'implementation "fake" exited with code 3 while gradients request 1 was in flight'));
          }
          return Promise.resolve({ loss: 0 });
        },
        close: () => Promise.resolve(),
      });
    },
  };
}

const ask = (iut: Iut): Promise<unknown> => iut.gradients({ layers: [] }, { inputs: [], targets: [] });

describe('RestartingIut', () => {
  it('restarts after a crash: the crashing request is the implementation failing (E_IUT_ERROR), the next one is answered', async () => {
    const f = fake((n) => n === 1);
    const iut = new RestartingIut(f.start, 'fake', 5);
    await expect(ask(iut)).resolves.toEqual({ loss: 0 });
    await expect(ask(iut)).rejects.toMatchObject({ code: 'E_IUT_ERROR', message: expect.stringContaining('crashed on this request and was restarted (crash 1 of at most 5)') });
    await expect(ask(iut)).resolves.toEqual({ loss: 0 });
    expect(iut.crashCount).toBe(1);
  });

  it('a command that crashes on every request and never answered one stops being restarted after a few crashes', async () => {
    const f = fake(() => true);
    const iut = new RestartingIut(f.start, 'fake', 100);
    const codes: string[] = [];
    for (let k = 0; k < 50; k++) codes.push(await ask(iut).then(() => 'answer', (e: IutError) => e.code));
    expect(codes.slice(0, NEVER_ANSWERED_CRASHES - 1).every((c) => c === 'E_IUT_ERROR')).toBe(true);
    expect(codes[NEVER_ANSWERED_CRASHES - 1]).toBe('E_IUT_CRASH');
    expect(f.started()).toBe(NEVER_ANSWERED_CRASHES);
    await expect(ask(iut)).rejects.toMatchObject({ code: 'E_IUT_CRASH', message: expect.stringContaining(`it crashed on every request so far and never answered one (${NEVER_ANSWERED_CRASHES} crashes): no more restarts`) });
  });

  it('once it has answered, only --max-crashes limits the restarts', async () => {
    const f = fake((n) => n > 0);
    const iut = new RestartingIut(f.start, 'fake', 30);
    await ask(iut);
    const codes: string[] = [];
    for (let k = 0; k < 31; k++) codes.push(await ask(iut).then(() => 'answer', (e: IutError) => e.code));
    expect(codes.filter((c) => c === 'E_IUT_ERROR')).toHaveLength(30);
    expect(codes[30]).toBe('E_IUT_CRASH');
  });
});

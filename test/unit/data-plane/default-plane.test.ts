// Where the lab's data plane runs, from FIREDRILL_DATA_PLANE and whether the thread's bundle is there.
import { describe, expect, it } from 'vitest';
import { dataPlaneChoice } from '../../../electron/engine/data-plane/index';

const present = (): boolean => true;
const missing = (): boolean => false;

describe('dataPlaneChoice', () => {
  it('runs the data plane on its own thread by default, with nothing to say', () => {
    expect(dataPlaneChoice({}, present)).toEqual({ where: 'thread', why: null });
    expect(dataPlaneChoice({ FIREDRILL_DATA_PLANE: 'thread' }, present)).toEqual({ where: 'thread', why: null });
    expect(dataPlaneChoice({ FIREDRILL_DATA_PLANE: '' }, present)).toEqual({ where: 'thread', why: null });
  });

  it('keeps it on the engine\'s thread when asked, bundle or not', () => {
    expect(dataPlaneChoice({ FIREDRILL_DATA_PLANE: 'in-process' }, present)).toEqual({ where: 'in-process', why: null });
    expect(dataPlaneChoice({ FIREDRILL_DATA_PLANE: 'in-process' }, missing)).toEqual({ where: 'in-process', why: null });
  });

  it('a missing bundle runs it in-process and says which file and how to build it', () => {
    const choice = dataPlaneChoice({}, missing);
    expect(choice.where).toBe('in-process');
    expect(choice.why).toMatch(/out\/data-plane\/index\.js is missing \(run: node scripts\/build\.mjs\)/);
  });

  it('an unknown value is named in the warning, and the default holds', () => {
    const choice = dataPlaneChoice({ FIREDRILL_DATA_PLANE: 'threads' }, present);
    expect(choice.where).toBe('thread');
    expect(choice.why).toMatch(/FIREDRILL_DATA_PLANE=threads is neither "thread" nor "in-process"/);
  });
});

import { describe, expect, it } from 'vitest';
import type { Handlers } from '../api/dispatch';
import { Activity, markingActivity } from './activity';

describe('Activity', () => {
  it('is idle at once when nothing was done, and quietMs after the last interactive call', async () => {
    const user = new Activity(80);
    let start = performance.now();
    await user.idle();
    expect(performance.now() - start).toBeLessThan(20);
    user.touch();
    start = performance.now();
    setTimeout(() => user.touch(), 40); // still active: the wait runs on from here
    await user.idle();
    expect(performance.now() - start).toBeGreaterThanOrEqual(115);
  });

  it('stops waiting when the signal aborts', async () => {
    const user = new Activity(10_000);
    user.touch();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const start = performance.now();
    await user.idle(controller.signal);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('is marked by scrolling and painting calls, not by others', async () => {
    const user = new Activity(10_000);
    const answer = async () => 'answered';
    const handlers = markingActivity(user, { readSlice: answer, listClasses: answer } as unknown as Handlers);
    const timed = async (): Promise<number> => {
      const start = performance.now();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await user.idle(controller.signal);
      return performance.now() - start;
    };
    await (handlers.listClasses as unknown as () => Promise<string>)();
    expect(await timed()).toBeLessThan(20);
    expect(await (handlers.readSlice as unknown as () => Promise<string>)()).toBe('answered');
    expect(await timed()).toBeGreaterThanOrEqual(45);
  });
});

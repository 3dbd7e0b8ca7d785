// On a fake clock (setTimeout and performance.now), so what is checked is the order of events, the
// moment each wait ends relative to the last interactive call, not how fast a busy machine runs
// timers. How long a real wait takes is for the benchmarks.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Handlers } from '../api/dispatch';
import { Activity, markingActivity } from './activity';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts `user.idle(signal)` and reports whether it has resolved yet. */
function waiting(user: Activity, signal?: AbortSignal): { resolved: () => boolean } {
  let resolved = false;
  void user.idle(signal).then(() => (resolved = true));
  return { resolved: () => resolved };
}

/** Moves the fake clock on by `ms` and lets the promises that settle meanwhile run. */
const advance = (ms: number): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);

describe('Activity', () => {
  it('is idle at once when nothing was done, and quietMs after the last interactive call', async () => {
    const user = new Activity(80);
    const first = waiting(user);
    await advance(0); // no time passes
    expect(first.resolved()).toBe(true);

    user.touch(); // t = 0
    const second = waiting(user);
    await advance(40);
    user.touch(); // t = 40: still active, the wait runs on from here
    await advance(79); // t = 119
    expect(second.resolved()).toBe(false);
    await advance(1); // t = 120 = 40 + quietMs
    expect(second.resolved()).toBe(true);
  });

  it('stops waiting when the signal aborts, without the clock moving on', async () => {
    const user = new Activity(10_000);
    user.touch();
    const controller = new AbortController();
    const wait = waiting(user, controller.signal);
    await advance(30);
    expect(wait.resolved()).toBe(false);
    controller.abort();
    await advance(0);
    expect(wait.resolved()).toBe(true);
    // an already aborted signal does not wait either
    const again = waiting(user, controller.signal);
    await advance(0);
    expect(again.resolved()).toBe(true);
  });

  it('is marked by scrolling and painting calls, not by others', async () => {
    const user = new Activity(10_000);
    const answer = async () => 'answered';
    const handlers = markingActivity(user, { readSlice: answer, listClasses: answer } as unknown as Handlers);
    await (handlers.listClasses as unknown as () => Promise<string>)();
    const afterOther = waiting(user);
    await advance(0);
    expect(afterOther.resolved()).toBe(true);

    expect(await (handlers.readSlice as unknown as () => Promise<string>)()).toBe('answered');
    const afterScroll = waiting(user);
    await advance(9_999);
    expect(afterScroll.resolved()).toBe(false);
    await advance(1);
    expect(afterScroll.resolved()).toBe(true);
  });
});

import { useEffect, useState } from 'react';

/**
 * `value` once a frame has been drawn since it changed (the view renders on the next animation
 * frame): lets tests, and nothing else, wait for the picture of a state rather than the state.
 */
export function useFramed<T>(value: T): T | null {
  const [framed, setFramed] = useState<T | null>(null);
  useEffect(() => {
    let second = 0;
    const first = requestAnimationFrame(() => (second = requestAnimationFrame(() => setFramed(() => value))));
    return () => {
      cancelAnimationFrame(first);
      cancelAnimationFrame(second);
    };
  }, [value]);
  return framed;
}

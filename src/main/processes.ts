// Whether a process of this host is still running: how a lock or a temporary output left behind
// tells a crashed owner from a live one.

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: checks, sends nothing
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

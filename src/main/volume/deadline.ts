// A file system that stops answering (a network share gone away, a hung FUSE mount, a disk that
// does not spin up) holds each call to it, and one of Node's four I/O threads with it, until it
// answers; a few such calls would stall every file in the app. Calls made through a
// FileSystemDeadline are grouped by the mount their path is on: each mount runs a few at a time
// (the rest wait their turn), a call that outlives its deadline is reported to its caller, and
// while one is overdue its mount takes no new calls. A dead share thus holds at most `perMount`
// threads and says so, and files elsewhere are read as usual.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TomosegError } from '../../shared/errors';

export interface DeadlineOptions {
  /** How long a call may take, its wait for a turn included, before its caller is told. */
  ms?: number;
  /** Calls running at once on one mount. */
  perMount?: number;
  /** The mount a path is on; by default from the system's mount table. */
  mountOf?: (path: string) => string;
}

interface Mount {
  running: number;
  overdue: number;
  waiting: Turn[];
}

interface Turn {
  begin(): void;
  /** Ends a call that waits its turn behind `overdue` calls that have not answered. */
  refuse(overdue: number): void;
}

export class FileSystemDeadline {
  private readonly mounts = new Map<string, Mount>();
  private readonly ms: number;
  private readonly perMount: number;
  private readonly mountOf: (path: string) => string;

  constructor(options: DeadlineOptions = {}) {
    this.ms = options.ms ?? 30_000;
    this.perMount = options.perMount ?? 2;
    this.mountOf = options.mountOf ?? systemMountOf;
  }

  /**
   * Runs `call` on `path` in its mount's turn. Past the deadline the caller gets a `timeout`
   * error; a call that finishes after all hands what it made to `late` (to close a file nobody
   * waits for any more).
   */
  run<T>(path: string, call: () => Promise<T>, late?: (value: T) => unknown): Promise<T> {
    const where = this.mountOf(path);
    let mount = this.mounts.get(where);
    if (!mount) this.mounts.set(where, (mount = { running: 0, overdue: 0, waiting: [] }));
    if (mount.overdue > 0) return Promise.reject(notTried(path, where, mount.overdue));
    const m = mount;
    return new Promise<T>((resolve, reject) => {
      let state: 'waiting' | 'running' | 'overdue' = 'waiting';
      const turn: Turn = {
        begin: () => {
          state = 'running';
          m.running++;
          const settle = (tell: () => void, value?: T): void => {
            m.running--;
            if (state === 'overdue') {
              m.overdue--;
              if (value !== undefined) void Promise.resolve(late?.(value)).catch(() => undefined);
            } else {
              clearTimeout(timer);
              tell();
            }
            this.next(m);
          };
          let result: Promise<T>;
          try {
            result = call();
          } catch (error) {
            result = Promise.reject(error as Error);
          }
          result.then(
            (value) => settle(() => resolve(value), value),
            (error: unknown) => settle(() => reject(error)),
          );
        },
        refuse: (overdue) => {
          clearTimeout(timer);
          reject(notTried(path, where, overdue));
        },
      };
      const timer = setTimeout(() => {
        if (state === 'waiting') m.waiting.splice(m.waiting.indexOf(turn), 1);
        else {
          state = 'overdue';
          m.overdue++;
          // those waiting their turn would wait behind it: told at once
          for (const next of m.waiting.splice(0)) next.refuse(m.overdue);
        }
        reject(noAnswer(path, this.ms));
      }, this.ms);
      m.waiting.push(turn);
      this.next(m);
    });
  }

  private next(mount: Mount): void {
    while (mount.running < this.perMount && mount.waiting.length > 0) mount.waiting.shift()!.begin();
  }
}

const noAnswer = (path: string, ms: number): TomosegError =>
  new TomosegError(
    'timeout',
    `${path}: the file system did not answer within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`} (a slow or unreachable network share?); try again when it answers`,
  );

const notTried = (path: string, mount: string, overdue: number): TomosegError =>
  new TomosegError(
    'timeout',
    `${path}: not tried: ${overdue === 1 ? 'a call' : `${overdue} calls`} to ${mount} still wait${overdue === 1 ? 's' : ''} for an answer (a slow or unreachable network share?); try again when it answers`,
  );

/** The mount point `path` is on, from Linux's mount table (read each time: shares come and go); elsewhere one for all. */
function systemMountOf(path: string): string {
  let table: string;
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return 'the file system';
  }
  const absolute = resolve(path);
  let best = '/';
  for (const line of table.split('\n')) {
    // mountinfo: id parent major:minor root MOUNT-POINT options ...; spaces in names are \040
    const point = line
      .split(' ')[4]
      ?.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    if (point && point.length > best.length && (absolute === point || absolute.startsWith(`${point}/`))) best = point;
  }
  return best;
}

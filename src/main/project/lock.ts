// One writer per project: a lock row (pid, host, heartbeat) in the project itself, so it works on
// network shares where OS locks do not. A holder that crashed stops its heartbeat (or, on this host,
// its pid is gone), so its lock is taken over. A file copied while locked carries a frozen
// heartbeat: it is free again after STALE_MS.
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { processExists } from '../processes';

export const HEARTBEAT_MS = 5_000;
/** A lock not refreshed for this long belongs to a dead or frozen process. */
export const STALE_MS = 30_000;

export interface LockHolder {
  pid: number;
  hostname: string;
  token: string;
  heartbeat: number;
}

export class ProjectLock {
  readonly me: LockHolder;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database.Database) {
    this.me = { pid: process.pid, hostname: hostname(), token: randomUUID(), heartbeat: 0 };
  }

  /** Takes the lock unless a live holder has it; returns that holder when it does. */
  acquire(now = Date.now()): LockHolder | undefined {
    return this.db
      .transaction(() => {
        const holder = this.db.prepare('SELECT pid, hostname, token, heartbeat FROM lock WHERE id = 1').get() as
          LockHolder | undefined;
        if (holder && isLive(holder, this.me, now)) return holder;
        this.db
          .prepare(
            'INSERT OR REPLACE INTO lock (id, pid, hostname, token, heartbeat) VALUES (1, @pid, @hostname, @token, @heartbeat)',
          )
          .run({ ...this.me, heartbeat: now });
        this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
        this.timer.unref();
        return undefined;
      })
      .immediate();
  }

  /** Who holds the lock now (not this process where another took it over while this one was frozen). */
  holder(): LockHolder | undefined {
    return this.db.prepare('SELECT pid, hostname, token, heartbeat FROM lock WHERE id = 1').get() as
      LockHolder | undefined;
  }

  /** Stops the heartbeat of a lock that is no longer this process's. */
  abandon(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private beat(): void {
    try {
      this.db.prepare('UPDATE lock SET heartbeat = ? WHERE id = 1 AND token = ?').run(Date.now(), this.me.token);
    } catch {
      // A busy or closing database misses one beat; the next one, or the close, settles it.
    }
  }

  release(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.db.prepare('DELETE FROM lock WHERE id = 1 AND token = ?').run(this.me.token);
  }
}

function isLive(holder: LockHolder, me: LockHolder, now: number): boolean {
  if (now - holder.heartbeat > STALE_MS) return false;
  if (holder.hostname === me.hostname && !processExists(holder.pid)) return false;
  return true;
}

// One `.tomoseg` project file: a SQLite database in WAL mode, so every committed write (a stroke's
// label blocks, a model) survives a crash. Opening checks before it writes anything: a damaged,
// foreign or newer file is refused unchanged; an older one is backed up, then migrated. Its rows
// are read and written through ProjectTables (tables.ts).
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TomosegError } from '../../shared/errors';
import { backupName, damaged, inspect, lockedNotice, unwritableReason, writeProblem } from './file-checks';
import { ProjectLock, STALE_MS } from './lock';
import { MIGRATIONS, type Migration, migrate } from './migrations';
import { resolveStoredPath, storedRelativePath } from './paths';
import { ProjectTables } from './tables';

export const PROJECT_EXTENSION = '.tomoseg';

export interface OpenProjectOptions {
  /** Open without writing, whatever the lock says. */
  readOnly?: boolean;
  /** The schema steps; tests pass a longer list to play a newer version of the app. */
  migrations?: readonly Migration[];
}

export interface CopyOptions {
  volumePaths?: Map<string, string>;
  /** Where result files will be (absolute), by result id; others keep pointing where they are. */
  resultPaths?: Map<string, string>;
  /** Where the copy will end up when it is written elsewhere first (a bundle built in a temp folder). */
  finalPath?: string;
  history?: { action: string; detail: Record<string, unknown> };
}

/** An open project: its rows (ProjectTables), and opening, copying and closing the one file. */
export class ProjectFile extends ProjectTables {
  private lock: ProjectLock | undefined;

  private constructor(
    path: string,
    db: Database.Database,
    readOnlyReason: string | undefined,
    /** Set when opening upgraded an older project; `backup` is the untouched original. */
    readonly migrated: { fromVersion: number; backup: string } | undefined,
  ) {
    super(path, db, readOnlyReason);
  }

  /** Creates a new project, and its folder when missing; refuses to replace an existing file. */
  static async create(path: string, name: string, options: OpenProjectOptions = {}): Promise<ProjectFile> {
    const target = resolve(path);
    if (existsSync(target))
      throw new TomosegError('conflict', `${path} already exists; choose another name or open it`);
    const temporary = `${target}.creating-${process.pid}`;
    try {
      mkdirSync(dirname(target), { recursive: true });
      const db = new Database(temporary);
      try {
        migrate(db, 0, options.migrations);
        const now = new Date().toISOString();
        const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        setMeta.run('name', name);
        setMeta.run('created_at', now);
        db.prepare('INSERT INTO history (at, action, detail) VALUES (?, ?, ?)').run(
          now,
          'created',
          JSON.stringify({ name }),
        );
      } finally {
        db.close();
      }
      renameSync(temporary, target);
    } catch (error) {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // nothing was written where the folder could not be made
      }
      throw writeProblem(path, error);
    }
    return ProjectFile.open(target, options);
  }

  static async open(path: string, options: OpenProjectOptions = {}): Promise<ProjectFile> {
    const target = resolve(path);
    const migrations = options.migrations ?? MIGRATIONS;
    const version = inspect(target, path, migrations.length);

    let reason = options.readOnly ? 'opened read-only on request' : unwritableReason(target);
    let db: Database.Database | undefined;
    let lock: ProjectLock | undefined;
    if (!reason) {
      db = new Database(target, { fileMustExist: true });
      try {
        db.pragma('journal_mode = WAL');
        // FULL: a committed stroke is on disk before we go on, even if the machine loses power.
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        lock = new ProjectLock(db);
        const holder = lock.acquire();
        if (holder) {
          db.close();
          db = undefined;
          lock = undefined;
          reason = lockedNotice(holder);
        }
      } catch (error) {
        db?.close();
        throw damaged(path, error);
      }
    }

    let migrated: ProjectFile['migrated'];
    if (version < migrations.length) {
      if (!db) {
        throw new TomosegError(
          'unsupported',
          `${path} was saved by an older Tomoseg (project schema v${version}) and must be upgraded, but it cannot be written here (${reason}). Copy it somewhere writable and open the copy; the file was left unchanged.`,
        );
      }
      const backup = backupName(target, version);
      try {
        await db.backup(backup);
        migrate(db, version, migrations);
      } catch (error) {
        lock?.release();
        db.close();
        throw new TomosegError(
          'internal',
          `could not upgrade ${path} from schema v${version}: ${(error as Error).message}. The original is kept as ${backup}`,
        );
      }
      migrated = { fromVersion: version, backup };
    }

    db ??= new Database(target, { readonly: true, fileMustExist: true });
    const project = new ProjectFile(target, db, reason, migrated);
    project.lock = lock;
    return project;
  }

  // ---- Saving ----

  /** Folds the write-ahead log into the file, so the one file is complete (e.g. before copying it). */
  checkpoint(): void {
    if (!this.readOnly) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * Writes a consistent copy to `dest` (temp file, then rename; never half a file), unlocked, with
   * volume and result paths re-based on where the copy will live (`finalPath`, default `dest`).
   * `volumePaths` gives where volumes are now (absolute); others keep where their relative path pointed.
   */
  async copyTo(dest: string, options: CopyOptions = {}): Promise<void> {
    const target = resolve(dest);
    const final = resolve(options.finalPath ?? dest);
    const volumePaths = options.volumePaths ?? new Map<string, string>();
    const history = options.history;
    const temporary = `${target}.partial-${randomUUID().slice(0, 8)}`;
    try {
      await this.db.backup(temporary);
      const copy = new Database(temporary);
      try {
        const rebase = copy.prepare('UPDATE volumes SET relative_path = ?, absolute_path = ? WHERE id = ?');
        const rebaseResult = copy.prepare('UPDATE results SET relative_path = ? WHERE id = ?');
        copy.transaction(() => {
          for (const volume of this.volumes()) {
            const now = volumePaths.get(volume.id) ?? resolveStoredPath(this.path, volume.relativePath);
            rebase.run(storedRelativePath(final, now), now, volume.id);
          }
          for (const result of this.results()) {
            const file = options.resultPaths?.get(result.id) ?? this.resultPath(result);
            if (file) rebaseResult.run(storedRelativePath(final, file), result.id);
          }
          copy.prepare('DELETE FROM lock').run();
          if (history)
            copy
              .prepare('INSERT INTO history (at, action, detail) VALUES (?, ?, ?)')
              .run(new Date().toISOString(), history.action, JSON.stringify(history.detail));
        })();
        copy.pragma('journal_mode = DELETE');
      } finally {
        copy.close();
      }
      renameSync(temporary, target);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw writeProblem(dest, error);
    }
  }

  /**
   * A process frozen past STALE_MS (SIGSTOP, a suspended laptop) may have lost its lock to another
   * Tomoseg: then it must not write on as if nothing happened. It turns read-only and says why.
   */
  protected override confirmWriter(): void {
    if (!this.lock) return;
    const holder = this.lock.holder();
    if (holder?.token === this.lock.me.token) return;
    this.lock.abandon();
    this.lock = undefined;
    this.readOnlyBecause = `this Tomoseg stopped answering for over ${STALE_MS / 1000} s and ${holder ? lockedNotice(holder) : 'another Tomoseg took the project over'} now`;
    throw new TomosegError(
      'conflict',
      `${this.path} is read-only here from now on (${this.readOnlyBecause}); nothing was written: use Save As to keep your changes`,
    );
  }

  close(): void {
    if (!this.db.open) return;
    if (this.lock) {
      try {
        this.lock.release();
        this.checkpoint();
        // Back to a rollback journal: the closed project is one self-contained file that opens
        // even from a read-only folder. Fails harmlessly while a read-only reader is attached.
        this.db.pragma('journal_mode = DELETE');
      } catch {
        // The WAL stays and is replayed at the next open; nothing is lost.
      }
    }
    this.db.close();
  }
}

// One `.tomoseg` project file: a SQLite database in WAL mode, so every committed write (a stroke's
// label blocks, a model) survives a crash. Opening checks before it writes anything: a damaged,
// foreign or newer file is refused unchanged; an older one is backed up, then migrated.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  openSync,
  readSync,
  closeSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { z } from 'zod';
import { TomosegError, badInput } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import type { LabelStore } from '../labels';
import { type Fingerprint, fingerprintSchema } from './fingerprint';
import { type LockHolder, ProjectLock } from './lock';
import { APPLICATION_ID, MIGRATIONS, type Migration, REQUIRED_TABLES, migrate } from './migrations';
import { resolveStoredPath, storedRelativePath } from './paths';

export const PROJECT_EXTENSION = '.tomoseg';

export interface VolumeRecord {
  id: string;
  name: string;
  /** From the project's folder, '/' separators. */
  relativePath: string;
  absolutePath: string;
  fingerprint: Fingerprint;
  voxelSize: Vec3;
  unit: string;
  /** The label store's version when its labels were last saved. */
  labelsVersion: number;
  addedAt: string;
}

/** A class of a volume's labels: label value `id` (1..255), as the segmentation service names it. */
export interface LabelClass {
  id: number;
  name: string;
  /** #rrggbb */
  colour: string;
}

export interface ModelRecord {
  id: string;
  name: string;
  volumeId: string | null;
  /** Labels version the model was trained on, so the UI can say "labels changed since". */
  labelsVersion: number | null;
  createdAt: string;
  /** The engine's model, exactly as it was given. */
  payload: Uint8Array;
}

export interface ResultRecord {
  id: string;
  name: string;
  kind: string;
  volumeId: string | null;
  modelId: string | null;
  createdAt: string;
  /** A result kept as a file, relative to the project's folder ('/' separators)... */
  relativePath: string | null;
  /** ...or one stored in the project. */
  data: Uint8Array | null;
  meta: Record<string, unknown>;
}

export interface HistoryEntry {
  id: number;
  at: string;
  action: string;
  detail: Record<string, unknown>;
}

export interface OpenProjectOptions {
  /** Open without writing, whatever the lock says. */
  readOnly?: boolean;
  /** The schema steps; tests pass a longer list to play a newer version of the app. */
  migrations?: readonly Migration[];
}

export interface CopyOptions {
  volumePaths?: Map<string, string>;
  /** Where the copy will end up when it is written elsewhere first (a bundle built in a temp folder). */
  finalPath?: string;
  history?: { action: string; detail: Record<string, unknown> };
}

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const jsonObject = z.record(z.string(), z.unknown());

export class ProjectFile {
  private lock: ProjectLock | undefined;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    /** Why the project opened read-only, or undefined when this instance may write. */
    readonly readOnlyReason: string | undefined,
    /** Set when opening upgraded an older project; `backup` is the untouched original. */
    readonly migrated: { fromVersion: number; backup: string } | undefined,
  ) {}

  get readOnly(): boolean {
    return this.readOnlyReason !== undefined;
  }

  /** Creates a new project; refuses to replace an existing file. */
  static async create(path: string, name: string, options: OpenProjectOptions = {}): Promise<ProjectFile> {
    const target = resolve(path);
    if (existsSync(target))
      throw new TomosegError('conflict', `${path} already exists; choose another name or open it`);
    const temporary = `${target}.creating-${process.pid}`;
    try {
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
      rmSync(temporary, { force: true });
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

  // ---- Metadata, classes, history ----

  get name(): string {
    return this.meta('name') ?? '';
  }

  meta(key: string): string | undefined {
    return (
      (this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? undefined
    );
  }

  setMeta(key: string, value: string): void {
    this.write(() => this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value));
  }

  classes(volumeId: string): LabelClass[] {
    return this.db
      .prepare('SELECT id, name, colour FROM classes WHERE volume_id = ? ORDER BY id')
      .all(volumeId) as LabelClass[];
  }

  setClasses(volumeId: string, classes: LabelClass[]): void {
    this.write(() =>
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM classes WHERE volume_id = ?').run(volumeId);
        const insert = this.db.prepare('INSERT INTO classes (volume_id, id, name, colour) VALUES (?, ?, ?, ?)');
        for (const c of classes) insert.run(volumeId, c.id, c.name, c.colour);
      })(),
    );
  }

  addHistory(action: string, detail: Record<string, unknown> = {}): void {
    this.write(() =>
      this.db
        .prepare('INSERT INTO history (at, action, detail) VALUES (?, ?, ?)')
        .run(new Date().toISOString(), action, JSON.stringify(detail)),
    );
  }

  /** The latest `limit` entries, oldest first. */
  history(limit = 100): HistoryEntry[] {
    const rows = this.db
      .prepare('SELECT id, at, action, detail FROM history ORDER BY id DESC LIMIT ?')
      .all(limit) as (Omit<HistoryEntry, 'detail'> & { detail: string })[];
    return rows.reverse().map((r) => ({ ...r, detail: this.parse(jsonObject, r.detail, `history entry ${r.id}`) }));
  }

  // ---- Volumes ----

  volumes(): VolumeRecord[] {
    const rows = this.db.prepare('SELECT * FROM volumes ORDER BY added_at, id').all() as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      name: r.name as string,
      relativePath: r.relative_path as string,
      absolutePath: r.absolute_path as string,
      fingerprint: this.parse(fingerprintSchema, r.fingerprint as string, `volume ${String(r.name)}`) as Fingerprint,
      voxelSize: this.parse(vec3, r.voxel_size as string, `volume ${String(r.name)}`) as Vec3,
      unit: r.unit as string,
      labelsVersion: r.labels_version as number,
      addedAt: r.added_at as string,
    }));
  }

  volume(id: string): VolumeRecord {
    const record = this.volumes().find((v) => v.id === id);
    if (!record) throw new TomosegError('not-found', `project ${this.path} has no volume ${id}`);
    return record;
  }

  /** Adds a volume found at `path`; returns its id. */
  addVolume(path: string, details: { name: string; fingerprint: Fingerprint; voxelSize: Vec3; unit: string }): string {
    const id = randomUUID();
    this.write(() =>
      this.db
        .prepare(
          `INSERT INTO volumes (id, name, relative_path, absolute_path, fingerprint, voxel_size, unit, added_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          details.name,
          storedRelativePath(this.path, path),
          resolve(path),
          JSON.stringify(details.fingerprint),
          JSON.stringify(details.voxelSize),
          details.unit,
          new Date().toISOString(),
        ),
    );
    return id;
  }

  /** Records where a volume is now (after a relink or a move). */
  setVolumePath(id: string, path: string): void {
    this.write(() =>
      this.db
        .prepare('UPDATE volumes SET relative_path = ?, absolute_path = ? WHERE id = ?')
        .run(storedRelativePath(this.path, path), resolve(path), id),
    );
  }

  // ---- Labels ----

  /** Loads a volume's saved label blocks into `store` (made with the volume's recorded shape). */
  loadLabels(volumeId: string, store: LabelStore): void {
    const rows = this.db
      .prepare('SELECT block, data FROM label_blocks WHERE volume_id = ?')
      .raw()
      .iterate(volumeId) as IterableIterator<[number, Buffer]>;
    for (const [block, data] of rows) {
      let bytes: Buffer;
      try {
        bytes = inflateSync(data);
      } catch (error) {
        throw badInput(
          `${this.path}: label block ${block} of volume ${volumeId} is damaged (${(error as Error).message})`,
        );
      }
      store.loadBlock(block, bytes);
    }
  }

  /** Saves the store's changed blocks in one transaction, then marks them clean. */
  saveLabels(volumeId: string, store: LabelStore): number {
    const keys = store.dirtyBlocks();
    if (keys.length === 0) return 0;
    const upsert = this.db.prepare('INSERT OR REPLACE INTO label_blocks (volume_id, block, data) VALUES (?, ?, ?)');
    const remove = this.db.prepare('DELETE FROM label_blocks WHERE volume_id = ? AND block = ?');
    // Compress before the transaction, so the write lock is held only for the writes.
    const blocks = keys
      .map((key) => [key, store.block(key)] as const)
      .map(([key, data]) => [key, data && deflateSync(data)] as const);
    this.write(() =>
      this.db.transaction(() => {
        for (const [key, data] of blocks) {
          if (data) upsert.run(volumeId, key, data);
          else remove.run(volumeId, key);
        }
        this.db.prepare('UPDATE volumes SET labels_version = ? WHERE id = ?').run(store.version, volumeId);
      })(),
    );
    store.markClean(keys);
    return keys.length;
  }

  // ---- Models and results ----

  addModel(model: Omit<ModelRecord, 'id' | 'createdAt'>): ModelRecord {
    const record: ModelRecord = { ...model, id: randomUUID(), createdAt: new Date().toISOString() };
    this.write(() =>
      this.db
        .prepare(
          'INSERT INTO models (id, name, volume_id, labels_version, created_at, payload) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          record.id,
          record.name,
          record.volumeId,
          record.labelsVersion,
          record.createdAt,
          Buffer.from(record.payload),
        ),
    );
    return record;
  }

  /** Models without their payloads, oldest first. */
  models(): Omit<ModelRecord, 'payload'>[] {
    return this.db
      .prepare(
        'SELECT id, name, volume_id AS volumeId, labels_version AS labelsVersion, created_at AS createdAt FROM models ORDER BY created_at, id',
      )
      .all() as Omit<ModelRecord, 'payload'>[];
  }

  model(id: string): ModelRecord {
    const row = this.db
      .prepare(
        'SELECT id, name, volume_id AS volumeId, labels_version AS labelsVersion, created_at AS createdAt, payload FROM models WHERE id = ?',
      )
      .get(id) as (Omit<ModelRecord, 'payload'> & { payload: Buffer }) | undefined;
    if (!row) throw new TomosegError('not-found', `project ${this.path} has no model ${id}`);
    return { ...row, payload: new Uint8Array(row.payload) };
  }

  addResult(result: Omit<ResultRecord, 'id' | 'createdAt'>): ResultRecord {
    if ((result.relativePath === null) === (result.data === null))
      throw badInput(`result "${result.name}" needs either data or a file path, not both`);
    const record: ResultRecord = { ...result, id: randomUUID(), createdAt: new Date().toISOString() };
    this.write(() =>
      this.db
        .prepare(
          'INSERT INTO results (id, name, kind, volume_id, model_id, created_at, relative_path, data, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          record.id,
          record.name,
          record.kind,
          record.volumeId,
          record.modelId,
          record.createdAt,
          record.relativePath,
          record.data && Buffer.from(record.data),
          JSON.stringify(record.meta),
        ),
    );
    return record;
  }

  /** Results without their data, oldest first. */
  results(): Omit<ResultRecord, 'data'>[] {
    const rows = this.db
      .prepare(
        'SELECT id, name, kind, volume_id AS volumeId, model_id AS modelId, created_at AS createdAt, relative_path AS relativePath, meta FROM results ORDER BY created_at, id',
      )
      .all() as (Omit<ResultRecord, 'data' | 'meta'> & { meta: string })[];
    return rows.map((r) => ({ ...r, meta: this.parse(jsonObject, r.meta, `result ${r.name}`) }));
  }

  result(id: string): ResultRecord {
    const summary = this.results().find((r) => r.id === id);
    if (!summary) throw new TomosegError('not-found', `project ${this.path} has no result ${id}`);
    const data = this.db.prepare('SELECT data FROM results WHERE id = ?').pluck().get(id) as Buffer | null;
    return { ...summary, data: data && new Uint8Array(data) };
  }

  /** Absolute path of a result kept as a file. */
  resultPath(result: Pick<ResultRecord, 'relativePath'>): string | null {
    return result.relativePath === null ? null : resolveStoredPath(this.path, result.relativePath);
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
            const file = this.resultPath(result);
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

  private write<T>(work: () => T): T {
    if (this.readOnly)
      throw new TomosegError(
        'conflict',
        `${this.path} is open read-only (${this.readOnlyReason}); use Save As to keep changes`,
      );
    return work();
  }

  private parse<T>(schema: z.ZodType<T>, json: string, what: string): T {
    try {
      return schema.parse(JSON.parse(json));
    } catch (error) {
      throw badInput(`${this.path}: ${what} holds invalid data (${(error as Error).message.slice(0, 200)})`);
    }
  }
}

/**
 * Checks, without writing, that `target` is an intact Tomoseg project this version can read;
 * returns its schema version.
 */
function inspect(target: string, shown: string, known: number): number {
  let size: number;
  try {
    const info = statSync(target);
    if (info.isDirectory()) throw badInput(`${shown} is a folder, not a Tomoseg project file`);
    size = info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new TomosegError('not-found', `project file not found: ${shown}`);
    throw error;
  }
  if (size < 100 || !hasSqliteHeader(target))
    throw badInput(`${shown} is not a Tomoseg project (not a SQLite database)`);

  let probe: Database.Database | undefined;
  try {
    probe = new Database(target, { readonly: true, fileMustExist: true });
    const applicationId = probe.pragma('application_id', { simple: true }) as number;
    const version = probe.pragma('user_version', { simple: true }) as number;
    if (applicationId !== APPLICATION_ID) throw badInput(`${shown} is a SQLite database but not a Tomoseg project`);
    if (version > known)
      throw new TomosegError(
        'unsupported',
        `${shown} was saved by a newer Tomoseg (project schema v${version}; this version reads up to v${known}). Update Tomoseg to open it; the file was left unchanged.`,
      );
    const check = probe.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw badInput(`${shown} is damaged (integrity check: ${check}); the file was left unchanged`);
    if (version === known) {
      const tables = new Set(
        probe.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
      );
      const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
      if (missing.length > 0)
        throw badInput(`${shown} is damaged: it lacks the table(s) ${missing.join(', ')}; the file was left unchanged`);
    }
    return version;
  } catch (error) {
    throw damaged(shown, error);
  } finally {
    probe?.close();
  }
}

function hasSqliteHeader(path: string): boolean {
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return header.toString('latin1') === 'SQLite format 3\0';
}

/** Why this process cannot write the project where it is, or undefined when it can. */
function unwritableReason(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    accessSync(dirname(path), constants.W_OK); // SQLite writes its journal next to the file
    return undefined;
  } catch {
    return 'the file or its folder is read-only';
  }
}

function lockedNotice(holder: LockHolder): string {
  return `another Tomoseg (process ${holder.pid} on ${holder.hostname}) has it open for writing`;
}

function backupName(path: string, version: number): string {
  const base = `${path}.schema-v${version}.bak`;
  return existsSync(base) ? `${path}.schema-v${version}.${Date.now()}.bak` : base;
}

/** SQLite's own errors say a file is damaged; ours pass through. */
function damaged(shown: string, error: unknown): Error {
  if (error instanceof TomosegError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB')
    return badInput(`${shown} is not a Tomoseg project (not a SQLite database); the file was left unchanged`);
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_IOERR'))
    return badInput(`${shown} is damaged (${(error as Error).message}); the file was left unchanged`);
  return error as Error;
}

function writeProblem(path: string, error: unknown): Error {
  if (error instanceof TomosegError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (['EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'].includes(code))
    return new TomosegError('bad-input', `cannot write ${path}: the location is read-only or not allowed (${code})`);
  return error as Error;
}

// What a project file holds, table by table: metadata, classes, history, volumes, label blocks,
// models and results, read and written as records. ProjectFile (project-file.ts) opens, checks,
// copies and closes the file; this is only its rows.
import type Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { z } from 'zod';
import type { SegmentationClass } from '../../shared/api/segmentation';
import { TomosegError, badInput } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import type { LabelStore } from '../labels';
import { type Fingerprint, fingerprintSchema } from './fingerprint';
import { resolveStoredPath, storedRelativePath } from './paths';

export interface VolumeRecord {
  id: string;
  name: string;
  /** From the project's folder, '/' separators. */
  relativePath: string;
  absolutePath: string;
  /** The dataset inside an HDF5 / NeXus file it was read from; null for other formats. */
  dataset: string | null;
  fingerprint: Fingerprint;
  voxelSize: Vec3;
  unit: string;
  /** The label store's version when its labels were last saved. */
  labelsVersion: number;
  addedAt: string;
}

export interface ModelRecord {
  id: string;
  name: string;
  volumeId: string | null;
  /** Labels version the model was trained on, so the UI can say "labels changed since". */
  labelsVersion: number | null;
  createdAt: string;
  /** How it was trained, e.g. `preview` (a quick model for the live overlay). */
  meta: Record<string, unknown>;
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

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const jsonObject = z.record(z.string(), z.unknown());

/** The rows of an open project file; writing is refused while it is open read-only. */
export abstract class ProjectTables {
  protected constructor(
    readonly path: string,
    protected readonly db: Database.Database,
    /** Why the project is read-only here, or undefined while this instance may write. */
    protected readOnlyBecause: string | undefined,
  ) {}

  get readOnlyReason(): string | undefined {
    return this.readOnlyBecause;
  }

  get readOnly(): boolean {
    return this.readOnlyBecause !== undefined;
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

  classes(volumeId: string): SegmentationClass[] {
    return this.db
      .prepare('SELECT id, name, colour FROM classes WHERE volume_id = ? ORDER BY id')
      .all(volumeId) as SegmentationClass[];
  }

  setClasses(volumeId: string, classes: SegmentationClass[]): void {
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
      dataset: (r.dataset as string | null) ?? null,
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
  addVolume(
    path: string,
    details: { name: string; fingerprint: Fingerprint; voxelSize: Vec3; unit: string; dataset?: string | null },
  ): string {
    const id = randomUUID();
    this.write(() =>
      this.db
        .prepare(
          `INSERT INTO volumes (id, name, relative_path, absolute_path, dataset, fingerprint, voxel_size, unit, added_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          details.name,
          storedRelativePath(this.path, path),
          resolve(path),
          details.dataset ?? null,
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

  /**
   * Loads a volume's saved label blocks into `store` (made with the volume's recorded shape).
   * Damaged blocks are left out, the others loaded; returns the damaged ones, each with why.
   */
  loadLabels(volumeId: string, store: LabelStore): { block: number; problem: string }[] {
    const rows = this.db
      .prepare('SELECT block, data, checksum FROM label_blocks WHERE volume_id = ?')
      .raw()
      .iterate(volumeId) as IterableIterator<[number, Buffer, string | null]>;
    const damaged: { block: number; problem: string }[] = [];
    for (const [block, data, checksum] of rows) {
      if (!intact(checksum, volumeId, block, data)) {
        damaged.push({ block, problem: MISMATCH });
        continue;
      }
      try {
        store.loadBlock(block, inflateSync(data));
      } catch (error) {
        damaged.push({ block, problem: (error as Error).message });
      }
    }
    return damaged;
  }

  /** Saves the store's changed blocks in one transaction, then marks them clean. */
  saveLabels(volumeId: string, store: LabelStore): number {
    const keys = store.dirtyBlocks();
    if (keys.length === 0) return 0;
    const upsert = this.db.prepare(
      'INSERT OR REPLACE INTO label_blocks (volume_id, block, data, checksum) VALUES (?, ?, ?, ?)',
    );
    const remove = this.db.prepare('DELETE FROM label_blocks WHERE volume_id = ? AND block = ?');
    // Compress before the transaction, so the write lock is held only for the writes.
    const blocks = keys
      .map((key) => [key, store.block(key)] as const)
      .map(([key, data]) => [key, data && deflateSync(data)] as const);
    this.write(() =>
      this.db.transaction(() => {
        for (const [key, data] of blocks) {
          if (data) upsert.run(volumeId, key, data, rowChecksum(volumeId, key, data));
          else remove.run(volumeId, key);
        }
        this.db.prepare('UPDATE volumes SET labels_version = ? WHERE id = ?').run(store.version, volumeId);
      })(),
    );
    store.markClean(keys);
    return keys.length;
  }

  // ---- Models and results ----

  addModel(model: Omit<ModelRecord, 'id' | 'createdAt' | 'meta'> & { meta?: Record<string, unknown> }): ModelRecord {
    const record: ModelRecord = { meta: {}, ...model, id: randomUUID(), createdAt: new Date().toISOString() };
    this.write(() =>
      this.db
        .prepare(
          'INSERT INTO models (id, name, volume_id, labels_version, created_at, payload, meta, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          record.id,
          record.name,
          record.volumeId,
          record.labelsVersion,
          record.createdAt,
          Buffer.from(record.payload),
          JSON.stringify(record.meta),
          rowChecksum(record.id, record.payload),
        ),
    );
    return record;
  }

  /**
   * Deletes the models of project volume `volumeId` other than `keep` that no result names (they
   * are what earlier saves stored and nothing restores or refers to); returns how many went.
   */
  pruneModels(volumeId: string, keep: string): number {
    return this.write(
      () =>
        this.db
          .prepare(
            'DELETE FROM models WHERE volume_id = ? AND id != ? AND id NOT IN (SELECT model_id FROM results WHERE model_id IS NOT NULL)',
          )
          .run(volumeId, keep).changes,
    );
  }

  /** Models without their payloads, oldest first. */
  models(): Omit<ModelRecord, 'payload'>[] {
    const rows = this.db
      .prepare(
        'SELECT id, name, volume_id AS volumeId, labels_version AS labelsVersion, created_at AS createdAt, meta FROM models ORDER BY created_at, rowid',
      )
      .all() as (Omit<ModelRecord, 'payload' | 'meta'> & { meta: string })[];
    return rows.map((r) => ({ ...r, meta: this.parse(jsonObject, r.meta, `model ${r.name}`) }));
  }

  model(id: string): ModelRecord {
    const summary = this.models().find((m) => m.id === id);
    if (!summary) throw new TomosegError('not-found', `project ${this.path} has no model ${id}`);
    const { payload, checksum } = this.db.prepare('SELECT payload, checksum FROM models WHERE id = ?').get(id) as {
      payload: Buffer;
      checksum: string | null;
    };
    if (!intact(checksum, id, payload))
      throw badInput(`${this.path}: the saved model "${summary.name}" is damaged (${MISMATCH})`);
    return { ...summary, payload: new Uint8Array(payload) };
  }

  addResult(result: Omit<ResultRecord, 'id' | 'createdAt'> & { id?: string }): ResultRecord {
    return this.replaceResults([result], [])[0]!;
  }

  /**
   * Adds `results` and deletes the results `replacing` in one transaction, so the file holds the
   * old set or the new one, never neither. Files of deleted results are the caller's to remove.
   */
  replaceResults(
    results: (Omit<ResultRecord, 'id' | 'createdAt'> & { id?: string })[],
    replacing: string[],
  ): ResultRecord[] {
    for (const result of results)
      if ((result.relativePath === null) === (result.data === null))
        throw badInput(`result "${result.name}" needs either data or a file path, not both`);
    const createdAt = new Date().toISOString();
    const records: ResultRecord[] = results.map((r) => ({ ...r, id: r.id ?? randomUUID(), createdAt }));
    this.write(() =>
      this.db.transaction(() => {
        const insert = this.db.prepare(
          'INSERT INTO results (id, name, kind, volume_id, model_id, created_at, relative_path, data, meta, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        );
        for (const record of records)
          insert.run(
            record.id,
            record.name,
            record.kind,
            record.volumeId,
            record.modelId,
            record.createdAt,
            record.relativePath,
            record.data && Buffer.from(record.data),
            JSON.stringify(record.meta),
            record.data && rowChecksum(record.id, record.data),
          );
        const remove = this.db.prepare('DELETE FROM results WHERE id = ?');
        for (const id of replacing) remove.run(id);
      })(),
    );
    return records;
  }

  /** Results without their data, oldest first. */
  results(): Omit<ResultRecord, 'data'>[] {
    const rows = this.db
      .prepare(
        'SELECT id, name, kind, volume_id AS volumeId, model_id AS modelId, created_at AS createdAt, relative_path AS relativePath, meta FROM results ORDER BY created_at, rowid',
      )
      .all() as (Omit<ResultRecord, 'data' | 'meta'> & { meta: string })[];
    return rows.map((r) => ({ ...r, meta: this.parse(jsonObject, r.meta, `result ${r.name}`) }));
  }

  result(id: string): ResultRecord {
    const summary = this.results().find((r) => r.id === id);
    if (!summary) throw new TomosegError('not-found', `project ${this.path} has no result ${id}`);
    const { data, checksum } = this.db.prepare('SELECT data, checksum FROM results WHERE id = ?').get(id) as {
      data: Buffer | null;
      checksum: string | null;
    };
    if (data && !intact(checksum, id, data))
      throw badInput(`${this.path}: the saved result "${summary.name}" is damaged (${MISMATCH})`);
    return { ...summary, data: data && new Uint8Array(data) };
  }

  /** Absolute path of a result kept as a file. */
  resultPath(result: Pick<ResultRecord, 'relativePath'>): string | null {
    return result.relativePath === null ? null : resolveStoredPath(this.path, result.relativePath);
  }

  /**
   * Runs `work` in one immediate transaction that first confirms this instance may still write
   * (confirmWriter): the check and the writes are atomic against any other process.
   */
  protected write<T>(work: () => T): T {
    if (this.readOnly)
      throw new TomosegError(
        'conflict',
        `${this.path} is open read-only (${this.readOnlyReason}); use Save As to keep changes`,
      );
    return this.db
      .transaction(() => {
        this.confirmWriter();
        return work();
      })
      .immediate();
  }

  /** Throws (and turns read-only) where this instance lost the right to write; see ProjectFile. */
  protected confirmWriter(): void {}

  protected parse<T>(schema: z.ZodType<T>, json: string, what: string): T {
    try {
      return schema.parse(JSON.parse(json));
    } catch (error) {
      throw badInput(`${this.path}: ${what} holds invalid data (${(error as Error).message.slice(0, 200)})`);
    }
  }
}

const MISMATCH = 'its content does not match its checksum';

/** Whether a row still matches the checksum it was stored with (rows stored before checksums: always). */
const intact = (checksum: string | null, ...parts: (string | number | Uint8Array)[]): boolean =>
  checksum === null || checksum === rowChecksum(...parts);

/**
 * SHA-256 of a row's key and content: a flipped bit in either (a label block's index too, which
 * would move its labels) no longer matches. Each part is length-prefixed, so parts cannot shift.
 */
function rowChecksum(...parts: (string | number | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'object' ? part : Buffer.from(String(part));
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}

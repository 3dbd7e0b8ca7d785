import Database from 'better-sqlite3';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume, parseModel, predictRegion, trainModel } from '../engine';
import { BLOCK, LabelStore } from '../labels';
import { makePhantom, paintLabels } from '../phantoms';
import { runHelper } from '../testing/nobody';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { ProjectFile } from './project-file';
import { testStroke } from './strokes.test-helper';

const SHAPE: Vec3 = [8, 64, 64];
const FINGERPRINT = { shape: SHAPE, dtype: 'uint16', sampleHash: 'a'.repeat(64) };
const CHILD = join(import.meta.dirname, 'child.test-helper.ts');

let dir: string;
const open: ProjectFile[] = [];
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tomoseg-project-'));
});
afterEach(() => {
  for (const p of open.splice(0)) p.close();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const track = (p: ProjectFile): ProjectFile => (open.push(p), p);
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const all = (store: LabelStore): Uint8Array => store.read({ start: [0, 0, 0], shape: store.shape });

/** A project with one volume record and `strokes` test strokes saved. */
async function projectWithLabels(
  strokes: number,
  name = 'p.tomoseg',
): Promise<{ path: string; volumeId: string; store: LabelStore; project: ProjectFile }> {
  const path = join(dir, name);
  const project = track(await ProjectFile.create(path, 'test'));
  const volumeId = project.addVolume(join(dir, 'data', 'scan.vol'), {
    name: 'scan',
    fingerprint: FINGERPRINT,
    voxelSize: [1, 0.5, 0.5],
    unit: 'µm',
  });
  const store = new LabelStore(SHAPE);
  for (let k = 0; k < strokes; k++) {
    store.paint(testStroke(k));
    project.saveLabels(volumeId, store);
  }
  return { path, volumeId, store, project };
}

function reload(project: ProjectFile, volumeId: string): LabelStore {
  const store = new LabelStore(SHAPE);
  project.loadLabels(volumeId, store);
  return store;
}

/** Starts a child process on the project and resolves once it printed `lines` lines. */
function child(mode: string, path: string, lines: number): Promise<{ process: ChildProcess; output: string[] }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, path], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  const output: string[] = [];
  let errors = '';
  proc.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  return new Promise((resolve, reject) => {
    let partial = '';
    proc.stdout!.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      output.push(...parts);
      if (output.length >= lines) resolve({ process: proc, output });
    });
    proc.on(
      'exit',
      (code) => (
        partial && output.push(partial),
        output.length >= lines
          ? resolve({ process: proc, output })
          : reject(new Error(`child exited ${code}: ${errors}`))
      ),
    );
  });
}

describe('ProjectFile', () => {
  it('round-trips labels, classes, models, results and history byte for byte', async () => {
    const { path, volumeId, store, project } = await projectWithLabels(40);
    // a real trained model (a few iterations on a small phantom), stored as the engine writes its files
    const phantom = await makePhantom('binary', [12, 24, 24], 2);
    const image = new MemoryVolume(phantom.image, phantom.shape);
    const trained = await trainModel(
      image,
      new MemoryVolume(paintLabels(phantom.truth, phantom.shape, 2), phantom.shape),
      {
        seed: 1,
        iterations: 10,
      },
    );
    const whole = { start: [0, 0, 0] as Vec3, shape: phantom.shape };
    const predicted = await predictRegion(trained, image, whole, { threads: 0 });
    const payload = new TextEncoder().encode(JSON.stringify(trained));
    const data = new Uint8Array(randomBytes(5000));
    project.setClasses(volumeId, [
      { id: 1, name: 'Background', colour: '#0072b2' },
      { id: 2, name: 'Pore', colour: '#e69f00' },
    ]);
    const model = project.addModel({ name: 'm1', volumeId, labelsVersion: store.version, payload });
    const stored = project.addResult({
      name: 'seg',
      kind: 'segmentation',
      volumeId,
      modelId: model.id,
      relativePath: null,
      data,
      meta: { classes: [1, 2] },
    });
    const referenced = project.addResult({
      name: 'mesh',
      kind: 'mesh',
      volumeId,
      modelId: null,
      relativePath: 'meshes/pore.stl',
      data: null,
      meta: {},
    });
    project.close();

    const again = track(await ProjectFile.open(path));
    expect(again.readOnly).toBe(false);
    expect(all(reload(again, volumeId))).toEqual(all(store));
    expect(again.volume(volumeId).labelsVersion).toBe(store.version);
    expect(again.classes(volumeId).map((c) => c.name)).toEqual(['Background', 'Pore']);
    expect(Buffer.from(again.model(model.id).payload).equals(Buffer.from(payload))).toBe(true);
    // the stored model is a valid model again, and predicts what it predicted before it was stored
    const restored = parseModel(JSON.parse(new TextDecoder().decode(again.model(model.id).payload)), 'stored model');
    const repredicted = await predictRegion(restored, image, whole, { threads: 0 });
    expect(repredicted.labels).toEqual(predicted.labels);
    expect(repredicted.probabilities).toEqual(predicted.probabilities);
    expect(new Set(predicted.labels)).toEqual(new Set([1, 2])); // it learned both classes
    expect(again.models()[0]).toMatchObject({ name: 'm1', labelsVersion: store.version });
    expect(Buffer.from(again.result(stored.id).data!).equals(Buffer.from(data))).toBe(true);
    expect(again.result(stored.id).meta).toEqual({ classes: [1, 2] });
    expect(again.resultPath(again.result(referenced.id))).toBe(join(dir, 'meshes', 'pore.stl'));
    expect(again.history().map((h) => h.action)).toEqual(['created']);
    // A cleanly closed project is one self-contained file.
    again.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('keeps every committed stroke when the writing process is killed with SIGKILL mid-save', async () => {
    const { path, volumeId, project } = await projectWithLabels(0);
    project.close();
    const { process: proc, output } = await child('paint', path, 60);
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));
    const acknowledged = Number(output.filter((l) => /^\d+$/.test(l)).at(-1));
    expect(acknowledged).toBeGreaterThanOrEqual(59);

    // The dead writer's lock is taken over; the labels equal the replay of every acknowledged
    // stroke (plus possibly the one in flight, committed before its number was printed).
    const reopened = track(await ProjectFile.open(path));
    expect(reopened.readOnly).toBe(false);
    const saved = all(reload(reopened, volumeId));
    const replay = (n: number): Uint8Array => {
      const s = new LabelStore(SHAPE);
      for (let k = 0; k <= n; k++) s.paint(testStroke(k));
      return all(s);
    };
    const matches = [acknowledged, acknowledged + 1].some((n) => Buffer.from(saved).equals(Buffer.from(replay(n))));
    expect(matches).toBe(true);
  });

  it('opens read-only, with who holds it, while another process writes; writable once it is gone', async () => {
    const { path, project } = await projectWithLabels(1);
    project.close();
    const holder = await child('hold', path, 1);
    const second = track(await ProjectFile.open(path));
    expect(second.readOnly).toBe(true);
    expect(second.readOnlyReason).toMatch(new RegExp(`process ${holder.process.pid}`));
    expect(() => second.setMeta('x', 'y')).toThrow(/read-only/);
    second.close();
    holder.process.kill('SIGKILL');
    await new Promise((r) => holder.process.once('exit', r));
    const third = track(await ProjectFile.open(path));
    expect(third.readOnly).toBe(false);
  });

  it('takes over a lock whose holder stopped its heartbeat, but not a live one on another machine', async () => {
    const { path, project } = await projectWithLabels(1);
    project.close();
    const setLock = (heartbeat: number): void => {
      const raw = new Database(path);
      raw
        .prepare(
          "INSERT OR REPLACE INTO lock (id, pid, hostname, token, heartbeat) VALUES (1, 1, 'other-host', 't', ?)",
        )
        .run(heartbeat);
      raw.close();
    };
    setLock(Date.now());
    const live = track(await ProjectFile.open(path));
    expect(live.readOnlyReason).toMatch(/process 1 on other-host/);
    live.close();
    setLock(Date.now() - 60_000);
    expect(track(await ProjectFile.open(path)).readOnly).toBe(false);
  });

  it('a second opener in the same process gets it read-only too', async () => {
    const { path } = await projectWithLabels(1);
    const second = track(await ProjectFile.open(path));
    expect(second.readOnly).toBe(true);
  });

  it('a writer frozen past the lock timeout that lost its lock turns read-only instead of writing on', async () => {
    const { path, project, volumeId, store } = await projectWithLabels(3);
    project.setMeta('note', 'before');
    // what a second Tomoseg does once this one stopped answering (SIGSTOP) for over 30 s
    const other = new Database(path);
    other
      .prepare("UPDATE lock SET pid = 4242, hostname = 'elsewhere', token = 'theirs', heartbeat = ?")
      .run(Date.now());
    other.close();
    expect(() => project.setMeta('note', 'after')).toThrow(
      expect.objectContaining({
        kind: 'conflict',
        message: expect.stringMatching(
          /read-only here from now on \(this Tomoseg stopped answering for over 30 s and another Tomoseg \(process 4242 on elsewhere\) has it open for writing now\); nothing was written/,
        ) as unknown,
      }),
    );
    expect(project.readOnly).toBe(true);
    store.paint(testStroke(9));
    expect(() => project.saveLabels(volumeId, store)).toThrow(/read-only/);
    expect(project.meta('note')).toBe('before');
    expect(
      (new Database(path, { readonly: true }).prepare('SELECT token FROM lock').get() as { token: string }).token,
    ).toBe('theirs');
  });

  it('refuses a damaged file with a clear error and leaves it unchanged', async () => {
    const { path, project } = await projectWithLabels(30);
    project.close();
    const intact = readFileSync(path);

    truncateSync(path, Math.floor(intact.length / 2));
    const truncated = sha(path);
    await expect(ProjectFile.open(path)).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/damaged/),
    });
    expect(sha(path)).toBe(truncated);

    const scrambled = Buffer.from(intact);
    randomBytes(4096).copy(scrambled, 4096 * 2); // a page in the middle
    writeFileSync(path, scrambled);
    await expect(ProjectFile.open(path)).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/damaged|not a Tomoseg project/),
    });
    expect(readFileSync(path).equals(scrambled)).toBe(true);

    writeFileSync(path, randomBytes(50_000));
    await expect(ProjectFile.open(path)).rejects.toThrow(/not a Tomoseg project/);
  });

  it('names a damaged label block, model or result that SQLite reads as valid, and still reads the rest', async () => {
    const { path, volumeId, store, project } = await projectWithLabels(30);
    const model = project.addModel({
      name: 'm1',
      volumeId,
      labelsVersion: 1,
      payload: new Uint8Array(randomBytes(900)),
    });
    const result = project.addResult({
      name: 'seg',
      kind: 'segmentation',
      volumeId,
      modelId: model.id,
      relativePath: null,
      data: new Uint8Array(randomBytes(700)),
      meta: {},
    });
    project.close();
    // Damage that SQLite's own checks cannot see: values changed inside valid rows. One block's
    // bytes (still valid deflate data: a block stored anew), another block's index (its labels
    // would land elsewhere), a byte of the model and of the result.
    const db = new Database(path);
    const blocks = db
      .prepare('SELECT block FROM label_blocks WHERE volume_id = ? ORDER BY block')
      .pluck()
      .all(volumeId) as number[];
    const [changed, moved] = [blocks[0]!, blocks[1]!];
    const free = Math.max(...blocks) + 1;
    db.prepare('UPDATE label_blocks SET data = ? WHERE volume_id = ? AND block = ?').run(
      deflateSync(new Uint8Array(BLOCK ** 3).fill(1)),
      volumeId,
      changed,
    );
    db.prepare('UPDATE label_blocks SET block = ? WHERE volume_id = ? AND block = ?').run(free, volumeId, moved);
    db.prepare('UPDATE models SET payload = ? WHERE id = ?').run(randomBytes(900), model.id);
    db.prepare('UPDATE results SET data = ? WHERE id = ?').run(randomBytes(700), result.id);
    db.close();

    const again = track(await ProjectFile.open(path));
    const loaded = new LabelStore(SHAPE);
    const damaged = again.loadLabels(volumeId, loaded);
    expect(damaged.map((d) => d.block).sort((a, b) => a - b)).toEqual([changed, free]);
    expect(damaged[0]!.problem).toBe('its content does not match its checksum');
    // every other block as saved; the damaged ones left out
    for (const block of blocks.filter((b) => b !== changed && b !== moved))
      expect(loaded.block(block), `block ${block}`).toEqual(store.block(block));
    expect(loaded.block(changed)).toBeUndefined();
    expect(loaded.block(moved)).toBeUndefined();
    expect(loaded.block(free)).toBeUndefined();
    expect(() => again.model(model.id)).toThrow(
      `${path}: the saved model "m1" is damaged (its content does not match its checksum)`,
    );
    expect(() => again.result(result.id)).toThrow(`${path}: the saved result "seg" is damaged`);
  });

  it('says what is wrong with files that are not projects', async () => {
    await expect(ProjectFile.open(join(dir, 'none.tomoseg'))).rejects.toMatchObject({ kind: 'not-found' });
    await expect(ProjectFile.open(dir)).rejects.toThrow(/folder/);
    const other = join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    await expect(ProjectFile.open(other)).rejects.toThrow(/SQLite database but not a Tomoseg project/);

    const { path, project } = await projectWithLabels(1);
    project.close();
    const raw = new Database(path);
    raw.exec('DROP TABLE results');
    raw.close();
    await expect(ProjectFile.open(path)).rejects.toThrow(/lacks the table\(s\) results/);
  });

  it('refuses a project from a newer version and leaves it unchanged', async () => {
    const { path, project } = await projectWithLabels(3);
    project.close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const before = sha(path);
    await expect(ProjectFile.open(path)).rejects.toMatchObject({
      kind: 'unsupported',
      message: expect.stringMatching(/newer Tomoseg.*left unchanged/),
    });
    expect(sha(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('upgrades an older project after keeping a backup of the original', async () => {
    const { path, volumeId, store, project } = await projectWithLabels(10);
    project.close();
    // Play a newer app whose schema adds one step.
    const newer = [
      ...MIGRATIONS,
      (db: Database.Database) => db.exec("ALTER TABLE volumes ADD COLUMN note TEXT NOT NULL DEFAULT ''"),
    ];
    const upgraded = track(await ProjectFile.open(path, { migrations: newer }));
    expect(upgraded.migrated).toEqual({ fromVersion: SCHEMA_VERSION, backup: `${path}.schema-v${SCHEMA_VERSION}.bak` });
    expect(all(reload(upgraded, volumeId))).toEqual(all(store));
    upgraded.close();

    // The backup is the old version, still readable by this (older) app; the upgraded file is not.
    const backup = track(await ProjectFile.open(`${path}.schema-v${SCHEMA_VERSION}.bak`));
    expect(all(reload(backup, volumeId))).toEqual(all(store));
    await expect(ProjectFile.open(path)).rejects.toMatchObject({ kind: 'unsupported' });
  });

  // Looked at from another process, which is nobody where the tests run as root (root ignores permissions).
  it('opens a project in a read-only location read-only, and never writes there', async () => {
    const { path, project } = await projectWithLabels(2);
    project.close();
    const before = sha(path);
    chmodSync(path, 0o444);
    chmodSync(dir, 0o555);
    try {
      const result = JSON.parse(await runHelper(CHILD, ['open', path])) as {
        readOnly: boolean;
        reason: string | null;
        writeError: string | null;
      };
      expect(result.readOnly).toBe(true);
      expect(result.reason).toMatch(/read-only/);
      expect(result.writeError).toMatch(/Save As/);
      expect(sha(path)).toBe(before);
    } finally {
      chmodSync(dir, 0o755);
      chmodSync(path, 0o644);
    }
  });

  it('writes a copy atomically with paths re-based on its folder', async () => {
    const { project, volumeId, store } = await projectWithLabels(5);
    const copyPath = join(dir, 'elsewhere', 'copy.tomoseg');
    await expect(project.copyTo(copyPath)).rejects.toThrow(); // folder missing: nothing half-written
    expect(existsSync(copyPath)).toBe(false);
    const nested = join(dir, 'sub');
    mkdirSync(nested);
    await project.copyTo(join(nested, 'copy.tomoseg'), { history: { action: 'saved as', detail: {} } });
    const copy = track(await ProjectFile.open(join(nested, 'copy.tomoseg')));
    expect(copy.readOnly).toBe(false); // the original's lock is not copied
    expect(copy.volume(volumeId).relativePath).toBe('../data/scan.vol');
    expect(all(reload(copy, volumeId))).toEqual(all(store));
    expect(copy.history().map((h) => h.action)).toEqual(['created', 'saved as']);
  });
});

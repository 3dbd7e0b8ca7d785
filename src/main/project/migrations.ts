// The project schema, as the list of steps that build it: MIGRATIONS[i] takes a project from
// schema version i to i + 1 (SQLite's user_version). Add a step, never edit a shipped one.
import type Database from 'better-sqlite3';

/** Marks a SQLite file as a Tomoseg project (PRAGMA application_id): "Tomo". */
export const APPLICATION_ID = 0x546f6d6f;

export type Migration = (db: Database.Database) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 0 → 1: the first schema.
  (db) =>
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE volumes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        relative_path TEXT NOT NULL,       -- from the project's folder, '/' separators
        absolute_path TEXT NOT NULL,       -- as written on the machine that added it
        fingerprint TEXT NOT NULL,         -- JSON: shape, dtype, sampleHash
        voxel_size TEXT NOT NULL,          -- JSON [z, y, x]
        unit TEXT NOT NULL,
        labels_version INTEGER NOT NULL DEFAULT 0,
        added_at TEXT NOT NULL
      );
      CREATE TABLE classes (
        volume_id TEXT NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
        id INTEGER NOT NULL CHECK (id BETWEEN 1 AND 255), -- the label value
        name TEXT NOT NULL,
        colour TEXT NOT NULL,              -- #rrggbb
        PRIMARY KEY (volume_id, id)
      ) WITHOUT ROWID;
      CREATE TABLE label_blocks (
        volume_id TEXT NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
        block INTEGER NOT NULL,            -- LabelStore block key
        data BLOB NOT NULL,                -- zlib deflate of the block's bytes
        PRIMARY KEY (volume_id, block)
      ) WITHOUT ROWID;
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        volume_id TEXT REFERENCES volumes(id) ON DELETE SET NULL,
        labels_version INTEGER,            -- labels the model was trained on
        created_at TEXT NOT NULL,
        payload BLOB NOT NULL              -- the engine's model, stored as given
      );
      CREATE TABLE results (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,                -- e.g. segmentation, mesh
        volume_id TEXT REFERENCES volumes(id) ON DELETE SET NULL,
        model_id TEXT REFERENCES models(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        relative_path TEXT,                -- a result kept as a file next to the project
        data BLOB,                         -- or stored here
        meta TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}');
      CREATE TABLE lock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER NOT NULL, hostname TEXT NOT NULL, token TEXT NOT NULL,
        heartbeat INTEGER NOT NULL         -- ms since the epoch, refreshed while held
      );
    `),
  // 1 → 2: the dataset inside an HDF5 file a volume was read from (NULL for other formats), and
  // what a model needs besides its payload to be restored as it was (preview or full).
  (db) =>
    db.exec(`
      ALTER TABLE volumes ADD COLUMN dataset TEXT;
      ALTER TABLE models ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
    `),
  // 2 → 3: a SHA-256 of each label block, model and stored result (with its key), checked when it
  // is read: a flipped bit that SQLite's own checks miss names what is damaged, and the rest is
  // still read. NULL in rows written before (not checked).
  (db) =>
    db.exec(`
      ALTER TABLE label_blocks ADD COLUMN checksum TEXT;
      ALTER TABLE models ADD COLUMN checksum TEXT;
      ALTER TABLE results ADD COLUMN checksum TEXT;
    `),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Tables every project of the current schema has. */
export const REQUIRED_TABLES = ['meta', 'volumes', 'classes', 'label_blocks', 'models', 'results', 'history', 'lock'];

/** Runs the steps from `from` to the end, in one transaction, and records the new version. */
export function migrate(db: Database.Database, from: number, migrations: readonly Migration[] = MIGRATIONS): void {
  db.transaction(() => {
    for (let version = from; version < migrations.length; version++) migrations[version]!(db);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}

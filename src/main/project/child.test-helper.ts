// A second process for the project tests: `node --import tsx child.test-helper.ts <mode> <project>`.
//   paint: paints stroke after stroke, saving each, printing its number once committed (killed by the test)
//   hold:  opens the project for writing and waits (holds the lock)
//   open:  opens it, tries one write, prints {readOnly, reason, writeError} as JSON
// Started by runHelper (testing/nobody.ts) as root, it becomes nobody before it opens the project.
import Database from 'better-sqlite3';
import { LabelStore } from '../labels';
import { becomeNobodyIfAsked } from '../testing/nobody';
import { ProjectFile } from './project-file';
import { testStroke } from './strokes.test-helper';

const [mode, path] = process.argv.slice(2) as [string, string];
// SQLite's native module loads on first use: load it while the checkout is surely readable.
new Database(':memory:').close();
becomeNobodyIfAsked();
const project = await ProjectFile.open(path);

if (mode === 'paint') {
  const volume = project.volumes()[0]!;
  const store = new LabelStore(volume.fingerprint.shape as [number, number, number]);
  project.loadLabels(volume.id, store);
  for (let k = 0; ; k++) {
    store.paint(testStroke(k));
    project.saveLabels(volume.id, store);
    process.stdout.write(`${k}\n`);
  }
} else if (mode === 'hold') {
  process.stdout.write('locked\n');
  setInterval(() => undefined, 1000);
} else if (mode === 'open') {
  let writeError: string | null = null;
  try {
    project.setMeta('touched', 'yes');
  } catch (error) {
    writeError = (error as Error).message;
  }
  process.stdout.write(
    JSON.stringify({ readOnly: project.readOnly, reason: project.readOnlyReason ?? null, writeError }),
  );
  project.close();
}

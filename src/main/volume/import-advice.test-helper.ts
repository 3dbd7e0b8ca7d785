// A second process for import.test.ts: `node --import tsx import-advice.test-helper.ts <volume> <fallbackDir>`
// opens the volume, then (as root, asked by runHelper) becomes nobody, and prints importAdvice's answer as JSON.
import { becomeNobodyIfAsked } from '../testing/nobody';
import { importAdvice } from './import-advice';
import { openVolume } from './open';

const [path, fallbackDir] = process.argv.slice(2) as [string, string];
const volume = await openVolume(path);
becomeNobodyIfAsked();
process.stdout.write(JSON.stringify(await importAdvice(volume, { fallbackDir })));
await volume.close();

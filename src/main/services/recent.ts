import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A short most-recent-first list of paths kept in a JSON file; a broken file reads as empty. */
export class RecentList {
  constructor(
    private readonly file: string,
    private readonly limit = 10,
  ) {}

  async list(): Promise<string[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : [];
    } catch {
      return [];
    }
  }

  async add(path: string): Promise<void> {
    const next = [path, ...(await this.list()).filter((p) => p !== path)].slice(0, this.limit);
    await mkdir(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    await writeFile(temporary, JSON.stringify(next, null, 2));
    await rename(temporary, this.file);
  }
}

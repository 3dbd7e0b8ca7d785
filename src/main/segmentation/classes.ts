// The classes a volume is segmented into: a label value (1..255), a name and a colour each.
// Label value 0 is "unlabelled" and never a class.
import type { SegmentationClass } from '../../shared/api/segmentation';
import { TomosegError, badInput } from '../../shared/errors';

/** Distinct, colour-blind-friendly colours (Okabe-Ito, then Tableau), reused in turn beyond them. */
const PALETTE = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#56b4e9',
  '#d55e00',
  '#f0e442',
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#af7aa1',
  '#ff9da7',
];

export class ClassList {
  private readonly classes = new Map<number, SegmentationClass>();

  /** Starts with "Background" (1) and "Material 1" (2). */
  constructor(initial: readonly SegmentationClass[] = []) {
    if (initial.length === 0) {
      this.define('Background');
      this.define('Material 1');
    } else for (const c of initial) this.classes.set(c.id, { ...c });
  }

  /**
   * Class names by label value, given the labelled voxels per value (`counts`); refuses labels a
   * model could not learn from: fewer than two classes, a class without labels, labels of no class.
   */
  trainable(counts: readonly number[]): Map<number, string> {
    const classes = this.list();
    if (classes.length < 2)
      throw badInput(
        `training needs at least two classes; this volume has ${classes.length}: define another class and paint it`,
      );
    const empty = classes.filter((c) => counts[c.id] === 0);
    if (empty.length > 0)
      throw badInput(
        `class${empty.length > 1 ? 'es' : ''} ${empty.map((c) => `"${c.name}"`).join(', ')} ha${empty.length > 1 ? 've' : 's'} no labelled voxels: paint ${empty.length > 1 ? 'them' : 'it'} or remove ${empty.length > 1 ? 'them' : 'the class'}`,
      );
    const unknown = counts.findIndex((n, value) => n > 0 && !this.has(value));
    if (unknown > 0)
      throw badInput(
        `${counts[unknown]} voxels are labelled with value ${unknown}, which is no class (classes: ${this.describe()})`,
      );
    return new Map(classes.map((c) => [c.id, c.name]));
  }

  list(): SegmentationClass[] {
    return [...this.classes.values()].sort((a, b) => a.id - b.id).map((c) => ({ ...c }));
  }

  get(id: number): SegmentationClass {
    const found = this.classes.get(id);
    if (!found) throw new TomosegError('not-found', `no class with id ${id} (classes: ${this.describe()})`);
    return found;
  }

  has(id: number): boolean {
    return this.classes.has(id);
  }

  /**
   * Adds a class after the highest id; default name "Material N", a palette colour. Ids are the
   * values labels, models and results store, so a new class never takes a lower, freed one: keys
   * and strokes keep meaning the class they meant.
   */
  define(name?: string, colour?: string): SegmentationClass {
    const id = Math.max(0, ...this.classes.keys()) + 1;
    if (id > 255) throw badInput('a volume can have at most 255 classes (label values 1-255)');
    const created = { id, name: name ?? `Material ${id - 1}`, colour: colour ?? PALETTE[(id - 1) % PALETTE.length]! };
    this.checkUniqueName(created.name, id);
    this.classes.set(id, created);
    return { ...created };
  }

  rename(id: number, name: string): SegmentationClass {
    const found = this.get(id);
    this.checkUniqueName(name, id);
    found.name = name;
    return { ...found };
  }

  recolour(id: number, colour: string): SegmentationClass {
    const found = this.get(id);
    found.colour = colour;
    return { ...found };
  }

  remove(id: number): void {
    this.get(id);
    this.classes.delete(id);
  }

  /** "1 Background, 2 Material 1": for messages. */
  describe(): string {
    return this.list()
      .map((c) => `${c.id} "${c.name}"`)
      .join(', ');
  }

  private checkUniqueName(name: string, id: number): void {
    for (const c of this.classes.values())
      if (c.id !== id && c.name.toLowerCase() === name.toLowerCase())
        throw badInput(`a class named "${name}" already exists (id ${c.id})`);
  }
}

// The architecture's import boundaries are lint rules; check that they really fire.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('import boundaries', () => {
  it('keeps Node, Electron and native modules out of src/shared', async () => {
    expect(
      await violations('src/shared/x.ts', "import { readFile } from 'node:fs';\nexport { readFile };\n"),
    ).toHaveLength(1);
    expect(await violations('src/shared/x.ts', "import fs from 'fs';\nexport { fs };\n")).toHaveLength(1);
    expect(
      await violations('src/shared/x.ts', "import Database from 'better-sqlite3';\nexport { Database };\n"),
    ).toHaveLength(1);
    expect(await violations('src/shared/x.ts', "import { app } from 'electron';\nexport { app };\n")).toHaveLength(1);
    expect(await violations('src/shared/x.ts', "import { z } from 'zod';\nexport { z };\n")).toHaveLength(0);
  });

  it('lets the renderer import only types from src/main', async () => {
    const file = 'src/renderer/src/x.ts';
    expect(
      await violations(file, "import { dispatch } from '../../main/api/dispatch';\nexport { dispatch };\n"),
    ).toHaveLength(1);
    expect(
      await violations(file, "import type { Handlers } from '../../main/api/dispatch';\nexport type { Handlers };\n"),
    ).toHaveLength(0);
    expect(await violations(file, "import { Worker } from 'node:worker_threads';\nexport { Worker };\n")).toHaveLength(
      1,
    );
  });
});

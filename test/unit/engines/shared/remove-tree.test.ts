// removeTree: small trees synchronously, big or nested ones asynchronously, a missing one quietly; known files
// first.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { removeTree } from '../../../../src/engines/shared/remove-tree.js';
import { tempDir } from '../../../helpers/task-fixtures.js';

describe('removeTree', () => {
  it('removes a small tree, a big one, a nested one and accepts a missing one', async () => {
    const dir = await tempDir();
    try {
      const small = join(dir.path, 'small');
      await mkdir(join(small, 'scratch'), { recursive: true });
      await writeFile(join(small, 'task.log'), 'log');
      const big = join(dir.path, 'big');
      await mkdir(big);
      for (let i = 0; i < 50; i++) await writeFile(join(big, `f${i}`), 'x');
      const nested = join(dir.path, 'nested');
      await mkdir(join(nested, 'a', 'b'), { recursive: true });
      await writeFile(join(nested, 'a', 'b', 'deep'), 'x');
      for (const path of [small, big, nested, join(dir.path, 'never-made')]) {
        await removeTree(path);
        assert.equal(existsSync(path), false, path);
      }
    } finally {
      await dir.remove();
    }
  });

  it('removes the known files first, and still the whole tree when there is more, or a known name is a directory', async () => {
    const dir = await tempDir();
    try {
      const usual = join(dir.path, 'usual');
      await mkdir(usual);
      await writeFile(join(usual, 'task.log'), 'log');
      const more = join(dir.path, 'more');
      await mkdir(join(more, 'task'), { recursive: true });
      await writeFile(join(more, 'task.log'), 'log');
      await writeFile(join(more, 'task', 'left'), 'x');
      const twisted = join(dir.path, 'twisted');
      await mkdir(join(twisted, 'task.log', 'inside'), { recursive: true });
      const withoutLog = join(dir.path, 'without-log');
      await mkdir(withoutLog);
      for (const path of [usual, more, twisted, withoutLog, join(dir.path, 'never-made')]) {
        await removeTree(path, ['task.log']);
        assert.equal(existsSync(path), false, path);
      }
    } finally {
      await dir.remove();
    }
  });
});

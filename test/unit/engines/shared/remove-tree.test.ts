// removeTree: small trees synchronously, big or nested ones asynchronously, a missing one quietly.
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
});

import fs from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../e2e/helpers.js';
import { createFsDriver } from '../../../src/storage/fs.js';

/** A pid that runs nowhere on this host (checked), to stand for a process killed mid-write. */
function deadPid(): number {
  for (let pid = 4_000_000; pid > 3_000_000; pid -= 7919) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
  throw new Error('no free pid found');
}

describe('fs driver: what interrupted writes leave', () => {
  let root: string;
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('removes a dead process temp file at once, keeps a live one and an unknown young one', async () => {
    root = tempDir('fs-incomplete');
    const driver = createFsDriver({ root });
    await driver.put('packages/a/a.zip', Readable.from([Buffer.from('a')]));
    const tmp = path.join(root, '.tmp');
    const dead = `${hostname()}#${deadPid()}-0123.part`;
    const live = `${hostname()}#${process.pid}-4567.part`;
    const unknown = 'abcdef.part';
    for (const name of [dead, live, unknown]) fs.writeFileSync(path.join(tmp, name), Buffer.alloc(1024));
    // Files younger than a day are kept, unless their writer is known dead.
    const removed = await driver.removeIncomplete?.(new Date(Date.now() - 86_400_000));
    expect(removed).toEqual([`.tmp/${dead}`]);
    expect(fs.readdirSync(tmp).sort()).toEqual([live, unknown].sort());
  });
});

/** `bevara users` through the compiled CLI (dist/), then a login to the console with an account it added. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN } from '../e2e/helpers.js';
import { login, PASSWORD, startConsole, tempDir } from './harness.js';

describe('bevara users', () => {
  it('adds accounts with the password from stdin or a file, lists them without hashes, refuses bad ones', async () => {
    const data = tempDir('users');
    const run = (args: string[], input = '') => {
      const r = spawnSync(process.execPath, [BIN, '--data-dir', data, ...args], { input, encoding: 'utf8' });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const add = (args: string[], input?: string) => run(['users', 'add', ...args], input);
    expect(add(['anna', '--role', 'admin'], `${PASSWORD}\n`).code).toBe(0);
    const file = `${data}/lösen.txt`;
    fs.writeFileSync(file, `${PASSWORD}\nrad två\n`);
    expect(add(['bo', '--role', 'reader', '--password-file', file]).code).toBe(0);
    const listed = run(['--json', 'users', 'list']);
    expect(JSON.parse(listed.stdout)).toEqual([
      { name: 'anna', role: 'admin', createdAt: expect.any(String), updatedAt: expect.any(String) },
      { name: 'bo', role: 'reader', createdAt: expect.any(String), updatedAt: expect.any(String) },
    ]);
    expect(listed.stdout).not.toContain('argon2');
    const again = add(['anna', '--role', 'reader'], `${PASSWORD}\n`);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('user-exists');
    const short = add(['cecilia', '--role', 'reader'], 'kort\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/12 to 1024 characters/);
    const role = add(['david', '--role', 'chef'], `${PASSWORD}\n`);
    expect(role.code).not.toBe(0);
    expect(role.stderr).toMatch(/reader, archivist, operations, admin/);
    const c = await startConsole({ dataDir: data });
    try {
      const s = await login(c.url, 'anna');
      expect((await s.fetch('/api/session')).status).toBe(200);
    } finally {
      await c.close();
    }
  });
});

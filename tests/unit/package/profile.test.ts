import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProfile } from '../../../src/package/profile.js';
import { configIssuePaths } from '../../helpers/config-issues.js';

describe('loadProfile', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-profile-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads the built-in eark-aip profile', () => {
    const profile = loadProfile('eark-aip');
    expect(profile).toMatchObject({
      name: 'eark-aip',
      packageType: 'AIP',
      representation: 'rep1',
      digestAlgorithms: ['SHA-256'],
      copies: ['local'],
    });
  });

  it('prefers a profile of the same name in the extra folder', () => {
    const builtin = fs.readFileSync(path.resolve('profiles/eark-aip.yaml'), 'utf8');
    fs.writeFileSync(
      path.join(dir, 'eark-aip.yaml'),
      builtin.replace('copies: [local]', 'copies: [primary, offsite]'),
    );
    expect(loadProfile('eark-aip', dir).copies).toEqual(['primary', 'offsite']);
  });

  it('reports every problem of an invalid profile with its path', () => {
    fs.writeFileSync(
      path.join(dir, 'broken.yaml'),
      'name: broken\npackageType: XIP\nlayout: eark\nrepresentation: "rep 1"\ndigestAlgorithms: [MD5]\ncopies: []\n',
    );
    const paths = configIssuePaths(() => loadProfile('broken', dir));
    expect(paths).toEqual(
      expect.arrayContaining([
        'packageType',
        'representation',
        'digestAlgorithms.0',
        'copies',
        'contentType',
        'descriptiveMetadata',
      ]),
    );
  });

  it('names a profile that does not exist', () => {
    expect(() => loadProfile('no-such-profile', dir)).toThrow(/no-such-profile[\s\S]*not found/);
  });
});

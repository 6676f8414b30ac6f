import { describe, expect, it } from 'vitest';
import { maskUrlText } from '../../../src/config/mask.js';

describe('maskUrlText', () => {
  it.each([
    ['https://hooks.example/alert?token=s3cr3t&x=1', 'https://hooks.example/alert?token=***&x=1'],
    ['https://onlyuser-token@hooks.example/a', 'https://***@hooks.example/a'],
    ['https://user:pa%40ss@hooks.example/a', 'https://user:***@hooks.example/a'],
    ['postgres://bevara:p@ss@db.example:5432/arkiv', 'postgres://bevara:***@db.example:5432/arkiv'],
    ['https://hooks.example/path?email=a@b.se', 'https://hooks.example/path?email=a@b.se'],
    ['postgres://bevara:p/ss?@db.example/arkiv', 'postgres://bevara:***@db.example/arkiv'],
    [
      'postgres://db.example/arkiv?password=hemligt&sslmode=require',
      'postgres://db.example/arkiv?password=***&sslmode=require',
    ],
    ['postgres://db.example/arkiv?sslpassword=hemligt', 'postgres://db.example/arkiv?sslpassword=***'],
    ['https://hooks.example/a?api_key=k&sig=s&page=2', 'https://hooks.example/a?api_key=***&sig=***&page=2'],
    ['/var/lib/bevara', '/var/lib/bevara'],
    ['https://hooks.example/a', 'https://hooks.example/a'],
  ])('%s', (input, expected) => {
    expect(maskUrlText(input)).toBe(expected);
  });

  it('never lets a secret through, whatever it holds', () => {
    for (const secret of ['p@ss', 'a:b@c', 'x/y?z', 'åäö#1']) {
      const url = `postgres://bevara:${secret}@db.example/arkiv?password=${encodeURIComponent(secret)}`;
      expect(maskUrlText(url)).not.toContain(secret);
      expect(maskUrlText(url)).not.toContain(encodeURIComponent(secret));
    }
  });
});

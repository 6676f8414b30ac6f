import { expect } from 'vitest';
import { ConfigError } from '../../src/errors.js';

/** Runs `fn`, expects it to throw a ConfigError, and returns the paths of the issues it lists. */
export function configIssuePaths(fn: () => unknown): string[] {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).issues.map((i) => i.path);
}

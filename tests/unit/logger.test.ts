import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture(format: 'json' | 'pretty') {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', format, sink: { write: (text) => lines.push(text) } });
  return { logger, lines };
}

describe('createLogger', () => {
  it('masks URLs in every line, message and fields alike, and keeps JSON lines valid', () => {
    const { logger, lines } = capture('json');
    logger.warn(
      { endpoint: 'http://rgw:hemlis-1@127.0.0.1:9/', hook: 'https://h.example/a?token=hemlis-2' },
      'cannot reach "https://ops:hemlis-3@h.example/x" (ECONNREFUSED)',
    );
    const text = lines.join('');
    for (const secret of ['hemlis-1', 'hemlis-2', 'hemlis-3']) expect(text).not.toContain(secret);
    const line = JSON.parse(text);
    expect(line.endpoint).toBe('http://rgw:***@127.0.0.1:9/');
    expect(line.msg).toBe('cannot reach "https://ops:***@h.example/x" (ECONNREFUSED)');
  });
});

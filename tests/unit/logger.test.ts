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

  it('writes control characters visibly in pretty lines, which are for people at a terminal', () => {
    const { logger, lines } = capture('pretty');
    logger.info({ record: 'ärende\u001b[31m', title: 'x\u009b2J' }, 'record \u001b]0;pwned\u0007 archived');
    const text = lines.join('');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we look for
    expect(text.replace(/\n$/, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(text).toContain('record \\u001b]0;pwned\\u0007 archived');
    expect(text).toContain('ärende\\u001b[31m');
  });
});

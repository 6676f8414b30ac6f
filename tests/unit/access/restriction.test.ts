import { describe, expect, it } from 'vitest';
import { disseminationEvent } from '../../../src/access/dissemination.js';
import { receiptHtml, type Receipt } from '../../../src/access/receipt.js';
import { checkRelease } from '../../../src/access/restriction.js';
import { ValidationError } from '../../../src/errors.js';
import type { PackageRecord } from '../../../src/model/package.js';

const pkg = (id: string, accessRestriction?: string): PackageRecord => ({
  id,
  label: `Ärende ${id}`,
  profile: 'eark-aip',
  sourceKind: 'folder',
  sourceKey: id,
  contentDigest: '0'.repeat(64),
  size: 1,
  sha256: '1'.repeat(64),
  fileCount: 1,
  state: 'archived',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  metadata: {
    title: `Ärende ${id}`,
    identifier: `SN ${id}`,
    ...(accessRestriction ? { accessRestriction } : {}),
  },
});

function ruleOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.rule;
    throw err;
  }
  return undefined;
}

describe('releasing restricted records', () => {
  const open = pkg('uuid-1');
  const secret = pkg('uuid-2', 'OSL 26 kap. 1 §');

  it('lets open records through without a word', () => {
    expect(ruleOf(() => checkRelease([open], {}))).toBeUndefined();
  });

  it('refuses a restricted record without --restricted, naming the record and its restriction', () => {
    expect(ruleOf(() => checkRelease([open, secret], {}))).toBe('access-restricted');
    expect(() => checkRelease([open, secret], {})).toThrow(/SN uuid-2.*uuid-2.*OSL 26 kap\. 1 §/);
  });

  it('needs a reason and a requester with --restricted, blank ones too', () => {
    expect(ruleOf(() => checkRelease([secret], { restricted: true }))).toBe('access-reason');
    expect(() => checkRelease([secret], { restricted: true, reason: ' ', requester: 'Anna' })).toThrow(
      /--reason/,
    );
    expect(
      ruleOf(() => checkRelease([secret], { restricted: true, reason: 'begäran', requester: 'Anna' })),
    ).toBe(undefined);
  });

  it('makes a dissemination event with the person as agent and who and why in the detail', () => {
    const at = new Date('2026-12-04T08:00:00Z');
    const event = disseminationEvent(
      secret,
      { by: 'eva', requester: 'Anna', reason: 'begäran', what: 'a DIP' },
      at,
    );
    expect(event).toMatchObject({ packageId: 'uuid-2', type: 'dissemination', agent: 'person:eva', at });
    expect(event.detail).toBe(
      'handed out as a DIP by eva; to Anna; reason: begäran; restricted record (OSL 26 kap. 1 §), released explicitly',
    );
    expect(disseminationEvent(secret, { by: 'eva', what: 'x' }, at).id).not.toBe(event.id);
  });

  it('escapes what the requester typed in the HTML receipt', () => {
    const receipt: Receipt = {
      exportId: 'export-1',
      createdAt: '2026-12-04T08:00:00.000Z',
      format: 'dip',
      output: '/tmp/x',
      by: 'eva',
      requester: '<script>alert(1)</script>',
      records: [],
    };
    const html = receiptHtml(receipt);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

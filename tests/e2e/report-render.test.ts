import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANNER_COLORS, type Tone } from '../../src/reports/html-page.js';
import { createReportWriter } from '../../src/reports/write-report.js';
import { decodePng, type PngImage, readPngHeader } from '../helpers/png.js';
import { type SampleAudit, sampleAudit } from '../unit/reports/sample-audit.js';

const run = promisify(execFile);
const WIDTH = 1280;
const HEIGHT = 2000;
/** Where the screenshot is kept for people to look at (outside the temp dir, which is removed). */
const KEEP = path.resolve('test-results/report-sv.png');

/** Headless Chromium (Debian package `chromium`, installed by scripts/test-setup.sh); its own profile per call. */
async function chromium(dir: string, name: string, args: string[]): Promise<string> {
  const { stdout } = await run(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      `--user-data-dir=${path.join(dir, `profile-${name}`)}`,
      ...args,
    ],
    { timeout: 50_000, maxBuffer: 32 * 1024 * 1024 },
  );
  return stdout;
}

const rgbOf = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));

/** Pixels within rows [top, bottom) whose colour is within 8 per channel of `hex`. */
function countColor(image: PngImage, hex: string, top: number, bottom: number): number {
  const [r, g, b] = rgbOf(hex) as [number, number, number];
  let n = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < image.width; x++) {
      const [pr, pg, pb] = image.rgb(x, y);
      if (Math.abs(pr - r) <= 8 && Math.abs(pg - g) <= 8 && Math.abs(pb - b) <= 8) n++;
    }
  }
  return n;
}

describe('an audit report in Swedish, rendered by headless Chromium', () => {
  let dir: string;
  let sample: SampleAudit;
  let png: Buffer;
  let dom: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bevara-report-render-'));
    sample = sampleAudit();
    const paths = await createReportWriter({ dir: path.join(dir, 'reports'), language: 'sv' }).write(
      sample.run,
      sample.items,
      sample.extras,
    );
    const url = pathToFileURL(paths.find((p) => p.endsWith('.html')) ?? '').href;
    const shot = path.join(dir, 'report-sv.png');
    [, dom] = await Promise.all([
      chromium(dir, 'shot', [`--screenshot=${shot}`, `--window-size=${WIDTH},${HEIGHT}`, url]),
      chromium(dir, 'dom', ['--dump-dom', url]),
    ]);
    png = await fs.readFile(shot);
    await fs.mkdir(path.dirname(KEEP), { recursive: true });
    await fs.copyFile(shot, KEEP);
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('makes a PNG of the window size', () => {
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(readPngHeader(png)).toMatchObject({ width: WIDTH, height: HEIGHT });
  });

  it('shows the red verdict banner first, across the page, and no other banner colour in it', () => {
    const image = decodePng(png);
    // The banner: the rows that are more than half red. It starts near the top and is over 80 px high.
    const rows = Array.from({ length: HEIGHT }, (_, y) => y).filter(
      (y) => countColor(image, BANNER_COLORS.red, y, y + 1) > WIDTH / 2,
    );
    const [first = HEIGHT, last = 0] = [rows[0], rows.at(-1)];
    expect(first).toBeLessThan(60);
    expect(rows.length).toBeGreaterThan(80);
    expect(last - first + 1).toBe(rows.length);
    for (const tone of ['green', 'amber'] as Tone[])
      expect(countColor(image, BANNER_COLORS[tone], first, last + 1), tone).toBe(0);
    // Below the banner the page is mostly white.
    expect(countColor(image, '#ffffff', last + 1, HEIGHT)).toBeGreaterThan(WIDTH * (HEIGHT - last) * 0.6);
  });

  it('has the Swedish labels, the packages, the damaged file and both of its digests in the DOM', () => {
    const { corrupted, missing, damaged, repaired, orphan } = sample;
    for (const label of [
      'Granskning',
      'Fel: kopior är skadade eller saknas',
      'Täckning',
      'Förväntad',
      'Faktisk',
      'Saknas',
      'Reparerad',
      'Okänt objekt',
      'Utvecklingen',
      'Felfria kopior',
    ])
      expect(dom, label).toContain(label);
    for (const text of [
      corrupted.packageId,
      corrupted.label,
      corrupted.file,
      corrupted.expected,
      corrupted.actual,
      missing.packageId,
      damaged.packageId,
      repaired.packageId,
      orphan.key,
    ])
      expect(dom, text).toContain(text);
    expect(dom).not.toContain('<script');
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { CLASSES_6 } from '../../schemas/taxonomy.js';
import { Random } from '../../pipelines/features/random.js';
import { MODEL_NAMES, TRAINED_MODEL_NAMES } from '../../pipelines/evaluation/metrics-document.js';
import type { EpochRecord, MetricsDocument } from '../../pipelines/evaluation/metrics-document.js';
import { renderReport } from '../../pipelines/evaluation/report-html.js';
import { SAMPLE_DATA, sampleDocument } from '../helpers/metrics-document.js';

const run = promisify(execFile);

const CHROMIUM_TIMEOUT_MS = 120_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const WINDOW = { width: 1280, height: 4000 };

// Each figure and the shape its data is drawn with: cells and bars are rects, curves paths.
const FIGURES: [id: string, shape: 'rect' | 'path'][] = [
  ...MODEL_NAMES.flatMap((m): [string, 'rect' | 'path'][] => [
    [`fig-confusion-${m}`, 'rect'],
    [`fig-roc-${m}`, 'path'],
    [`fig-perclass-${m}`, 'rect'],
  ]),
  ...TRAINED_MODEL_NAMES.map((m): [string, 'path'] => [`fig-training-${m}`, 'path']),
];

/** IOMT_CHROMIUM, else /usr/bin/chromium; undefined when absent. */
function findChromium(): string | undefined {
  const candidates = process.env.IOMT_CHROMIUM
    ? [process.env.IOMT_CHROMIUM]
    : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path) => existsSync(path));
}

const chromium = findChromium();

// Skips the test without chromium, unless IOMT_REQUIRE_CHROMIUM says it must run (as in CI).
function chromiumOrSkip(t: TestContext): string | undefined {
  if (chromium) return chromium;
  if (process.env.IOMT_REQUIRE_CHROMIUM) {
    assert.fail('chromium not found at /usr/bin/chromium or IOMT_CHROMIUM (IOMT_REQUIRE_CHROMIUM)');
  }
  t.skip('chromium not available');
  return undefined;
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iomt-report-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// A fresh profile per run, and every background fetch off: the page must render offline.
async function headless(binary: string, dir: string, args: string[]): Promise<string> {
  const profile = await mkdtemp(join(dir, 'profile-'));
  const { stdout } = await run(
    binary,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { timeout: CHROMIUM_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

function epochs(count: number, floor: number, top: number): EpochRecord[] {
  return Array.from({ length: count }, (_, e) => ({
    epoch: e + 1,
    loss: floor + Math.exp(-e / 6),
    accuracy: top - 0.4 * Math.exp(-e / 5),
    validationLoss: floor + 0.1 + Math.exp(-e / 7),
    validationAccuracy: top - 0.03 - 0.4 * Math.exp(-e / 4),
  }));
}

// A hand-built document of the paper's 6 classes, imbalanced as the real data set is.
function sampleReportDocument(): MetricsDocument {
  const random = new Random(21);
  const counts = [180, 30, 90, 150, 600, 350];
  const yTrue = Uint8Array.from(counts.flatMap((n, c) => new Array<number>(n).fill(c)));
  return sampleDocument({
    classes: [...CLASSES_6],
    yTrue,
    random,
    data: { ...SAMPLE_DATA, layout: '45', validation: 'capture-disjoint' },
    skills: { autoencoder: 1.4, lstm: 3, ensemble: 3.4 },
    accuracies: {
      autoencoder: [0.855, 0.856, 0.854, 0.855, 0.857],
      lstm: [0.93, 0.86, 0.95, 0.88, 0.9],
      ensemble: [0.935, 0.87, 0.955, 0.885, 0.905],
    },
    ensembleWeights: {
      autoencoder: 0.45,
      lstm: 0.55,
      formula: 'w_m = macro F1_m on validation / sum of both',
    },
    anomaly: { threshold: 0.0387, quantile: 0.99, flaggedRate: 0.74, flaggedRateOnBenign: 0.013 },
    training: { autoencoder: epochs(50, 0.3, 0.84), lstm: epochs(50, 0.1, 0.95) },
  });
}

async function writeReport(dir: string): Promise<string> {
  const path = join(dir, 'report.html');
  await writeFile(path, renderReport(sampleReportDocument()));
  return path;
}

describe('the HTML report in headless Chromium', () => {
  it('renders every figure as an SVG with drawn shapes', async (t) => {
    const binary = chromiumOrSkip(t);
    if (!binary) return;
    const dir = await tempDir(t);
    const page = await writeReport(dir);

    const dom = await headless(binary, dir, ['--dump-dom', pathToFileURL(page).href]);

    assert.match(dom, /<h1>IoMT intrusion detection: evaluation report<\/h1>/);
    for (const [id, shape] of FIGURES) {
      const svg = new RegExp(`<svg[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</svg>`).exec(dom)?.[1];
      assert.ok(svg, `figure ${id} in the rendered DOM`);
      assert.match(svg, new RegExp(`^<title id="${id}-title">[^<]+</title>`));
      const data = new RegExp(`<${shape}\\s[^>]*class="(cell|bar|roc|series)"`, 'g');
      assert.ok((svg.match(data) ?? []).length >= 4, `${id} draws its data as ${shape}s`);
    }
    const captions = dom.match(/<figcaption>[\s\S]*?<\/figcaption>/g) ?? [];
    assert.equal(captions.length, FIGURES.length);
    for (const caption of captions) assert.match(caption, /generated data set, 45-column layout/);
  });

  it('takes a screenshot that is a real, full-size picture', async (t) => {
    const binary = chromiumOrSkip(t);
    if (!binary) return;
    const dir = await tempDir(t);
    const page = await writeReport(dir);
    const shot = join(dir, 'report.png');

    await headless(binary, dir, [
      `--screenshot=${shot}`,
      `--window-size=${WINDOW.width},${WINDOW.height}`,
      pathToFileURL(page).href,
    ]);

    const png = await readFile(shot);
    assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), 'a PNG file');
    // IHDR is the first chunk: width and height are its first two big-endian words.
    assert.equal(png.toString('ascii', 12, 16), 'IHDR');
    assert.equal(png.readUInt32BE(16), WINDOW.width);
    assert.equal(png.readUInt32BE(20), WINDOW.height);
    // A blank page of this size compresses to a few kilobytes; figures and text take far more.
    assert.ok(png.length > 100_000, `screenshot of ${png.length} bytes`);
    if (process.env.IOMT_KEEP_SCREENSHOT) await writeFile(process.env.IOMT_KEEP_SCREENSHOT, png);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Random } from '../../../pipelines/features/random.js';
import {
  MODEL_NAMES,
  TRAINED_MODEL_NAMES,
  describeData,
  meanAndSd,
} from '../../../pipelines/evaluation/metrics-document.js';
import type {
  DataProvenance,
  MetricsDocument,
} from '../../../pipelines/evaluation/metrics-document.js';
import { renderReport } from '../../../pipelines/evaluation/report-html.js';
import { CLASSES_19 } from '../../../schemas/taxonomy.js';
import { SAMPLE_DATA, sampleDocument } from '../../helpers/metrics-document.js';

const HOSTILE_CLASS = '<img src=x onerror=alert(1)>';
const QUOTED_CLASS = 'A&B "double" \'single\'';
const CLASSES = ['Benign', 'Recon', HOSTILE_CLASS, QUOTED_CLASS, 'Empty'];

// A document over `classes`, the last of which has no row.
function documentOf(data: DataProvenance = SAMPLE_DATA, classes = CLASSES): MetricsDocument {
  const random = new Random(12);
  const yTrue = Uint8Array.from({ length: 400 }, () => random.int(0, classes.length - 2));
  return sampleDocument({ data, classes, yTrue, random });
}

const FIGURE_IDS = [
  ...MODEL_NAMES.flatMap((m) => [`fig-confusion-${m}`, `fig-roc-${m}`, `fig-perclass-${m}`]),
  ...TRAINED_MODEL_NAMES.map((m) => `fig-training-${m}`),
];

function escaped(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function svgById(html: string, id: string): string {
  const match = new RegExp(`<svg[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</svg>`).exec(html);
  assert.ok(match, `figure ${id} present`);
  return match[1] ?? '';
}

function figures(html: string): string[] {
  return [...html.matchAll(/<figure[\s\S]*?<\/figure>/g)].map((m) => m[0]);
}

describe('renderReport', () => {
  const doc = documentOf();
  const html = renderReport(doc);

  it('draws every figure as an inline SVG with its stable id, a title and shapes', () => {
    for (const id of FIGURE_IDS) {
      const svg = svgById(html, id);
      assert.match(svg, new RegExp(`^<title id="${id}-title">[^<]+</title>`));
      assert.match(svg, /<(path|rect)\s/, `${id} draws shapes`);
    }
    assert.equal(figures(html).length, FIGURE_IDS.length);
  });

  it('gives every element id once', () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);

    assert.equal(new Set(ids).size, ids.length);
  });

  it('captions every figure with the data it comes from', () => {
    const parts = [
      'generated data set, 39-column layout',
      'validation carved as contiguous blocks of every training capture',
      'de-duplicated',
      'features excluded: IAT',
    ];
    for (const figure of figures(html)) {
      const caption = /<figcaption>([\s\S]*?)<\/figcaption>/.exec(figure)?.[1] ?? '';
      assert.match(caption, /<span class="provenance">Data: /);
      for (const part of parts) assert.ok(caption.includes(part), `caption says ${part}`);
    }

    const modelFigure = figures(html).find((f) => f.includes('id="fig-roc-lstm"')) ?? '';
    assert.ok(modelFigure.includes(`Data: ${escaped(describeData(SAMPLE_DATA))}.`));
    const training = figures(html).find((f) => f.includes('id="fig-training-lstm"')) ?? '';
    assert.match(training, /training rows \(balanced\) and validation rows \(blocks\)/);
  });

  it('escapes every string from the document', () => {
    const hostile = documentOf({
      ...SAMPLE_DATA,
      split: '<b>test</b> & "more"',
      excludedFeatures: ['<i>'],
    });
    const page = renderReport(hostile, { title: 'Report <script>' });

    assert.ok(!page.includes(HOSTILE_CLASS));
    assert.ok(page.includes(escaped(HOSTILE_CLASS)));
    assert.ok(!page.includes(QUOTED_CLASS));
    assert.ok(page.includes(escaped(QUOTED_CLASS)));
    assert.ok(!page.includes('<b>test</b>'));
    assert.ok(page.includes('&lt;b&gt;test&lt;/b&gt; &amp; &quot;more&quot;'));
    assert.ok(!page.includes('<i>'));
    assert.ok(page.includes('w &lt; 1 &amp; &quot;validation F1&quot;'));
    assert.ok(page.includes('<title>Report &lt;script&gt;</title>'));
    assert.ok(!/<script/i.test(page));
  });

  it('needs no script and no external resource', () => {
    const withoutNamespace = html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '');

    assert.ok(!/<script|<link|<iframe|<img|@import/i.test(withoutNamespace));
    assert.ok(!/\s(src|href)="(?!#)/i.test(withoutNamespace), 'only in-page links');
    assert.ok(!/url\((?!#)/i.test(withoutNamespace), 'only in-page CSS references');
    assert.ok(!/https?:/i.test(withoutNamespace));
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<style>[\s\S]+<\/style>/);
  });

  it('tabulates the headline scores of each model', () => {
    for (const model of MODEL_NAMES) {
      const { accuracy, macro, weighted } = doc.models[model].metrics;
      for (const value of [accuracy, macro.f1, weighted.precision]) {
        assert.ok(html.includes(`${(value * 100).toFixed(2)}%`), `${model}: ${value}`);
      }
    }
  });

  it('shows the ensemble weights and the anomaly threshold', () => {
    assert.match(html, /<dt>Hybrid autoencoder<\/dt><dd>0\.400<\/dd>/);
    assert.match(html, /<dt>LSTM<\/dt><dd>0\.600<\/dd>/);
    assert.match(html, /<dt>Threshold<\/dt><dd>0\.0421<\/dd>/);
    assert.match(html, /<dt>Benign rows flagged<\/dt><dd>1\.10%<\/dd>/);
  });

  it('tabulates cross-validation as mean ± sd with the Friedman statistic', () => {
    const { mean, sd } = meanAndSd(doc.crossValidation?.accuracies.lstm ?? []);

    assert.ok(html.includes(`${(mean * 100).toFixed(2)}% ± ${(sd * 100).toFixed(2)}`));
    // The ensemble beats the LSTM, which beats the autoencoder, in all 5 folds.
    assert.ok(html.includes('χ² = 10.00'));
    assert.ok(html.includes('p = 0.0067'));
  });

  it('says which classes had no rows or zero divisions', () => {
    assert.ok(html.includes('no rows of Empty in this split'));
    assert.ok(html.includes('Empty (no rows)'));
    assert.ok(html.includes('n/a (no row of this class)'));
  });

  it('warns about generated data, and says when data is real and there is no CV', () => {
    assert.match(html, /class="banner"/);

    const real = documentOf({
      ...SAMPLE_DATA,
      source: 'csv',
      deduplicated: false,
      excludedFeatures: [],
    });
    delete real.crossValidation;
    const page = renderReport(real);
    assert.doesNotMatch(page, /class="banner"/);
    assert.ok(page.includes('CICIoMT2024 CSV files (real data)'));
    assert.ok(page.includes('not de-duplicated; no features excluded'));
    assert.ok(page.includes('This evaluation ran no cross-validation.'));
  });

  it('stacks the figures of many classes at full width', () => {
    const wide = renderReport(documentOf(SAMPLE_DATA, [...CLASSES_19]));

    assert.doesNotMatch(wide, /<div class="pair">/);
    assert.match(html, /<div class="pair">/);
  });
});

import Table from 'cli-table3';

import type { MonitorSnapshot } from './monitor-state.js';

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;

function plainTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } });
}

/**
 * The snapshot as text: a headline line, then one row per class seen (as true label or as
 * prediction) with its recall and prediction share, then the confusion matrix of those classes
 * (rows true, columns predicted, headed by class index).
 */
export function monitorTable(snapshot: MonitorSnapshot): string {
  const { metrics } = snapshot;
  const headline = [
    `events ${snapshot.events}`,
    `labelled ${snapshot.labelled}`,
    `unlabelled ${snapshot.unlabelled}`,
    ...(snapshot.skipped > 0 ? [`skipped ${snapshot.skipped}`] : []),
    `accuracy ${metrics ? metrics.accuracy.toFixed(4) : 'n/a'}`,
    `attacks ${percent(snapshot.attackRate)}`,
    `unknown-attack ${percent(snapshot.unknownAttackRate)}`,
    `${snapshot.recordsPerSecond.toFixed(1)} records/s`,
  ].join(' | ');
  if (snapshot.events === 0) return headline;

  const seen = snapshot.classes
    .map((_, c) => c)
    .filter(
      (c) => (snapshot.predicted[c]?.count ?? 0) > 0 || (metrics?.perClass[c]?.support ?? 0) > 0,
    );

  const classes = plainTable([
    '#',
    `class (${snapshot.granularity})`,
    'support',
    'recall',
    'predicted',
    'share',
  ]);
  for (const c of seen) {
    const m = metrics?.perClass[c];
    const p = snapshot.predicted[c];
    classes.push([
      String(c),
      snapshot.classes[c] ?? '?',
      String(m?.support ?? 0),
      m && m.support > 0 ? m.recall.toFixed(4) : 'n/a',
      String(p?.count ?? 0),
      percent(p?.rate ?? 0),
    ]);
  }
  if (!metrics) return `${headline}\n${classes.toString()}`;

  const confusion = plainTable(['true \\ predicted', ...seen.map(String)]);
  for (const t of seen) {
    const row = metrics.confusion[t] ?? [];
    confusion.push([String(t), ...seen.map((p) => String(row[p] ?? 0))]);
  }
  return `${headline}\n${classes.toString()}\n${confusion.toString()}`;
}

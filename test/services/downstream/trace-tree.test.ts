import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type {
  JaegerSpan,
  JaegerTag,
  JaegerTrace,
} from '../../../services/downstream/jaeger-client.js';
import {
  renderTraceTree,
  summaryLine,
  traceTree,
  type TraceNode,
} from '../../../services/downstream/trace-tree.js';

// Traces in the shape Jaeger's query API answers, built span by span: one record's way through
// replay, preprocess, window and score, with times in microseconds.

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const T0 = 1_796_334_309_332_000;
const PROCESSES = {
  p1: { serviceName: 'iomt-replay', tags: [] },
  p2: { serviceName: 'iomt-preprocess', tags: [] },
  p3: { serviceName: 'iomt-window', tags: [] },
  p4: { serviceName: 'iomt-score', tags: [] },
};
type ProcessID = keyof typeof PROCESSES;

function tags(values: Record<string, string | number | boolean>): JaegerTag[] {
  return Object.entries(values).map(([key, value]) => ({
    key,
    type: typeof value === 'number' ? 'int64' : typeof value === 'boolean' ? 'bool' : 'string',
    value,
  }));
}

function span(
  id: string,
  parent: string | null,
  processID: ProcessID,
  operationName: string,
  [startMs, durationMs]: [number, number],
  values: Record<string, string | number | boolean> = {},
): JaegerSpan {
  return {
    traceID: TRACE_ID,
    spanID: id,
    operationName,
    references: parent === null ? [] : [{ refType: 'CHILD_OF', traceID: TRACE_ID, spanID: parent }],
    startTime: T0 + startMs * 1000,
    duration: durationMs * 1000,
    tags: tags({ 'otel.scope.name': 'iomt', ...values }),
    processID,
  };
}

const record = { 'iomt.capture': 'Benign_test', 'iomt.seq': 42 };
const kafka = (offset: number) => ({
  'messaging.destination.partition.id': '1',
  'messaging.kafka.offset': offset,
});

/** The spans of one record's way; `score` is the score stage's process span's extra tags. */
function way(score: Record<string, string | number | boolean>): JaegerSpan[] {
  return [
    span('a1', null, 'p1', 'send iomt.flows.raw', [0, 2], {
      ...record,
      'iomt.stage': 'replay',
      'span.kind': 'producer',
    }),
    span('b1', 'a1', 'p2', 'process iomt.flows.raw', [5, 10], {
      ...record,
      ...kafka(7),
      'iomt.stage': 'preprocess',
      'span.kind': 'consumer',
    }),
    span('b2', 'b1', 'p2', 'preprocess', [6, 3], {
      'iomt.chunk.size': 134,
      'span.kind': 'internal',
    }),
    span('b3', 'b1', 'p2', 'send iomt.flows.scaled', [9, 6], { 'span.kind': 'producer' }),
    span('c1', 'b3', 'p3', 'process iomt.flows.scaled', [20, 10], {
      ...record,
      ...kafka(8),
      'iomt.stage': 'window',
      'span.kind': 'consumer',
    }),
    span('c2', 'c1', 'p3', 'window', [21, 2], { 'span.kind': 'internal' }),
    span('c3', 'c1', 'p3', 'send iomt.windows', [24, 6], { 'span.kind': 'producer' }),
    span('d1', 'c3', 'p4', 'process iomt.windows', [40, 20], {
      ...record,
      ...kafka(9),
      'iomt.stage': 'score',
      'span.kind': 'consumer',
      ...score,
    }),
    span('d2', 'd1', 'p4', 'score', [41, 5], { 'span.kind': 'internal' }),
    span('d3', 'd1', 'p4', 'send iomt.scores', [47, 13], { 'span.kind': 'producer' }),
  ];
}

const SCORED = {
  'iomt.predicted': 'MQTT-DDoS-Connect_Flood',
  'iomt.model_version': '44c3df8dc0360908',
  'iomt.unknown_attack': true,
};

function traceOf(spans: JaegerSpan[]): JaegerTrace {
  // Jaeger lists spans in no particular order.
  return { traceID: TRACE_ID, spans: [...spans].reverse(), processes: PROCESSES };
}

const shape = (node: TraceNode): unknown => [node.operation, node.children.map(shape)];

describe('trace tree', () => {
  it("nests each span under its parent, children in start order, with the record's facts", () => {
    const tree = traceTree(traceOf(way(SCORED)));

    assert.equal(tree.traceID, TRACE_ID);
    assert.equal(tree.capture, 'Benign_test');
    assert.equal(tree.seq, 42);
    assert.equal(tree.startedAt, new Date(T0 / 1000).toISOString());
    assert.equal(tree.spanCount, 10);
    assert.deepEqual(tree.roots.map(shape), [
      [
        'send iomt.flows.raw',
        [
          [
            'process iomt.flows.raw',
            [
              ['preprocess', []],
              [
                'send iomt.flows.scaled',
                [
                  [
                    'process iomt.flows.scaled',
                    [
                      ['window', []],
                      [
                        'send iomt.windows',
                        [
                          [
                            'process iomt.windows',
                            [
                              ['score', []],
                              ['send iomt.scores', []],
                            ],
                          ],
                        ],
                      ],
                    ],
                  ],
                ],
              ],
            ],
          ],
        ],
      ],
    ]);

    const process = tree.roots[0]?.children[0];
    assert.equal(process?.service, 'iomt-preprocess');
    assert.equal(process?.kind, 'consumer');
    assert.equal(process?.startMs, 5);
    assert.equal(process?.durationMs, 10);
    assert.deepEqual(process?.facts, { partition: '1', offset: 7 });
    assert.deepEqual(process?.children[0]?.facts, { chunk: 134 });
  });

  it('sums up a scored record: end to end, its hops, the prediction and the model', () => {
    const { summary } = traceTree(traceOf(way(SCORED)));
    assert.equal(summary.outcome, 'scored');
    assert.equal(summary.endToEndMs, 60);
    assert.equal(summary.spannedMs, 60);
    assert.deepEqual(summary.hops, ['replay', 'preprocess', 'window', 'score']);
    assert.equal(summary.deadLetter, null);
    assert.equal(summary.predicted, 'MQTT-DDoS-Connect_Flood');
    assert.equal(summary.modelVersion, '44c3df8dc0360908');
    assert.equal(
      summaryLine(summary),
      'scored MQTT-DDoS-Connect_Flood by model 44c3df8dc0360908, 60.0 ms end to end; ' +
        'passed replay → preprocess → window → score',
    );
  });

  it('renders the tree with aligned columns and the summary last', () => {
    const text = renderTraceTree(traceTree(traceOf(way(SCORED))));
    assert.equal(
      text,
      [
        `trace ${TRACE_ID}  Benign_test/42  2026-12-03T21:45:09.332Z  10 spans`,
        'span                                 service          start ms  dur ms  attributes',
        'send iomt.flows.raw                  iomt-replay         0.000    2.00',
        '└─ process iomt.flows.raw            iomt-preprocess      5.00    10.0  partition=1 offset=7',
        '   ├─ preprocess                     iomt-preprocess      6.00    3.00  chunk=134',
        '   └─ send iomt.flows.scaled         iomt-preprocess      9.00    6.00',
        '      └─ process iomt.flows.scaled   iomt-window          20.0    10.0  partition=1 offset=8',
        '         ├─ window                   iomt-window          21.0    2.00',
        '         └─ send iomt.windows        iomt-window          24.0    6.00',
        '            └─ process iomt.windows  iomt-score           40.0    20.0  ' +
          'partition=1 offset=9 predicted=MQTT-DDoS-Connect_Flood model=44c3df8dc0360908 unknown-attack',
        '               ├─ score              iomt-score           41.0    5.00',
        '               └─ send iomt.scores   iomt-score           47.0    13.0',
        'scored MQTT-DDoS-Connect_Flood by model 44c3df8dc0360908, 60.0 ms end to end; ' +
          'passed replay → preprocess → window → score',
      ].join('\n'),
    );
  });

  it('says where a record was dead-lettered, with the code and the error status', () => {
    const spans = way({
      'iomt.dead_letter.code': 'NOT_FINITE',
      'otel.status_code': 'ERROR',
      'otel.status_description': 'NaN feature',
      error: true,
    });
    const last = spans.at(-1);
    if (last) last.operationName = 'send iomt.dead-letter';
    const tree = traceTree(traceOf(spans));

    assert.equal(tree.summary.outcome, 'dead-lettered');
    assert.deepEqual(tree.summary.deadLetter, { hop: 'score', code: 'NOT_FINITE' });
    assert.equal(tree.summary.endToEndMs, null);
    const text = renderTraceTree(tree);
    assert.match(text, /process iomt\.windows .* dead-letter=NOT_FINITE error="NaN feature"$/m);
    assert.match(
      text.split('\n').at(-1) ?? '',
      /^dead-lettered at score \(NOT_FINITE\), 60\.0 ms spanned; passed replay → preprocess → window$/,
    );
  });

  it('keeps a span whose parent was lost as a root, and names the gap', () => {
    const spans = way(SCORED).filter((s) => s.processID !== 'p3');
    const tree = traceTree(traceOf(spans));

    assert.deepEqual(
      tree.roots.map((r) => [r.operation, r.parentMissing]),
      [
        ['send iomt.flows.raw', false],
        ['process iomt.windows', true],
      ],
    );
    assert.equal(tree.summary.outcome, 'incomplete');
    assert.equal(tree.summary.gap, 'no iomt-window spans');
    assert.deepEqual(tree.summary.hops, ['replay', 'preprocess', 'score']);
    const text = renderTraceTree(tree);
    assert.match(text, /^process iomt\.windows +iomt-score +40\.0 +20\.0 +parent c3 not in trace/m);
    assert.match(text, /^not scored: no iomt-window spans; 60\.0 ms spanned; passed replay/m);
  });

  it('shows an aborted attempt as an error next to its redelivery', () => {
    const spans = way(SCORED);
    spans.push(
      span('b9', 'a1', 'p2', 'process iomt.flows.raw', [3, 1], {
        ...record,
        ...kafka(7),
        'span.kind': 'consumer',
        'otel.status_code': 'ERROR',
      }),
    );
    const tree = traceTree(traceOf(spans));

    const attempts = tree.roots[0]?.children ?? [];
    assert.deepEqual(
      attempts.map((n) => [n.spanID, n.facts.error]),
      [
        ['b9', ''],
        ['b1', undefined],
      ],
    );
    assert.equal(tree.summary.redelivered, true);
    const text = renderTraceTree(tree);
    assert.match(text, /^├─ process iomt\.flows\.raw .* partition=1 offset=7 error$/m);
    assert.match(text, /; redelivered \(a chunk was retried\)$/);
  });

  it('ends on spans whose parents form a loop', () => {
    const spans = [
      span('x1', 'x2', 'p2', 'process iomt.flows.raw', [0, 1]),
      span('x2', 'x1', 'p2', 'send iomt.flows.scaled', [1, 1]),
    ];
    const tree = traceTree(traceOf(spans));
    assert.deepEqual(tree.roots.map(shape), [
      ['process iomt.flows.raw', [['send iomt.flows.scaled', []]]],
    ]);
    assert.equal(tree.capture, null);
    assert.match(renderTraceTree(tree), /^trace \w+ {2}record unknown /);
  });

  it('names the other traces of the same record', () => {
    const text = renderTraceTree(traceTree(traceOf(way(SCORED))), {
      otherTraceIDs: ['aa', 'bb'],
    });
    assert.equal(
      text.split('\n').at(-1),
      '2 other traces of Benign_test/42 (replayed more than once), older: aa, bb ' +
        '(show one with --trace-id)',
    );
  });
});

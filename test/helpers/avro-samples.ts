import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type {
  AvroValues,
  DeadLetter,
  FlowWindow,
  RawFlowRecord,
  ScaledFlowRecord,
  SchemaName,
  ScoredEvent,
} from '../../schemas/avro/messages.js';
import { featureNames } from '../../schemas/avro/names.js';
import { fixturesDir } from '../helpers/paths.js';

/** One message of each schema, with realistic values; floats are float32 values already. */
export type Samples = { [K in SchemaName]: AvroValues[K] };

// Fixed instants, so that samples are the same on every run.
const PRODUCED_AT = Date.UTC(2024, 11, 3, 9, 30, 0, 123);
const CHECKSUM = 'a3f1c9e07b5d2468a3f1c9e07b5d2468a3f1c9e07b5d2468a3f1c9e07b5d2468';

/** The header and first data row of a real 39-column capture, read by hand. */
export function fixtureRow(): { header: string[]; row: string[] } {
  const text = readFileSync(join(fixturesDir(), 'Benign_test.pcap.csv'), 'utf8');
  const [header, first] = text.split(/\r?\n/);
  if (!header || !first) throw new Error('Benign_test.pcap.csv has no data row');
  return { header: header.split(','), row: first.split(',') };
}

/** The fixture row's values as float32, in the column order of the 39-column layout. */
export function fixtureValues(): number[] {
  const { header, row } = fixtureRow();
  return featureNames('L39').map((name) => {
    const cell = row[header.indexOf(name)];
    if (cell === undefined) throw new Error(`Benign_test.pcap.csv has no column ${name}`);
    return Math.fround(Number(cell));
  });
}

function scaled(values: readonly number[]): number[] {
  // Stands in for the scaler: any float32 values of the right count and a realistic range.
  return values.map((v, i) => Math.fround((v - 40) / (10 + i)));
}

export function samples(): Samples {
  const raw: RawFlowRecord = {
    capture: 'Benign_test',
    seq: 0,
    layout: 'L39',
    excludedFeatures: [],
    values: fixtureValues(),
    label19: 'Benign',
    producedAt: PRODUCED_AT,
  };

  // The IAT leakage shortcut left out, as `ingest --exclude IAT` does.
  const names = featureNames('L39', ['IAT']);
  const kept = raw.values.filter((_, i) => featureNames('L39')[i] !== 'IAT');
  const record = scaled(kept);
  const scaledRecord: ScaledFlowRecord = {
    capture: raw.capture,
    seq: 7,
    layout: 'L39',
    excludedFeatures: ['IAT'],
    values: record,
    scalerChecksum: CHECKSUM,
    label19: 'Benign',
    label6: 'Benign',
    producedAt: PRODUCED_AT,
    scaledAt: PRODUCED_AT + 4,
  };

  // T = 4 at seq 2: one padding step (flag 0), then records 0, 1 and 2.
  const windowLength = 4;
  const stepWidth = names.length + 1;
  const padding = new Array<number>(stepWidth).fill(0);
  const step = (shift: number) => [...record.map((v) => Math.fround(v + shift)), 1];
  const window: FlowWindow = {
    capture: raw.capture,
    seq: 2,
    layout: 'L39',
    excludedFeatures: ['IAT'],
    scalerChecksum: CHECKSUM,
    windowLength,
    stepWidth,
    steps: [...padding, ...step(-0.5), ...step(-0.25), ...record, 1],
    record,
    label19: 'Benign',
    label6: 'Benign',
    producedAt: PRODUCED_AT,
    windowedAt: PRODUCED_AT + 9,
  };

  const f32 = (values: number[]) => values.map((v) => Math.fround(v));
  const scored: ScoredEvent = {
    capture: raw.capture,
    seq: 2,
    granularity: 'G6',
    predicted: 'Benign',
    predictedIndex: 0,
    probabilities: f32([0.9312, 0.0104, 0.0211, 0.0187, 0.0093, 0.0093]),
    aeProbabilities: f32([0.8125, 0.03125, 0.0625, 0.0468, 0.0235, 0.0234]),
    lstmProbabilities: f32([0.99, 0.001, 0.004, 0.003, 0.001, 0.001]),
    reconstructionError: Math.fround(0.0421),
    unknownAttack: false,
    // A double: the threshold is compared in float64, so it travels exactly.
    threshold: 0.1374617283940123,
    modelVersion: CHECKSUM,
    label19: 'Benign',
    label6: 'Benign',
    producedAt: PRODUCED_AT,
    scoredAt: PRODUCED_AT + 15,
  };

  const deadLetter: DeadLetter = {
    value: Buffer.from('c30145ee33fba8ce', 'hex'),
    key: Buffer.from(raw.capture),
    topic: 'iomt.flows.raw',
    partition: 3,
    offset: 1_234_567_890_123,
    errorCode: 'AVRO_TOO_SHORT',
    errorMessage: '8 bytes, fewer than the 10 of a single-object header',
    stage: 'preprocess',
    failedAt: PRODUCED_AT + 2,
  };

  return {
    RawFlowRecord: raw,
    ScaledFlowRecord: scaledRecord,
    FlowWindow: window,
    ScoredEvent: scored,
    DeadLetter: deadLetter,
  };
}

/** Samples with every nullable field null: unlabelled traffic, a message without a key. */
export function nullSamples(): Partial<Samples> {
  const s = samples();
  return {
    RawFlowRecord: { ...s.RawFlowRecord, label19: null },
    ScaledFlowRecord: { ...s.ScaledFlowRecord, label19: null, label6: null },
    FlowWindow: { ...s.FlowWindow, label19: null, label6: null },
    ScoredEvent: { ...s.ScoredEvent, label19: null, label6: null, unknownAttack: true },
    DeadLetter: { ...s.DeadLetter, key: null },
  };
}

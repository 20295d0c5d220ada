import {
  Dictionary,
  Field,
  Float32,
  Int32,
  Int8,
  Schema,
  Uint32,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';

import type { LayoutName } from '../../schemas/layouts.js';
import { CLASSES_19, CLASSES_2, CLASSES_6 } from '../../schemas/taxonomy.js';

/** Where the flow records of an Arrow file came from; every figure built on them says so. */
export type DataSource = 'generated' | 'csv';

/** What an Arrow flow file records about itself in its schema metadata. */
export interface FlowFileMetadata {
  layout: LayoutName;
  source: DataSource;
  deduplicated: boolean;
  excludedFeatures: readonly string[];
}

export const METADATA_KEYS = {
  layout: 'iomt.layout',
  source: 'iomt.source',
  deduplicated: 'iomt.deduplicated',
  excludedFeatures: 'iomt.excluded_features',
} as const;

export const LABEL_COLUMNS = ['label19', 'label6', 'label2'] as const;

export type LabelColumn = (typeof LABEL_COLUMNS)[number];

export const LABEL_CLASSES: Readonly<Record<LabelColumn, readonly string[]>> = {
  label19: CLASSES_19,
  label6: CLASSES_6,
  label2: CLASSES_2,
};

/** The dictionaries of a split file: fixed before the first batch, shared by every batch. */
export interface FlowDictionaries {
  capture: Vector<Utf8>;
  label19: Vector<Utf8>;
  label6: Vector<Utf8>;
  label2: Vector<Utf8>;
}

export function flowDictionaries(captures: readonly string[]): FlowDictionaries {
  return {
    capture: vectorFromArray([...captures], new Utf8()),
    label19: vectorFromArray([...CLASSES_19], new Utf8()),
    label6: vectorFromArray([...CLASSES_6], new Utf8()),
    label2: vectorFromArray([...CLASSES_2], new Utf8()),
  };
}

/**
 * The Arrow schema of a flow file: one Float32 column per feature named as in the CSV, then
 * the capture, the row's sequence number in its capture, and the labels as dictionaries whose
 * indices are the class indices of the taxonomy.
 */
export function flowSchema(features: readonly string[], metadata: FlowFileMetadata): Schema {
  const fields = [
    ...features.map((name) => new Field(name, new Float32(), false)),
    new Field('capture', new Dictionary(new Utf8(), new Int32(), 0), false),
    new Field('seq', new Uint32(), false),
    ...LABEL_COLUMNS.map(
      (name, i) => new Field(name, new Dictionary(new Utf8(), new Int8(), i + 1), false),
    ),
  ];
  return new Schema(fields, encodeMetadata(metadata));
}

function encodeMetadata(metadata: FlowFileMetadata): Map<string, string> {
  return new Map([
    [METADATA_KEYS.layout, metadata.layout],
    [METADATA_KEYS.source, metadata.source],
    [METADATA_KEYS.deduplicated, String(metadata.deduplicated)],
    [METADATA_KEYS.excludedFeatures, JSON.stringify(metadata.excludedFeatures)],
  ]);
}

import { open, type FileHandle } from 'node:fs/promises';

import {
  Message,
  RecordBatchReader,
  type AsyncRecordBatchFileReader,
  type RecordBatch,
  type Schema,
  type Vector,
} from 'apache-arrow';

import { InvalidInputError } from '../../schemas/errors.js';
import type { FlowBatch, FlowBatchInfo } from '../../schemas/flow-batch.js';
import { layoutByName } from '../../schemas/layouts.js';
import { LABEL_COLUMNS, METADATA_KEYS, type FlowFileMetadata } from './flow-schema.js';
import { shuffledBatches } from './shuffle.js';

export interface FlowReadOptions {
  /**
   * Row ids to read, ascending, repeats allowed (as balancing gives them); default every row.
   */
  selection?: Uint32Array;
  /** Reshuffles rows for one epoch; omit to read in file order. */
  shuffle?: {
    seed: number;
    epoch: number;
    /** Batches mixed together at a time; memory grows with it. Default 4. */
    windowBatches?: number;
  };
}

/** An open Arrow flow file: its description and its record batches, read on demand. */
export interface FlowFile {
  readonly path: string;
  readonly info: FlowBatchInfo;
  readonly metadata: FlowFileMetadata;
  readonly batchCount: number;
  /** Record batches as plain typed arrays; only a bounded number is in memory at once. */
  batches(options?: FlowReadOptions): AsyncGenerator<FlowBatch, void, undefined>;
  close(): Promise<void>;
}

function schemaError(path: string, message: string): InvalidInputError {
  return new InvalidInputError({
    code: 'ARROW_SCHEMA',
    message: `${path}: ${message}`,
    context: { file: path },
  });
}

function readMetadata(path: string, schema: Schema): FlowFileMetadata {
  const get = (key: string) => schema.metadata.get(key);
  const layout = get(METADATA_KEYS.layout);
  if (layout !== '45' && layout !== '39') {
    throw schemaError(
      path,
      'not a flow file written by iomt ingest (no CSV layout in its metadata)',
    );
  }
  return {
    layout,
    source: get(METADATA_KEYS.source) === 'csv' ? 'csv' : 'generated',
    deduplicated: get(METADATA_KEYS.deduplicated) === 'true',
    excludedFeatures: parseStringList(path, get(METADATA_KEYS.excludedFeatures) ?? '[]'),
  };
}

function parseStringList(path: string, text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw schemaError(path, `metadata ${METADATA_KEYS.excludedFeatures} is not a list of names`);
  }
  return value;
}

function featureNames(path: string, schema: Schema, metadata: FlowFileMetadata): string[] {
  const names = schema.fields.map((f) => f.name);
  const expected = layoutByName(metadata.layout).columns.filter(
    (c) => !metadata.excludedFeatures.includes(c),
  );
  const trailer = ['capture', 'seq', ...LABEL_COLUMNS];
  const features = names.slice(0, names.length - trailer.length);
  if (features.join('\u0000') !== expected.join('\u0000')) {
    throw schemaError(path, `feature columns differ from the ${metadata.layout}-column layout`);
  }
  if (names.slice(features.length).join() !== trailer.join()) {
    throw schemaError(path, `expected trailing columns ${trailer.join(', ')}`);
  }
  return features;
}

/**
 * Counts the rows of each record batch from the file footer's record-batch blocks, reading only each batch's metadata
 * message rather than its body. Arrow JS keeps the footer on its reader's implementation, so
 * this falls back to reading whole batches if that shape ever changes.
 */
async function countBatchRows(
  reader: AsyncRecordBatchFileReader,
  handle: FileHandle,
): Promise<number[]> {
  const impl = (reader as unknown as { _impl?: { footer?: FooterLike } })._impl;
  const footer = impl?.footer;
  const rows: number[] = [];
  for (let i = 0; i < reader.numRecordBatches; i++) {
    const block = footer?.getRecordBatch(i);
    if (!block) {
      rows.push((await reader.readRecordBatch(i))?.numRows ?? 0);
      continue;
    }
    const bytes = Buffer.alloc(block.metaDataLength);
    await handle.read(bytes, 0, block.metaDataLength, Number(block.offset));
    // The block starts with the 0xFFFFFFFF continuation marker and the message length.
    const message = Message.decode(bytes.subarray(8));
    rows.push(Number((message.header() as { length: number | bigint }).length));
  }
  return rows;
}

interface FooterLike {
  getRecordBatch(index: number): { metaDataLength: number; offset: number | bigint } | null;
}

function toFlowBatch(batch: RecordBatch, features: number): FlowBatch {
  // Buffers read from IPC are padded to 8 bytes, so a column's typed array can be longer
  // than the batch: take exactly the batch's rows from the data's offset.
  const values = <T extends TypedArray>(child: Vector | null): T => {
    const data = child?.data[0];
    if (!data) throw new Error('flow file batch without a column it declares');
    return (data.values as T).subarray(data.offset, data.offset + batch.numRows) as T;
  };
  const labels = (name: string) => {
    const data = values<Int8Array>(batch.getChild(name));
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  };
  return {
    rows: batch.numRows,
    columns: Array.from({ length: features }, (_, i) => values<Float32Array>(batch.getChildAt(i))),
    capture: values<Int32Array>(batch.getChild('capture')),
    seq: values<Uint32Array>(batch.getChild('seq')),
    label19: labels('label19'),
    label6: labels('label6'),
    label2: labels('label2'),
  };
}

type TypedArray = Float32Array | Int32Array | Uint32Array | Int8Array;

/** Opens an Arrow flow file written by the ingest and checks its schema. */
export async function openFlowFile(path: string): Promise<FlowFile> {
  const handle = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(handle);
    await reader.open();
    if (!reader.isFile() || !reader.isAsync()) throw schemaError(path, 'not an Arrow IPC file');

    const metadata = readMetadata(path, reader.schema);
    const features = featureNames(path, reader.schema, metadata);
    const batchRows = await countBatchRows(reader, handle);
    const first = reader.numRecordBatches > 0 ? await reader.readRecordBatch(0) : null;
    const captures = (first?.getChild('capture')?.data[0]?.dictionary?.toArray() ?? []) as string[];
    const info: FlowBatchInfo = {
      layout: metadata.layout,
      features,
      captures,
      rows: batchRows.reduce((sum, n) => sum + n, 0),
    };

    return {
      path,
      info,
      metadata,
      batchCount: reader.numRecordBatches,
      batches: (options = {}) =>
        shuffledBatches(
          async (i) => {
            const batch = await reader.readRecordBatch(i);
            return batch ? toFlowBatch(batch, features.length) : null;
          },
          batchRows,
          features.length,
          options,
        ),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

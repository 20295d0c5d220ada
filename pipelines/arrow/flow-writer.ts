import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

import {
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Struct,
  type Data,
  type DataType,
  type Dictionary,
  type Field,
  type Float32,
  type Int32,
  type Int8,
  type Schema,
  type Uint32,
  type Utf8,
  type Vector,
} from 'apache-arrow';

import {
  flowDictionaries,
  flowSchema,
  type FlowDictionaries,
  type FlowFileMetadata,
} from './flow-schema.js';

export interface FlowWriterOptions {
  path: string;
  features: readonly string[];
  captures: readonly string[];
  metadata: FlowFileMetadata;
  /** Rows per record batch; default 65,536. */
  batchRows?: number;
}

/** The class indices of one row at every granularity. */
export interface RowLabels {
  label19: number;
  label6: number;
  label2: number;
}

/**
 * Writes flow records to an Arrow IPC file, one record batch every `batchRows` rows, so memory
 * stays bounded by one batch whatever the input size.
 */
export class FlowFileWriter {
  private readonly schema: Schema;
  private readonly dictionaries: FlowDictionaries;
  private readonly writer: RecordBatchFileWriter;
  private readonly done: Promise<void>;
  private readonly batchRows: number;
  private columns: Float32Array[];
  private capture: Int32Array;
  private seq: Uint32Array;
  private labels: Record<keyof RowLabels, Int8Array>;
  private filled = 0;
  private written = 0;

  constructor(private readonly options: FlowWriterOptions) {
    this.batchRows = options.batchRows ?? 65_536;
    this.schema = flowSchema(options.features, options.metadata);
    this.dictionaries = flowDictionaries(options.captures);
    this.writer = new RecordBatchFileWriter();
    const sink = createWriteStream(options.path);
    this.done = finished(this.writer.toNodeStream().pipe(sink));
    [this.columns, this.capture, this.seq, this.labels] = this.allocate();
  }

  get rowsWritten(): number {
    return this.written + this.filled;
  }

  /** Appends one row; `values` holds the features in the writer's feature order. */
  append(values: ArrayLike<number>, capture: number, seq: number, labels: RowLabels): void {
    const row = this.filled;
    for (let c = 0; c < this.columns.length; c++) {
      (this.columns[c] as Float32Array)[row] = values[c] ?? 0;
    }
    this.capture[row] = capture;
    this.seq[row] = seq;
    this.labels.label19[row] = labels.label19;
    this.labels.label6[row] = labels.label6;
    this.labels.label2[row] = labels.label2;
    this.filled++;
    if (this.filled === this.batchRows) this.flush();
  }

  /** Writes the last partial batch and the file footer. */
  async close(): Promise<void> {
    this.flush();
    // A file with no record batch still gets its schema, so readers see the columns.
    if (this.written === 0) this.writer.reset(undefined, this.schema);
    this.writer.finish();
    this.writer.close();
    await this.done;
  }

  private flush(): void {
    if (this.filled === 0) return;
    const n = this.filled;
    const dictionaries = this.dictionaries;
    const features = this.columns.length;
    const children: Data[] = [
      ...this.columns.map((col, i) =>
        makeData({ type: this.fieldType<Float32>(i), data: col.subarray(0, n) }),
      ),
      this.dictionaryData(features, this.capture.subarray(0, n), dictionaries.capture),
      makeData({ type: this.fieldType<Uint32>(features + 1), data: this.seq.subarray(0, n) }),
      this.dictionaryData(features + 2, this.labels.label19.subarray(0, n), dictionaries.label19),
      this.dictionaryData(features + 3, this.labels.label6.subarray(0, n), dictionaries.label6),
      this.dictionaryData(features + 4, this.labels.label2.subarray(0, n), dictionaries.label2),
    ];
    const type = new Struct(this.schema.fields);
    const struct = makeData({ type, length: n, nullCount: 0, children });
    this.writer.write(new RecordBatch(this.schema, struct));

    this.written += n;
    this.filled = 0;
    [this.columns, this.capture, this.seq, this.labels] = this.allocate();
  }

  private fieldType<T extends DataType>(index: number): T {
    const field = this.schema.fields[index] as Field<T> | undefined;
    if (!field) throw new Error(`flow schema has no field ${index}`);
    return field.type;
  }

  private dictionaryData(
    field: number,
    indices: Int32Array | Int8Array,
    dictionary: Vector<Utf8>,
  ): Data {
    // The same dictionary vector for every batch: the writer then emits it once, as the IPC
    // file format requires (no replacement dictionaries).
    const type = this.fieldType<Dictionary<Utf8, Int32 | Int8>>(field);
    return makeData({ type, data: indices, dictionary });
  }

  private allocate(): [
    Float32Array[],
    Int32Array,
    Uint32Array,
    Record<keyof RowLabels, Int8Array>,
  ] {
    const n = this.batchRows;
    return [
      this.options.features.map(() => new Float32Array(n)),
      new Int32Array(n),
      new Uint32Array(n),
      { label19: new Int8Array(n), label6: new Int8Array(n), label2: new Int8Array(n) },
    ];
  }
}

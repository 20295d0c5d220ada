import type { LayoutName } from './layouts.js';

/**
 * A batch of flow records in columnar form, as training and fitting code sees it after reading
 * Arrow files. Label arrays hold class indices into CLASSES_19, CLASSES_6 and CLASSES_2.
 */
export interface FlowBatch {
  readonly rows: number;
  /** One Float32Array per feature, in the order of `FlowBatchInfo.features`. */
  readonly columns: readonly Float32Array[];
  /** Index into `FlowBatchInfo.captures` for each row. */
  readonly capture: Int32Array;
  /** 0-based position of the row among the data rows of its capture file. */
  readonly seq: Uint32Array;
  readonly label19: Uint8Array;
  readonly label6: Uint8Array;
  readonly label2: Uint8Array;
}

/** What every batch of one Arrow split file shares. */
export interface FlowBatchInfo {
  readonly layout: LayoutName;
  readonly features: readonly string[];
  readonly captures: readonly string[];
  readonly rows: number;
}

/** The per-row metadata of a split without its features: what splits and balancing read. */
export type FlowRowIndex = Omit<FlowBatch, 'columns'>;

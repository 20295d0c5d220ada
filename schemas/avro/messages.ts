/**
 * The values of the topics' Avro records, as the codec encodes and decodes them. Each interface
 * mirrors one `.avsc` file of this folder field for field; the files' `doc` attributes say what
 * every field means. Longs are numbers (exact up to 2^53), `timestamp-millis` fields are epoch
 * milliseconds, nullable fields are `null` when absent, enums are their symbols.
 */

/** A CSV layout as an Avro enum symbol: `L45` or `L39` (symbols cannot start with a digit). */
export type LayoutSymbol = 'L45' | 'L39';

/** A class granularity as an Avro enum symbol: `G19`, `G6` or `G2`. */
export type GranularitySymbol = 'G19' | 'G6' | 'G2';

/** The stages that send messages to the dead-letter topic. */
export type Stage = 'replay' | 'preprocess' | 'window' | 'score';

/** `iomt.RawFlowRecord`: one flow record of a capture, as replayed into Kafka. */
export interface RawFlowRecord {
  capture: string;
  seq: number;
  layout: LayoutSymbol;
  /** Layout columns left out of `values`; usually empty. */
  excludedFeatures: string[];
  /** One float32 value per layout column not excluded, in column order. */
  values: number[];
  label19: string | null;
  producedAt: number;
}

/** `iomt.ScaledFlowRecord`: a flow record after label consolidation and standard scaling. */
export interface ScaledFlowRecord {
  capture: string;
  seq: number;
  layout: LayoutSymbol;
  /** Layout columns left out of `values`; usually empty. */
  excludedFeatures: string[];
  /** One scaled value per layout column not excluded, in layout order. */
  values: number[];
  /** The scaler's `dataChecksum`. */
  scalerChecksum: string;
  label19: string | null;
  label6: string | null;
  producedAt: number;
  scaledAt: number;
}

/** `iomt.FlowWindow`: the T scaled records of a capture ending at its newest record. */
export interface FlowWindow {
  capture: string;
  /** The newest record's seq. */
  seq: number;
  layout: LayoutSymbol;
  excludedFeatures: string[];
  scalerChecksum: string;
  /** T. */
  windowLength: number;
  /** Scaled features plus 1 (the presence flag). */
  stepWidth: number;
  /** `windowLength * stepWidth` values, oldest step first, each step ending in its flag. */
  steps: number[];
  /** The newest record's scaled values. */
  record: number[];
  label19: string | null;
  label6: string | null;
  producedAt: number;
  windowedAt: number;
}

/** `iomt.ScoredEvent`: what the ensemble says about one record. */
export interface ScoredEvent {
  capture: string;
  seq: number;
  granularity: GranularitySymbol;
  predicted: string;
  predictedIndex: number;
  /** Ensemble probabilities, one per class of the granularity in class-index order. */
  probabilities: number[];
  aeProbabilities: number[];
  lstmProbabilities: number[];
  reconstructionError: number;
  unknownAttack: boolean;
  threshold: number;
  /** The sha256 hex of the bundle's manifest.json, or its createdAt. */
  modelVersion: string;
  label19: string | null;
  label6: string | null;
  producedAt: number;
  scoredAt: number;
}

/** `iomt.DeadLetter`: a message a stage could not process, and why. */
export interface DeadLetter {
  value: Buffer;
  key: Buffer | null;
  topic: string;
  partition: number;
  offset: number;
  /** An `ErrorCode` of schemas/errors.ts or a `DecodeFailureCode`. */
  errorCode: string;
  errorMessage: string;
  /** One of `Stage`; a string in the schema, so a new stage does not change it. */
  stage: string;
  failedAt: number;
}

/** Each schema's short name (its full name is `iomt.<name>`) and the value it carries. */
export interface AvroValues {
  RawFlowRecord: RawFlowRecord;
  ScaledFlowRecord: ScaledFlowRecord;
  FlowWindow: FlowWindow;
  ScoredEvent: ScoredEvent;
  DeadLetter: DeadLetter;
}

export type SchemaName = keyof AvroValues;

/** Where each schema lives, relative to the schema folder (schemas/avro/). */
export const SCHEMA_FILES: Readonly<Record<SchemaName, string>> = {
  RawFlowRecord: 'raw-flow-record.avsc',
  ScaledFlowRecord: 'scaled-flow-record.avsc',
  FlowWindow: 'flow-window.avsc',
  ScoredEvent: 'scored-event.avsc',
  DeadLetter: 'dead-letter.avsc',
};

/** The namespace of every project schema. */
export const NAMESPACE = 'iomt';

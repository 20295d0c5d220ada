export { readCaptureRows, readHeader } from './csv-reader.js';
export type { CaptureReadOptions, CsvChunk } from './csv-reader.js';
export { DuplicateFilter } from './duplicate-filter.js';
export { MISSING_VALUE_POLICIES, parseField } from './field-parser.js';
export type { FieldProblem, MissingValuePolicy } from './field-parser.js';
export { RejectionReport } from './rejections.js';
export type { Rejection } from './rejections.js';
export { findCsvRoot, listCaptureFiles, SPLITS } from './tree.js';
export type { CaptureFile } from './tree.js';

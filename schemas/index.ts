export { IomtError, InvalidInputError, InvalidOptionError } from './errors.js';
export type { ErrorCode, ErrorContext, IomtErrorOptions } from './errors.js';
export { LAYOUT_39, LAYOUT_45, LAYOUTS, layoutByName, matchHeader } from './layouts.js';
export type { CsvLayout, HeaderMatch, LayoutName } from './layouts.js';
export {
  CLASSES_19,
  CLASSES_2,
  CLASSES_6,
  captureFromFileName,
  classesOf,
  consolidate,
  labelAt,
  labelsOf,
} from './taxonomy.js';
export type {
  CaptureInfo,
  Granularity,
  Label19,
  Label2,
  Label6,
  Labels,
  Split,
} from './taxonomy.js';
export { CSV_DIR, RELEASE_STEMS, releaseFileNames } from './release.js';
export type { FlowBatch, FlowBatchInfo, FlowRowIndex } from './flow-batch.js';

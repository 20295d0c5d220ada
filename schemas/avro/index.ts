export { crc64Avro, parsingCanonicalForm, schemaFingerprint } from './fingerprint.js';
export { NAMESPACE, SCHEMA_FILES } from './messages.js';
export type {
  AvroValues,
  DeadLetter,
  FlowWindow,
  GranularitySymbol,
  LayoutSymbol,
  RawFlowRecord,
  ScaledFlowRecord,
  SchemaName,
  ScoredEvent,
  Stage,
} from './messages.js';
export {
  classNames,
  featureNames,
  featureProblem,
  granularityOfSymbol,
  granularitySymbol,
  layoutOfSymbol,
  layoutSymbol,
} from './names.js';
export type { NamedValues } from './names.js';
export { AvroRegistry, findSchemaDir, loadAvroRegistry } from './registry.js';
export type { AnyDecodedMessage, AvroRegistryOptions, DecodedMessage } from './registry.js';
export { HEADER_SIZE, MARKER } from './single-object.js';
export type { DecodeFailure, DecodeFailureCode } from './single-object.js';

/**
 * Error codes are part of the project's contracts: they appear in error reports and in
 * dead-letter envelopes, so consumers can act on them without parsing messages.
 */
export type ErrorCode =
  | 'LAYOUT_UNKNOWN'
  | 'LABEL_UNKNOWN'
  | 'FIELD_COUNT'
  | 'MALFORMED_ROW'
  | 'NOT_NUMERIC'
  | 'NOT_FINITE'
  | 'MISSING_VALUE'
  | 'DATASET_TREE'
  | 'ARROW_SCHEMA'
  | 'SCALER_MISMATCH'
  | 'SCALER_INVALID'
  | 'BUNDLE_INVALID'
  | 'BUNDLE_MISMATCH'
  | 'INSUFFICIENT_DATA'
  | 'OUT_OF_ORDER'
  | 'INVALID_OPTION'
  | 'IO';

/** Context fields that locate an error; all optional, filled where known. */
export interface ErrorContext {
  file?: string;
  line?: number;
  column?: string;
  option?: string;
  [key: string]: unknown;
}

export interface IomtErrorOptions {
  code: ErrorCode;
  message: string;
  retriable?: boolean;
  cause?: unknown;
  context?: ErrorContext;
}

/** The one base error of the project: a stable code, a retriable flag and context. */
export class IomtError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(options: IomtErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = 'IomtError';
    this.code = options.code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/** Input that does not match a contract: a header, a file name, a record, a scaler. */
export class InvalidInputError extends IomtError {
  constructor(options: Omit<IomtErrorOptions, 'retriable'>) {
    super({ ...options, retriable: false });
    this.name = 'InvalidInputError';
  }
}

/** A bad option given by the user (CLI flag or options object). */
export class InvalidOptionError extends IomtError {
  constructor(option: string, message: string) {
    super({ code: 'INVALID_OPTION', message: `${option}: ${message}`, context: { option } });
    this.name = 'InvalidOptionError';
  }
}

import * as ort from 'onnxruntime-node';
import { pino, type Logger } from 'pino';

import { InvalidOptionError } from '../../schemas/errors.js';
import {
  checkScoreInput,
  emptyModelOutputs,
  stepWidth,
  type ModelOutputs,
  type ModelRunner,
  type ModelShape,
  type ScoreInput,
} from './model-shape.js';
import { AUTOENCODER_ONNX } from './onnx/export-autoencoder.js';
import { LSTM_ONNX } from './onnx/export-lstm.js';
import { reconstructionError } from './reconstruction.js';

/** Execution providers the runner can use. */
export type OnnxExecutionProvider = 'cuda' | 'cpu';

export interface OnnxRunnerOptions {
  /** ONNX bytes of the autoencoder (see `exportAutoencoder`). */
  autoencoder: Uint8Array;
  /** ONNX bytes of the LSTM (see `exportLstm`). */
  lstm: Uint8Array;
  shape: ModelShape;
  /**
   * Execution providers to try. Default ['cpu']. When 'cuda' is listed it is tried first; if it
   * cannot start, the runner logs why and uses the CPU.
   */
  executionProviders?: readonly OnnxExecutionProvider[];
  /** Threads of one operator. Default: ONNX Runtime's choice (one per physical core). */
  intraOpThreads?: number;
  /** Default: silent. */
  logger?: Logger;
}

const DEFAULTS = { executionProviders: ['cpu'] as const };

/**
 * Runs both models of a bundle with ONNX Runtime. Gives the same {@link ModelOutputs} as the
 * tfjs runner; the reconstruction error is computed by the same function from the model's
 * reconstruction.
 */
export class OnnxRunner implements ModelRunner {
  readonly name: string;
  private disposed = false;

  private constructor(
    /** The execution provider both sessions run on. */
    readonly executionProvider: OnnxExecutionProvider,
    private readonly autoencoder: ort.InferenceSession,
    private readonly lstm: ort.InferenceSession,
    private readonly shape: ModelShape,
  ) {
    this.name = `onnxruntime-${executionProvider}`;
  }

  /**
   * Starts one session per model and checks their inputs and outputs against `shape`.
   *
   * @throws InvalidOptionError naming `autoencoder`, `lstm` or `executionProviders`.
   */
  static async create(options: OnnxRunnerOptions): Promise<OnnxRunner> {
    const logger = options.logger ?? pino({ level: 'silent' });
    const providers = checkProviders(options.executionProviders ?? DEFAULTS.executionProviders);
    checkThreads(options.intraOpThreads);

    const runner = await OnnxRunner.startPreferred(providers, options, logger);
    logger.info({ executionProvider: runner.executionProvider }, 'ONNX Runtime sessions started');
    return runner;
  }

  private static async startPreferred(
    providers: readonly OnnxExecutionProvider[],
    options: OnnxRunnerOptions,
    logger: Logger,
  ): Promise<OnnxRunner> {
    if (providers.includes('cuda')) {
      try {
        return await OnnxRunner.start('cuda', options);
      } catch (error) {
        // Whatever failed (no CUDA library, no device, a bad model), the CPU attempt below
        // either works or throws the error that names the model.
        logger.warn({ reason: messageOf(error) }, 'ONNX Runtime CUDA session failed, using CPU');
      }
    }
    return OnnxRunner.start('cpu', options);
  }

  private static async start(
    provider: OnnxExecutionProvider,
    options: OnnxRunnerOptions,
  ): Promise<OnnxRunner> {
    const sessionOptions = sessionOptionsFor(provider, options.intraOpThreads);
    const autoencoder = await openSession('autoencoder', options.autoencoder, sessionOptions);
    let lstm: ort.InferenceSession;
    try {
      lstm = await openSession('lstm', options.lstm, sessionOptions);
      checkSessions(autoencoder, lstm, options.shape);
    } catch (error) {
      await autoencoder.release();
      throw error;
    }
    return new OnnxRunner(provider, autoencoder, lstm, { ...options.shape });
  }

  /** Scores a batch. */
  async run(input: ScoreInput): Promise<ModelOutputs> {
    checkScoreInput(input, this.shape);
    const { rows } = input;
    const { features, windowLength } = this.shape;
    if (rows === 0) return emptyModelOutputs();

    const records = new ort.Tensor('float32', input.records, [rows, features]);
    const windows = new ort.Tensor('float32', input.windows, [
      rows,
      windowLength,
      stepWidth(this.shape),
    ]);
    const [ae, lstm] = await Promise.all([
      this.autoencoder.run({ [AUTOENCODER_ONNX.input]: records }),
      this.lstm.run({ [LSTM_ONNX.input]: windows }),
    ]);

    const reconstruction = float32Output(ae, AUTOENCODER_ONNX.reconstruction);
    return {
      rows,
      aeProbabilities: float32Output(ae, AUTOENCODER_ONNX.probabilities),
      lstmProbabilities: float32Output(lstm, LSTM_ONNX.probabilities),
      reconstructionError: reconstructionError(input.records, reconstruction, rows, features),
    };
  }

  /** Releases both sessions; calling it again does nothing. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.autoencoder.release(), this.lstm.release()]);
  }
}

function sessionOptionsFor(
  provider: OnnxExecutionProvider,
  intraOpThreads: number | undefined,
): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    // Sequential execution with one inter-op thread: node order never depends on scheduling.
    // The intra-op thread count only sets speed: with these graphs, 1, 2 and 4 threads gave
    // bit-identical outputs on ORT 1.30's CPU provider.
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(intraOpThreads === undefined ? {} : { intraOpNumThreads: intraOpThreads }),
    graphOptimizationLevel: 'all',
    // Errors only: ORT's warnings go straight to stderr, around our logger.
    logSeverityLevel: 3,
  };
}

async function openSession(
  option: 'autoencoder' | 'lstm',
  bytes: Uint8Array,
  sessionOptions: ort.InferenceSession.SessionOptions,
): Promise<ort.InferenceSession> {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new InvalidOptionError(option, 'must be the non-empty bytes of an ONNX model');
  }
  try {
    return await ort.InferenceSession.create(bytes, sessionOptions);
  } catch (error) {
    throw new InvalidOptionError(
      option,
      `ONNX Runtime cannot load the model (${messageOf(error)})`,
    );
  }
}

function checkSessions(
  autoencoder: ort.InferenceSession,
  lstm: ort.InferenceSession,
  shape: ModelShape,
): void {
  const { features: f, classes: c, windowLength: t } = shape;
  checkValues('autoencoder', 'input', autoencoder.inputMetadata, [[AUTOENCODER_ONNX.input, [f]]]);
  checkValues('autoencoder', 'output', autoencoder.outputMetadata, [
    [AUTOENCODER_ONNX.reconstruction, [f]],
    [AUTOENCODER_ONNX.probabilities, [c]],
  ]);
  checkValues('lstm', 'input', lstm.inputMetadata, [[LSTM_ONNX.input, [t, stepWidth(shape)]]]);
  checkValues('lstm', 'output', lstm.outputMetadata, [[LSTM_ONNX.probabilities, [c]]]);
}

type Expected = [name: string, dimsAfterBatch: number[]];

// Every value: float32, a free batch dimension first, then fixed sizes.
function checkValues(
  option: string,
  kind: string,
  metadata: readonly ort.InferenceSession.ValueMetadata[],
  expected: Expected[],
): void {
  const describe = (name: string, dims: readonly (number | string)[]): string =>
    `${name} [${dims.join(', ')}]`;
  const actual = metadata.map((m) =>
    m.isTensor ? describe(m.name, m.shape) : `${m.name} (not a tensor)`,
  );
  const matches =
    metadata.length === expected.length &&
    metadata.every((m, k) => {
      const [name, dims] = expected[k] ?? ['', []];
      return (
        m.isTensor &&
        m.type === 'float32' &&
        m.name === name &&
        typeof m.shape[0] === 'string' &&
        m.shape.slice(1).join() === dims.join()
      );
    });
  if (matches) return;

  const wanted = expected.map(([name, dims]) => describe(name, ['batch', ...dims]));
  throw new InvalidOptionError(
    option,
    `model ${kind}s are ${actual.join(', ')}; expected float32 ${wanted.join(', ')}`,
  );
}

function float32Output(results: ort.InferenceSession.ReturnType, name: string): Float32Array {
  const value = results[name];
  if (value === undefined || !(value.data instanceof Float32Array)) {
    throw new TypeError(`ONNX Runtime gave no float32 output ${name}`);
  }
  return value.data;
}

function checkProviders(providers: readonly OnnxExecutionProvider[]): OnnxExecutionProvider[] {
  const listed: OnnxExecutionProvider[] = Array.from(providers);
  if (listed.length === 0) {
    throw new InvalidOptionError('executionProviders', 'must list at least one of cuda, cpu');
  }
  for (const provider of listed) {
    if (provider !== 'cuda' && provider !== 'cpu') {
      throw new InvalidOptionError(
        'executionProviders',
        `unknown provider "${String(provider)}"; expected cuda or cpu`,
      );
    }
  }
  return listed;
}

function checkThreads(threads: number | undefined): void {
  if (threads === undefined || (Number.isInteger(threads) && threads >= 1)) return;
  throw new InvalidOptionError('intraOpThreads', `must be a positive integer, got ${threads}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

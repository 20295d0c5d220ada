import { IomtError } from '../../schemas/errors.js';

/** A span tag or process tag as Jaeger's query API writes it. */
export interface JaegerTag {
  key: string;
  type: string;
  value: string | number | boolean;
}

/** A link to another span; `CHILD_OF` names the parent. */
export interface JaegerReference {
  refType: string;
  traceID: string;
  spanID: string;
}

/** One span of a trace; times in microseconds (start since the epoch). */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: readonly JaegerReference[];
  startTime: number;
  duration: number;
  tags: readonly JaegerTag[];
  processID: string;
}

/** The emitter of spans: the resource's service name and attributes. */
export interface JaegerProcess {
  serviceName: string;
  tags: readonly JaegerTag[];
}

/** A whole trace: its spans and the processes they name by `processID`. */
export interface JaegerTrace {
  traceID: string;
  spans: readonly JaegerSpan[];
  processes: Readonly<Record<string, JaegerProcess>>;
}

/** Which traces `findTraces` asks for. */
export interface TraceQuery {
  /** Traces with at least one span of this service. */
  service: string;
  /** How far back from `end` to look, in milliseconds. */
  lookbackMs: number;
  /** At most this many traces (Jaeger keeps the most recent). */
  limit: number;
  /** End of the period. Default now. */
  end?: Date;
  /** Only traces with a span of `service` carrying all these tags. */
  tags?: Readonly<Record<string, string>>;
}

/** Options of `JaegerClient`. */
export interface JaegerClientOptions {
  /** The query service's base URL, e.g. `http://127.0.0.1:16686`. */
  url: string;
  /** Milliseconds one request may take, from connecting to the last byte. Default 30,000. */
  timeoutMs?: number;
  /** The fetch to use. Default the global one. */
  fetch?: typeof fetch;
}

/** A query that failed: Jaeger unreachable, too slow, or answering something unexpected. */
export class JaegerQueryError extends IomtError {
  constructor(message: string, url: string, retriable: boolean, cause?: unknown) {
    super({ code: 'IO', message, retriable, cause, context: { url } });
    this.name = 'JaegerQueryError';
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A client of Jaeger's HTTP query API (the JSON API its UI uses), reading traces back for
 * reports. Every answer is checked against the shape this module declares before it is used.
 */
export class JaegerClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(options: JaegerClientOptions) {
    this.url = normaliseUrl(options.url);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) {
      throw new JaegerQueryError(`timeoutMs must be > 0, got ${this.timeoutMs}`, this.url, false);
    }
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The names of the services Jaeger has spans of. */
  async services(): Promise<string[]> {
    const data = await this.get('/api/services', new URLSearchParams());
    // An empty store answers `"data": null`.
    if (data === null) return [];
    if (!Array.isArray(data) || !data.every((s) => typeof s === 'string')) {
      throw this.malformed('data: expected a list of service names');
    }
    return data;
  }

  /** The traces that match `query`, whole (every span of every service in them). */
  async findTraces(query: TraceQuery): Promise<JaegerTrace[]> {
    const endMs = (query.end ?? new Date()).getTime();
    // Jaeger takes the period in microseconds since the epoch.
    const params = new URLSearchParams({
      service: query.service,
      start: String(Math.floor((endMs - query.lookbackMs) * 1000)),
      end: String(Math.ceil(endMs * 1000)),
      limit: String(query.limit),
    });
    if (query.tags && Object.keys(query.tags).length > 0) {
      params.set('tags', JSON.stringify(query.tags));
    }

    const data = await this.get('/api/traces', params);
    if (data === null) return [];
    if (!Array.isArray(data)) throw this.malformed('data: expected a list of traces');
    return data.map((trace, i) => this.checkTrace(trace, `data[${i}]`));
  }

  /** The trace with this id, whole, or undefined when Jaeger has none. */
  async getTrace(traceID: string): Promise<JaegerTrace | undefined> {
    if (!/^[0-9a-f]{1,32}$/i.test(traceID)) {
      throw new JaegerQueryError(`not a trace id: "${traceID}"`, this.url, false);
    }
    const path = `/api/traces/${traceID.toLowerCase()}`;
    const data = await this.get(path, new URLSearchParams(), { missingIsNull: true });
    if (data === null) return undefined;
    if (!Array.isArray(data)) throw this.malformed('data: expected a list of traces');
    return data.length === 0 ? undefined : this.checkTrace(data[0], 'data[0]');
  }

  // GETs `path` and returns the `data` member of Jaeger's answer envelope; with `missingIsNull`,
  // null for a 404 (how Jaeger answers for a trace id it does not have).
  private async get(
    path: string,
    params: URLSearchParams,
    options: { missingIsNull?: boolean } = {},
  ): Promise<unknown> {
    const search = params.toString();
    const query = search === '' ? '' : `?${search}`;
    const target = `${this.url}${path}${query}`;
    let response: Response;
    let body: string;
    try {
      response = await this.fetch(target, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = await response.text();
    } catch (error) {
      throw new JaegerQueryError(
        `Jaeger at ${this.url} did not answer ${path}: ${describeFetchError(error, this.timeoutMs)}` +
          ' (is it running? infra/jaeger/start.sh starts one)',
        this.url,
        true,
        error,
      );
    }

    const parsed = parseJson(body);
    if (response.status === 404 && options.missingIsNull) return null;
    if (!response.ok) {
      const detail = envelopeErrors(parsed) ?? body.slice(0, 200).trim();
      throw new JaegerQueryError(
        `Jaeger at ${this.url} answered ${path} with HTTP ${response.status}: ${detail}`,
        this.url,
        response.status >= 500,
      );
    }
    if (!isObject(parsed) || !('data' in parsed)) {
      throw this.malformed(`${path} did not answer a JSON object with "data"`);
    }
    const errors = envelopeErrors(parsed);
    if (errors !== undefined) {
      throw new JaegerQueryError(
        `Jaeger at ${this.url} answered ${path}: ${errors}`,
        this.url,
        false,
      );
    }
    return parsed.data;
  }

  private checkTrace(value: unknown, at: string): JaegerTrace {
    if (!isObject(value)) throw this.malformed(`${at}: expected a trace object`);
    const traceID = this.string(value, 'traceID', at);
    const spans = value.spans;
    if (!Array.isArray(spans)) throw this.malformed(`${at}.spans: expected a list`);
    const processes = value.processes;
    if (!isObject(processes)) throw this.malformed(`${at}.processes: expected an object`);

    const checkedProcesses: Record<string, JaegerProcess> = {};
    for (const [id, process] of Object.entries(processes)) {
      const where = `${at}.processes.${id}`;
      if (!isObject(process)) throw this.malformed(`${where}: expected an object`);
      checkedProcesses[id] = {
        serviceName: this.string(process, 'serviceName', where),
        tags: this.tags(process.tags ?? [], `${where}.tags`),
      };
    }
    const checkedSpans = spans.map((span, i) => this.checkSpan(span, `${at}.spans[${i}]`));
    for (const [i, span] of checkedSpans.entries()) {
      if (!(span.processID in checkedProcesses)) {
        throw this.malformed(`${at}.spans[${i}].processID: no process "${span.processID}"`);
      }
    }
    return { traceID, spans: checkedSpans, processes: checkedProcesses };
  }

  private checkSpan(value: unknown, at: string): JaegerSpan {
    if (!isObject(value)) throw this.malformed(`${at}: expected a span object`);
    const references = value.references ?? [];
    if (!Array.isArray(references)) throw this.malformed(`${at}.references: expected a list`);
    return {
      traceID: this.string(value, 'traceID', at),
      spanID: this.string(value, 'spanID', at),
      operationName: this.string(value, 'operationName', at),
      references: references.map((ref, i) => {
        const where = `${at}.references[${i}]`;
        if (!isObject(ref)) throw this.malformed(`${where}: expected an object`);
        return {
          refType: this.string(ref, 'refType', where),
          traceID: this.string(ref, 'traceID', where),
          spanID: this.string(ref, 'spanID', where),
        };
      }),
      startTime: this.number(value, 'startTime', at),
      duration: this.number(value, 'duration', at),
      tags: this.tags(value.tags ?? [], `${at}.tags`),
      processID: this.string(value, 'processID', at),
    };
  }

  private tags(value: unknown, at: string): JaegerTag[] {
    if (!Array.isArray(value)) throw this.malformed(`${at}: expected a list`);
    return value.map((tag, i) => {
      const where = `${at}[${i}]`;
      if (!isObject(tag)) throw this.malformed(`${where}: expected an object`);
      const v = tag.value;
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw this.malformed(`${where}.value: expected a string, number or boolean`);
      }
      return {
        key: this.string(tag, 'key', where),
        type: this.string(tag, 'type', where),
        value: v,
      };
    });
  }

  private string(object: Record<string, unknown>, key: string, at: string): string {
    const value = object[key];
    if (typeof value !== 'string') throw this.malformed(`${at}.${key}: expected a string`);
    return value;
  }

  private number(object: Record<string, unknown>, key: string, at: string): number {
    const value = object[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw this.malformed(`${at}.${key}: expected a number >= 0`);
    }
    return value;
  }

  private malformed(detail: string): JaegerQueryError {
    return new JaegerQueryError(
      `Jaeger at ${this.url} answered in an unexpected shape: ${detail}`,
      this.url,
      false,
    );
  }
}

function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new JaegerQueryError(`not a URL: "${url}"`, url, false, error);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new JaegerQueryError(`expected an http or https URL, got "${url}"`, url, false);
  }
  return parsed.toString().replace(/\/+$/, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

// The messages of the envelope's `errors` list, when it has any.
function envelopeErrors(parsed: unknown): string | undefined {
  if (!isObject(parsed) || !Array.isArray(parsed.errors) || parsed.errors.length === 0) {
    return undefined;
  }
  return parsed.errors
    .map((e) => (isObject(e) && typeof e.msg === 'string' ? e.msg : JSON.stringify(e)))
    .join('; ');
}

// fetch's own message is "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause.
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

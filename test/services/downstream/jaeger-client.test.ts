import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { JaegerClient, JaegerQueryError } from '../../../services/downstream/jaeger-client.js';

// A stand-in query API on loopback that answers what each test sets: the client's failure paths
// need answers a real Jaeger does not give on demand.

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const TRACE = {
  traceID: 'ab'.repeat(16),
  spans: [
    {
      traceID: 'ab'.repeat(16),
      spanID: 'cd'.repeat(8),
      operationName: 'send iomt.flows.raw',
      references: [],
      startTime: 1_760_000_000_000_000,
      duration: 1500,
      tags: [{ key: 'span.kind', type: 'string', value: 'producer' }],
      logs: [],
      processID: 'p1',
      warnings: null,
    },
  ],
  processes: { p1: { serviceName: 'iomt-replay', tags: [] } },
  warnings: null,
};

function json(body: unknown, status = 200): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
}

describe('Jaeger query client', () => {
  let server: Server;
  let url = '';
  let handler: Handler = json({ data: [] });
  const requests: URL[] = [];
  const held: ServerResponse[] = [];

  before(async () => {
    server = createServer((request, response) => {
      requests.push(new URL(request.url ?? '/', url));
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const response of held) response.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  async function failure(promise: Promise<unknown>): Promise<JaegerQueryError> {
    const error = await promise.then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof JaegerQueryError, String(error));
    return error;
  }

  it('asks for the traces of a service in a period, and returns them checked', async () => {
    handler = json({ data: [TRACE], total: 0, limit: 0, offset: 0, errors: null });
    const client = new JaegerClient({ url: `${url}/` });
    const end = new Date('2026-01-01T00:00:00.000Z');

    const traces = await client.findTraces({
      service: 'iomt-score',
      lookbackMs: 60_000,
      limit: 50,
      end,
      tags: { 'iomt.capture': 'Benign_test' },
    });
    assert.equal(traces.length, 1);
    assert.equal(traces[0]?.spans[0]?.duration, 1500);
    assert.equal(traces[0]?.processes.p1?.serviceName, 'iomt-replay');

    const asked = requests.at(-1);
    assert.equal(asked?.pathname, '/api/traces');
    assert.equal(asked?.searchParams.get('service'), 'iomt-score');
    assert.equal(asked?.searchParams.get('end'), String(end.getTime() * 1000));
    assert.equal(asked?.searchParams.get('start'), String((end.getTime() - 60_000) * 1000));
    assert.equal(asked?.searchParams.get('limit'), '50');
    assert.equal(asked?.searchParams.get('tags'), '{"iomt.capture":"Benign_test"}');
  });

  it('reads an empty store (data: null) as no services and no traces', async () => {
    handler = json({ data: null, total: 0, limit: 0, offset: 0, errors: null });
    const client = new JaegerClient({ url });
    assert.deepEqual(await client.services(), []);
    assert.deepEqual(await client.findTraces({ service: 's', lookbackMs: 1, limit: 1 }), []);
  });

  it('gets one trace by id, and nothing for an id Jaeger does not have', async () => {
    handler = json({ data: [TRACE], total: 0, limit: 0, offset: 0, errors: null });
    const client = new JaegerClient({ url });
    const trace = await client.getTrace(TRACE.traceID.toUpperCase());
    assert.equal(trace?.traceID, TRACE.traceID);
    assert.equal(trace?.spans[0]?.operationName, 'send iomt.flows.raw');
    assert.equal(requests.at(-1)?.pathname, `/api/traces/${TRACE.traceID}`);

    handler = json({ data: null, errors: [{ code: 404, msg: 'trace not found' }] }, 404);
    assert.equal(await client.getTrace('0123456789abcdef'), undefined);

    const asked = requests.length;
    await assert.rejects(client.getTrace('../services'), /not a trace id: "\.\.\/services"/);
    assert.equal(requests.length, asked);
  });

  it('names the field of an answer in an unexpected shape', async () => {
    const broken = structuredClone(TRACE) as { spans: { startTime: unknown }[] };
    if (broken.spans[0]) broken.spans[0].startTime = '1760000000000000';
    handler = json({ data: [broken] });
    const error = await failure(
      new JaegerClient({ url }).findTraces({ service: 's', lookbackMs: 1, limit: 1 }),
    );
    assert.match(error.message, /unexpected shape: data\[0\]\.spans\[0\]\.startTime/);
    assert.equal(error.retriable, false);
    assert.equal(error.context.url, url);

    const orphan = { ...TRACE, processes: {} };
    handler = json({ data: [orphan] });
    const missing = await failure(
      new JaegerClient({ url }).findTraces({ service: 's', lookbackMs: 1, limit: 1 }),
    );
    assert.match(missing.message, /processID: no process "p1"/);

    handler = (_request, response) => response.end('<html>not the query API</html>');
    const html = await failure(new JaegerClient({ url }).services());
    assert.match(html.message, /did not answer a JSON object with "data"/);
  });

  it("reports an HTTP error with Jaeger's own message, retriable only for 5xx", async () => {
    handler = json({ data: null, errors: [{ code: 400, msg: 'malformed tags' }] }, 400);
    const bad = await failure(
      new JaegerClient({ url }).findTraces({ service: 's', lookbackMs: 1, limit: 1 }),
    );
    assert.match(bad.message, /HTTP 400: malformed tags/);
    assert.equal(bad.retriable, false);

    handler = json({ data: null, errors: [{ code: 500, msg: 'storage down' }] }, 500);
    const down = await failure(new JaegerClient({ url }).services());
    assert.match(down.message, /HTTP 500: storage down/);
    assert.equal(down.retriable, true);
  });

  it('says Jaeger is unreachable when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = await failure(new JaegerClient({ url: `http://127.0.0.1:${port}` }).services());
    assert.match(error.message, /did not answer \/api\/services: ECONNREFUSED/);
    assert.match(error.message, /infra\/jaeger\/start\.sh/);
    assert.equal(error.retriable, true);
  });

  it('gives up on a Jaeger that does not answer in time', async () => {
    handler = (_request, response) => held.push(response);
    const started = Date.now();
    const error = await failure(new JaegerClient({ url, timeoutMs: 200 }).services());
    assert.match(error.message, /no answer within 200 ms/);
    assert.ok(Date.now() - started < 5_000);
  });

  it('refuses a URL that is not http', () => {
    assert.throws(() => new JaegerClient({ url: 'ftp://127.0.0.1' }), JaegerQueryError);
    assert.throws(() => new JaegerClient({ url: 'not a url' }), /not a URL/);
  });
});

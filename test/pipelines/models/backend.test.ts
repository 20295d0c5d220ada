import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';

import { pino, type Logger } from 'pino';

import { BACKEND_ORDER, selectBackend, tf } from '../../../pipelines/models/backend.js';
import type { BackendName } from '../../../pipelines/models/backend.js';
import { InvalidOptionError } from '../../../schemas/errors.js';

// A logger that keeps every line it writes, parsed.
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

const NODE_BINDINGS = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');
const skipWithBindings = NODE_BINDINGS ? 'a tfjs-node package is installed here' : false;

describe('selectBackend', () => {
  it('tries the backends fastest first', () => {
    assert.deepEqual(BACKEND_ORDER, ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  });

  it('falls back to wasm and keeps every reason', { skip: skipWithBindings }, async () => {
    const selection = await selectBackend();
    assert.deepEqual(selection, {
      name: 'wasm',
      reason: 'tfjs-node-gpu not installed; tfjs-node not installed; using wasm',
    });
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('logs exactly one info line naming the backend and why', async () => {
    const { logger, lines } = capturingLogger();
    const selection = await selectBackend({ logger });

    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['level'], 30);
    assert.equal(lines[0]?.['backend'], selection.name);
    assert.equal(lines[0]?.['reason'], selection.reason);
  });

  it('initializes wasm for real', async () => {
    await selectBackend({ requested: 'wasm' });
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync());
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(Array.from(sum), [4, 6]);
  });

  it('switches to a requested backend and back', async () => {
    assert.deepEqual(await selectBackend({ requested: 'cpu' }), {
      name: 'cpu',
      reason: 'cpu requested',
    });
    assert.equal(tf.getBackend(), 'cpu');

    const again = await selectBackend();
    assert.equal(tf.getBackend(), again.name === 'wasm' ? 'wasm' : 'tensorflow');
  });

  it('gives the same answer when called again', async () => {
    const first = await selectBackend();
    assert.deepEqual(await selectBackend(), first);
  });

  it('refuses tfjs-node when it is not installed', { skip: skipWithBindings }, async () => {
    for (const requested of ['tensorflow', 'tensorflow-gpu'] as const) {
      await assert.rejects(selectBackend({ requested }), (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError);
        assert.equal(error.code, 'INVALID_OPTION');
        assert.equal(error.context.option, 'backend');
        assert.match(error.message, new RegExp(`${requested} was requested .*not installed`));
        return true;
      });
    }
  });

  it('refuses an unknown backend', async () => {
    await assert.rejects(
      selectBackend({ requested: 'webgpu' as BackendName }),
      /backend: unknown backend "webgpu"/,
    );
  });
});

import * as tf from '@tensorflow/tfjs';

/**
 * The one symbolic tensor a layer gives when applied to a symbolic input; tfjs types the result
 * of `apply` loosely, so the model builders narrow it here.
 *
 * @throws TypeError when the layer gave anything else.
 */
export function symbolic(output: unknown): tf.SymbolicTensor {
  if (output instanceof tf.SymbolicTensor) return output;
  throw new TypeError('expected one symbolic tensor from a layer');
}

import { InvalidOptionError } from '../../schemas/errors.js';

/** The sizes every model config gives. */
interface ModelSizes {
  features: number;
  classes: number;
}

/**
 * Checks the sizes every model config gives: `features` a positive integer and `classes` an
 * integer of at least 2.
 *
 * @throws InvalidOptionError naming `features` or `classes`.
 */
export function checkModelSizes(config: ModelSizes): void {
  requirePositiveInteger('features', config.features);
  requirePositiveInteger('classes', config.classes);
  if (config.classes < 2) throw new InvalidOptionError('classes', 'must be at least 2');
}

/**
 * Checks that a model's seed is an integer, as the seeded initializers need.
 *
 * @throws InvalidOptionError (option `seed`) otherwise.
 */
export function checkSeed(seed: number): void {
  if (!Number.isInteger(seed)) {
    throw new InvalidOptionError('seed', `must be an integer, got ${seed}`);
  }
}

/**
 * Checks that `value`, given for `option`, is an integer >= 1.
 *
 * @throws InvalidOptionError naming `option` otherwise.
 */
export function requirePositiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(option, `must be a positive integer, got ${value}`);
  }
}

import { InvalidInputError, type ErrorCode } from '../../schemas/errors.js';
import type { LayoutName } from '../../schemas/layouts.js';

/** What a set of features must match: a layout and a feature order. */
export interface FeatureSource {
  readonly layout: LayoutName;
  readonly features: readonly string[];
}

/** How a feature list differs from the expected one; empty when they are the same. */
export interface FeatureDifference {
  missing: string[];
  extra: string[];
  duplicated: string[];
  /** First position where both lists hold a known feature but not the same one. */
  position?: number;
}

/** Compares two feature lists by name and order. */
export function compareFeatures(
  expected: readonly string[],
  actual: readonly string[],
): FeatureDifference {
  const expectedSet = new Set(expected);
  const actualSet = new Set(actual);
  const difference: FeatureDifference = {
    missing: expected.filter((f) => !actualSet.has(f)),
    extra: actual.filter((f) => !expectedSet.has(f)),
    duplicated: actual.filter((f, i) => actual.indexOf(f) !== i),
  };

  const length = Math.max(expected.length, actual.length);
  for (let i = 0; i < length; i++) {
    if (expected[i] !== actual[i]) {
      difference.position = i;
      break;
    }
  }
  return difference;
}

/** Who expects the features, for the error: the scaler (default) or a model bundle. */
export interface FeatureOwner {
  code: Extract<ErrorCode, 'SCALER_MISMATCH' | 'BUNDLE_MISMATCH'>;
  name: string;
}

const SCALER: FeatureOwner = { code: 'SCALER_MISMATCH', name: 'scaler' };

/**
 * Throws (SCALER_MISMATCH, or the owner's code) unless `actual` has the expected layout (when it
 * states one) and the same features in the same order. The message names what differs.
 */
export function assertSameFeatures(
  expected: FeatureSource,
  actual: { readonly layout?: LayoutName; readonly features: readonly string[] },
  owner: FeatureOwner = SCALER,
): void {
  const parts: string[] = [];
  if (actual.layout !== undefined && actual.layout !== expected.layout) {
    parts.push(
      `layout is ${actual.layout}-column, the ${owner.name}'s is ${expected.layout}-column`,
    );
  }

  const difference = compareFeatures(expected.features, actual.features);
  if (difference.missing.length > 0)
    parts.push(`missing features: ${difference.missing.join(', ')}`);
  if (difference.extra.length > 0) parts.push(`extra features: ${difference.extra.join(', ')}`);
  if (difference.duplicated.length > 0) {
    parts.push(`duplicated features: ${difference.duplicated.join(', ')}`);
  }
  if (parts.length === 0 && difference.position !== undefined) {
    const at = difference.position;
    parts.push(
      `feature order differs at position ${at}: expected "${expected.features[at]}", ` +
        `got "${actual.features[at]}"`,
    );
  }
  if (parts.length === 0) return;

  throw new InvalidInputError({
    code: owner.code,
    message: `records do not match the ${owner.name}: ${parts.join('; ')}`,
    context: {
      expectedLayout: expected.layout,
      layout: actual.layout,
      ...difference,
    },
  });
}

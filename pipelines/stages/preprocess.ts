import { featureNames, featureProblem, layoutOfSymbol } from '../../schemas/avro/names.js';
import type { RawFlowRecord, ScaledFlowRecord } from '../../schemas/avro/messages.js';
import { CLASSES_19, consolidate, type Label19 } from '../../schemas/taxonomy.js';
import type { Scaler } from '../features/scaler.js';
import { accept, reject, type StageOutcome } from './outcome.js';

const KNOWN_19 = new Set<string>(CLASSES_19);

/** What preprocessing needs: the bundle's scaler, and a clock. */
export interface PreprocessContext {
  scaler: Scaler;
  now?: () => number;
}

/** Where each of the scaler's features sits among a message's values, per name list. */
const positions = new WeakMap<readonly string[], Map<Scaler, number[] | string>>();

function positionsOf(names: readonly string[], scaler: Scaler): number[] | string {
  let byScaler = positions.get(names);
  if (!byScaler) positions.set(names, (byScaler = new Map<Scaler, number[] | string>()));
  let found = byScaler.get(scaler);
  if (found === undefined) {
    const missing = scaler.features.filter((f) => !names.includes(f));
    found =
      missing.length > 0
        ? `the record lacks features the model bundle needs: ${missing.join(', ')}`
        : scaler.features.map((f) => names.indexOf(f));
    byScaler.set(scaler, found);
  }
  return found;
}

/**
 * Validates a raw flow record, consolidates its label (19 to 6 classes) and scales the features
 * the bundle uses with the bundle's statistics. A record of another layout, with features the
 * bundle needs missing, a non-finite value or an unknown label is rejected with its reason.
 */
export function preprocessRecord(
  raw: RawFlowRecord,
  context: PreprocessContext,
): StageOutcome<ScaledFlowRecord> {
  const { scaler } = context;
  if (raw.capture.length === 0) return reject('MALFORMED_ROW', 'record without a capture');
  if (layoutOfSymbol(raw.layout) !== scaler.layout) {
    return reject(
      'BUNDLE_MISMATCH',
      `record of the ${layoutOfSymbol(raw.layout)}-column layout; the model bundle uses ` +
        `the ${scaler.layout}-column layout`,
    );
  }
  const problem = featureProblem(raw);
  if (problem) return reject('FIELD_COUNT', problem);
  if (raw.label19 !== null && !KNOWN_19.has(raw.label19)) {
    return reject('LABEL_UNKNOWN', `unknown label "${raw.label19}"`);
  }

  const names = featureNames(raw.layout, raw.excludedFeatures);
  const where = positionsOf(names, scaler);
  if (typeof where === 'string') return reject('BUNDLE_MISMATCH', where);
  const values = where.map((i) => raw.values[i] ?? NaN);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) return reject('NOT_FINITE', `${scaler.features[bad]} is not finite`);

  const scaled = scaler.transformRow(values, scaler.features);
  const kept = new Set(scaler.features);
  return accept({
    capture: raw.capture,
    seq: raw.seq,
    layout: raw.layout,
    excludedFeatures: featureNames(raw.layout).filter((c) => !kept.has(c)),
    values: Array.from(scaled),
    scalerChecksum: scaler.dataChecksum,
    label19: raw.label19,
    label6: raw.label19 === null ? null : consolidate(raw.label19 as Label19),
    producedAt: raw.producedAt,
    scaledAt: (context.now ?? Date.now)(),
  });
}

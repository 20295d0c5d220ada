import { layoutByName } from '../layouts.js';
import type { LayoutName } from '../layouts.js';
import { classesOf } from '../taxonomy.js';
import type { Granularity } from '../taxonomy.js';
import type { GranularitySymbol, LayoutSymbol } from './messages.js';

// Messages name their values through two enums rather than carrying the names: 39 to 45 feature
// names would be about 500 bytes a message, more than the values themselves. The .avsc files
// list the same names in the enums' `columns` and `classes` attributes for consumers in other
// languages; the tests keep those lists equal to layouts.ts and taxonomy.ts.

/** The Avro symbol of a layout. */
export function layoutSymbol(layout: LayoutName): LayoutSymbol {
  return layout === '45' ? 'L45' : 'L39';
}

/** The layout of an Avro symbol. */
export function layoutOfSymbol(symbol: LayoutSymbol): LayoutName {
  return symbol === 'L45' ? '45' : '39';
}

/** The Avro symbol of a class granularity. */
export function granularitySymbol(granularity: Granularity): GranularitySymbol {
  return `G${granularity}`;
}

/** The class granularity of an Avro symbol. */
export function granularityOfSymbol(symbol: GranularitySymbol): Granularity {
  if (symbol === 'G19') return 19;
  return symbol === 'G6' ? 6 : 2;
}

/** The class names of a message's probabilities, in class-index order. */
export function classNames(granularity: GranularitySymbol): readonly string[] {
  return classesOf(granularityOfSymbol(granularity));
}

const namesCache = new Map<string, readonly string[]>();

/**
 * The feature names of a message's values: the columns of its layout without `excluded`, in
 * layout order. Names in `excluded` that the layout lacks are ignored; `featureProblem` reports
 * them. Cached per layout and exclusion list, so the per-message call allocates nothing.
 */
export function featureNames(
  layout: LayoutSymbol,
  excluded: readonly string[] = [],
): readonly string[] {
  const key = excluded.length === 0 ? layout : `${layout}\u0000${excluded.join('\u0000')}`;
  let names = namesCache.get(key);
  if (!names) {
    const left = new Set(excluded);
    names = Object.freeze(layoutByName(layoutOfSymbol(layout)).columns.filter((c) => !left.has(c)));
    namesCache.set(key, names);
  }
  return names;
}

/** The fields of a message that name and hold its feature values. */
export interface NamedValues {
  layout: LayoutSymbol;
  excludedFeatures?: readonly string[];
  values: readonly number[];
}

/**
 * Why a message's values do not line up with its feature names: an excluded name its layout
 * lacks or lists twice, or a value count that differs from the name count. Undefined when they
 * line up.
 */
export function featureProblem(message: NamedValues): string | undefined {
  const { layout, values } = message;
  const excluded = message.excludedFeatures ?? [];
  if (excluded.length > 0) {
    const columns = new Set(layoutByName(layoutOfSymbol(layout)).columns);
    const unknown = excluded.filter((name) => !columns.has(name));
    if (unknown.length > 0)
      return `excluded features not in layout ${layout}: ${unknown.join(', ')}`;
    const twice = excluded.filter((name, i) => excluded.indexOf(name) !== i);
    if (twice.length > 0) return `excluded features listed twice: ${twice.join(', ')}`;
  }

  const names = featureNames(layout, excluded);
  if (values.length === names.length) return undefined;
  return `${values.length} values for the ${names.length} features of layout ${layout}`;
}

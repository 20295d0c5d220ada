import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LAYOUT_39, LAYOUT_45 } from '../../schemas/layouts.js';
import { CLASSES_19, CLASSES_2, CLASSES_6 } from '../../schemas/taxonomy.js';
import { SCHEMA_FILES } from '../../schemas/avro/messages.js';
import type { SchemaName } from '../../schemas/avro/messages.js';
import {
  classNames,
  featureNames,
  featureProblem,
  granularityOfSymbol,
  granularitySymbol,
  layoutOfSymbol,
  layoutSymbol,
} from '../../schemas/avro/names.js';
import { loadAvroRegistry } from '../../schemas/avro/registry.js';

const registry = await loadAvroRegistry();
const NAMES = Object.keys(SCHEMA_FILES) as SchemaName[];

type Json = { [key: string]: unknown };

/** Every object of a raw schema, depth first. */
function objects(schema: unknown): Json[] {
  if (Array.isArray(schema)) return schema.flatMap(objects);
  if (typeof schema !== 'object' || schema === null) return [];
  return [schema as Json, ...Object.values(schema).flatMap(objects)];
}

function enumDefinitions(name: string): { schema: SchemaName; definition: Json }[] {
  return NAMES.flatMap((schema) =>
    objects(registry.schema(schema))
      .filter((o) => o.type === 'enum' && o.name === name)
      .map((definition) => ({ schema, definition })),
  );
}

describe('feature and class names', () => {
  it('lists the columns of layouts.ts in the CsvLayout enum of every schema with a layout', () => {
    const definitions = enumDefinitions('CsvLayout');
    assert.deepEqual(
      definitions.map((d) => d.schema),
      ['RawFlowRecord', 'ScaledFlowRecord', 'FlowWindow'],
    );
    for (const { schema, definition } of definitions) {
      assert.deepEqual(definition.symbols, ['L45', 'L39'], schema);
      assert.deepEqual(
        definition.columns,
        { L45: [...LAYOUT_45.columns], L39: [...LAYOUT_39.columns] },
        schema,
      );
      // Each file stands alone, so each defines the enum; the definitions must not drift.
      assert.deepEqual(definition, definitions[0]?.definition, schema);
    }
  });

  it('lists the classes of taxonomy.ts in the ClassGranularity enum', () => {
    const [scored, ...others] = enumDefinitions('ClassGranularity');
    assert.equal(others.length, 0);
    assert.deepEqual(scored?.definition.symbols, ['G19', 'G6', 'G2']);
    assert.deepEqual(scored?.definition.classes, {
      G19: [...CLASSES_19],
      G6: [...CLASSES_6],
      G2: [...CLASSES_2],
    });
    assert.deepEqual(classNames('G6'), CLASSES_6);
  });

  it('documents every record, enum and field', () => {
    for (const name of NAMES) {
      const schema = registry.schema(name) as Json;
      assert.equal(schema.namespace, 'iomt');
      // Records, enums and fields are the objects with a name.
      for (const o of objects(schema).filter((o) => typeof o.name === 'string')) {
        assert.ok(typeof o.doc === 'string' && o.doc.length > 10, `${name}: ${String(o.name)}`);
      }
    }
  });

  it('types every instant as timestamp-millis', () => {
    for (const name of NAMES) {
      const fields = (registry.schema(name) as { fields: Json[] }).fields;
      for (const field of fields.filter((f) => String(f.name).endsWith('At'))) {
        assert.deepEqual(field.type, { type: 'long', logicalType: 'timestamp-millis' });
      }
    }
  });

  it('maps layouts and granularities to their symbols and back', () => {
    assert.equal(layoutSymbol('45'), 'L45');
    assert.equal(layoutSymbol('39'), 'L39');
    assert.equal(layoutOfSymbol('L45'), '45');
    assert.equal(layoutOfSymbol('L39'), '39');
    for (const g of [19, 6, 2] as const) assert.equal(granularityOfSymbol(granularitySymbol(g)), g);
  });

  it("names the values: the layout's columns without the excluded ones, in layout order", () => {
    assert.deepEqual(featureNames('L45'), LAYOUT_45.columns);
    const names = featureNames('L39', ['IAT', 'Rate']);
    assert.equal(names.length, 37);
    assert.ok(!names.includes('IAT') && !names.includes('Rate'));
    assert.deepEqual(
      names,
      LAYOUT_39.columns.filter((c) => c !== 'IAT' && c !== 'Rate'),
    );
    // Cached: the same frozen list each time.
    assert.equal(featureNames('L39', ['IAT', 'Rate']), names);
    assert.ok(Object.isFrozen(names));
  });

  it('says why values do not line up with their names', () => {
    const values = new Array<number>(38).fill(0);
    assert.equal(featureProblem({ layout: 'L39', excludedFeatures: ['IAT'], values }), undefined);
    assert.equal(
      featureProblem({ layout: 'L39', values }),
      '38 values for the 39 features of layout L39',
    );
    assert.equal(
      featureProblem({ layout: 'L39', excludedFeatures: ['Duration'], values }),
      'excluded features not in layout L39: Duration',
    );
    assert.equal(
      featureProblem({ layout: 'L39', excludedFeatures: ['IAT', 'IAT'], values }),
      'excluded features listed twice: IAT',
    );
  });
});

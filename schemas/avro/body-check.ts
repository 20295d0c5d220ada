/**
 * A bounds check of an Avro binary body against its schema, run before avsc decodes it.
 *
 * avsc trusts the counts it reads: a corrupted array block count (a varint can announce 2^63
 * items) makes it allocate and loop for that many items past the end of the buffer, which stalls
 * or kills a consumer on a single bad message. This walk reads only lengths, counts and indices,
 * checks each against the bytes left and the schema (union and enum indices, booleans), skips
 * fixed-size items in one step, and says where the body ends, so the caller can also tell a
 * truncated body from one with trailing bytes.
 */

/** Why a body does not fit its schema: it ends too soon, or holds a value no writer writes. */
export interface BodyProblem {
  kind: 'truncated' | 'invalid';
  reason: string;
}

/** Checks the body from `pos`; the offset where it ends, or the problem. */
export type BodyCheck = (bytes: Uint8Array, pos: number) => number | BodyProblem;

/** A schema as avsc's `Type#schema()` gives it: canonical, named types referenced by full name. */
type CanonicalSchema = string | CanonicalSchema[] | { [key: string]: unknown };

class Cursor {
  pos: number;
  problem: BodyProblem | undefined;

  constructor(
    readonly bytes: Uint8Array,
    pos: number,
  ) {
    this.pos = pos;
  }

  get left(): number {
    return this.bytes.length - this.pos;
  }

  fail(kind: BodyProblem['kind'], reason: string): false {
    this.problem = { kind, reason };
    return false;
  }

  /**
   * A zigzag varint (Avro's int and long), as a double: exact up to 2^53, which is all a bounds
   * check needs. NaN when the body ends inside it or it runs past the 10 bytes of a long.
   */
  readLong(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.bytes[this.pos++];
      if (byte === undefined) {
        this.fail('truncated', 'the body ends inside a number');
        return NaN;
      }
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      scale *= 128;
    }
    this.fail('invalid', 'a number runs past the 10 bytes of an Avro long');
    return NaN;
  }

  skip(count: number, what: string): boolean {
    if (count > this.left) return this.fail('truncated', `${what} runs past the end of the body`);
    this.pos += count;
    return true;
  }
}

type Step = (cursor: Cursor) => boolean;

interface Compiled {
  step: Step;
  /** Fewest bytes one value takes: what bounds an array's or map's item count. */
  minSize: number;
  /** Bytes every value takes, where that is fixed. */
  fixedSize?: number;
}

const fixed = (size: number): Compiled => ({
  step: (c) => c.skip(size, `a ${size}-byte value`),
  minSize: size,
  fixedSize: size,
});

const long: Compiled = { step: (c) => !Number.isNaN(c.readLong()), minSize: 1 };

const PRIMITIVES: Record<string, Compiled> = {
  null: { step: () => true, minSize: 0, fixedSize: 0 },
  boolean: {
    step: (c) => {
      const byte = c.bytes[c.pos++];
      if (byte === undefined) return c.fail('truncated', 'the body ends inside a boolean');
      // The spec writes a boolean as the single byte 0 or 1; anything else is corruption.
      return byte <= 1 || c.fail('invalid', `boolean byte ${byte} is neither 0 nor 1`);
    },
    minSize: 1,
  },
  int: long,
  long,
  float: fixed(4),
  double: fixed(8),
  bytes: { step: (c) => lengthPrefixed(c, 'bytes'), minSize: 1 },
  string: { step: (c) => lengthPrefixed(c, 'a string'), minSize: 1 },
};

function lengthPrefixed(c: Cursor, what: string): boolean {
  const length = c.readLong();
  if (Number.isNaN(length)) return false;
  if (length < 0) return c.fail('invalid', `${what} has a negative length ${length}`);
  return c.skip(length, what);
}

/** Reads an enum or union index; -1 (the problem noted) unless it is below `count`. */
function index(c: Cursor, count: number, what: string): number {
  const i = c.readLong();
  if (Number.isNaN(i)) return -1;
  if (i >= 0 && i < count) return i;
  c.fail('invalid', `${what} index ${i} is not below ${count}`);
  return -1;
}

/**
 * Array and map blocks (spec, "Complex Types"): a count, then that many items; a negative count
 * is followed by the block's size in bytes; a zero count ends the value.
 */
function blocks(item: Compiled, what: string): Step {
  // Items of no size (null) are bounded as if they took a byte, so a count stays finite.
  const least = Math.max(item.minSize, 1);
  return (c) => {
    for (;;) {
      let count = c.readLong();
      if (Number.isNaN(count)) return false;
      if (count === 0) return true;
      if (count < 0) {
        count = -count;
        const size = c.readLong();
        if (Number.isNaN(size)) return false;
        if (size < 0) return c.fail('invalid', `${what} block has a negative size ${size}`);
      }
      if (count * least > c.left) {
        return c.fail(
          'truncated',
          `${what} block of ${count} items needs more than ${c.left} bytes`,
        );
      }

      if (item.fixedSize !== undefined) {
        c.pos += count * item.fixedSize;
        continue;
      }
      for (let i = 0; i < count; i++) if (!item.step(c)) return false;
    }
  };
}

class Compiler {
  private readonly named = new Map<string, Compiled>();

  compile(schema: CanonicalSchema): Compiled {
    if (typeof schema === 'string') return this.byName(schema);
    if (Array.isArray(schema)) return this.union(schema);

    const type = String(schema.type);
    switch (type) {
      case 'record':
        return this.record(schema);
      case 'enum': {
        const symbols = (schema.symbols as unknown[]).length;
        return this.define(schema, {
          step: (c) => index(c, symbols, 'enum') >= 0,
          minSize: 1,
        });
      }
      case 'fixed':
        return this.define(schema, fixed(Number(schema.size)));
      case 'array':
        return { step: blocks(this.compile(schema.items as CanonicalSchema), 'array'), minSize: 1 };
      case 'map': {
        const value = this.compile(schema.values as CanonicalSchema);
        const entry: Compiled = {
          step: (c) => PRIMITIVES.string!.step(c) && value.step(c),
          minSize: 1 + value.minSize,
        };
        return { step: blocks(entry, 'map'), minSize: 1 };
      }
      default:
        return this.byName(type);
    }
  }

  private byName(name: string): Compiled {
    const known = PRIMITIVES[name] ?? this.named.get(name);
    if (!known) throw new Error(`schema references unknown type ${name}`);
    return known;
  }

  private define(schema: { [key: string]: unknown }, compiled: Compiled): Compiled {
    this.named.set(String(schema.name), compiled);
    return compiled;
  }

  private union(branches: CanonicalSchema[]): Compiled {
    const compiled = branches.map((b) => this.compile(b));
    return {
      step: (c) => {
        const branch = compiled[index(c, compiled.length, 'union branch')];
        return branch !== undefined && branch.step(c);
      },
      minSize: 1,
    };
  }

  private record(schema: { [key: string]: unknown }): Compiled {
    const fields = schema.fields as { type: CanonicalSchema }[];
    // Registered before its fields, so a recursive reference finds it; its steps are filled in
    // below, and a recursive field counts as one byte toward the record's least size.
    const steps: Step[] = [];
    const compiled: Compiled = {
      step: (c) => {
        for (const step of steps) if (!step(c)) return false;
        return true;
      },
      minSize: 1,
    };
    this.define(schema, compiled);

    let minSize = 0;
    for (const field of fields) {
      const f = this.compile(field.type);
      steps.push(f.step);
      minSize += f.minSize;
    }
    compiled.minSize = minSize;
    return compiled;
  }
}

/**
 * Compiles the bounds check of a schema given in canonical form (avsc's `Type#schema()`).
 *
 * @throws Error when the schema references a named type it does not define.
 */
export function compileBodyCheck(schema: unknown): BodyCheck {
  const { step } = new Compiler().compile(schema as CanonicalSchema);
  return (bytes, pos) => {
    const cursor = new Cursor(bytes, pos);
    return step(cursor) ? cursor.pos : (cursor.problem ?? { kind: 'invalid', reason: 'unknown' });
  };
}

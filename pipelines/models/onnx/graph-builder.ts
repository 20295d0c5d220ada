import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

// onnx-proto is CommonJS with one `onnx` namespace on its exports object.
const { onnx } = onnxProto;

/** The ONNX versions every exported model declares. */
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

/** A tensor dimension: a fixed size, or a symbolic name such as `batch`. */
export type Dim = number | string;

/** A node attribute, tagged by its ONNX type. */
export type Attribute =
  | { float: number }
  | { int: number }
  | { ints: readonly number[] }
  | { string: string }
  | { strings: readonly string[] };

/** What {@link GraphBuilder.toModel} writes into the ModelProto besides the graph. */
export interface ModelInfo {
  /** The graph's name. */
  name: string;
  /** A human-readable description, stored as the model's doc_string. */
  description?: string;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const AttributeType = onnx.AttributeProto.AttributeType;

/**
 * Assembles one float32 ONNX graph (default domain, opset {@link ONNX_OPSET}) node by node and
 * encodes it as ModelProto bytes. Tensors are named by the caller; a name may be defined once.
 */
export class GraphBuilder {
  private readonly defined = new Set<string>();
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly inputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly outputs: OnnxTypes.IValueInfoProto[] = [];

  /** Declares a float32 graph input. */
  input(name: string, dims: readonly Dim[]): string {
    this.define(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Declares a float32 graph output; some node must produce `name`. */
  output(name: string, dims: readonly Dim[]): string {
    this.outputs.push(valueInfo(name, dims));
    return name;
  }

  /** Adds a float32 constant (row-major `values`) and returns its name. */
  floats(name: string, dims: readonly number[], values: Float32Array): string {
    requireSize(name, dims, values.length);
    this.define(name);

    this.initializers.push({ name, dims: [...dims], dataType: FLOAT, rawData: floatBytes(values) });
    return name;
  }

  /** Adds a 1-D int64 constant (shapes, axes) and returns its name. */
  int64s(name: string, values: readonly number[]): string {
    this.define(name);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((value, k) => view.setBigInt64(k * 8, BigInt(value), true));
    this.initializers.push({ name, dims: [values.length], dataType: INT64, rawData: raw });
    return name;
  }

  /**
   * Adds a node and returns the name of its first output. An empty string in `outputs` leaves
   * an optional output out, as the ONNX spec allows.
   */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Record<string, Attribute> = {},
  ): string {
    outputs.filter((o) => o !== '').forEach((o) => this.define(o));
    this.nodes.push({
      name: `${outputs.find((o) => o !== '') ?? opType}_${opType}`,
      opType,
      domain: '',
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs[0] ?? '';
  }

  // SSA form: every tensor has one producer, as ONNX requires of a graph.
  private define(name: string): void {
    if (this.defined.has(name)) throw new RangeError(`tensor ${name} is defined twice`);
    this.defined.add(name);
  }

  /** Encodes the graph as ModelProto bytes. */
  toModel(info: ModelInfo): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'iomt-ids',
      docString: info.description ?? '',
      graph: {
        name: info.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** Decodes ModelProto bytes. */
export function decodeModel(bytes: Uint8Array): OnnxTypes.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** Encodes a (possibly edited) decoded model again. */
export function encodeModel(model: OnnxTypes.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** An attribute's value as plain data. */
export type AttributeData = number | string | number[] | string[];

/** A plain, fully typed view of a model, for checks and tests. */
export interface ModelSummary {
  irVersion: number;
  /** `domain:version` of each imported opset; the default domain is ''. */
  opsets: string[];
  name: string;
  description: string;
  inputs: { name: string; dims: Dim[] }[];
  outputs: { name: string; dims: Dim[] }[];
  nodes: {
    opType: string;
    inputs: string[];
    outputs: string[];
    attributes: Record<string, AttributeData>;
  }[];
  /** Float initializers' dims and values; int64 ones' values as numbers. */
  initializers: Map<string, { dims: number[]; values: Float32Array | number[] }>;
}

/** Decodes ModelProto bytes into a {@link ModelSummary}. */
export function summarizeModel(bytes: Uint8Array): ModelSummary {
  const model = decodeModel(bytes);
  const graph = model.graph ?? {};
  return {
    irVersion: Number(model.irVersion),
    opsets: model.opsetImport.map((o) => `${o.domain ?? ''}:${Number(o.version)}`),
    name: graph.name ?? '',
    description: model.docString,
    inputs: (graph.input ?? []).map(valueSummary),
    outputs: (graph.output ?? []).map(valueSummary),
    nodes: (graph.node ?? []).map((node) => ({
      opType: node.opType ?? '',
      inputs: node.input ?? [],
      outputs: node.output ?? [],
      attributes: Object.fromEntries(
        (node.attribute ?? []).map((a) => [a.name ?? '', attributeData(a)]),
      ),
    })),
    initializers: new Map(
      (graph.initializer ?? []).map((t) => [
        t.name ?? '',
        { dims: (t.dims ?? []).map(Number), values: tensorValues(t) },
      ]),
    ),
  };
}

/** The values of a float32 or int64 initializer stored as raw_data. */
export function tensorValues(tensor: OnnxTypes.ITensorProto): Float32Array | number[] {
  const raw = tensor.rawData ?? new Uint8Array(0);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (tensor.dataType === INT64) {
    return Array.from({ length: raw.byteLength / 8 }, (_, k) =>
      Number(view.getBigInt64(k * 8, true)),
    );
  }
  return Float32Array.from({ length: raw.byteLength / 4 }, (_, k) => view.getFloat32(k * 4, true));
}

/** Float32 values as raw_data bytes: little-endian, as the ONNX spec requires everywhere. */
export function floatBytes(values: Float32Array): Uint8Array {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((value, k) => view.setFloat32(k * 4, value, true));
  return raw;
}

function valueSummary(value: OnnxTypes.IValueInfoProto): { name: string; dims: Dim[] } {
  const dims = value.type?.tensorType?.shape?.dim ?? [];
  return {
    name: value.name ?? '',
    dims: dims.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))),
  };
}

function attributeData(a: OnnxTypes.IAttributeProto): AttributeData {
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  switch (a.type) {
    case AttributeType.FLOAT:
      return a.f ?? 0;
    case AttributeType.INT:
      return Number(a.i);
    case AttributeType.INTS:
      return (a.ints ?? []).map(Number);
    case AttributeType.STRING:
      return text(a.s ?? new Uint8Array(0));
    case AttributeType.STRINGS:
      return (a.strings ?? []).map(text);
    default:
      return `(attribute type ${a.type ?? 'unset'})`;
  }
}

function valueInfo(name: string, dims: readonly Dim[]): OnnxTypes.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

function attribute(name: string, value: Attribute): OnnxTypes.IAttributeProto {
  const encoder = new TextEncoder();
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  if ('string' in value)
    return { name, type: AttributeType.STRING, s: encoder.encode(value.string) };
  return {
    name,
    type: AttributeType.STRINGS,
    strings: value.strings.map((s) => encoder.encode(s)),
  };
}

function requireSize(name: string, dims: readonly number[], length: number): void {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== length) {
    throw new RangeError(
      `initializer ${name}: dims [${dims.join(', ')}] need ${size} values, got ${length}`,
    );
  }
}

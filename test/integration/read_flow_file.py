"""Prints, as JSON, what pyarrow sees in an Arrow flow file written by `iomt ingest`.

Usage: read_flow_file.py FILE

The output has the schema (field names, types and nullability as pyarrow names them), the
schema metadata decoded as UTF-8, the row and record-batch counts, the dictionary of each
dictionary column, and every column's values: features as floats (a float32 widened to a
double, so the JSON number is exact), dictionary columns decoded to their strings, integer
columns as ints. A non-finite float is written as a string ("nan", "inf", "-inf") so the
output stays valid JSON and a reader comparing numbers sees the difference.
"""

import json
import math
import sys

import pyarrow as pa
import pyarrow.ipc as ipc


def plain(value):
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def describe(path):
    with pa.OSFile(path, "rb") as source:
        reader = ipc.open_file(source)
        schema = reader.schema
        batches = [reader.get_batch(i) for i in range(reader.num_record_batches)]

    table = pa.Table.from_batches(batches, schema=schema)
    columns = {}
    dictionaries = {}
    for field, column in zip(schema, table.columns):
        if pa.types.is_dictionary(field.type):
            chunk = column.chunks[0] if column.num_chunks else None
            dictionaries[field.name] = chunk.dictionary.to_pylist() if chunk is not None else []
            column = column.cast(field.type.value_type)
        columns[field.name] = [plain(v) for v in column.to_pylist()]

    metadata = {k.decode("utf-8"): v.decode("utf-8") for k, v in (schema.metadata or {}).items()}
    return {
        "pyarrow": pa.__version__,
        "fields": [
            {"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in schema
        ],
        "metadata": metadata,
        "num_rows": table.num_rows,
        "num_record_batches": len(batches),
        "batch_rows": [b.num_rows for b in batches],
        "dictionaries": dictionaries,
        "columns": columns,
    }


def main(argv):
    if len(argv) != 2:
        print("usage: read_flow_file.py FILE", file=sys.stderr)
        return 2
    json.dump(describe(argv[1]), sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

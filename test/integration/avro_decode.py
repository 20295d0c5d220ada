"""Decodes Avro single-object messages with fastavro and prints what it sees, as JSON.

Usage: avro_decode.py SCHEMA_DIR < MESSAGES

MESSAGES holds one message a line, as hex. Every *.avsc file of SCHEMA_DIR is parsed by fastavro
and fingerprinted by fastavro itself (CRC-64-AVRO of its own Parsing Canonical Form), so the
check owes nothing to the TypeScript codec. For each message the script checks the C3 01
marker, finds the schema whose fingerprint is the header's 8 bytes, decodes the body with
fastavro.schemaless_reader and checks that no byte is left over.

It prints one JSON object with "fastavro" (the version), "schemas" (full name to fingerprint,
16 hex digits in message byte order, and canonical form) and "messages": for each input line
either {"schema", "fingerprint", "value", "names"} or {"error"}. In values, bytes are hex,
timestamp-millis fields (datetimes to fastavro) are epoch milliseconds again, and a non-finite
float is a string ("nan", "inf", "-inf"). "names" is what a consumer with only the .avsc files
recovers: "features", the names of the record's feature values (the "columns" attribute of its
CsvLayout enum, without excludedFeatures), and "classes", the names of a scored event's
probabilities (the "classes" attribute of its ClassGranularity enum).
"""

import datetime
import io
import json
import math
import pathlib
import sys

import fastavro
from fastavro.schema import fingerprint, parse_schema, to_parsing_canonical_form

MARKER = b"\xc3\x01"
HEADER_SIZE = 10
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(value):
    """The value in JSON terms: see the module docstring."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def enum_attribute(schema, enum_name, attribute):
    """The attribute of the first definition of the enum named enum_name in a raw schema."""
    if isinstance(schema, list):
        for item in schema:
            found = enum_attribute(item, enum_name, attribute)
            if found is not None:
                return found
    elif isinstance(schema, dict):
        if schema.get("type") == "enum" and schema.get("name") == enum_name:
            return schema.get(attribute)
        for key in ("type", "fields", "items", "values"):
            if key in schema:
                found = enum_attribute(schema[key], enum_name, attribute)
                if found is not None:
                    return found
    return None


def load_schemas(directory):
    schemas = {}
    for path in sorted(pathlib.Path(directory).glob("*.avsc")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        canonical = to_parsing_canonical_form(raw)
        schemas[fingerprint(canonical, "CRC-64-AVRO")] = {
            "name": raw["namespace"] + "." + raw["name"],
            "raw": raw,
            "parsed": parse_schema(raw),
            "canonical": canonical,
        }
    return schemas


def recovered_names(raw, value):
    names = {}
    columns = enum_attribute(raw, "CsvLayout", "columns")
    if columns is not None and "layout" in value:
        excluded = set(value.get("excludedFeatures", []))
        names["features"] = [c for c in columns[value["layout"]] if c not in excluded]
    classes = enum_attribute(raw, "ClassGranularity", "classes")
    if classes is not None and "granularity" in value:
        names["classes"] = classes[value["granularity"]]
    return names


def decode(message, schemas):
    if len(message) < HEADER_SIZE:
        return {"error": f"{len(message)} bytes, shorter than the header"}
    if message[:2] != MARKER:
        return {"error": f"marker {message[:2].hex()} is not c301"}
    key = message[2:HEADER_SIZE].hex()
    schema = schemas.get(key)
    if schema is None:
        return {"error": f"fingerprint {key} is of no schema"}

    body = io.BytesIO(message[HEADER_SIZE:])
    try:
        value = fastavro.schemaless_reader(body, schema["parsed"])
    except Exception as error:  # any failure is reported, not raised
        return {"error": f"{schema['name']}: {type(error).__name__}: {error}"}
    left = len(message) - HEADER_SIZE - body.tell()
    if left:
        return {"error": f"{schema['name']}: {left} bytes after the value"}
    return {
        "schema": schema["name"],
        "fingerprint": key,
        "value": plain(value),
        "names": recovered_names(schema["raw"], value),
    }


def main(argv):
    if len(argv) != 2:
        print("usage: avro_decode.py SCHEMA_DIR < MESSAGES", file=sys.stderr)
        return 2
    schemas = load_schemas(argv[1])
    messages = [bytes.fromhex(line.strip()) for line in sys.stdin if line.strip()]
    output = {
        "fastavro": fastavro.__version__,
        "schemas": {
            s["name"]: {"fingerprint": key, "canonical": s["canonical"]}
            for key, s in schemas.items()
        },
        "messages": [decode(m, schemas) for m in messages],
    }
    json.dump(output, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

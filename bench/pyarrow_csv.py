"""The reference side of bench/ingest.bench.ts: the same jobs done with pyarrow and numpy.

  pyarrow_csv.py ingest PLAN.json   CSV capture files -> one Arrow IPC file per split
  pyarrow_csv.py moments FILE.arrow per-feature mean and population std of a flow file

`ingest` reads a plan written by the benchmark (features in layout order, the class lists, and
for each split its output path and capture files with their labels) and does what
`ingestDataset` does: parse every file with `pyarrow.csv.read_csv` into float32 columns, add the
capture, seq and label columns as dictionaries, and write the split's IPC file. `--threads 1`
turns off pyarrow's thread pool. `moments` reads the file and computes each feature's mean and
std (ddof 0) in float64 with numpy, and again with `pyarrow.compute`.

Each prints one JSON object on stdout; the times cover the job itself, not Python's start-up.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv
import pyarrow.ipc as ipc

BATCH_ROWS = 65_536


def dictionary_column(index, length, dictionary, index_type):
    indices = pa.array(np.full(length, index, dtype=index_type.to_pandas_dtype()), index_type)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def flow_schema(features, metadata):
    fields = [pa.field(name, pa.float32(), nullable=False) for name in features]
    fields.append(pa.field("capture", pa.dictionary(pa.int32(), pa.string()), nullable=False))
    fields.append(pa.field("seq", pa.uint32(), nullable=False))
    for label in ("label19", "label6", "label2"):
        fields.append(pa.field(label, pa.dictionary(pa.int8(), pa.string()), nullable=False))
    return pa.schema(fields, metadata=metadata)


def ingest_split(split, plan, threads):
    features = plan["features"]
    schema = flow_schema(features, plan["metadata"])
    captures = pa.array([f["capture"] for f in split["files"]], pa.string())
    classes = {k: pa.array(v, pa.string()) for k, v in plan["classes"].items()}
    read_options = csv.ReadOptions(use_threads=threads != 1)
    convert_options = csv.ConvertOptions(
        column_types={name: pa.float32() for name in features},
        include_columns=features,
    )

    rows = 0
    with ipc.new_file(split["out"], schema) as writer:
        for index, file in enumerate(split["files"]):
            table = csv.read_csv(
                file["path"], read_options=read_options, convert_options=convert_options
            )
            n = table.num_rows
            columns = list(table.columns)
            columns.append(dictionary_column(index, n, captures, pa.int32()))
            columns.append(pa.array(np.arange(n, dtype=np.uint32), pa.uint32()))
            for label in ("label19", "label6", "label2"):
                class_index = plan["classes"][label].index(file[label])
                columns.append(dictionary_column(class_index, n, classes[label], pa.int8()))
            writer.write_table(pa.Table.from_arrays(columns, schema=schema), BATCH_ROWS)
            rows += n
    return rows


def ingest(args):
    with open(args.plan, encoding="utf-8") as source:
        plan = json.load(source)
    if args.threads:
        pa.set_cpu_count(args.threads)
        pa.set_io_thread_count(args.threads)

    start = time.perf_counter()
    rows = sum(ingest_split(split, plan, args.threads) for split in plan["splits"])
    seconds = time.perf_counter() - start

    return {
        "rows": rows,
        "seconds": seconds,
        "threads": args.threads or pa.cpu_count(),
        "bytes_written": sum(os.path.getsize(s["out"]) for s in plan["splits"]),
    }


def moments(args):
    start = time.perf_counter()
    with pa.OSFile(args.file, "rb") as source:
        table = ipc.open_file(source).read_all()
    read = time.perf_counter() - start
    features = [f.name for f in table.schema if pa.types.is_floating(f.type)]

    start = time.perf_counter()
    means, stds = [], []
    for name in features:
        values = table.column(name).to_numpy()
        means.append(float(values.mean(dtype=np.float64)))
        stds.append(float(values.std(dtype=np.float64)))
    numpy_seconds = time.perf_counter() - start

    start = time.perf_counter()
    pc_means, pc_stds = [], []
    for name in features:
        column = pc.cast(table.column(name), pa.float64())
        pc_means.append(pc.mean(column).as_py())
        pc_stds.append(pc.stddev(column, ddof=0).as_py())
    compute_seconds = time.perf_counter() - start

    return {
        "rows": table.num_rows,
        "read_seconds": read,
        "numpy": {"seconds": read + numpy_seconds, "means": means, "stds": stds},
        "compute": {"seconds": read + compute_seconds, "means": pc_means, "stds": pc_stds},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    job = commands.add_parser("ingest")
    job.add_argument("plan")
    job.add_argument("--threads", type=int, default=0, help="0: pyarrow's default pool")
    job.set_defaults(run=ingest)
    job = commands.add_parser("moments")
    job.add_argument("file")
    job.set_defaults(run=moments)

    args = parser.parse_args()
    result = args.run(args)
    result["versions"] = {"python": sys.version.split()[0], "pyarrow": pa.__version__}
    result["versions"]["numpy"] = np.__version__
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

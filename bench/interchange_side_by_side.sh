#!/bin/bash
# Issue 15's side-by-side run (BENCHMARKS.md, "Interchange side by side at a million"), on a quiet
# machine: Copydesk's imports, a running Label Studio importing and exporting the same file, then
# every export against its COPY floor. Needs the benchmark database (make_benchmark_data
# --annotations 1333334) and Label Studio set up as bench/peer_bench.py says:
#   LS_TOKEN=... LS_PID=$(pgrep -o -f 'gunicorn core.wsgi') bash bench/interchange_side_by_side.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/copydesk_bench}"
LS_FILE="${LS_FILE:-/tmp/copydesk_bench_label_studio.json}"
load() { cut -d' ' -f1-3 /proc/loadavg; }
[ -s "$LS_FILE" ] || .venv/bin/python manage.py export_annotations --format label-studio --output "$LS_FILE"
echo "== imports $(date -u +%H:%M:%S), load $(load)"
.venv/bin/python bench/import_bench.py --records 100000 --records 1000000 --file "$LS_FILE" --format label-studio
echo "== Label Studio $(date -u +%H:%M:%S), load $(load)"
.venv/bin/python bench/peer_bench.py --annotations-file "$LS_FILE" --ls-url "${LS_URL:-http://127.0.0.1:8781}" \
  --token "$LS_TOKEN" --verify --ls-db "${LS_DB:-ls_bench}" --ls-data-dir "${LS_DATA_DIR:-/work/peers/ls-data}" \
  --ls-pid "$LS_PID"
echo "== exports $(date -u +%H:%M:%S), load $(load)"
BENCH_RUNS="${BENCH_RUNS:-2}" .venv/bin/python bench/export_formats_bench.py
echo "== end $(date -u +%H:%M:%S), load $(load)"

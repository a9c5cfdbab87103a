#!/usr/bin/env bash
# The CLI over a large generated it-staffing CSV: seconds and peak memory (issue 13).
#
#   benches/million.sh [ROWS] [FORMAT ARGS...]
#
# ROWS defaults to 1,000,000. The remaining arguments are passed to `chiso run` after the
# rule set and data (default: `--format jsonl --findings failing`). Builds the release
# binary first, generates `target/bench-data/it-staffing-ROWS.csv` once (deterministic),
# and prints wall-clock seconds, CPU seconds and peak RSS from `/usr/bin/time -v`.
#
# Examples:
#   benches/million.sh                                   # the floor: < 5 s, < 200 MB
#   benches/million.sh 100000                            # memory must match 1,000,000
#   benches/million.sh 100000 --format json --out /dev/null   # the whole report
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
shift || true
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  args=(--format jsonl --findings failing)
fi
cargo build --release --quiet --bin chiso
mkdir -p target/bench-data
data="target/bench-data/it-staffing-$rows.csv"
if [ ! -s "$data" ]; then
  # A fixed linear congruential generator: the same rows on every run. Every 50th row
  # lacks its infosec count (an error finding); the counts are otherwise consistent.
  awk -v n="$rows" 'BEGIN {
    print "unit,staff_total,it_qualified_staff,it_dedicated_staff,it_dedicated_with_degree,infosec_staff,staff_trained_infosec";
    s = 12345;
    for (i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) % 2147483648; staff = 20 + s % 300;
      s = (s * 1103515245 + 12345) % 2147483648; q = s % 12;
      s = (s * 1103515245 + 12345) % 2147483648; d = s % (q + 1);
      s = (s * 1103515245 + 12345) % 2147483648; g = s % (d + 1);
      s = (s * 1103515245 + 12345) % 2147483648; sec = (i % 50 == 0) ? "" : s % 3;
      s = (s * 1103515245 + 12345) % 2147483648; t = s % (staff + 1);
      printf "Đơn vị %d,%d,%d,%d,%d,%s,%d\n", i, staff, q, d, g, sec, t;
    }
  }' > "$data"
fi
echo "rows: $rows  file: $data ($(du -h "$data" | cut -f1))  args: ${args[*]}"
log="$(mktemp)"
status=0
/usr/bin/time -v target/release/chiso run --rules rules/it-staffing --data "$data" "${args[@]}" \
  > target/bench-data/out.txt 2> "$log" || status=$?
grep -E "Elapsed \(wall clock\)|User time|System time|Maximum resident set size" "$log"
awk '/Maximum resident set size/ { printf "peak RSS: %.1f MB\n", $6 / 1024 }' "$log"
echo "exit status: $status (1 = some findings failed, as expected); output: $(wc -c < target/bench-data/out.txt) bytes"
rm -f "$log"

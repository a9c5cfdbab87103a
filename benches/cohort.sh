#!/usr/bin/env bash
# A rule set WITH cohort operations over a large generated CSV (issue 13, item 4): the full
# Vietnam ICT Index 2019 (27 inputs normalised across every unit, rescaled sub-pillars,
# ten ranks) read four ways in the same run, with seconds and peak memory of each:
#
#   1. `--format json` loads whole records into a `Dataset`, then binds and evaluates;
#   2. `--format jsonl` gathers: each row is bound to the declared inputs as it is read
#      and dropped (`RuleSet::gather`), then the units are evaluated together;
#   3. `--format text` and `csv` gather the same way and write the whole report's bytes
#      (`RuleSet::write_report_files`).
#
#   benches/cohort.sh [ROWS]        # ROWS defaults to 100,000
#
# Both write failing findings only and no values (`--findings failing --values none`), so
# the difference is loading and holding the data, not writing it. Generates
# `target/bench-data/ict-ROWS.csv` once (deterministic).
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-100000}"
cargo build --release --quiet --bin chiso
mkdir -p target/bench-data
data="target/bench-data/ict-$rows.csv"
if [ ! -s "$data" ]; then
  awk -v n="$rows" 'BEGIN {
    split("fixed_phones_per_100 mobile_phones_per_100 internet_subscriptions_per_100 fixed_broadband_per_100 wireless_broadband_per_100 households_with_computer enterprises_with_broadband computers_per_staff bandwidth_per_staff agencies_on_wan security_solutions adult_literacy school_attendance schools_teaching_it universities_teaching_it share_it_dedicated_staff share_it_staff_with_degree share_infosec_staff share_trained_open_source share_trained_infosec email_use basic_applications specialised_databases electronic_documents open_source_use services_level_3_4 dossiers_online portal_compliance", names, " ");
    header = "unit";
    for (k = 1; k <= 28; k++) header = header "," names[k];
    print header;
    s = 12345;
    for (i = 0; i < n; i++) {
      line = "Tỉnh " i;
      for (k = 1; k <= 28; k++) {
        s = (s * 1103515245 + 12345) % 2147483648;
        line = line "," sprintf("%.2f", 0.5 + (s % 9950) / 100);
      }
      print line;
    }
  }' > "$data"
fi
echo "rows: $rows  file: $data ($(du -h "$data" | cut -f1))"
log="$(mktemp)"
for format in json jsonl text csv; do
  status=0
  /usr/bin/time -v target/release/chiso run --rules rules/ict-index/2019 --data "$data" \
    --format "$format" --findings failing --values none --out "target/bench-data/cohort-out.$format" \
    2> "$log" || status=$?
  awk -v f="$format" -v st="$status" '
    /Elapsed \(wall clock\)/ { wall = $NF }
    /Maximum resident set size/ { rss = $6 / 1024 }
    END { printf "%-6s wall %s  peak RSS %.1f MB  exit %s\n", f, wall, rss, st }' "$log"
done
rm -f "$log"

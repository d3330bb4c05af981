#!/usr/bin/env bash
# Issue 13's rule: a page's cold time, the 2026-11-23 code against the current one, alternated
# process by process so that the machine's drift hits both (docs/performance.md).
#   bench/page_pairs.sh OLD_CHECKOUT OLD_URL NEW_URL PAGE NEW_PAGE VIEW PAIRS
# e.g. bench/page_pairs.sh /tmp/old duckdb:////tmp/old/data/bench_10m.duckdb \
#        duckdb:///data/bench_10m.duckdb follow-up follow-up-2026-11-23 "default quarter" 3
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
old=$1 old_url=$2 new_url=$3 page=$4 new_page=$5 view=$6 pairs=$7
python="${PYTHON:-$here/.venv/bin/python}"
for _ in $(seq "$pairs"); do
  (cd "$old" && PYTHONPATH="$old" "$python" "$here/bench/old_page_time.py" "$old_url" "$page" "$view" 3)
  (cd "$here" && "$python" bench/page_time.py "$new_url" "$new_page" "$view" 3 Aurelia G03 brand_site)
done

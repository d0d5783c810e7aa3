#!/usr/bin/env bash
# Coverage-guided fuzzing of the C++ runtime with libFuzzer (clang, with
# AddressSanitizer and UBSan): fuzz/fuzz_check.cpp (the graph checker,
# cpp/graph.cpp) and fuzz/fuzz_run.cpp (graph build + run, float64 and
# float32). Each runs FUZZ_SECONDS (default 60), both at once, from the
# committed corpus fuzz/corpus/<target>/ (new inputs go to a scratch
# directory, so the committed corpus is unchanged); any crash, sanitizer
# report or leak fails. Prints each target's executions/s and corpus size.
#   bash scripts/fuzz.sh                 # build + run (CI: scripts/test.sh)
#   bash scripts/fuzz.sh --merge         # then merge the new inputs into fuzz/corpus/
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-60}
CXX=${FUZZ_CXX:-clang++-14}
OUT=_build/fuzz
mkdir -p "$OUT"
FLAGS=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -ffp-contract=off -DEIGEN_FAST_MATH=0
       -Icpp -Ifuzz -I/usr/include/eigen3)
targets=(check run)
for t in "${targets[@]}"; do
  "$CXX" "${FLAGS[@]}" "fuzz/fuzz_$t.cpp" cpp/graph.cpp cpp/rng.cpp -o "$OUT/fuzz_$t" &
done
wait
status=0
for t in "${targets[@]}"; do
  rm -rf "$OUT/new_$t" && mkdir -p "$OUT/new_$t" "fuzz/corpus/$t"
  (cd "$OUT" && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     "./fuzz_$t" -max_total_time="$SECS" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
     -dict=../../fuzz/graph.dict -artifact_prefix="crash_$t-" \
     "new_$t" "../../fuzz/corpus/$t" > "log_$t.txt" 2>&1) &
done
for job in $(jobs -p); do wait "$job" || status=1; done
for t in "${targets[@]}"; do
  log="$OUT/log_$t.txt"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  corpus=$(( $(ls "fuzz/corpus/$t" | wc -l) + $(ls "$OUT/new_$t" | wc -l) ))
  echo "fuzz_$t: ${SECS} s, $execs executions, $rate exec/s, corpus $corpus inputs" \
       "($(ls "fuzz/corpus/$t" | wc -l) committed)"
  if ls "$OUT"/crash_"$t"-* > /dev/null 2>&1 || grep -q "ERROR: libFuzzer\|SUMMARY: " "$log"; then
    echo "fuzz_$t: FAILED, see $log"; tail -40 "$log"; status=1
  fi
done
if [ "${1:-}" = --merge ]; then
  for t in "${targets[@]}"; do
    "$OUT/fuzz_$t" -merge=1 "fuzz/corpus/$t" "$OUT/new_$t" > /dev/null 2>&1
  done
fi
exit $status

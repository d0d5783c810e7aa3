#!/usr/bin/env bash
# The C++ extension built with AddressSanitizer and UBSan (GCC, -O1, Eigen's
# assertions on, every UB check fatal), then a fast subset of the Python
# tests on it: the bad-input, non-finite and error tests, the runtime tests,
# the API fuzz test, and the differential harness on fewer graphs. The
# package is assembled in _build/sanitize (python/certigrad + the
# instrumented _core) and put first on PYTHONPATH. About 3 minutes.
#   bash scripts/sanitize.sh             (PYTHON=... to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
OUT=_build/sanitize
rm -rf "$OUT" && mkdir -p "$OUT"
cp -r python/certigrad "$OUT/certigrad"
ext=$("$PY" -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
start=$(date +%s)
FLAGS=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
       -fno-sanitize-recover=undefined -march=native -ffp-contract=off -fopenmp
       -DEIGEN_FAST_MATH=0 -fPIC)
for src in bindings graph rng; do  # in parallel
  g++ "${FLAGS[@]}" $("$PY" -m pybind11 --includes) -I/usr/include/eigen3 \
    -c "cpp/$src.cpp" -o "$OUT/$src.o" &
done
for job in $(jobs -p); do wait "$job"; done
g++ "${FLAGS[@]}" -shared "$OUT"/bindings.o "$OUT"/graph.o "$OUT"/rng.o -o "$OUT/certigrad/_core$ext"
echo "sanitize: build $(( $(date +%s) - start )) s"
# detect_leaks=0: the interpreter's own allocations; allocator_may_return_null:
# a buffer too large to allocate is a ShapeError (tested), not an ASan abort.
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:abort_on_error=1:log_path=$PWD/$OUT/asan
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$PWD/$OUT/ubsan
# the oracle: dune's build of it (the assembled package has no bin/)
export CERTIGRAD_REF=${CERTIGRAD_REF:-$PWD/_build/default/extraction/certigrad-ref}
export CERTIGRAD_DIFF_EXAMPLES=300 CERTIGRAD_DIFF_EDGE_EXAMPLES=300 CERTIGRAD_DIFF_BOUND_EXAMPLES=20
# test_thread_creation_failure_is_an_error limits the address space, which
# ASan's shadow memory cannot live with.
# libstdc++ preloaded too: ASan intercepts __cxa_throw only if it is loaded
# at startup (python itself does not link it).
status=0
LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libstdc++.so)" \
  PYTHONPATH="$OUT" "$PY" -m pytest -q -p no:cacheprovider \
  tests/test_bad_inputs.py tests/test_nonfinite.py tests/test_errors.py tests/test_runtime.py \
  tests/test_runtime_adam.py tests/test_runtime_gemm.py tests/test_runtime_ops.py \
  tests/test_interchange.py tests/test_fuzz_api.py tests/test_differential.py \
  -k "not thread_creation_failure and not failure_is_shrunk" || status=$?
# reports go to files (pytest captures stderr); any report is a failure
if ls "$OUT"/asan.* "$OUT"/ubsan.* > /dev/null 2>&1; then
  grep -L "failed to allocate" "$OUT"/asan.* "$OUT"/ubsan.* 2>/dev/null | xargs -r cat
  if grep -L "failed to allocate" "$OUT"/asan.* "$OUT"/ubsan.* 2>/dev/null | grep -q .; then
    status=1
  fi
fi
echo "sanitize: total $(( $(date +%s) - start )) s"
exit $status

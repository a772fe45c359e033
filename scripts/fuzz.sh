#!/bin/sh
# Fuzz lane: run every libFuzzer harness of a `fuzz` preset build for a
# fixed time on a scratch copy of its seed corpus (testdata/fuzz/<name>/ is
# never modified), two at a time. Fails on any crash, leak, timeout,
# out-of-memory or UBSan report (the preset builds with
# -fno-sanitize-recover=all, so UBSan aborts), printing the report and the
# path of the input that caused it.
#
#   sh scripts/fuzz.sh [BUILD_DIR [SECONDS [JOBS]]]
#       BUILD_DIR  default build/fuzz (cmake --preset fuzz &&
#                  cmake --build build/fuzz --target fuzzers)
#       SECONDS    per harness, default $SG_FUZZ_TIME or 20
#       JOBS       harnesses at once, default 2
#
# A failing input is kept in the scratch directory printed at the end; add
# it to testdata/fuzz/<name>/ as a regression once the bug is fixed.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build/fuzz}
secs=${2:-${SG_FUZZ_TIME:-20}}
jobs=${3:-2}
bins=$(find "$build/fuzz" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x |
    LC_ALL=C sort)
[ -n "$bins" ] || { echo "fuzz.sh: no harnesses in $build/fuzz" >&2; exit 2; }
src=$(pwd)
if [ "${FUZZ_ONE:-}" ]; then
    scratch=$FUZZ_SCRATCH_DIR # a child of the run below
else
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/sigil-fuzz.XXXXXX")
fi

# one NAME: run harness fuzz_NAME; exit status = libFuzzer's
run_one() {
    name=$1
    d=$scratch/$name
    mkdir -p "$d/corpus" "$d/artifacts"
    if [ -d "$src/testdata/fuzz/$name" ]; then
        cp -R "$src/testdata/fuzz/$name/." "$d/corpus/"
    fi
    if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        LSAN_OPTIONS=suppressions=$src/fuzz/lsan.supp \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/fuzz/fuzz_$name" -max_total_time="$secs" -timeout=25 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$d/artifacts/" "$d/corpus" >"$d/log" 2>&1; then
        echo "fuzz: $name ok ($(grep -m1 'stat::number_of_executed_units' "$d/log" | awk '{print $2}') runs)"
    else
        echo "fuzz: $name FAILED (log $d/log)"
        return 1
    fi
}

if [ "${FUZZ_ONE:-}" ]; then
    run_one "$FUZZ_ONE"
    exit $?
fi

echo "fuzz: $(echo "$bins" | wc -l) harnesses, ${secs}s each, $jobs at once, scratch $scratch"
status=0
echo "$bins" | sed 's,.*/fuzz_,,' |
    xargs -P "$jobs" -I{} env FUZZ_ONE={} FUZZ_SCRATCH_DIR="$scratch" \
        sh "$src/scripts/fuzz.sh" "$build" "$secs" 1 ||
    status=1
if [ "$status" != 0 ]; then
    for log in "$scratch"/*/log; do
        if ! grep -q '^Done [0-9]* runs' "$log"; then
            echo "---- $log" >&2
            grep -E 'ERROR|SUMMARY|runtime error|Test unit written|==[0-9]+==|#[0-9]+ 0x' "$log" | head -40 >&2
        fi
    done
    echo "fuzz.sh: failures; inputs under $scratch/*/artifacts" >&2
    exit 1
fi
rm -rf "$scratch"
echo "fuzz: all harnesses clean"

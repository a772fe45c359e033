#!/bin/sh
# Install what is missing, build and run the whole test suite twice:
#  1. developer build (GCC, -Werror): unit, fuzz-corpus replay and
#     integration tests against real docker-registry instances on 127.0.0.1;
#  2. ASan+UBSan build (clang, -Werror): the same tests, so every parser,
#     corpus and CLI path also runs under the sanitizers;
#  3. fuzz lane: every libFuzzer harness for SG_FUZZ_TIME seconds (default
#     20) on a scratch copy of its seed corpus, two at a time; any crash,
#     leak or UBSan report fails (scripts/fuzz.sh).
# Before building, scripts/checksrc.sh refuses the banned functions.
# Set SG_SKIP_ASAN=1 / SG_SKIP_FUZZ=1 to leave out lane 2 / lane 3.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
jobs=$(nproc)

# Formatting: every C file as clang-format 14 formats it (.clang-format).
unformatted=$(git ls-files '*.c' '*.h' 2>/dev/null |
    xargs -r clang-format --dry-run 2>&1 | grep -c 'warning:' || true)
if [ "$unformatted" != 0 ]; then
    echo "test.sh: clang-format: $unformatted places differ; run" \
        "git ls-files '*.c' '*.h' | xargs clang-format -i" >&2
    exit 1
fi

# Banned functions of the style guide (Part B5): file:line of each call.
sh scripts/checksrc.sh

cmake --preset dev >/dev/null
cmake --build build/dev -j"$jobs"
# Fixtures that need tools (rpm databases, Go binaries, images) are built
# once per checkout by the fixture script (idempotent).
sh testdata/make-fixtures.sh build/dev/fixtures
(cd build/dev && ctest --output-on-failure -j"$jobs" "$@")

if [ "${SG_SKIP_ASAN:-0}" != 1 ]; then
    cmake --preset asan >/dev/null
    cmake --build build/asan -j"$jobs"
    ln -sfn ../dev/fixtures build/asan/fixtures
    supp=$(pwd)/fuzz/lsan.supp # libjq's own leaks (fuzz/lsan.supp)
    (cd build/asan &&
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        LSAN_OPTIONS=suppressions=$supp \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j"$jobs" "$@")
fi

if [ "${SG_SKIP_FUZZ:-0}" != 1 ]; then
    cmake --preset fuzz >/dev/null
    cmake --build build/fuzz -j"$jobs" --target fuzzers
    sh scripts/fuzz.sh build/fuzz "${SG_FUZZ_TIME:-20}" 2
fi

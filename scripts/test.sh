#!/bin/sh
# Install what is missing, build (developer preset: GCC, -Werror) and run
# the whole test suite: unit, fuzz-corpus replay and integration tests
# against real docker-registry instances on 127.0.0.1.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build build/dev -j"$(nproc)"
# Fixtures that need tools (rpm databases, Go binaries, images) are built
# once per build tree by the fixture script; tests skip nothing silently.
if [ -x testdata/make-fixtures.sh ]; then
    sh testdata/make-fixtures.sh build/dev/fixtures
fi
cd build/dev
ctest --output-on-failure -j"$(nproc)" "$@"

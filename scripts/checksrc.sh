#!/bin/sh
# Source check: no banned function of the style guide (Part B5) is called
# in the C sources. Prints FILE:LINE: NAME for every call and exits 1 when
# there is one; exit 0 when the tree is clean, 2 on usage errors.
#
#   sh scripts/checksrc.sh [PATH...]    (default: the library, CLI, fuzz
#                                        harnesses and tests)
#
# What replaces each: snprintf/sg_buf (sprintf, vsprintf, strcpy, strcat,
# strncpy, strncat), memchr/strcspn/sg_rd (strtok, sscanf, gets),
# strtol/strtoul with an end check (atoi, atol), sg_error_errno or
# strerror_r (strerror: not thread-safe), mkstemp/mkdtemp (tmpnam,
# mktemp), RAND_bytes or getrandom (rand, srand).
#
# A call is the name followed by "(" and not preceded by an identifier
# character, "." or "->" (so snprintf, strtok_r and s->rand( pass); lines
# that are comments ("/*", " *", "//") are not checked.
set -u
cd "$(dirname "$0")/.."

banned='sprintf|vsprintf|strcpy|strcat|strncpy|strncat|strtok|atoi|atol|sscanf|gets|strerror|tmpnam|mktemp|rand|srand'

if [ $# -eq 0 ]; then
    set -- common oci sbom sign verify src fuzz tests
fi
for p in "$@"; do
    [ -e "$p" ] || { echo "checksrc.sh: $p: no such file or directory" >&2; exit 2; }
done

files=$(find "$@" -type f \( -name '*.c' -o -name '*.h' \) -print | LC_ALL=C sort)
hits=$(for name in $(echo "$banned" | tr '|' ' '); do
    echo "$files" |
        xargs -r grep -nHE "(^|[^A-Za-z0-9_.>])$name[[:space:]]*\(" |
        grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*|//)' |
        sed -E "s/^([^:]+:[0-9]+):.*/\1: $name/"
done | LC_ALL=C sort -t: -k1,1 -k2,2n)

if [ -n "$hits" ]; then
    echo "$hits" | sed 's/$/ is banned (style guide, Part B5)/'
    n=$(echo "$hits" | wc -l)
    echo "checksrc.sh: $n call(s) of banned functions" >&2
    exit 1
fi
echo "checksrc.sh: no banned functions"

#!/bin/sh
# run.sh [SECONDS] - builds the libFuzzer harnesses (clang, with
# AddressSanitizer and UBSan) into build/fuzz and runs each on a copy of
# its seed corpus (tests/fuzz/corpus/NAME) for SECONDS (default 10).  Prints
# each harness's executions; exits non-zero on a finding (its input is
# kept in build/fuzz/findings).  `make test` runs it briefly, `make fuzz`
# long.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${1:-10}
OUT=$ROOT/build/fuzz
PKGS="libczmq libzmq libsodium msgpack libpq jansson libcrypto"
CC=${FUZZ_CC:-clang}
FLAGS="-O1 -g -std=c11 -D_GNU_SOURCE -I$ROOT/common -DYJC_SHARE_DIR=\"$ROOT/deploy\" -DYJC_VAR_DIR=\"$ROOT/var\" $(pkg-config --cflags $PKGS)"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$OUT/obj" "$OUT/findings"
cd "$ROOT"
objs=""
for src in common/*.c; do
    obj=$OUT/obj/$(basename "$src" .c).o
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find common proto -newer "$obj" -name '*.[hd]*' | head -1)" ]; then
        # shellcheck disable=SC2086
        $CC $FLAGS $SAN -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
    fi
    objs="$objs $obj"
done
sh common/embed-sql.sh yjc_common_migrations common/sql/*.sql >"$OUT/common_sql.c"
# shellcheck disable=SC2086
$CC $FLAGS $SAN -c "$OUT/common_sql.c" -o "$OUT/obj/common_sql.o"
objs="$objs $OUT/obj/common_sql.o"
status=0
for name in frame json; do
    # shellcheck disable=SC2086
    $CC $FLAGS $SAN -fsanitize=fuzzer "tests/fuzz/fuzz_$name.c" $objs \
        $(pkg-config --libs $PKGS) -lpthread -o "$OUT/fuzz_$name"
    rm -rf "$OUT/corpus_$name" && mkdir -p "$OUT/corpus_$name"
    cp tests/fuzz/corpus/$name/* "$OUT/corpus_$name/"
    if "$OUT/fuzz_$name" -max_total_time="$SECS" -max_len=65536 \
        -artifact_prefix="$OUT/findings/${name}-" -print_final_stats=1 \
        "$OUT/corpus_$name" >"$OUT/fuzz_$name.log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/fuzz_$name.log")
        echo "fuzz $name: $execs executions in ${SECS}s, no finding"
    else
        echo "fuzz $name: FINDING (see $OUT/fuzz_$name.log, $OUT/findings)"
        tail -40 "$OUT/fuzz_$name.log"
        status=1
    fi
done
exit $status

#!/bin/bash
# Instructions per request of an HTTP server, counted by callgrind: the server runs under
# valgrind twice, once with a short and once with a long deterministic load (load.py);
# the difference divided by the extra requests cancels start-up and shut-down.
#
# usage: count.sh 'SERVER COMMAND with {port}' [MODE...]     (MODE as in load.py)
#   count.sh 'target/release/examples/hello_httpserver --port={port}' seq pipe16 conns64
#   count.sh '../shared/bench/target/release/hyper-bench {port}' seq pipe16 conns64
# Build the server with debug info for readable profiles (CARGO_PROFILE_RELEASE_DEBUG=1);
# the counts do not depend on it. Needs valgrind and python3.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CMD=$1; shift
MODES=${*:-seq pipe16 conns64}
PORT=${PORT:-29411}
OUT=${OUT:-$(mktemp -d)}

run() {  # run MODE N -> total instructions of the server
    local mode=$1 n=$2 file="$OUT/callgrind.$1.$2"
    local server=${CMD//\{port\}/$PORT}
    # shellcheck disable=SC2086
    valgrind --tool=callgrind --callgrind-out-file="$file" $server > "$OUT/server.log" 2>&1 &
    local pid=$!
    python3 "$HERE/load.py" "$PORT" "$n" "$mode" > /dev/null
    sleep 0.5
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2> /dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    callgrind_annotate "$file" 2> /dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}

for mode in $MODES; do
    case $mode in
        seq) short=1000 long=3000 ;;
        *) short=1280 long=3840 ;;
    esac
    a=$(run "$mode" $short)
    b=$(run "$mode" $long)
    echo "$mode: $(( (b - a) / (long - short) )) instructions per request"
done
echo "callgrind files in $OUT"

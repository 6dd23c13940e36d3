#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Starts conversa-server on a throwaway data folder, drives it with conversa-load, and prints
# throughput, server CPU per delivery, send-to-receive latency and memory per idle connection.
# Usage: bench/server-bench.sh [BUILD_DIR]   (CLIENTS, SENDERS, MEASURE_SECONDS, SYNC_MODE=full|normal
# override the defaults; PROCESSES spreads the clients over that many generator processes;
# ROOMS=100 spreads the listeners over that many rooms; WINDOW sets each sender's sends in flight;
# CONVERSA_EVENT_DISPATCHER=qt runs the server on Qt's default dispatcher; RELAY=1 measures the
# bare Qt relay, conversa-bare-relay, instead of conversa-server: the reference point;
# SERVER_ARGS adds flags to `serve`, e.g. SERVER_ARGS="--redis-url redis://127.0.0.1:6379";
# STORAGE=postgresql runs the server on a throwaway PostgreSQL cluster started here, durable like
# sync_mode full: fsync and synchronous_commit on); INSTANCES=N (PostgreSQL only) runs N
# instances behind HAProxy with the shipped installer/linux/haproxy-conversa.cfg, TLS left out of
# its frontend: server CPU is then summed over the instances and printed per instance and for
# HAProxy)
set -euo pipefail
BUILD_DIR=${1:-$(cd "$(dirname "$0")/.." && pwd)/build}
SERVER=$BUILD_DIR/server/conversa-server
LOAD=$BUILD_DIR/bench/conversa-load
RELAY_BIN=$BUILD_DIR/bench/conversa-bare-relay
RELAY=${RELAY:-0}
ROOMS=${ROOMS:-1}
WINDOW=${WINDOW:-32}
CLIENTS=${CLIENTS:-500}
PROCESSES=${PROCESSES:-1}
SENDERS=${SENDERS:-5}
# Not SECONDS: bash counts that one up from the start of the script (0 when not given).
SECONDS_MEASURED=${MEASURE_SECONDS:-10}
PASSWORD=bench-password
STORAGE=${STORAGE:-sqlite}
INSTANCES=${INSTANCES:-1}
SERVER_PIDS=()
HAPROXY_PID=
DATA=$(mktemp -d)
PG_CTL=
stop_postgres() {
    [ -n "$PG_CTL" ] && as_postgres "$PG_CTL" -D "$DATA/pg" -m immediate -w stop >/dev/null 2>&1
    return 0
}
stop_servers() {
    for pid in "${SERVER_PIDS[@]}" $HAPROXY_PID; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap 'stop_servers; stop_postgres; rm -rf "$DATA"' EXIT
if [ "$INSTANCES" -gt 1 ] && [ "$STORAGE" != postgresql ]; then
    echo "INSTANCES > 1 needs STORAGE=postgresql" >&2
    exit 2
fi
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
STORE_ARGS=(--data "$DATA")
SERVE_STORE_ARGS=(--data "$DATA" --sync-mode "${SYNC_MODE:-full}")
if [ "$STORAGE" = postgresql ]; then
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PG_CTL=$PG_BIN/pg_ctl
    PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    [ "$(id -u)" -eq 0 ] && chown postgres "$DATA"
    as_postgres "$PG_BIN/initdb" -D "$DATA/pg" -U conversa --auth=trust -E UTF8 --locale=C \
        >/dev/null
    as_postgres "$PG_CTL" -D "$DATA/pg" -l "$DATA/pg.log" -w start \
        -o "-p $PG_PORT -k $DATA -c listen_addresses=127.0.0.1" >/dev/null
    as_postgres "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U conversa -d postgres \
        -c 'CREATE DATABASE bench' >/dev/null
    DATABASE_URL=postgresql://conversa@127.0.0.1:$PG_PORT/bench
    STORE_ARGS=(--database-url "$DATABASE_URL")
    SERVE_STORE_ARGS=(--storage postgresql --database-url "$DATABASE_URL")
fi
# As many open files as the hard limit allows (one per connection in the server and the generator).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

SENDER_ARGS=()
for i in $(seq 1 "$SENDERS"); do SENDER_ARGS+=(--sender-user "sender$i"); done
LOAD_ARGS=(--listener-user listener --password "$PASSWORD" --rooms "$ROOMS")
if [ "$RELAY" = 1 ]; then
    "$RELAY_BIN" >"$DATA/stdout1" 2>"$DATA/stderr1" &
    SERVER_PIDS+=($!)
    WHAT="conversa-bare-relay (bare Qt relay, Qt's default dispatcher)"
else
    add_user() {
        printf '%s\n' "$PASSWORD" | "$SERVER" user add "$1" "${STORE_ARGS[@]}" --password-stdin \
            >/dev/null
    }
    for i in $(seq 1 "$SENDERS"); do add_user "sender$i"; done
    if [ "$ROOMS" = 1 ]; then
        add_user listener
        "$SERVER" room create bench "${STORE_ARGS[@]}" >/dev/null
    else
        # One listener account per room, so each connection gets its own room's messages only.
        for r in $(seq 0 $((ROOMS - 1))); do
            add_user "listener$r"
            "$SERVER" room create "bench$r" "${STORE_ARGS[@]}" >/dev/null
        done
    fi
    PROXY_ARGS=()
    [ "$INSTANCES" -gt 1 ] && PROXY_ARGS=(--trusted-proxies 127.0.0.1 --proxy-protocol true)
    for i in $(seq 1 "$INSTANCES"); do
        "$SERVER" serve --listen 127.0.0.1:0 "${SERVE_STORE_ARGS[@]}" \
            --max-connections-per-address 100000 \
            --messages-per-second 1000000 --message-burst 1000000 --login-failures-per-minute 1000 \
            --auth-timeout-seconds 600 --idle-timeout-seconds 3600 --max-rooms-per-user 100000 \
            --instance-name "chat$i" "${PROXY_ARGS[@]}" \
            ${SERVER_ARGS:-} >"$DATA/stdout$i" 2>"$DATA/stderr$i" &
        SERVER_PIDS+=($!)
    done
    WHAT="conversa-server on $STORAGE, $INSTANCES instance(s), event dispatcher ${CONVERSA_EVENT_DISPATCHER:-epoll (default on Linux)}"
fi
for i in $(seq 1 "${#SERVER_PIDS[@]}"); do
    for _ in $(seq 100); do grep -q listening "$DATA/stdout$i" 2>/dev/null && break; sleep 0.1; done
done
URL=$(sed -n 's/.*listening on //p' "$DATA/stdout1")
if [ "$INSTANCES" -gt 1 ]; then
    HA_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
    {
        sed -e "s|^\(\s*bind \):443 .*|\1127.0.0.1:$HA_PORT|" -e '/^\s*server chat/d' \
            "$SOURCE_DIR/installer/linux/haproxy-conversa.cfg"
        for i in $(seq 1 "$INSTANCES"); do
            port=$(sed -n 's|.*listening on ws://127.0.0.1:\([0-9]*\)/ws|\1|p' "$DATA/stdout$i")
            echo "    server chat$i 127.0.0.1:$port"
        done
    } >"$DATA/haproxy.cfg"
    /usr/sbin/haproxy -db -f "$DATA/haproxy.cfg" >"$DATA/haproxy.log" 2>&1 &
    HAPROXY_PID=$!
    sleep 3 # the health checks (rise 2, every second) bring the instances in
    URL=ws://127.0.0.1:$HA_PORT/ws
fi
TICKS=$(getconf CLK_TCK)
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cpu_ticks() {
    local sum=0
    for pid in "${SERVER_PIDS[@]}"; do sum=$((sum + $(ticks_of "$pid"))); done
    echo "$sum"
}
per_instance_ticks() { for pid in "${SERVER_PIDS[@]}" $HAPROXY_PID; do printf '%s ' "$(ticks_of "$pid")"; done; }
# PostgreSQL's own CPU (the postmaster and its backends), counted apart from the server's.
postgres_ticks() {
    local main
    main=$(head -1 "$DATA/pg/postmaster.pid")
    for pid in $main $(pgrep -P "$main"); do cat "/proc/$pid/stat" 2>/dev/null; done |
        awk '{t += $14 + $15} END {print t + 0}'
}
rss_kb() {
    local sum=0
    for pid in "${SERVER_PIDS[@]}"; do sum=$((sum + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status"))); done
    echo "$sum"
}
open_fds() {
    local open=0
    for pid in "${SERVER_PIDS[@]}"; do open=$((open + $(ls "/proc/$pid/fd" | wc -l))); done
    echo "$open"
}
# Before the next phase the server must have let go of the last one's connections: with
# thousands of them it would otherwise run out of descriptors.
wait_for_server_to_settle() {
    for _ in $(seq 600); do
        [ "$(open_fds)" -lt $((100 * ${#SERVER_PIDS[@]})) ] && return
        sleep 0.2
    done
    echo "the server still holds $(open_fds) descriptors" >&2
}

echo "== $WHAT at $URL: $CLIENTS listeners in $ROOMS room(s), $SENDERS senders with $WINDOW" \
    "sends in flight each, ${SECONDS_MEASURED}s, open files $(ulimit -n)"
echo "-- idle connections"
# One sign-in first, so the Argon2 working memory is not counted as connection memory.
"$LOAD" --url "$URL" "${LOAD_ARGS[@]}" --clients 1 --seconds 0 \
    --idle-only >/dev/null
sleep 0.5
RSS0=$(rss_kb)
"$LOAD" --url "$URL" "${LOAD_ARGS[@]}" --clients "$CLIENTS" \
    --processes "$PROCESSES" --seconds 3 --idle-only >"$DATA/idle.out" &
LOAD_PID=$!
until grep -q idle-ready "$DATA/idle.out" 2>/dev/null; do
    kill -0 "$LOAD_PID" 2>/dev/null || { echo "conversa-load failed while connecting" >&2; exit 1; }
    sleep 0.1
done
sleep 1
RSS1=$(rss_kb)
wait $LOAD_PID
wait_for_server_to_settle
echo "server RSS ${RSS0} KB -> ${RSS1} KB with $CLIENTS authenticated idle connections:" \
    "$(( (RSS1 - RSS0) * 1024 / CLIENTS / 1024 )) KB per connection"

echo "-- unthrottled (senders keep $WINDOW sends in flight each)"
"$LOAD" --url "$URL" "${LOAD_ARGS[@]}" "${SENDER_ARGS[@]}" \
    --clients "$CLIENTS" --processes "$PROCESSES" --seconds "$SECONDS_MEASURED" \
    --window "$WINDOW" >"$DATA/full.out" &
LOAD_PID=$!
# The server's CPU time is read when the generator starts measuring and when it prints its
# figures, so connecting and closing thousands of clients is not counted.
wait_for_line() {
    until grep -q "$1" "$DATA/full.out" 2>/dev/null; do
        if ! kill -0 "$LOAD_PID" 2>/dev/null; then
            grep -q "$1" "$DATA/full.out" && break
            cat "$DATA/full.out"
            echo "conversa-load failed" >&2
            exit 1
        fi
        sleep 0.02
    done
}
wait_for_line '^connected'
C0=$(cpu_ticks)
INSTANCE0=($(per_instance_ticks))
[ "$STORAGE" = postgresql ] && P0=$(postgres_ticks)
wait_for_line '^latency'
C1=$(cpu_ticks)
INSTANCE1=($(per_instance_ticks))
[ "$STORAGE" = postgresql ] && P1=$(postgres_ticks)
wait "$LOAD_PID"
cat "$DATA/full.out"
DELIVERIES=$(sed -n 's/^deliveries \([0-9]*\) .*/\1/p' "$DATA/full.out")
RATE=$(sed -n 's/.*= \([0-9]*\) deliveries\/s (\([0-9]*\) messages.*/\2/p' "$DATA/full.out")
if [ "${DELIVERIES:-0}" -gt 0 ]; then
    awk -v t=$((C1 - C0)) -v hz="$TICKS" -v d="$DELIVERIES" \
        'BEGIN { printf "server CPU %.2f s while measuring = %.2f us per delivery\n", t/hz, t/hz*1e6/d }'
    if [ "${#INSTANCE0[@]}" -gt 1 ]; then
        for k in "${!INSTANCE0[@]}"; do
            name="chat$((k + 1))"
            [ "$k" -ge "${#SERVER_PIDS[@]}" ] && name=haproxy
            awk -v t=$((INSTANCE1[k] - INSTANCE0[k])) -v hz="$TICKS" -v d="$DELIVERIES" -v n="$name" \
                'BEGIN { printf "  %s CPU %.2f s = %.2f us per delivery\n", n, t/hz, t/hz*1e6/d }'
        done
    fi
    if [ "$STORAGE" = postgresql ]; then
        awk -v t=$((P1 - P0)) -v hz="$TICKS" -v d="$DELIVERIES" \
            'BEGIN { printf "PostgreSQL CPU %.2f s while measuring = %.2f us per delivery\n", t/hz, t/hz*1e6/d }'
    fi
fi

HALF=$(( ${RATE:-0} / 2 ))
if [ "$HALF" -gt 0 ]; then
    wait_for_server_to_settle
    echo "-- paced at half the top message rate: $HALF messages/s"
    "$LOAD" --url "$URL" "${LOAD_ARGS[@]}" "${SENDER_ARGS[@]}" \
        --clients "$CLIENTS" --processes "$PROCESSES" --seconds "$SECONDS_MEASURED" --rate "$HALF"
fi

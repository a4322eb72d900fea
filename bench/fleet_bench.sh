#!/usr/bin/env bash
# Many hosts on one database (issue 13): W workers (1, 2, 4), each a `send --due` process with a
# HOME of its own, 4 SMTP connections each (on PostgreSQL smtp.connections = 4 x W, the fleet's
# to share), against a sink that answers every command after 20 ms (a real link's round trip;
# bench/latency_sink.py). MODE `one-run` (the default): one
# mailing of W x PER_WORKER recipients, whose run the workers share (PostgreSQL's leases;
# SQLite's run has one sender at a time, so there the others leave it alone). MODE
# `own-mailings`: each worker has a mailing of its own. Prints messages/s per worker count and
# its ratio to 1 worker, on SQLite and on PostgreSQL (a throwaway server on a Unix socket,
# tests/integration/postgres.py), the peak RSS of each worker, and the time of an idle
# `send --due` on both.
# Usage: bench/fleet_bench.sh [PER_WORKER [MODE]] (default 400 messages per worker, one-run)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mailer="${MAILER_BIN:-$root/build/mailer}"
per_worker="${1:-400}"
mode="${2:-one-run}"
case "$mode" in one-run | own-mailings) ;; *) echo "fleet_bench: MODE is one-run or own-mailings" >&2; exit 64 ;; esac
delay_ms="${DELAY_MS:-20}"
work="$(mktemp -d "${TMPDIR:-/tmp}/mailer-fleet-bench.XXXXXX")"
chmod 755 "$work"
sink_pid=""
cleanup() {
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  /usr/bin/python3 "$root/tests/integration/postgres.py" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

/usr/bin/python3 "$root/bench/latency_sink.py" "$work/port" "$delay_ms" > "$work/sink.out" &
sink_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
pg_base=$(/usr/bin/python3 "$root/tests/integration/postgres.py" start "$work/pg" 2>/dev/null)

# Sets up database $1 (a path or a URL) with W x per_worker clients: in one mailing (one-run), or
# in W mailings of per_worker clients each.
prepare() {
  local db=$1 workers=$2
  export MAILER_DB="$db" HOME="$work/admin" XDG_STATE_HOME="$work/admin/state" XDG_DATA_HOME="$work/admin/data"
  mkdir -p "$HOME"
  echo 'bench-password' | "$mailer" user create-superuser bench@example.com --password-stdin >/dev/null 2>&1
  echo 'bench-password' | "$mailer" login bench@example.com --password-stdin >/dev/null 2>&1
  "$mailer" -q message add --subject "{{name}}, скидка 20%" --body "Здравствуйте, {{name}}!" >/dev/null
  for w in $(seq "$workers"); do
    /usr/bin/python3 -c '
import sys
w, n = int(sys.argv[1]), int(sys.argv[2])
print("email,name")
for i in range(n):
    print(f"w{w}c{i}@shop{i % 97}.example.ru,Покупатель {i}")' "$w" "$per_worker" > "$work/clients.csv"
    local group="g$w"
    [ "$mode" = own-mailings ] || group=g1
    "$mailer" -q client import "$work/clients.csv" --group "$group" >/dev/null
    [ "$mode" = one-run ] && [ "$w" -gt 1 ] && continue
    "$mailer" -q mailing add --message 1 --group "$group" --start 2027-03-01T09:00:00 >/dev/null
  done
}

# 4 connections a worker: on PostgreSQL smtp.connections is the fleet's, so W workers get 4 x W
# to share; on SQLite it is each machine's own.
write_config() {
  cat > "$work/mailer.toml" <<TOML
[smtp]
url = "smtp://127.0.0.1:$port"
from = "Магазин <news@shop.example.ru>"
connections = $1
timeout_s = 30
TOML
}
export MAILER_CONFIG="$work/mailer.toml" MAILER_NOW=2027-03-01T10:00:00 TZ=Europe/Moscow

printf 'sink: every reply after %d ms; %d messages per worker, 4 connections each; %s\n' "$delay_ms" \
  "$per_worker" "$mode"
for backend in sqlite postgresql; do
  base_rate=""
  for workers in 1 2 4; do
    name="fleet_${workers}_$$"
    if [ "$backend" = sqlite ]; then
      db="$work/$name.db"
    else
      psql -X -q -d "$pg_base" -c "CREATE DATABASE $name" >/dev/null
      db="${pg_base/\/postgres\?//$name?}"
    fi
    if [ "$backend" = sqlite ]; then write_config 4; else write_config $((4 * workers)); fi
    prepare "$db" "$workers"
    start=$(date +%s.%N)
    pids=()
    for w in $(seq "$workers"); do
      h="$work/host-$backend-$workers-$w"
      mkdir -p "$h"
      HOME="$h" XDG_STATE_HOME="$h/state" XDG_DATA_HOME="$h/data" \
        /usr/bin/time -f "%M" -o "$h/rss" "$mailer" send --due > "$h/out" 2>&1 &
      pids+=($!)
    done
    wait "${pids[@]}" || true
    end=$(date +%s.%N)
    sent=0; rss=""
    for w in $(seq "$workers"); do
      h="$work/host-$backend-$workers-$w"
      s=$(sed -n 's/^sent \([0-9]*\),.*/\1/p' "$h/out" | tail -1)
      sent=$((sent + ${s:-0}))
      rss="$rss $(echo "$(tail -1 "$h/rss") / 1024" | bc -l | xargs printf '%.1f')"
    done
    rate=$(echo "$sent / ($end - $start)" | bc -l)
    [ -n "$base_rate" ] || base_rate=$rate
    printf '%-10s %d worker(s): %6d sent in %6.2f s = %7.1f msgs/s | ratio to 1 worker %.2f (linear %d) | peak RSS MiB:%s\n' \
      "$backend" "$workers" "$sent" "$(echo "$end - $start" | bc -l)" "$rate" "$(echo "$rate / $base_rate" | bc -l)" \
      "$workers" "$rss"
  done
  # An idle tick on the last database: nothing due.
  runs=30
  start=$(date +%s%N)
  for _ in $(seq $runs); do MAILER_DB="$db" "$mailer" send --due >/dev/null 2>&1; done
  end=$(date +%s%N)
  printf '%-10s idle send --due: %.2f ms per invocation (mean of %d)\n' "$backend" \
    "$(echo "($end - $start) / $runs / 1000000" | bc -l)" "$runs"
done

#!/usr/bin/env bash
# `mailer serve` under wrk: a mailing sent to CLIENTS recipients through Postfix's smtp-sink,
# then wrk on their open pixels (a Lua script cycles through the tokens) at CONNECTIONS
# connections for DURATION. Prints requests/s, p99 latency, errors, and the events recorded
# beside the 2xx answers wrk counted. Builds nothing: MAILER_BIN is a Release build.
# Usage: MAILER_BIN=build-rel/mailer bench/serve_bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mailer="${MAILER_BIN:-$root/build/mailer}"
connections="${CONNECTIONS:-1000}"
threads="${THREADS:-2}"
duration="${DURATION:-10s}"
clients="${CLIENTS:-100}"
work="$(mktemp -d "${TMPDIR:-/tmp}/mailer-serve-bench.XXXXXX")"
sink_pid="" serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# wrk's connections, the server's, and a margin.
need=$((2 * connections + 256))
[ "$(ulimit -n)" -ge "$need" ] || ulimit -n "$need" || ulimit -n "$(ulimit -Hn)"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

smtp_port=$(free_port)
sink_user=(); [ "$(id -u)" -eq 0 ] && sink_user=(-u nobody)  # smtp-sink refuses to run as root
/usr/sbin/smtp-sink "${sink_user[@]}" -P -c "127.0.0.1:$smtp_port" 1000 >/dev/null 2>&1 &
sink_pid=$!
sleep 0.5
port=$(free_port)
export XDG_CONFIG_HOME="$work" XDG_STATE_HOME="$work/state" MAILER_DB="$work/bench.db"
cat > "$work/mailer.toml" <<TOML
[smtp]
url = "smtp://127.0.0.1:$smtp_port"
from = "Магазин <news@shop.example.ru>"
connections = 4
[tracking]
base_url = "http://127.0.0.1:$port"
TOML
export MAILER_CONFIG="$work/mailer.toml"
echo 'bench-password' | "$mailer" user create-superuser bench@example.com --password-stdin >/dev/null 2>&1
echo 'bench-password' | "$mailer" login bench@example.com --password-stdin 2>/dev/null
/usr/bin/python3 -c "
import sys
print('email,name')
for i in range($clients): print(f'client{i}@shop.example.ru,Покупатель {i}')" > "$work/clients.csv"
"$mailer" -q client import "$work/clients.csv" --group bench >/dev/null
printf '<p>Здравствуйте, {{name}}!</p>' > "$work/body.html"
"$mailer" -q message add --subject "Скидка" --body "Здравствуйте, {{name}}!" --html-file "$work/body.html" >/dev/null
"$mailer" -q mailing add --message 1 --group bench >/dev/null
"$mailer" send 1 >/dev/null

# The pixel paths, with tokens made as src/core/tracking.cpp makes them.
/usr/bin/python3 - "$MAILER_DB" > "$work/paths.lua" <<'PY'
import hashlib, hmac, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
key = con.execute("SELECT value FROM setting WHERE key = 'tracking_key'").fetchone()[0]
rows = con.execute("SELECT run, client FROM attempt WHERE status = 'sent'").fetchall()
print("paths = {")
for run, client in rows:
    mac = hmac.new(key.encode(), f"{run}.{client}".encode(), hashlib.sha256).hexdigest()[:32]
    print(f'  "/o/{run}.{client}.{mac}.gif",')
print("}")
PY
cat >> "$work/paths.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1], {["User-Agent"] = "Mozilla/5.0 (bench) Thunderbird/128.0"})
end
LUA
sent=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT COUNT(*) FROM attempt WHERE status='sent'\").fetchone()[0])" "$MAILER_DB")

"$mailer" serve --listen "127.0.0.1:$port" 2> "$work/serve.err" &
serve_pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.05
done
echo "mailer serve on 127.0.0.1:$port, $sent recipients' pixels; wrk -t$threads -c$connections -d$duration"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$work/paths.lua" "http://127.0.0.1:$port" \
  > "$work/wrk.out"
kill -TERM "$serve_pid"
stop_start=$(date +%s.%N)
status=0
wait "$serve_pid" || status=$?
stop_end=$(date +%s.%N)
serve_pid=""
cat "$work/wrk.out"

total=$(awk '/requests in/ {print $1}' "$work/wrk.out")
non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$work/wrk.out")
non2xx=${non2xx:-0}
socket_errors=$(grep 'Socket errors:' "$work/wrk.out" || echo "Socket errors: none")
ok=$((total - non2xx))
events=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT COUNT(*) FROM event WHERE kind='open'\").fetchone()[0])" "$MAILER_DB")
echo "----"
echo "requests/s:   $(awk '/Requests\/sec:/ {print $2}' "$work/wrk.out")"
echo "p99 latency:  $(awk '$1 == "99%" {print $2}' "$work/wrk.out")"
echo "errors:       non-2xx $non2xx; $socket_errors"
echo "answered 2xx: $ok (wrk's count)"
echo "events:       $events (rows recorded)"
# wrk stops counting at the deadline with up to one request in flight per connection: the
# server answers (and records) those too, after wrk has stopped reading them.
diff=$((events - ok))
if [ "$diff" -ge 0 ] && [ "$diff" -le "$connections" ]; then
  echo "difference:   $diff (requests in flight when wrk stopped; at most one per connection)"
else
  echo "difference:   $diff: events lost or doubled" >&2
  exit 1
fi
printf 'stop:         exit %d, %.2f s after SIGTERM\n' "$status" "$(echo "$stop_end - $stop_start" | bc -l)"
[ -s "$work/serve.err" ] && { echo "serve's stderr:"; cat "$work/serve.err"; }
[ "$status" -eq 0 ]

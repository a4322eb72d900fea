#!/usr/bin/env bash
# Sending speed against Postfix's smtp-sink on 127.0.0.1, with smtp-source over the same
# number of connections as the reference (neither pipelines: smtp-sink runs with -P).
# Prints both rates, their ratio, mailer's CPU seconds and peak RSS at each size, and the
# time of `send --due` with nothing due. Usage: bench/send_bench.sh [SIZES...] (default 10000 100000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mailer="${MAILER_BIN:-$root/build/mailer}"
connections="${CONNECTIONS:-4}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
work="$(mktemp -d "${TMPDIR:-/tmp}/mailer-send-bench.XXXXXX")"
sink_pid=""
cleanup() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sink_user=(); [ "$(id -u)" -eq 0 ] && sink_user=(-u nobody)  # smtp-sink refuses to run as root
/usr/sbin/smtp-sink "${sink_user[@]}" -P -c "127.0.0.1:$port" 1000 >/dev/null 2>&1 &
sink_pid=$!
sleep 0.5

export XDG_CONFIG_HOME="$work" XDG_STATE_HOME="$work/state"
cat > "$work/mailer.toml" <<TOML
[smtp]
url = "smtp://127.0.0.1:$port"
from = "Магазин <news@shop.example.ru>"
connections = $connections
TOML
export MAILER_CONFIG="$work/mailer.toml"

body_size=0
for n in "${sizes[@]}"; do
  export MAILER_DB="$work/bench-$n.db"
  echo 'bench-password' | "$mailer" user create-superuser bench@example.com --password-stdin >/dev/null 2>&1
  echo 'bench-password' | "$mailer" login bench@example.com --password-stdin 2>/dev/null
  /usr/bin/python3 "$root/bench/clients_csv.py" "$work/clients-$n.csv" "$n"
  "$mailer" -q client import "$work/clients-$n.csv" --group bench >/dev/null
  body="Здравствуйте, {{name}}! На этой неделе скидка 20% на весь ассортимент. Ждём вас в магазине."
  "$mailer" -q message add --subject "{{name}}, скидка 20%" --body "$body" >/dev/null
  "$mailer" -q mailing add --message 1 --group bench >/dev/null
  if [ "$body_size" -eq 0 ]; then
    body_size=$("$mailer" --json send 1 --dry-run | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"][0]["size"])')
  fi

  src_start=$(date +%s.%N)
  /usr/sbin/smtp-source -d -s "$connections" -m "$n" -l "$body_size" -c -f bench@example.com -t sink@example.com \
    "127.0.0.1:$port" >/dev/null 2>&1 || true
  src_end=$(date +%s.%N)
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$mailer" send 1 > "$work/send.out"
  read -r wall user sys rss < "$work/time"
  src_rate=$(echo "$n / ($src_end - $src_start)" | bc -l)
  mailer_rate=$(echo "$n / $wall" | bc -l)
  printf '%7d msgs (%d B each, %d connections): smtp-source %8.0f msgs/s | mailer %8.0f msgs/s | ratio %.2f | mailer CPU %.2f s | peak RSS %.1f MiB\n' \
    "$n" "$body_size" "$connections" "$src_rate" "$mailer_rate" "$(echo "$mailer_rate / $src_rate" | bc -l)" \
    "$(echo "$user + $sys" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
  echo "         mailer: $(cat "$work/send.out")"
done

# Idle cron tick: nothing due.
runs=50
start=$(date +%s%N)
for _ in $(seq $runs); do "$mailer" send --due >/dev/null; done
end=$(date +%s%N)
idle=$(echo "($end - $start) / $runs / 1000000" | bc -l)
# What starting any process costs on this machine, measured the same way, for scale.
start=$(date +%s%N)
for _ in $(seq $runs); do /bin/true; done
end=$(date +%s%N)
printf 'idle send --due: %.2f ms per invocation (mean of %d; /bin/true: %.2f ms)\n' "$idle" "$runs" \
  "$(echo "($end - $start) / $runs / 1000000" | bc -l)"

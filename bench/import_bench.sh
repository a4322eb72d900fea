#!/usr/bin/env bash
# Imports Cyrillic rows from a Russian-Excel CSV (BOM, ';', CRLF) into a fresh database, then
# again (every row already there), then exports them, and prints each step's wall time and
# peak RSS. Import and export stream, so the RSS should stay flat as the rows grow (issue
# 7.12: under 64 MiB, and 1,000,000 rows in under 5 s on a Release build).
# Usage: bench/import_bench.sh [ROWS...]   (default: 100000 1000000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mailer="${MAILER_BIN:-$root/build/mailer}"
[[ $# -gt 0 ]] || set -- 100000 1000000
work="$(mktemp -d "${TMPDIR:-/tmp}/mailer-import-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Runs mailer under /usr/bin/time, its output dropped; prints "<wall> s wall, peak RSS <n> MiB".
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$mailer" "$@" >/dev/null
  read -r wall rss < "$work/time"
  echo "${wall} s wall, peak RSS $((rss / 1024)) MiB"
}

for rows in "$@"; do
  rm -rf "$work/run" && mkdir -p "$work/run"
  export XDG_CONFIG_HOME="$work/run" XDG_STATE_HOME="$work/run/state" MAILER_DB="$work/run/bench.db"
  /usr/bin/python3 - "$work/run/clients.csv" "$rows" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
first = ["Иван", "Ольга", "Пётр", "Мария", "Алексей", "Наталья"]
last = ["Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева"]
with open(path, "w", encoding="utf-8-sig", newline="") as f:
    f.write("email;name;comment\r\n")
    for i in range(n):
        f.write(f"client{i}@shop{i % 97}.example.ru;{first[i % 6]} {last[i % 6]};\"заказ №{i}; опт\"\r\n")
PY
  echo 'bench-password' | "$mailer" user create-superuser bench@example.com --password-stdin >/dev/null 2>&1
  echo 'bench-password' | "$mailer" login bench@example.com --password-stdin 2>/dev/null
  size=$(stat -c %s "$work/run/clients.csv")
  echo "${rows} rows ($((size / 1048576)) MiB of CSV):"
  echo "  import:    $(measure -q client import "$work/run/clients.csv" --group "Покупатели")"
  echo "  re-import: $(measure -q client import "$work/run/clients.csv" --group "Покупатели") (every row already there)"
  echo "  export:    $(measure client export --group "Покупатели")"
done

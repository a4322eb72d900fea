#!/usr/bin/env bash
# Imports 100,000 Cyrillic rows from a Russian-Excel CSV (BOM, ';', CRLF) and prints the time.
# Target (issue 2): under 3 s. Usage: bench/import_bench.sh [ROWS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mailer="${MAILER_BIN:-$root/build/mailer}"
rows="${1:-100000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/mailer-import-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work" XDG_STATE_HOME="$work/state" MAILER_DB="$work/bench.db"
/usr/bin/python3 - "$work/clients.csv" "$rows" <<'PY'
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
size=$(stat -c %s "$work/clients.csv")
start=$(date +%s.%N)
/usr/bin/time -f "%e %U %S %M" -o "$work/time" "$mailer" client import "$work/clients.csv" --group "Покупатели"
read -r wall user sys rss < "$work/time"
echo "import: ${rows} rows (${size} bytes) in ${wall} s wall, ${user} s user, ${sys} s sys, peak RSS $((rss / 1024)) MiB"
echo "again (all rows already present, so every row is compared and skipped):"
/usr/bin/time -f "%e" -o "$work/time2" "$mailer" client import "$work/clients.csv" --group "Покупатели"
echo "re-import: $(cat "$work/time2") s wall"

#!/usr/bin/env bash
# Moving up (issue 13): `mailer db copy --to postgresql://...` of a SQLite database of N clients,
# all in one group and one mailing (some 2N+ rows), into a fresh database of a throwaway
# PostgreSQL server on a Unix socket (tests/integration/postgres.py). Prints the copy's wall
# time, rows a second and peak RSS; with MAILER_BIN_REFERENCE, the same for that binary, in the
# same run, on the same source.
# Usage: bench/db_copy_bench.sh [N] (default 200000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mailer="${MAILER_BIN:-$root/build/mailer}"
rows="${1:-200000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/mailer-copy-bench.XXXXXX")"
chmod 755 "$work"
cleanup() {
  /usr/bin/python3 "$root/tests/integration/postgres.py" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
pg_base=$(/usr/bin/python3 "$root/tests/integration/postgres.py" start "$work/pg" 2>/dev/null)

export MAILER_DB="$work/source.db" HOME="$work/admin" XDG_STATE_HOME="$work/admin/state" \
  XDG_DATA_HOME="$work/admin/data" MAILER_CONFIG=/dev/null TZ=Europe/Moscow
mkdir -p "$HOME"
echo 'bench-password' | "$mailer" user create-superuser bench@example.com --password-stdin >/dev/null 2>&1
echo 'bench-password' | "$mailer" login bench@example.com --password-stdin >/dev/null 2>&1
/usr/bin/python3 "$root/bench/clients_csv.py" "$work/clients.csv" "$rows" --comment
"$mailer" -q client import "$work/clients.csv" --group "Покупатели" >/dev/null
"$mailer" -q message add --subject "{{name}}, скидка 20%" --body "Здравствуйте, {{name}}!" >/dev/null
"$mailer" -q mailing add --message 1 --group "Покупатели" --start 2027-03-01T09:00:00 >/dev/null
echo "source: $rows clients in one group and one mailing, $(du -m "$work/source.db" | cut -f1) MiB of SQLite"

copy() {
  local name=$1 binary=$2
  local db="copy_${name}_$$"
  psql -X -q -d "$pg_base" -c "CREATE DATABASE $db" >/dev/null
  local url="${pg_base/\/postgres\?//$db?}"
  /usr/bin/time -f "%e %M" -o "$work/time" "$binary" db copy --to "$url" > "$work/copy.out"
  read -r wall rss < "$work/time"
  local moved
  moved=$(sed -n 's/^copied \([0-9]*\) rows.*/\1/p' "$work/copy.out")
  printf '%-10s db copy: %8d rows in %6.2f s = %8.0f rows/s | peak RSS %d MiB\n' "$name" "$moved" "$wall" \
    "$(echo "$moved / $wall" | bc -l)" $((rss / 1024))
}
copy mailer "$mailer"
[ -z "${MAILER_BIN_REFERENCE:-}" ] || copy reference "$MAILER_BIN_REFERENCE"

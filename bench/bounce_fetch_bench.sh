#!/usr/bin/env bash
# `mailer bounces fetch` of a mailbox of N messages (default 10000) from a real dovecot on
# 127.0.0.1 (tests/integration/dovecot.py): real reports of tests/data/bounces, each with a
# Message-ID of its own, written straight into the maildir. Prints the wall time, CPU time and
# peak RSS of the fetch (GNU time -v), then of a second fetch (nothing new to read).
# Usage: bench/bounce_fetch_bench.sh [N]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mailer="${MAILER_BIN:-$root/build/mailer}"
n="${1:-10000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/mailer-fetch-bench.XXXXXX")"
chmod 755 "$work"  # dovecot's own users (dovecot, dovenull) read its config and passwd file below
dovecot_pid=""
cleanup() {
  if [ -n "$dovecot_pid" ]; then touch "$work/stop"; wait "$dovecot_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts dovecot, loads the messages, writes the IMAP URL, then serves until $work/stop exists.
cat > "$work/imap.py" <<'PY'
import pathlib, re, sys, time
root, work, n = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, str(root / "tests" / "integration"))
import dovecot
corpus = sorted((root / "tests" / "data" / "bounces").glob("*.eml"))
d = dovecot.Dovecot(work / "imap").start()
for i in range(n):
    raw = re.sub(rb"(?im)^message-id:[^\n]*\n", b"", corpus[i % len(corpus)].read_bytes(), count=1)
    d.deliver(b"Message-ID: <bench-%d@bounces.test>\n" % i + raw)
(work / "url").write_text(d.url)
deadline = time.monotonic() + 3600
while not (work / "stop").exists() and time.monotonic() < deadline:
    time.sleep(0.2)
d.stop()
PY
/usr/bin/python3 "$work/imap.py" "$root" "$work" "$n" > "$work/imap.out" 2>&1 &
dovecot_pid=$!
for _ in $(seq 1200); do [ -s "$work/url" ] && break; sleep 0.5; done
[ -s "$work/url" ] || { cat "$work/imap.out"; echo "dovecot did not start" >&2; exit 1; }

cat > "$work/mailer.toml" <<TOML
[database]
path = "$work/bench.db"
[imap]
url = "$(cat "$work/url")"
username = "bounces"
password_env = "BENCH_IMAP_PASSWORD"
TOML
export MAILER_CONFIG="$work/mailer.toml" XDG_STATE_HOME="$work/state" BENCH_IMAP_PASSWORD=imap-secret-1
"$mailer" init >/dev/null

measure() {
  /usr/bin/time -v "$mailer" bounces fetch 2>"$work/time" >"$work/out" || { cat "$work/time" >&2; exit 1; }
  local wall user sys rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
  user=$(sed -n 's/.*User time (seconds): //p' "$work/time")
  sys=$(sed -n 's/.*System time (seconds): //p' "$work/time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
  echo "$1: $(cat "$work/out")"
  echo "  wall $wall, CPU user $user s + sys $sys s, peak RSS $((rss / 1024)) MB ($rss kB)"
}
echo "bounces fetch of $n messages from dovecot (mailer $("$mailer" --version))"
measure "first fetch"
measure "second fetch"
touch "$work/stop"
wait "$dovecot_pid" || true
dovecot_pid=""

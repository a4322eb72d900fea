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
dovecot_pid=""
cleanup() { [ -n "$dovecot_pid" ] && kill "$dovecot_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# Starts dovecot, loads the messages, writes the IMAP URL and the server's pid, then waits
# until its stdin closes.
mkfifo "$work/ctl"
/usr/bin/python3 - "$root" "$work" "$n" < "$work/ctl" > "$work/imap.out" 2>&1 <<'PY' &
import pathlib, re, sys
root, work, n = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, str(root / "tests" / "integration"))
import dovecot
data = root / "tests" / "data" / "bounces"
corpus = sorted(p for p in data.glob("*.eml"))
d = dovecot.Dovecot(work / "imap").start()
for i in range(n):
    raw = corpus[i % len(corpus)].read_bytes()
    raw = re.sub(rb"(?im)^message-id:[^\n]*\n", b"", raw, count=1)
    d.deliver(b"Message-ID: <bench-%d@bounces.test>\n" % i + raw)
(work / "url").write_text(d.url)
sys.stdin.read()
d.stop()
PY
dovecot_pid=$!
exec 3>"$work/ctl"
for _ in $(seq 600); do [ -s "$work/url" ] && break; sleep 0.5; done
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
  /usr/bin/time -v "$mailer" bounces fetch 2>"$work/time" >"$work/out"
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
exec 3>&-
wait "$dovecot_pid" || true
dovecot_pid=""

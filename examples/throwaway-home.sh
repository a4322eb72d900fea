# Sourced by the example scripts: a throwaway home for mailer, so that an example never
# touches your own mailer data. Sets $work (the folder; KEEP=1 keeps it and prints its path)
# and defines `mailer` as $MAILER_BIN, or mailer from PATH.
#
#   source "$(dirname "$0")/throwaway-home.sh"

mailer() { command "${MAILER_BIN:-mailer}" "$@"; }
if ! command -v "${MAILER_BIN:-mailer}" >/dev/null; then
    echo "$(basename "$0"): mailer not found; put it on PATH or set MAILER_BIN" >&2
    exit 127
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mailer-example.XXXXXX")
if [[ ${KEEP:-0} == 1 ]]; then
    trap 'echo "kept $work" >&2' EXIT
else
    trap 'rm -rf -- "$work"' EXIT
fi

# The session file goes to $XDG_STATE_HOME/mailer/, the default config and database to
# $XDG_CONFIG_HOME and $XDG_DATA_HOME: point all three into the folder, and forget any
# session or database the calling shell may have chosen.
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state XDG_DATA_HOME=$work/data
unset MAILER_DB MAILER_TOKEN MAILER_NOW
# Times are Moscow time, whatever the machine's zone (the database keeps UTC).
export TZ=Europe/Moscow

# A minimal config. The examples send nothing, so the SMTP server is never contacted; see
# mailer.toml.sample for every key. The database path is relative to this file.
export MAILER_CONFIG=$work/mailer.toml
cat >"$MAILER_CONFIG" <<'TOML'
[database]
path = "shop.db"

[smtp]
url = "smtp://127.0.0.1:25"
from = "Магазин «Ромашка» <news@example.com>"
TOML

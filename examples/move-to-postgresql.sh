#!/usr/bin/env bash
# Move mailer's SQLite database into PostgreSQL, so that several hosts can send from one
# database (see POSTGRESQL in mailer(1) and "PostgreSQL and many hosts" in the README).
#
#   move-to-postgresql.sh postgresql://USER@HOST:PORT/DATABASE[?sslmode=...]
#
# It copies the SQLite database that mailer uses here (--db is not passed: MAILER_DB, or
# [database] path of the config that MAILER_CONFIG or the default names) into a new, empty
# PostgreSQL database, checks it, and prints the line to put into the config. It edits no
# file and no crontab: you do that, once the copy is good.
#
# Before you run it, stop what writes to the SQLite database (`mailer cron remove` on this
# host, `mailer serve`, `mailer bounces fetch`): a row written after the copy stays in the
# SQLite file only.
#
# The password is never in the URL (mailer refuses a config url that holds one): createdb,
# psql and mailer all read PGPASSWORD or ~/.pgpass. createdb needs the right to create a
# database (CREATEDB). MAILER_BIN=/path/to/mailer picks a binary that is not on PATH.
set -euo pipefail

mailer() { command "${MAILER_BIN:-mailer}" "$@"; }
url=${1:?usage: move-to-postgresql.sh postgresql://USER@HOST:PORT/DATABASE}

# The parts of the URL that createdb wants as options. A password (USER:PASSWORD@) is refused
# here, so that it lands in no shell history, config or log.
re='^postgres(ql)?://([^:@/?]+)@([^:/?]*)(:([0-9]+))?/([^/?]+)(\?.*)?$'
if [[ ! $url =~ $re ]]; then
    echo "move-to-postgresql.sh: $url is not postgresql://USER@HOST:PORT/DATABASE (no password in it: use PGPASSWORD or ~/.pgpass)" >&2
    exit 64
fi
user=${BASH_REMATCH[2]} host=${BASH_REMATCH[3]} port=${BASH_REMATCH[5]} dbname=${BASH_REMATCH[6]}
command -v createdb >/dev/null || { echo "move-to-postgresql.sh: createdb not found (Debian package postgresql-client)" >&2; exit 69; }

# The SQLite database that is copied: `mailer init` prints its path (and migrates it to the
# current schema first, which db copy needs anyway). It needs no login.
echo "== the SQLite database"
from=$(mailer init)
echo "$from"
case $from in
    postgres://* | postgresql://*)
        echo "move-to-postgresql.sh: mailer uses $from already: there is nothing to move" >&2
        exit 78 ;;
esac

# An empty database. If createdb fails because it exists, db copy still goes on only when
# every table there is empty (exit 65 otherwise, nothing written).
echo "== createdb $dbname"
createdb_args=(-U "$user")
[[ -n $host ]] && createdb_args+=(-h "$host")
[[ -n $port ]] && createdb_args+=(-p "$port")
if ! createdb "${createdb_args[@]}" "$dbname"; then
    echo "move-to-postgresql.sh: createdb failed; trying the copy anyway (it refuses a database with rows)" >&2
fi

# Every row of the 20 tables in one transaction, ids kept, each id sequence moved past the
# largest id SQLite ever gave (a deleted record's id is never given again), the row counts
# of both sides compared before the commit. Counts that differ: exit 70, nothing written.
echo "== mailer db copy"
mailer db copy --to "$url"

# What every host runs once it points at the new database: the schema is there and at the
# current version (two hosts running init at once do not collide: an advisory lock).
echo "== mailer init on $url"
mailer --db "$url" init

config=${MAILER_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/mailer/mailer.toml}
cat <<EOF

Done. The SQLite file $from is left as it was (keep it as a backup).
Now, by hand:

1. In $config (and the config of every other host),
   replace the path line of [database] with:

     [database]
     url = "$url"
     # password_env = "MAILER_DB_PASSWORD"   # or leave it out: PGPASSWORD or ~/.pgpass

   (path and url together are a configuration error, exit 78.)
EOF
if [[ -n ${MAILER_DB:-} ]]; then
    cat <<EOF
   MAILER_DB is set here ($MAILER_DB), and it overrides the config:
   set it to the URL, or unset it, wherever it is set (a crontab line, a unit file).
EOF
fi
cat <<EOF

2. On each host that sends, with that same config:

     mailer init
     mailer login EMAIL       # again: a session belongs to one database
     mailer cron install      # * * * * * mailer send --due, one line per host
EOF

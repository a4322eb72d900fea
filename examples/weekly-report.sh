#!/usr/bin/env bash
# Last week's mailings as a web page and a spreadsheet, and who never got last week's mail.
# Run it on Monday morning (crontab: `15 8 * * 1 /path/to/weekly-report.sh ~/reports`) as the
# user whose session mailer keeps (`mailer login EMAIL` once); a manager may set ALL=1 for
# everyone's mailings.
#
#   weekly-report.sh [DIR]          # writes DIR/YYYY-MM-DD.html, .csv and -bounced.csv
#
# The week is the seven days before today, midnight to midnight in the local time zone.
# MAILER_BIN=/path/to/mailer picks a binary that is not on PATH; DELIMITER=';' writes the
# CSV files for Excel in a Russian (or most European) locale.
set -euo pipefail

mailer() { command "${MAILER_BIN:-mailer}" "$@"; }
dir=${1:-.}
mkdir -p -- "$dir"
since=$(date -d '7 days ago' +%FT00:00)
until=$(date -d 'yesterday' +%FT23:59:59)
stem=$dir/$(date +%F)
all=()
[[ ${ALL:-0} == 1 ]] && all=(--all)
delimiter=${DELIMITER:-,}

mailer report "${all[@]}" --since "$since" --until "$until" --html "$stem.html"
mailer report "${all[@]}" --since "$since" --until "$until" --format csv --delimiter "$delimiter" >"$stem.csv"

# One CSV of the recipients who bounced or failed, over every mailing that ran last week.
# The mailing ids come from --json; without jq, a line per "mailing" key is enough.
: >"$stem-bounced.csv"
first=1
for id in $(mailer --json report "${all[@]}" --since "$since" --until "$until" |
    sed -n 's/^ *"mailing": \([0-9]*\),\{0,1\}$/\1/p'); do
    for status in bounced failed; do
        rows=$(mailer report recipients --mailing "$id" --status "$status" --format csv --delimiter "$delimiter")
        if ((first)); then
            printf '%s\r\n' "${rows%$'\r'}" | sed '/^\r\{0,1\}$/d' >>"$stem-bounced.csv"
            first=0
        else
            # Every report starts with the BOM and the header: keep those once.
            printf '%s\r\n' "${rows%$'\r'}" | tail -n +2 | sed '/^\r\{0,1\}$/d' >>"$stem-bounced.csv"
        fi
    done
done
echo "weekly-report.sh: wrote $stem.html, $stem.csv and $stem-bounced.csv" >&2

#!/usr/bin/env bash
# The dead addresses among a folder of bounce reports (one message a file, as a mail client
# saves them: .eml), and a count per reason of everything the reports say.
#
#   hard-bounces.sh DIR             # prints the hard-bounced addresses, one a line, sorted
#   hard-bounces.sh DIR > dead.txt  # the per-reason counts go to stderr
#
# `mailer bounces parse` needs no session and touches no database; a file that is no bounce
# (an auto-reply, a reply) adds nothing. MAILER_BIN=/path/to/mailer picks a binary that is not
# on PATH. Needs jq.
set -euo pipefail

mailer() { command "${MAILER_BIN:-mailer}" "$@"; }
dir=${1:?usage: hard-bounces.sh DIR}
command -v jq >/dev/null || { echo "hard-bounces.sh: jq not found (Debian package jq)" >&2; exit 69; }

all=$(mktemp)
trap 'rm -f "$all"' EXIT
shopt -s nullglob
for file in "$dir"/*.eml; do
  # A file that is no message at all is reported and skipped, not fatal.
  mailer --json bounces parse "$file" >>"$all" || echo "hard-bounces.sh: skipped $file" >&2
done
jq -s -r '[.[][]] | group_by(.reason)[] | "\(length)\t\(.[0].reason)"' "$all" | sort -rn >&2
jq -s -r '.[][] | select(.severity == "hard") | .recipient' "$all" | sort -u

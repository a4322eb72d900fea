#!/bin/sh
# Fails listing every line outside src/store that prepares a statement or holds SQL (issue 9:
# all SQL in src/store/, behind the repositories).
root="${1:-$(dirname "$0")/../..}"
hits=$(grep -rnE '\bdb\.prepare\(|\.exec\("|last_insert_id\(|"(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|BEGIN|COMMIT)\b|\b(FROM|WHERE|JOIN) [a-z_"]+ ' \
  "$root/src/base" "$root/src/core" "$root/src/mail" "$root/src/serve" "$root/src/cli" --include='*.cpp' --include='*.hpp' \
  | grep -vE ':\s*//')
if [ -n "$hits" ]; then
  echo "SQL outside src/store:"
  echo "$hits"
  exit 1
fi
echo "no SQL outside src/store"

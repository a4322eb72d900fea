#!/bin/sh
# Fails listing the source files over the length a file named for one thing should need
# (issue 9: files cut by responsibility, each under ~400 lines).
root="${1:-$(dirname "$0")/../..}"
limit="${2:-400}"
long=$(find "$root/src" "$root/include" "$root/tests/unit" "$root/bench" -name '*.cpp' -o -name '*.hpp' | xargs wc -l | awk -v l="$limit" '$2 != "total" && $1 > l')
if [ -n "$long" ]; then
  echo "over $limit lines:"
  echo "$long"
  exit 1
fi
echo "every file under src/, include/, tests/unit/ and bench/ has at most $limit lines"

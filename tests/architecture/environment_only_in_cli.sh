#!/bin/sh
# Fails listing every line outside src/cli that reads the process's environment (issue 9: only
# the CLI reads it; the layers below get an Environment of plain values, core/environment.hpp).
root="${1:-$(dirname "$0")/../..}"
hits=$(grep -rnE '\b(secure_)?getenv\b|\benviron\b|\bputenv\b|\bsetenv\b' \
  "$root/src/base" "$root/src/store" "$root/src/core" "$root/src/mail" "$root/include" \
  --include='*.cpp' --include='*.hpp' \
  | grep -vE ':[0-9]+:\s*//')
if [ -n "$hits" ]; then
  echo "the environment read outside src/cli:"
  echo "$hits"
  exit 1
fi
echo "only src/cli reads the environment"

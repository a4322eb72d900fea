#!/bin/sh
# Fails listing every string literal in src/base, src/store, src/core, src/mail or include/mailer
# that names a `--flag` or a `mailer <command>` (issue 9: core errors name fields and next steps,
# the CLI says them as its flags and commands: cli/field_flags.cpp, cli/next_steps.cpp), or
# that throws Errc::usage (below the CLI a malformed request is Errc::bad_request).
# Comment lines are allowed; a literal is text between two double quotes on one line. The one
# exception: the account emails (core/notices.cpp) quote the exact commands SPEC §2 gives them.
root="${1:-$(dirname "$0")/../..}"
commands='init|user|login|logout|whoami|client|group|message|mailing|send|report|cron|serve|stats'
literal='"([^"\\]|\\.)*'
hits=$(grep -rnE "\"(([^\"\\\\]|\\\\.)*[ \`(\[])?--[a-z]|$literal\\bmailer ($commands)\\b|\\bErrc::usage\\b" \
  "$root/src/base" "$root/src/store" "$root/src/core" "$root/src/mail" "$root/include/mailer" \
  --include='*.cpp' --include='*.hpp' \
  | grep -vE '^[^:]+:[0-9]+:\s*(//|/?\*)' \
  | grep -v '/src/core/notices.cpp:')
if [ -n "$hits" ]; then
  echo "flags or commands in texts, or Errc::usage, below src/cli:"
  printf '%s\n' "$hits"
  exit 1
fi
echo "no flag, command or Errc::usage below src/cli"

#!/usr/bin/env bash
# Import a customer list saved by Excel in a Russian locale, and mail the customers weekly.
#
#   PATH=/path/to/mailer/build:$PATH bash examples/import-and-mail.sh
#
# Everything happens in a throwaway folder (config, database, session), so your own
# mailer data is never touched; KEEP=1 keeps the folder and prints its path. Nothing is
# sent: the mailing is created for next Monday 09:00, and the script ends by listing it.
# MAILER_BIN=/path/to/mailer picks a binary that is not on PATH.
set -euo pipefail

# A throwaway home, its config and `mailer` (examples/throwaway-home.sh).
source "$(dirname "$0")/throwaway-home.sh"

echo "== database"
mailer init

# --- An account -------------------------------------------------------------------------
# create-superuser needs no login: whoever can write the database may run it. The password
# comes on standard input, as one line (a real script would read it from a secret store).
owner=owner@example.com
password="example-$RANDOM-$RANDOM-password"
printf '%s\n' "$password" | mailer user create-superuser "$owner" --password-stdin
printf '%s\n' "$password" | mailer login "$owner" --password-stdin
mailer whoami

# --- The customer list, as Excel saves it ----------------------------------------------
# "CSV UTF-8" from a Russian Excel: a byte-order mark, ';' between fields (',' is the
# decimal separator there), CRLF line ends, quotes around fields that contain ';' or '"'
# (a quote inside is doubled). The header names the columns: email, name, comment.
csv=$work/клиенты.csv
{
    printf '\xEF\xBB\xBF'
    printf '%s\r\n' \
        'email;name;comment' \
        'anna.petrova@example.ru;Анна Петрова;постоянный клиент' \
        'ivan@пример.рф;"Иванов; Иван";"сказал ""приду в субботу"""' \
        'olga@example.com;Ольга;' \
        'sergey@example.org;Сергей Смирнов;"заказ №1024,
доставка курьером"' \
        'noname@example.net;;без имени: письмо начнётся с «Здравствуйте!»' \
        'ANNA.PETROVA@EXAMPLE.RU;Анна Петрова;дубликат: адреса сравниваются без учёта регистра'
} >"$csv"

# One bad row would stop the whole import (exit 65, nothing imported); this file is clean.
# --group creates the group when it does not exist yet. The duplicate last row is merged.
echo "== import"
mailer client import "$csv" --group "Покупатели"
mailer group members "Покупатели"

# --- The message ------------------------------------------------------------------------
# Subject and body are templates: {{name}}, {{email}}, {{unsubscribe_url}}. A section
# {{#name}}...{{/name}} renders only when the client has a name, {{^name}}...{{/name}} only
# when not. A broken template is refused here (exit 65), not at send time.
body=$work/письмо.txt
cat >"$body" <<'EOF'
{{#name}}Здравствуйте, {{name}}!{{/name}}{{^name}}Здравствуйте!{{/name}}

На этой неделе в «Ромашке» скидка 20% на всё.
Письмо отправлено на {{email}}.

Магазин «Ромашка»
EOF

# --json prints the created object; pick its id (the "id" key at the top level, indented
# by two spaces; jq -r .id does the same where jq is installed).
json_id() {
    local id
    id=$(sed -n 's/^  "id": \([0-9][0-9]*\),\{0,1\}$/\1/p')
    [[ $id =~ ^[0-9]+$ ]] || { echo "import-and-mail.sh: no id in mailer's JSON output" >&2; return 65; }
    echo "$id"
}

echo "== message"
message_id=$(mailer --json message add \
    --subject 'Скидка 20% на этой неделе{{#name}}, {{name}}{{/name}}' \
    --body-file "$body" | json_id)
mailer message show "$message_id"

# --- The mailing ------------------------------------------------------------------------
# Every Monday at 09:00 Moscow time, starting next Monday, to whoever is in the group when
# each run starts. `mailer send --due` (from cron, see examples/crontab) does the sending.
start="$(date -d 'next monday' +%F) 09:00"
echo "== mailing"
mailing_id=$(mailer --json mailing add \
    --message "$message_id" \
    --group "Покупатели" \
    --name "Еженедельная скидка" \
    --start "$start" \
    --every weekly | json_id)
mailer mailing show "$mailing_id"
mailer mailing list

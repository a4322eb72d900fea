#!/usr/bin/env bash
# The blog that promotes the shop: an author writes a post in Markdown with a picture, a
# content manager publishes it, anyone reads it, and the published posts become a static
# site with an Atom feed, ready for any web server.
#
#   PATH=/path/to/mailer/build:$PATH bash examples/blog.sh
#
# Everything happens in a throwaway folder (config, database, session, the site), so your
# own mailer data is never touched; KEEP=1 keeps the folder and prints its path (open
# site/index.html in a browser). MAILER_BIN=/path/to/mailer picks a binary not on PATH.
set -euo pipefail

# A throwaway home, its config and `mailer` (examples/throwaway-home.sh).
source "$(dirname "$0")/throwaway-home.sh"
mailer init

# --- Two accounts: the owner (a superuser) and an editor --------------------------------
password="example-$RANDOM-$RANDOM-password"
printf '%s\n' "$password" | mailer user create-superuser owner@example.com --password-stdin
printf '%s\n' "$password" | mailer login owner@example.com --password-stdin
printf '%s\n' "$password" | mailer user create-superuser editor@example.com --password-stdin
# The editor publishes posts and nothing more: content-manager instead of superuser.
mailer user grant editor@example.com content-manager
mailer user revoke editor@example.com superuser

# --- The owner writes a post ------------------------------------------------------------
# The image's type is judged by its bytes (PNG, JPEG, GIF or WebP); this one is a 1x1 PNG.
echo 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC' | base64 -d >"$work/photo.png"
cat >"$work/post.md" <<'MD'
# Как мы разослали 10 000 писем за минуту

Рассылка «Весенняя скидка» ушла **всем** покупателям через наш собственный Postfix.

- импорт списка из Excel (Windows-1251);
- шаблон `{{name}}` в теме письма;
- отчёт: кто открыл, кто кликнул.

Подробности — на [сайте магазина](https://shop.example/spring).
MD
post=$(mailer --json blog add --title "Весенняя рассылка" --body-file "$work/post.md" --image "$work/photo.png" |
    sed -n 's/^  "id": \([0-9]*\),$/\1/p')
echo "== the owner's post $post, not yet published"
mailer blog list --all

# --- The editor publishes it; anyone reads it, no session needed --------------------------
printf '%s\n' "$password" | mailer login editor@example.com --password-stdin
mailer blog publish "$post"
mailer logout
echo "== read by anyone"
mailer blog list
mailer blog show "$post"

# --- The static site -----------------------------------------------------------------------
# Running it again replaces the site in one rename: a web server never serves half of it.
mailer blog export "$work/site" --base-url https://shop.example/blog/
find "$work/site" -type f | sort

// `mailer cron`: the crontab line and idempotent edits of a crontab (SPEC §2).
#include <doctest/doctest.h>

#include "cli/cron_line.hpp"
#include "mailer/core/cron.hpp"

using namespace mailer;

TEST_CASE("cron: the line runs send --due every minute with absolute paths and appends to a log") {
  const std::string config = "/home/shop/.config/mailer/mailer.toml", db = "/home/shop/mailer.db";
  std::string l = cron::line(cli::cron_command("/usr/local/bin/mailer", config, true, db),
                             "/home/shop/.local/state/mailer/cron.log", cron::marker(config, db));
  CHECK(l.rfind("* * * * * '/usr/local/bin/mailer' --config '/home/shop/.config/mailer/mailer.toml' "
                "--db '/home/shop/mailer.db' --log-timestamps send --due --quiet-idle >> "
                "'/home/shop/.local/state/mailer/cron.log' 2>&1 # mailer-send-due ",
                0) == 0);
}

TEST_CASE("cron: quoting survives quotes and the percent sign that cron would turn into a newline") {
  CHECK(cron::shell_quote("/a b/it's 100%") == "'/a b/it'\\''s 100\\%'");
}

TEST_CASE("cron: install adds the line once and keeps other lines - remove takes only ours") {
  std::string mark = cron::marker("/c.toml", "/d.db");
  std::string ours = "* * * * * mailer send --due " + mark;
  std::string existing = "MAILTO=owner@example.com\n0 3 * * * backup.sh\n";
  bool changed = false;
  std::string once = cron::with_line(existing, ours, mark, changed);
  CHECK(changed);
  CHECK(once == existing + ours + "\n");
  std::string twice = cron::with_line(once, ours, mark, changed);
  CHECK_FALSE(changed);
  CHECK(twice == once);
  std::string updated = cron::with_line(once, "*/2 * * * * mailer send --due " + mark, mark, changed);
  CHECK(changed);
  CHECK(updated == existing + "*/2 * * * * mailer send --due " + mark + "\n");
  std::string removed = cron::without_line(updated, mark, changed);
  CHECK(changed);
  CHECK(removed == existing);
  cron::without_line(removed, mark, changed);
  CHECK_FALSE(changed);
}

TEST_CASE("cron: two databases get two distinct lines") {
  CHECK(cron::marker("/c.toml", "/a.db") != cron::marker("/c.toml", "/b.db"));
}

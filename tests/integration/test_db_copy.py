"""`mailer db copy --to postgresql://...` (issue 13, item 5): a SQLite database that was used for
real (accounts, Cyrillic clients in groups, a deleted client, messages, a mailing sent to a real
SMTP server, its run, attempts and events, a blog post with an image) moves into an empty
PostgreSQL database with every row, reads the same there, gives no deleted id again, and a
target that holds rows is refused and left as it was. The PostgreSQL server is ctest's fixture
(MAILER_TEST_PG_URL_FILE) or, run by hand, one this test starts."""

import os
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from mailtest import smtp_server  # noqa: E402
from sendkit import T0, add_clients, add_mailing, add_message, at, attempts  # noqa: E402
from test_blog import png_bytes  # noqa: E402
from workspace import Workspace, pg_psql, pg_server_url  # noqa: E402
import workspace  # noqa: E402

EX_USAGE, EX_DATAERR, EX_CONFIG = 64, 65, 78
TABLES = ("account", "session", "user_code", "code_event", "client", "group", "group_member",
          "case_duplicate", "message", "mailing", "mailing_client", "mailing_group", "run",
          "run_recipient", "attempt", "event", "post", "setting", "bounce_report", "bounce_recipient",
          "fleet_pace")


def setUpModule():
    global _own_server
    _own_server = None
    if not os.environ.get("MAILER_TEST_PG_URL_FILE"):
        import tempfile
        import postgres
        root = tempfile.mkdtemp(prefix="mailer-pg-")
        _own_server = postgres.PostgresServer(root).start()
        postgres.make_template(_own_server, os.environ["MAILER_BIN"])
        url_file = os.path.join(root, "url")
        with open(url_file, "w") as f:
            f.write(_own_server.url() + "\n")
        os.environ["MAILER_TEST_PG_URL_FILE"] = url_file


def tearDownModule():
    if _own_server:
        _own_server.stop()


class DbCopy(unittest.TestCase):
    def setUp(self):
        self.assertEqual(workspace.BACKEND, "sqlite", "db copy starts from SQLite")
        self.smtp = self.enterContext(smtp_server())
        self.ws = self.enterContext(Workspace(smtp_url=self.smtp.url))
        self.target = "copy_{}_{}".format(os.getpid(), self.id().rsplit(".", 1)[-1][:20])
        pg_psql("postgres", "DROP DATABASE IF EXISTS {} WITH (FORCE)".format(self.target))
        pg_psql("postgres", "CREATE DATABASE {}".format(self.target))
        self.addCleanup(pg_psql, "postgres", "DROP DATABASE IF EXISTS {} WITH (FORCE)".format(self.target))
        self.url = pg_server_url(self.target)

    def fill(self):
        ws = self.ws
        ws.superuser("boss@example.com")
        ids = add_clients(ws, [("ivan@example.com", "Иван Петров"), ("olga@example.com", "Ольга"),
                               ("gone@example.com", "Удалённый")], group="Постоянные")
        ws.ok("client", "rm", str(ids["gone@example.com"]))
        message = add_message(ws, "Скидки для {{name}}", "Здравствуйте, {{name}}!")
        mailing = add_mailing(ws, message, groups=["Постоянные"], now=T0)["id"]
        ws.ok("send", str(mailing), env=at(T0))
        image = ws.root / "pic.png"
        image.write_bytes(png_bytes())
        ws.ok("blog", "add", "--title", "Новости", "--body", "Мы **открылись**", "--image", str(image))
        return mailing

    def sqlite_counts(self):
        con = sqlite3.connect(str(self.ws.db_path))
        try:
            return {t: con.execute('SELECT count(*) FROM "{}"'.format(t)).fetchone()[0] for t in TABLES}
        finally:
            con.close()

    def test_every_row_moves_and_reads_the_same_on_postgresql(self):
        mailing = self.fill()
        before = self.sqlite_counts()
        self.assertGreater(before["attempt"], 0)
        copied = self.ws.json("db", "copy", "--to", self.url)
        self.assertEqual(copied["tables"], before)
        self.assertEqual(copied["rows"], sum(before.values()))
        after = {t: pg_psql(self.target, 'SELECT count(*) FROM "{}"'.format(t))[0][0] for t in TABLES}
        self.assertEqual(after, before)
        # The same session, reports, attempts and image, now read from PostgreSQL.
        on_pg = {"MAILER_DB": self.url}
        sqlite_report = self.ws.json("report", "--mailing", str(mailing))
        sqlite_attempts = attempts(self.ws, mailing)
        sqlite_clients = self.ws.json("client", "list")
        sqlite_image = self.ws.ok("blog", "show", "1").stdout
        self.ws.ok("login", "boss@example.com", "--password-stdin", input=workspace.PASSWORD + "\n",
                   env=on_pg)
        self.assertEqual(self.ws.json("report", "--mailing", str(mailing), env=on_pg), sqlite_report)
        self.assertEqual(attempts(self.ws, mailing, env=on_pg), sqlite_attempts)
        self.assertEqual(self.ws.json("client", "list", env=on_pg), sqlite_clients)
        self.assertEqual(self.ws.ok("blog", "show", "1", env=on_pg).stdout, sqlite_image)
        self.assertEqual(pg_psql(self.target, "SELECT length(image) FROM post"), [(len(png_bytes()),)])
        # A deleted client's id is not given again; the next is past the largest ever given.
        added = self.ws.json("client", "add", "new@example.com", env=on_pg)
        self.assertEqual(added["id"], 4)

    def test_a_target_with_rows_is_refused_and_left_as_it_was(self):
        self.fill()
        self.ws.ok("db", "copy", "--to", self.url)
        pg_psql(self.target, "DELETE FROM post")
        before = pg_psql(self.target, "SELECT count(*) FROM client")
        proc = self.ws.run("db", "copy", "--to", self.url)
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stdout + proc.stderr)
        self.assertRegex(proc.stderr, r"^mailer: postgresql://\S+ is not empty: table account has 1 rows")
        self.assertEqual(pg_psql(self.target, "SELECT count(*) FROM client"), before)
        self.assertEqual(pg_psql(self.target, "SELECT count(*) FROM post"), [(0,)])

    def test_what_is_not_a_postgresql_target_or_an_sqlite_source_is_refused(self):
        self.ws.superuser("boss@example.com")
        proc = self.ws.run("db", "copy", "--to", str(self.ws.root / "other.db"))
        self.assertEqual(proc.returncode, EX_USAGE, proc.stderr)
        self.assertIn("not a postgresql:// URL", proc.stderr)
        proc = self.ws.run("db", "copy", "--to", self.url, env={"MAILER_DB": self.url})
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("copies an SQLite database", proc.stderr)
        proc = self.ws.run("db", "copy", "--to", "postgresql://nobody:secret@/nosuchdb?host=/nonexistent")
        self.assertNotEqual(proc.returncode, 0)
        self.assertNotIn("secret", proc.stdout + proc.stderr)
        self.assertIn("***", proc.stderr)

    def test_a_server_that_cannot_be_reached_is_one_line_69_without_the_password(self):
        proc = self.ws.run("init", env={"MAILER_DB": "postgresql://nobody:secret@/nosuchdb?host=/nonexistent"})
        self.assertEqual(proc.returncode, 69, proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertNotIn("secret", proc.stderr)


if __name__ == "__main__":
    unittest.main()

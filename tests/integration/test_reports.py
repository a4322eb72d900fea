"""`report`, `report recipients`, `report links` and `stats` (issue 10; SPEC §2) over known sends
to a real SMTP server: sent, bounced (550), deferred then sent, deferred until it failed after
send.max_tries (3), then tracking events as `mailer serve` records them (written here with
sqlite3): one client opens twice, one clicks without opening, a scanner's open that is not
counted, an unsubscribe. Every figure of the --json output is checked, and the CSV shape.

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_reports.py -v
"""

import csv
import io
import json
import os
import subprocess
import unittest

from mailtest import smtp_server
from sendkit import T0, add_clients, add_mailing, add_message, at, write_sql
from workspace import PASSWORD, Workspace

EX_DATAERR, EX_NOINPUT, EX_NOPERM = 65, 66, 77
PEOPLE = [("ok1@example.com", "Анна"), ("reject1@example.com", "Борис"), ("defer1@example.com", "Вера"),
          ("defer2@example.com", "Глеб"), ("open1@example.com", "Дина"), ("click1@example.com", "Егор"),
          ("scan1@example.com", "Жанна"), ("unsub1@example.com", "Зоя, \"кавычки\"")]
URL_A = "https://shop.example/sale?a=1"
URL_B = "https://shop.example/new"


class Reports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.smtp_context = smtp_server()
        cls.smtp = cls.smtp_context.__enter__()
        cls.ws = ws = Workspace(smtp_url=cls.smtp.url, extra_config="[send]\nmax_tries = 3\n")
        ws.superuser()
        cls.ids = add_clients(ws, PEOPLE)
        msg = add_message(ws, "Тема", "Текст")
        cls.mailing = add_mailing(ws, msg, clients=cls.ids.values(), now=T0)["id"]
        cls.idle = add_mailing(ws, msg, clients=[cls.ids["ok1@example.com"]], start="2027-04-01T09:00",
                               now=T0)["id"]
        ws.run("send", str(cls.mailing), env=at(T0))
        cls.after_first = cls.report_of(cls.mailing)
        # The greylisting of defer2 ends: its next try goes to an address the server accepts.
        write_sql(ws, "UPDATE run_recipient SET email = 'later2@example.com' WHERE email = 'defer2@example.com'")
        for now in ("2027-03-01T10:02:00", "2027-03-01T10:06:30"):
            ws.run("send", "--due", env=at(now))
        sent = {client: attempt for attempt, client in ws.sql(
            "SELECT id, client FROM attempt WHERE status = 'sent'")}
        run = ws.sql("SELECT id FROM run WHERE mailing = {}".format(cls.mailing))[0][0]
        t = 1803884400  # 2027-03-01T10:00:00+03:00 (the events' times only need to be later)

        def event(email, kind, offset, detail="", counted=True):
            client = cls.ids[email]
            write_sql(ws, "INSERT INTO event (attempt, kind, at, detail, run, client, user_agent, counted) "
                          "VALUES (?, ?, ?, ?, ?, ?, 'Mozilla/5.0', ?)",
                      (sent[client], kind, t + offset, detail, run, client, counted))

        event("open1@example.com", "open", 600)
        event("open1@example.com", "open", 7200)
        event("click1@example.com", "click", 900, URL_A)
        event("click1@example.com", "click", 960, URL_A)
        event("unsub1@example.com", "click", 1000, URL_B)
        event("unsub1@example.com", "unsubscribe", 1100, "link")
        event("scan1@example.com", "open", 1, counted=False)
        write_sql(ws, "INSERT INTO post (author, title, body, published, created_at, updated_at) "
                      "VALUES (1, 'Новости', 'текст', TRUE, 0, 0), (1, 'Черновик', 'текст', FALSE, 0, 0)")

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)
        cls.smtp_context.__exit__(None, None, None)

    @classmethod
    def report_of(cls, mailing):
        [row] = cls.ws.json("report", "--mailing", str(mailing))
        return row

    def recipients(self, *args):
        rows = self.ws.json("report", "recipients", "--mailing", str(self.mailing), *args)
        return sorted(r["client"] for r in rows)

    def of(self, *emails):
        return sorted(self.ids[e] for e in emails)

    def test_totals_count_each_recipient_once_by_its_final_state(self):
        r = self.report_of(self.mailing)
        self.assertEqual(r["mailing"], self.mailing)
        figures = {k: r[k] for k in ("recipients", "sent", "bounced", "deferred", "failed", "opened", "opens",
                                     "clicked", "clicks", "unsubscribed")}
        self.assertEqual(figures, {"recipients": 8, "sent": 6, "bounced": 1, "deferred": 0, "failed": 1,
                                   "opened": 1, "opens": 2, "clicked": 2, "clicks": 3, "unsubscribed": 1})
        self.assertAlmostEqual(r["delivery_rate"], 6 / 8)
        self.assertAlmostEqual(r["open_rate"], 1 / 6)
        self.assertAlmostEqual(r["click_rate"], 2 / 6)

    def test_after_the_first_send_the_greylisted_are_deferred(self):
        r = self.after_first
        self.assertEqual((r["recipients"], r["sent"], r["bounced"], r["deferred"], r["failed"]), (8, 5, 1, 2, 0))

    def test_every_mailing_has_a_row_and_an_idle_one_has_zeros(self):
        rows = self.ws.json("report")
        self.assertEqual([r["mailing"] for r in rows], [self.mailing, self.idle])
        self.assertEqual(rows[1]["recipients"], 0)
        self.assertEqual(rows[1]["delivery_rate"], 0)
        # A period after the runs: no mailing had a run then.
        self.assertEqual(self.ws.json("report", "--since", "2027-03-02"), [])
        self.assertEqual(len(self.ws.json("report", "--since", "2027-03-01", "--until", "2027-03-01T23:00")), 1)

    def test_recipients_with_each_filter(self):
        rows = {r["client"]: r for r in self.ws.json("report", "recipients", "--mailing", str(self.mailing))}
        self.assertEqual(len(rows), 8)
        late = rows[self.ids["defer2@example.com"]]
        self.assertEqual((late["status"], late["tries"], late["smtp_code"], late["email"]),
                         ("sent", 2, 250, "later2@example.com"))
        self.assertRegex(late["sent_at"], r"^2027-03-01T10:0\d:\d\d\+03:00$")
        failed = rows[self.ids["defer1@example.com"]]
        self.assertEqual((failed["status"], failed["tries"], failed["smtp_code"]), ("failed", 3, 451))
        self.assertIn("Greylisted", failed["server_response"])
        bounced = rows[self.ids["reject1@example.com"]]
        self.assertEqual((bounced["status"], bounced["smtp_code"]), ("bounced", 550))
        self.assertIsNotNone(bounced["bounced_at"])
        self.assertIsNone(bounced["sent_at"])
        opener = rows[self.ids["open1@example.com"]]
        self.assertEqual(opener["opened_at"], "2027-03-01T10:10:00+03:00")  # the first of two
        self.assertIsNone(rows[self.ids["scan1@example.com"]]["opened_at"])
        clicker = rows[self.ids["click1@example.com"]]
        self.assertIsNone(clicker["opened_at"])
        self.assertEqual(clicker["clicked_at"], "2027-03-01T10:15:00+03:00")
        self.assertEqual(rows[self.ids["unsub1@example.com"]]["unsubscribed_at"], "2027-03-01T10:18:20+03:00")
        self.assertEqual(self.recipients("--status", "failed"), self.of("defer1@example.com"))
        self.assertEqual(self.recipients("--status", "bounced"), self.of("reject1@example.com"))
        self.assertEqual(self.recipients("--opened"), self.of("open1@example.com"))
        self.assertEqual(self.recipients("--clicked"), self.of("click1@example.com", "unsub1@example.com"))
        self.assertEqual(len(self.recipients("--not-opened")), 7)
        self.assertEqual(self.recipients("--status", "sent", "--not-opened"),
                         self.of("ok1@example.com", "defer2@example.com", "click1@example.com",
                                 "scan1@example.com", "unsub1@example.com"))
        self.assertEqual(self.ws.run("report", "recipients", "--mailing", str(self.mailing), "--opened",
                                     "--clicked").returncode, 64)
        # An option of `report` itself is refused after a subcommand, not ignored.
        proc = self.ws.run("report", "recipients", "--mailing", str(self.mailing), "--since", "now")
        self.assertEqual(proc.returncode, 64, proc.stderr)
        self.assertIn("--since is not an option of `mailer report recipients`", proc.stderr)

    def test_links_count_clicks_and_clickers(self):
        links = self.ws.json("report", "links", "--mailing", str(self.mailing))
        self.assertEqual(links, [{"url": URL_A, "clicks": 2, "unique_clickers": 1},
                                 {"url": URL_B, "clicks": 1, "unique_clickers": 1}])

    def test_stats(self):
        self.assertEqual(self.ws.json("stats"), {"mailings": 2, "active_mailings": 1, "unique_recipients": 6,
                                                 "posts": 1})

    def raw(self, *args):
        """Standard output as bytes: the text runner would turn CRLF into LF."""
        env = dict(os.environ)
        for key, value in self.ws.env.items():
            env.pop(key, None) if value is None else env.__setitem__(key, value)
        proc = subprocess.run([os.environ["MAILER_BIN"], *args], env=env, capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def csv_of(self, *args):
        out = self.raw("report", *args)
        self.assertTrue(out.startswith(b"\xef\xbb\xbf"), out[:10])
        self.assertTrue(out.endswith(b"\r\n"), out[-10:])
        self.assertNotIn(b"\n", out.replace(b"\r\n", b""))
        text = out[3:].decode("utf-8")
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if "--delimiter" in args else ","))

    def test_csv_has_a_bom_a_header_and_rfc4180_quoting(self):
        rows = self.csv_of("--format", "csv")
        self.assertEqual(rows[0][:5], ["mailing", "name", "owner", "subject", "recipients"])
        self.assertEqual(rows[1][0], str(self.mailing))
        self.assertEqual(rows[1][rows[0].index("delivery_rate")], "0.7500")
        semi = self.csv_of("--format", "csv", "--delimiter", ";")
        self.assertEqual(semi[1][semi[0].index("delivery_rate")], "0,7500")
        people = self.csv_of("recipients", "--mailing", str(self.mailing), "--format", "csv")
        self.assertEqual(people[0][:4], ["client", "email", "name", "status"])
        names = {row[1]: row[2] for row in people[1:]}
        self.assertEqual(names["unsub1@example.com"], "Зоя, \"кавычки\"")
        raw = self.raw("report", "recipients", "--mailing", str(self.mailing), "--format", "csv")
        self.assertIn('"Зоя, ""кавычки"""'.encode("utf-8"), raw)
        links = self.csv_of("links", "--mailing", str(self.mailing), "--format", "csv", "--delimiter", ";")
        self.assertEqual(links, [["url", "clicks", "unique_clickers"], [URL_A, "2", "1"], [URL_B, "1", "1"]])
        attempts = self.csv_of("attempts", "--mailing", str(self.mailing), "--format", "csv")
        self.assertEqual(attempts[0], ["id", "run", "mailing", "client", "email", "at", "status", "smtp_code",
                                       "server_response"])
        self.assertEqual(len(attempts), 1 + 11)  # 8 first tries, then defer1 twice more and defer2 once

    def test_a_period_that_ends_before_it_starts_is_refused(self):
        proc = self.ws.run("report", "--since", "2027-03-02T00:00", "--until", "2027-03-01T00:00")
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr)
        self.assertEqual(proc.stderr.count("\n"), 1, proc.stderr)
        self.assertIn("--since", proc.stderr)
        self.assertIn("--until", proc.stderr)

    def test_html_goes_to_the_file(self):
        path = self.ws.root / "report.html"
        self.ws.ok("report", "--html", str(path))
        self.assertTrue(path.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html"))
        proc = self.ws.run("report", "--html", str(self.ws.root / "missing" / "r.html"))
        self.assertEqual(proc.returncode, 74, proc.stderr)
        self.assertIn("missing/r.html", proc.stderr)

    def test_a_plain_user_sees_neither_all_nor_anothers_mailing(self):
        ws = self.ws
        ws.ok("user", "create-superuser", "plain@example.com", "--password-stdin", input=PASSWORD + "\n")
        ws.ok("user", "revoke", "plain@example.com", "superuser")
        env = {"XDG_STATE_HOME": str(ws.root / "state-plain")}
        ws.ok("login", "plain@example.com", "--password-stdin", input=PASSWORD + "\n", env=env)
        for args in (("report", "--all"), ("stats", "--all")):
            proc = ws.run(*args, env=env)
            self.assertEqual(proc.returncode, EX_NOPERM, proc.stderr)
            self.assertIn("--all", proc.stderr)
        for args in (("report", "--mailing"), ("report", "recipients", "--mailing"), ("report", "links", "--mailing")):
            proc = ws.run(*args, str(self.mailing), env=env)
            self.assertEqual(proc.returncode, EX_NOINPUT, proc.stderr)
            self.assertIn("mailing {} not found".format(self.mailing), proc.stderr)
        self.assertEqual(json.loads(ws.ok("--json", "stats", env=env).stdout),
                         {"mailings": 0, "active_mailings": 0, "unique_recipients": 0, "posts": 0})
        self.assertEqual(json.loads(ws.ok("--json", "report", env=env).stdout), [])


if __name__ == "__main__":
    unittest.main()

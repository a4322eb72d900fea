"""`report bounces`, the reasons beneath `report --mailing` and in `report --json` and
`report --html` (issue 12, item 5) over bounces a real `mailer send` got from the test SMTP
server (smtpd.py: reject* 550 5.1.1 at RCPT, a dead address; full* 552 5.2.2, a full mailbox),
recorded as bounce events the way mailed reports are; with a mailed report read from a real
IMAP server (dovecot) when it is installed. Access as for the other reports: one's own
mailings, another's for a manager, --all for a manager only.

Run: MAILER_BIN=build/mailer MAILER_SOURCE_DIR=$PWD /usr/bin/python3 tests/integration/test_report_bounces.py -v
"""

import csv
import io
import json
import os
import pathlib
import re
import subprocess
import unittest

import dovecot
from mailtest import smtp_server
from sendkit import add_clients, add_mailing, add_message, at, write_sql
from workspace import PASSWORD, Workspace

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_NOPERM = 64, 65, 66, 77
T0 = "2027-03-01T10:00:00"
T1 = "2027-03-02T10:00:00"
T2 = "2027-03-03T10:00:00"
DEAD = "User unknown in local recipient table"
SOURCE = pathlib.Path(os.environ.get("MAILER_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


def rows_of(table):
    """The lines of a table below its header, each split at runs of two or more spaces."""
    lines = table.rstrip("\n").split("\n")
    return [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]


def session(ws, email, *roles):
    """A second account, with `roles` granted (none: a plain user); the env of its session."""
    ws.ok("user", "create-superuser", email, "--password-stdin", input=PASSWORD + "\n")
    ws.ok("user", "revoke", email, "superuser")
    for role in roles:
        ws.ok("user", "grant", email, role)
    env = {"XDG_STATE_HOME": str(ws.root / ("state-" + email.split("@")[0]))}
    ws.ok("login", email, "--password-stdin", input=PASSWORD + "\n", env=env)
    return env


class ReportBounces(unittest.TestCase):
    """Mailing 1 at T0 to three dead addresses, a full mailbox and a good one; mailing 2 at T1
    to the full mailbox again and the good one; mailing 3 at T2 to the good one only."""

    @classmethod
    def setUpClass(cls):
        cls.smtp_context = smtp_server()
        cls.smtp = cls.smtp_context.__enter__()
        cls.ws = ws = Workspace(smtp_url=cls.smtp.url)
        ws.superuser()
        people = ["ok1@example.com", "reject1@example.com", "reject2@example.com", "reject3@example.com",
                  "full1@example.com"]
        cls.ids = add_clients(ws, [(e, "Имя") for e in people])
        msg = add_message(ws, "Тема", "Текст")
        cls.m1 = add_mailing(ws, msg, clients=cls.ids.values(), now=T0)["id"]
        ws.run("send", str(cls.m1), env=at(T0))
        cls.m2 = add_mailing(ws, msg, clients=[cls.ids["full1@example.com"], cls.ids["ok1@example.com"]],
                             now=T1)["id"]
        ws.run("send", str(cls.m2), env=at(T1))
        cls.m3 = add_mailing(ws, msg, clients=[cls.ids["ok1@example.com"]], now=T2)["id"]
        ws.run("send", str(cls.m3), env=at(T2))

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)
        cls.smtp_context.__exit__(None, None, None)

    def bounces(self, *args, env=None):
        return self.ws.json("report", "bounces", *args, env=env)

    def test_the_sends_bounced_as_the_server_said(self):
        # What the rows below rest on: four refusals at RCPT in the first mailing, one in the second.
        self.assertEqual(len(self.smtp.events("reject")), 5)
        self.assertEqual(self.ws.sql("SELECT count(*) FROM event WHERE kind = 'bounce'"), [(5,)])

    def test_one_row_per_reason_and_severity_most_first(self):
        rows = self.bounces()
        self.assertEqual([(r["reason"], r["severity"], r["bounces"], r["recipients"]) for r in rows],
                         [("userunknown", "hard", 3, 3), ("mailboxfull", "soft", 2, 1)])
        self.assertEqual([sorted(r) for r in rows], [["bounces", "example", "reason", "recipients", "severity"]] * 2)
        self.assertIn(DEAD, rows[0]["example"])
        self.assertRegex(rows[0]["example"], r"5\.1\.1 <reject[123]@example\.com>")
        # The latest of the two full-mailbox bounces: the second mailing's.
        self.assertIn("5.2.2 <full1@example.com>: Mailbox full", rows[1]["example"])
        latest = self.ws.sql("SELECT e.detail FROM event e JOIN run r ON r.id = e.run WHERE r.mailing = {} "
                             "AND e.kind = 'bounce'".format(self.m2))
        self.assertEqual(json.loads(latest[0][0])["diagnostic"], rows[1]["example"])

    def test_the_table_a_user_reads(self):
        out = self.ws.ok("report", "bounces").stdout
        self.assertEqual(out.split("\n")[0].split(), ["REASON", "SEVERITY", "BOUNCES", "RECIPIENTS", "EXAMPLE"])
        rows = rows_of(out)
        self.assertEqual([r[:4] for r in rows], [["userunknown", "hard", "3", "3"], ["mailboxfull", "soft", "2", "1"]])
        self.assertIn(DEAD, rows[0][4])  # whole when piped

    def test_a_mailing_or_a_period(self):
        one = self.bounces("--mailing", str(self.m1))
        self.assertEqual([(r["reason"], r["bounces"], r["recipients"]) for r in one],
                         [("userunknown", 3, 3), ("mailboxfull", 1, 1)])
        second = self.bounces("--mailing", str(self.m2))
        self.assertEqual([(r["reason"], r["severity"], r["bounces"]) for r in second], [("mailboxfull", "soft", 1)])
        self.assertEqual(self.bounces("--mailing", str(self.m3)), [])
        self.assertEqual(self.ws.ok("report", "bounces", "--mailing", str(self.m3)).stdout.split(),
                         ["REASON", "SEVERITY", "BOUNCES", "RECIPIENTS", "EXAMPLE"])
        since = self.bounces("--since", "2027-03-02T00:00")
        self.assertEqual([(r["reason"], r["bounces"]) for r in since], [("mailboxfull", 1)])
        until = self.bounces("--until", "2027-03-01T23:00")
        self.assertEqual([(r["reason"], r["bounces"]) for r in until], [("userunknown", 3), ("mailboxfull", 1)])
        self.assertEqual(self.bounces("--since", "2027-03-04"), [])

    def test_csv(self):
        env = dict(os.environ)
        for key, value in self.ws.env.items():
            env.pop(key, None) if value is None else env.__setitem__(key, value)
        proc = subprocess.run([os.environ["MAILER_BIN"], "report", "bounces", "--format", "csv", "--delimiter", ";"],
                              env=env, capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(proc.stdout.startswith(b"\xef\xbb\xbf"), proc.stdout[:10])
        rows = list(csv.reader(io.StringIO(proc.stdout[3:].decode("utf-8"), newline=""), delimiter=";"))
        self.assertEqual(rows[0], ["reason", "severity", "bounces", "recipients", "example"])
        self.assertEqual([r[:4] for r in rows[1:]], [["userunknown", "hard", "3", "3"], ["mailboxfull", "soft", "2", "1"]])

    def test_report_of_a_mailing_shows_its_reasons_beneath_the_totals(self):
        out = self.ws.ok("report", "--mailing", str(self.m1)).stdout
        table, sep, block = out.partition("\nBounces by reason:\n")
        self.assertTrue(sep, out)
        self.assertIn("BOUNCED", table)
        self.assertEqual(rows_of(block), [["userunknown", "hard", "3"], ["mailboxfull", "soft", "1"]])
        self.assertEqual(block.split("\n")[0].split(), ["REASON", "SEVERITY", "BOUNCES"])
        # No bounces, no block; nor for the table of every mailing.
        self.assertNotIn("Bounces by reason", self.ws.ok("report", "--mailing", str(self.m3)).stdout)
        self.assertNotIn("Bounces by reason", self.ws.ok("report").stdout)
        self.assertNotIn("Bounces by reason", self.ws.ok("report", "--mailing", str(self.m1), "--format", "csv").stdout)

    def test_report_json_has_the_reasons_of_each_mailing(self):
        by = {r["mailing"]: r for r in self.ws.json("report")}
        self.assertEqual(by[self.m1]["bounce_reasons"],
                         [{"reason": "userunknown", "severity": "hard", "bounces": 3},
                          {"reason": "mailboxfull", "severity": "soft", "bounces": 1}])
        self.assertEqual(by[self.m2]["bounce_reasons"], [{"reason": "mailboxfull", "severity": "soft", "bounces": 1}])
        self.assertEqual(by[self.m3]["bounce_reasons"], [])
        self.assertEqual(by[self.m1]["bounced"], 4)  # the 550s and the 552: bounced attempts
        [one] = self.ws.json("report", "--mailing", str(self.m2))
        self.assertEqual(one["bounce_reasons"], by[self.m2]["bounce_reasons"])

    def test_html_shows_the_reasons(self):
        path = self.ws.root / "bounces.html"
        self.ws.ok("report", "--html", str(path))
        html = path.read_text(encoding="utf-8")
        section = html[html.index("<h2>Bounce reasons</h2>"):]
        section = section[:section.index("</section>")]
        self.assertIn("<td>userunknown</td><td>hard</td>", section)
        self.assertIn("<td>mailboxfull</td><td>soft</td>", section)
        self.assertIn(DEAD, section)
        self.assertNotIn("SMTP 550", section)  # every bounce here has its event

    def test_access_and_bad_input(self):
        ws = self.ws
        plain = session(ws, "plain@example.com")
        self.assertEqual(self.bounces(env=plain), [])
        proc = ws.run("report", "bounces", "--mailing", str(self.m1), env=plain)
        self.assertEqual(proc.returncode, EX_NOINPUT, proc.stderr)
        self.assertIn("mailing {} not found".format(self.m1), proc.stderr)
        proc = ws.run("report", "bounces", "--all", env=plain)
        self.assertEqual(proc.returncode, EX_NOPERM, proc.stderr)
        self.assertIn("--all", proc.stderr)
        mgr = session(ws, "mgr@example.com", "manager")
        self.assertEqual(self.bounces(env=mgr), [])  # a manager's own mailings: none
        self.assertEqual(self.bounces("--all", env=mgr), self.bounces())
        self.assertEqual(self.bounces("--mailing", str(self.m1), env=mgr), self.bounces("--mailing", str(self.m1)))

        proc = ws.run("report", "bounces", "--mailing", "999")
        self.assertEqual(proc.returncode, EX_NOINPUT, proc.stderr)
        self.assertIn("mailing 999 not found", proc.stderr)
        proc = ws.run("report", "bounces", "--mailing", "seven")
        self.assertEqual(proc.returncode, EX_USAGE, proc.stderr)
        proc = ws.run("report", "bounces", "--since", "the day before")
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr)
        self.assertIn("--since", proc.stderr)
        proc = ws.run("report", "bounces", "--since", "2027-03-02T00:00", "--until", "2027-03-01T00:00")
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr)
        self.assertIn("--until", proc.stderr)
        proc = ws.run("report", "bounces", "--html", str(ws.root / "x.html"))
        self.assertEqual(proc.returncode, EX_USAGE, proc.stderr)
        self.assertIn("--html is not an option of `mailer report bounces`", proc.stderr)


class OlderBounces(unittest.TestCase):
    """A bounced attempt logged before bounce events existed (its event deleted here) keeps the
    HTML report's SMTP-reply row; `report bounces` lists only what has an event."""

    def test_html_falls_back_to_the_reply_for_a_bounce_without_event(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            ws.superuser()
            ids = add_clients(ws, [("reject1@example.com", "А"), ("reject2@example.com", "Б")])
            msg = add_message(ws, "Тема", "Текст")
            m = add_mailing(ws, msg, clients=ids.values(), now=T0)["id"]
            ws.run("send", str(m), env=at(T0))
            write_sql(ws, "DELETE FROM event WHERE kind = 'bounce' AND attempt IN "
                          "(SELECT id FROM attempt WHERE email = 'reject2@example.com')")
            rows = ws.json("report", "bounces")
            self.assertEqual([(r["reason"], r["bounces"]) for r in rows], [("userunknown", 1)])
            path = ws.root / "r.html"
            ws.ok("report", "--html", str(path), "--mailing", str(m))
            html = path.read_text(encoding="utf-8")
            self.assertIn("<td>userunknown</td><td>hard</td>", html)
            self.assertIn("SMTP 550", html)
            self.assertIn("&lt;reject2@example.com&gt;: Recipient address rejected", html)
            self.assertIn("logged before mailer recorded why", html)


@unittest.skipUnless(dovecot.available(), "dovecot-imapd is not installed (scripts/install-deps)")
class MailedReports(unittest.TestCase):
    """A mailed report (a DSN read by `bounces fetch`) counts as the 5xx at RCPT does, and a
    complaint (ARF) is a row of its own."""

    def test_a_fetched_report_and_a_complaint(self):
        password_var = "MAILER_TEST_IMAP_PASSWORD"
        with dovecot.Dovecot() as imap, smtp_server() as smtp:
            config = '[imap]\nurl = "{}"\nusername = "{}"\npassword_env = "{}"\n'.format(
                imap.url, imap.user, password_var)
            with Workspace(smtp_url=smtp.url, extra_config=config) as ws:
                ws.env[password_var] = imap.password
                ws.superuser()
                ids = add_clients(ws, [("mikeneko@example.co.jp", "Mike"), ("reject1@example.com", "R"),
                                       ("ann.reader@isp.example.net", "Ann")])
                msg = add_message(ws, "Тема", "Текст")
                m = add_mailing(ws, msg, clients=ids.values(), now=T0)["id"]
                ws.run("send", str(m), env=at(T0))  # reject1: a 550 at RCPT
                data = SOURCE / "tests" / "data" / "bounces"
                imap.deliver((data / "lhost-exchange2007-01.eml").read_bytes())  # mikeneko: a dead address
                imap.deliver((data / "synthetic-arf-01.eml").read_bytes())  # ann.reader complains
                fetched = ws.json("bounces", "fetch", env=at("2027-03-02T10:00:00"))
                self.assertEqual((fetched["matched"], fetched["complaints"]), (2, 1), fetched)
                rows = ws.json("report", "bounces", "--mailing", str(m))
                self.assertEqual([(r["reason"], r["severity"], r["bounces"], r["recipients"]) for r in rows],
                                 [("userunknown", "hard", 2, 2), ("complaint", None, 1, 1)])
                self.assertTrue(all(r["example"] for r in rows[:1]), rows)
                table = rows_of(ws.ok("report", "bounces", "--mailing", str(m)).stdout)
                self.assertEqual([r[:4] for r in table], [["userunknown", "hard", "2", "2"], ["complaint", "—", "1", "1"]])
                # A complaint is no bounce: not among the mailing's bounce reasons.
                self.assertEqual(ws.json("report", "--mailing", str(m))[0]["bounce_reasons"],
                                 [{"reason": "userunknown", "severity": "hard", "bounces": 2}])


if __name__ == "__main__":
    unittest.main()

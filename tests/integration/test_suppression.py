"""Bounces at RCPT suppress addresses (SPEC §3; issue 12, item 5), against the real SMTP server
of the tests (smtpd.py: reject* gets 550 5.1.1 at RCPT, full* 552 5.2.2, overquota* 452 4.2.2):
a dead address is suppressed at once and the next mailing skips it, `client list --suppressed`
shows it, `client edit --unsuppress` brings it back; a full mailbox suppresses only after
bounces.soft_limit bounces in a row, and a 4xx is no bounce at all.

Run: MAILER_BIN=build/mailer MAILER_SOURCE_DIR=$PWD /usr/bin/python3 tests/integration/test_suppression.py -v
"""

import json
import unittest

from mailtest import smtp_server
from sendkit import add_clients, add_mailing, add_message, at, attempts, summary, write_sql
from workspace import Workspace


class SuppressionTest(unittest.TestCase):
    def start(self, people, extra_config=""):
        self.smtp = self.enterContext(smtp_server())
        self.ws = self.enterContext(Workspace(smtp_url=self.smtp.url, extra_config=extra_config))
        self.ws.superuser()
        self.ids = add_clients(self.ws, [(e, "Имя") for e in people], group="all")
        self.msg = add_message(self.ws, "Тема", "Текст")
        self.minute = 0

    def mail_everyone(self):
        """A new mailing to the group, sent at once a minute after the last; its summary."""
        self.minute += 1
        now = "2027-03-01T10:{:02d}:00".format(self.minute)
        m = add_mailing(self.ws, self.msg, groups=["all"], now=now)["id"]
        proc = self.ws.run("send", str(m), env=at(now))
        self.assertIn(proc.returncode, (0, 75), proc.stdout + proc.stderr)
        return m, summary(proc.stdout)

    def client(self, email):
        return self.ws.json("client", "show", str(self.ids[email]))

    def test_550_at_rcpt_suppresses_at_once_until_unsuppressed(self):
        self.start(["ok1@example.com", "reject1@example.com"])
        m, first = self.mail_everyone()
        self.assertEqual((first["sent"], first["bounced"]), (1, 1))
        dead = self.client("reject1@example.com")
        self.assertEqual(dead["suppressed_reason"], "userunknown")
        self.assertTrue(dead["suppressed_at"].startswith("2027-03-01T10:01:00"), dead)
        self.assertIsNone(self.client("ok1@example.com")["suppressed_at"])
        # The bounce is an event on the attempt, with reason, status, severity and diagnostic.
        [detail] = [json.loads(row[0]) for row in self.ws.sql(
            "SELECT e.detail FROM event e JOIN attempt a ON a.id = e.attempt "
            "WHERE a.email = 'reject1@example.com' AND e.kind = 'bounce'")]
        self.assertEqual((detail["reason"], detail["status"], detail["severity"], detail["source"]),
                         ("userunknown", "5.1.1", "hard", "smtp"))
        self.assertIn("User unknown in local recipient table", detail["diagnostic"])

        # The next mailing leaves it out: the server never hears of it again.
        m2, second = self.mail_everyone()
        self.assertEqual((second["sent"], second["bounced"]), (1, 0))
        self.assertEqual([a["email"] for a in attempts(self.ws, m2)], ["ok1@example.com"])
        self.assertEqual(len(self.smtp.events("reject")), 1)

        listed = self.ws.json("client", "list", "--suppressed")
        self.assertEqual([c["email"] for c in listed], ["reject1@example.com"])
        table = self.ws.ok("client", "list", "--suppressed").stdout
        self.assertIn("SUPPRESSED", table)
        self.assertIn("REASON", table)
        self.assertIn("userunknown", table)
        self.assertIn("(suppressed)", self.ws.ok("client", "list").stdout)
        self.assertIn("userunknown", self.ws.ok("client", "show", str(self.ids["reject1@example.com"])).stdout)
        # Every client object has the keys.
        for c in self.ws.json("client", "list"):
            self.assertIn("suppressed_at", c)
            self.assertIn("suppressed_reason", c)

        # The owner lifts it: the next mailing tries the address again (and it bounces again).
        proc = self.ws.ok("client", "edit", str(self.ids["reject1@example.com"]), "--unsuppress")
        self.assertIn("unsuppressed", proc.stderr)
        self.assertIsNone(self.client("reject1@example.com")["suppressed_at"])
        self.assertEqual(self.ws.json("client", "list", "--suppressed"), [])
        again = self.ws.ok("client", "edit", str(self.ids["reject1@example.com"]), "--unsuppress")
        self.assertIn("not suppressed", again.stderr)
        _, third = self.mail_everyone()
        self.assertEqual((third["sent"], third["bounced"]), (1, 1))
        self.assertEqual(self.client("reject1@example.com")["suppressed_reason"], "userunknown")

    def test_552_mailbox_full_suppresses_after_soft_limit_in_a_row(self):
        self.start(["ok1@example.com", "full1@example.com"], extra_config="[bounces]\nsoft_limit = 3\n")
        for n in (1, 2):
            _, s = self.mail_everyone()
            self.assertEqual(s["bounced"], 1)
            self.assertIsNone(self.client("full1@example.com")["suppressed_at"], "after {}".format(n))
        self.mail_everyone()
        self.assertEqual(self.client("full1@example.com")["suppressed_reason"],
                         "soft bounces: mailboxfull ×3")
        _, s = self.mail_everyone()
        self.assertEqual((s["sent"], s["bounced"]), (1, 0))
        self.assertEqual(len(self.smtp.events("reject")), 3)

    def test_452_is_deferred_not_a_bounce_and_never_suppresses(self):
        self.start(["overquota1@example.com"], extra_config="[bounces]\nsoft_limit = 1\n")
        for _ in range(2):
            _, s = self.mail_everyone()
            self.assertEqual(s["deferred"], 1)
        self.assertIsNone(self.client("overquota1@example.com")["suppressed_at"])
        self.assertEqual(self.ws.sql("SELECT count(*) FROM event WHERE kind = 'bounce'"), [(0,)])

    def test_another_owners_client_with_the_same_address_is_untouched(self):
        self.start(["reject1@example.com"])
        write_sql(self.ws, "INSERT INTO account (email, name, password_hash, verified, active, roles, "
                  "created_at, email_key) VALUES ('ann@example.com', '', 'x', TRUE, TRUE, 'user', 0, "
                  "'ann@example.com')")
        write_sql(self.ws, "INSERT INTO client (owner, email, email_key, name, created_at) SELECT id, "
                  "'reject1@example.com', 'reject1@example.com', '', 0 FROM account "
                  "WHERE email = 'ann@example.com'")
        self.mail_everyone()
        self.assertEqual(self.client("reject1@example.com")["suppressed_reason"], "userunknown")
        self.assertEqual(self.ws.sql("SELECT c.suppressed_at FROM client c JOIN account a ON a.id = c.owner "
                                     "WHERE a.email = 'ann@example.com'"), [(None,)])


if __name__ == "__main__":
    unittest.main()

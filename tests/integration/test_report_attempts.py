"""`report attempts` (issue 7 item 10; SPEC §2): the server's whole reply when piped (cut only
on a terminal), and --since, --email and --final against a real SMTP server.

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_report_attempts.py -v
"""

import os
import pty
import select
import subprocess
import unittest

from mailtest import smtp_server
from sendkit import T0, add_clients, add_mailing, add_message, at
from workspace import Workspace

REJECT_TEXT = ("550 5.1.1 <reject1@example.com>: Recipient address rejected: "
               "User unknown in local recipient table")


class AttemptLog(unittest.TestCase):
    """ok1 is sent, reject1 bounces with a long reply, defer1 is deferred twice then fails
    (max_tries 3), all in one run of one mailing."""

    @classmethod
    def setUpClass(cls):
        cls.smtp_context = smtp_server()
        cls.smtp = cls.smtp_context.__enter__()
        cls.ws = Workspace(smtp_url=cls.smtp.url, extra_config="[send]\nmax_tries = 3\n")
        cls.ws.superuser()
        ids = add_clients(cls.ws, [("ok1@example.com", "Анна"), ("reject1@example.com", "Борис"),
                                   ("defer1@example.com", "Вера")])
        msg = add_message(cls.ws, "Тема", "Текст")
        cls.mailing = add_mailing(cls.ws, msg, clients=ids.values(), now=T0)["id"]
        for args, now in ((("send", str(cls.mailing)), T0), (("send", "--due"), "2027-03-01T10:02:00"),
                          (("send", "--due"), "2027-03-01T10:06:30")):
            cls.ws.run(*args, env=at(now))

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)
        cls.smtp_context.__exit__(None, None, None)

    def report(self, *args):
        return self.ws.json("report", "attempts", "--mailing", str(self.mailing), *args)

    def statuses(self, rows):
        """(email, status) pairs, sorted: one run's recipients go out over two connections."""
        return sorted((a["email"], a["status"]) for a in rows)

    def test_the_log_holds_what_the_scenario_did(self):
        self.assertEqual(self.statuses(self.report()),
                         [("defer1@example.com", "deferred"), ("defer1@example.com", "deferred"),
                          ("defer1@example.com", "failed"), ("ok1@example.com", "sent"),
                          ("reject1@example.com", "bounced")])

    def test_piped_output_keeps_the_whole_reply_on_one_line(self):
        proc = self.ws.run("report", "attempts")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        [row] = [line for line in proc.stdout.splitlines() if "reject1@example.com  " in line]
        self.assertTrue(row.endswith(REJECT_TEXT), row)
        self.assertNotIn("…", proc.stdout)

    def test_a_terminal_gets_the_reply_cut_to_fit(self):
        master, slave = pty.openpty()
        env = dict(os.environ)
        env.update({k: v for k, v in self.ws.env.items() if v is not None})
        proc = subprocess.Popen([os.environ["MAILER_BIN"], "report", "attempts"], env=env,
                                stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        out = b""
        while True:
            ready, _, _ = select.select([master], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        self.assertEqual(proc.wait(timeout=30), 0, proc.stderr.read())
        proc.stderr.close()
        text = out.decode("utf-8")
        [row] = [line for line in text.splitlines() if "reject1@example.com  " in line]
        self.assertIn("…", row)
        self.assertNotIn(REJECT_TEXT, text)

    def test_since_keeps_the_attempts_at_or_after_the_time(self):
        self.assertEqual(self.statuses(self.report("--since", "01.03.2027 10:02")),
                         [("defer1@example.com", "deferred"), ("defer1@example.com", "failed")])
        self.assertEqual(self.statuses(self.report("--since", "2027-03-01T10:06:31")), [])
        self.assertEqual(len(self.report("--since", "01.03.2027")), 5)

    def test_email_is_an_exact_case_insensitive_match(self):
        rows = self.report("--email", "DEFER1@Example.COM")
        self.assertEqual([(a["email"], a["status"]) for a in rows],
                         [("defer1@example.com", "deferred")] * 2 + [("defer1@example.com", "failed")])
        self.assertEqual(self.report("--email", "defer@example.com"), [])
        bad = self.ws.run("report", "attempts", "--email", "not an address")
        self.assertEqual(bad.returncode, 65, bad.stderr)
        self.assertIn("--email", bad.stderr)

    def test_final_keeps_each_recipients_last_attempt_of_the_run(self):
        self.assertEqual(self.statuses(self.report("--final")),
                         [("defer1@example.com", "failed"), ("ok1@example.com", "sent"),
                          ("reject1@example.com", "bounced")])
        # The other filters apply to the last attempt: who ended deferred? Nobody.
        self.assertEqual(self.report("--final", "--status", "deferred"), [])
        self.assertEqual(self.statuses(self.report("--final", "--status", "failed")),
                         [("defer1@example.com", "failed")])
        self.assertEqual(self.statuses(self.report("--final", "--email", "defer1@example.com")),
                         [("defer1@example.com", "failed")])


class FinalPerRun(unittest.TestCase):
    def test_a_daily_mailing_has_one_final_attempt_per_recipient_and_run(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            ws.superuser()
            ids = add_clients(ws, [("ok1@example.com", "Анна")])
            msg = add_message(ws, "Тема", "Текст")
            m = add_mailing(ws, msg, clients=ids.values(), every="daily", now=T0)["id"]
            for now in (T0, "2027-03-02T10:00:30"):
                self.assertEqual(ws.run("send", "--due", env=at(now)).returncode, 0)
            rows = ws.json("report", "attempts", "--mailing", str(m), "--final")
            self.assertEqual([a["status"] for a in rows], ["sent", "sent"])
            self.assertEqual(len({a["run"] for a in rows}), 2)


if __name__ == "__main__":
    unittest.main()

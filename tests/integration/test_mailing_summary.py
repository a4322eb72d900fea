"""`mailing list` and `mailing show` with each mailing's subject, recipient count and its last
run's sent, bounced and failed (issue 10 point 1): each recipient's final state in that run,
not every try, and test sends are no runs.

The scenario, one run of one mailing to group "all" (smtpd.py answers by local part):
ok1..ok3 are accepted, reject1 bounces (550), defer1 is deferred (451) until it fails
(send.max_tries 2). The server also refuses the first connection with a 421, which defers
whichever recipient it hit; the next `send --due` delivers it (deferred, then sent).

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_mailing_summary.py -v
"""

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
import unittest

from mailtest import smtp_server
from sendkit import T0, add_clients, add_message, at, attempts, write_sql
from workspace import Workspace

PEOPLE = ["ok1@example.com", "ok2@example.com", "ok3@example.com", "reject1@example.com",
          "defer1@example.com"]


class MailingSummary(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.smtp_context = smtp_server(fail_first=1)
        cls.smtp = cls.smtp_context.__enter__()
        cls.ws = Workspace(smtp_url=cls.smtp.url, connections=2, extra_config="[send]\nmax_tries = 2\n")
        cls.ws.superuser()
        ids = add_clients(cls.ws, [(e, "Имя") for e in PEOPLE], group="all")
        cls.message = add_message(cls.ws, "Скидки недели", "Текст")
        cls.mailing = cls.ws.json("mailing", "add", "--message", str(cls.message), "--name", "Осень",
                                  "--group", "all", env=at(T0))["id"]
        cls.never = cls.ws.json("mailing", "add", "--message", str(cls.message), "--name", "Весна",
                                "--client", str(ids["ok1@example.com"]), "--start", "2027-04-01T09:00",
                                env=at(T0))["id"]
        cls.first = cls.ws.run("send", str(cls.mailing), env=at(T0))
        cls.open_show = cls.ws.json("mailing", "show", str(cls.mailing))
        cls.open_text = cls.ws.ok("mailing", "show", str(cls.mailing)).stdout
        cls.ws.run("send", "--due", env=at("2027-03-01T10:02:00"))
        # A test copy after the run: not a run of the mailing's recipients.
        cls.ws.ok("send", str(cls.mailing), "--to", "me@example.com", env=at("2027-03-01T10:03:00"))
        # Unsubscribed since: the next run would leave them out; the last run had them.
        write_sql(cls.ws, "UPDATE client SET unsubscribed_at = 1803884700, unsubscribed_via = 'link' "
                          "WHERE id = ?", (ids["ok3@example.com"],))

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)
        cls.smtp_context.__exit__(None, None, None)

    def test_the_scenario_deferred_someone_who_was_sent_later(self):
        self.assertEqual(self.first.returncode, 75, self.first.stdout + self.first.stderr)
        log = attempts(self.ws, self.mailing)
        self.assertIn(421, [a["smtp_code"] for a in log if a["status"] == "deferred"], log)
        self.assertEqual(sorted(a["email"] for a in log if a["status"] == "sent"),
                         ["me@example.com", "ok1@example.com", "ok2@example.com", "ok3@example.com"])

    def test_json_has_the_subject_the_recipients_now_and_the_last_runs_final_states(self):
        m = self.ws.json("mailing", "show", str(self.mailing))
        self.assertEqual(m["subject"], "Скидки недели")
        self.assertEqual(m["recipients"], {"clients": [], "groups": ["all"]})
        # ok3 unsubscribed since; reject1 got 550 5.1.1 at RCPT, a hard bounce that suppresses it.
        self.assertEqual(m["recipient_count"], 3)
        self.assertEqual(m["last_run"], {"id": 1, "started_at": "2027-03-01T10:00:00+03:00",
                                         "finished_at": "2027-03-01T10:02:00+03:00", "recipients": 5,
                                         "sent": 3, "bounced": 1, "failed": 1, "deferred": 0})
        listed = {x["id"]: x for x in self.ws.json("mailing", "list")}
        self.assertEqual(listed[self.mailing]["last_run"], m["last_run"])
        self.assertEqual((listed[self.mailing]["subject"], listed[self.mailing]["recipient_count"]),
                         ("Скидки недели", 3))
        self.assertIsNone(listed[self.never]["last_run"])
        self.assertEqual(listed[self.never]["recipient_count"], 1)

    def test_a_run_still_open_shows_its_deferred_recipients(self):
        run = self.open_show["last_run"]
        self.assertIsNone(run["finished_at"])
        self.assertGreaterEqual(run["deferred"], 1)
        self.assertEqual(run["sent"] + run["bounced"] + run["deferred"], 5, run)
        self.assertRegex(self.open_text, r"(?m)^last_run:\s+1, started 2027-03-01 10:00, still open: sent \d, "
                                         r"bounced 1, failed 0, deferred \d of 5$")

    def test_show_says_it_in_words(self):
        text = self.ws.ok("mailing", "show", str(self.mailing)).stdout
        self.assertRegex(text, r"(?m)^subject:\s+Скидки недели$")
        self.assertRegex(text, r"(?m)^recipients:\s+group all$")
        self.assertRegex(text, r"(?m)^recipient_count:\s+3 ")
        self.assertRegex(text, r"(?m)^last_run:\s+1, started 2027-03-01 10:00, finished 2027-03-01 10:02: "
                               r"sent 3, bounced 1, failed 1 of 5$")
        self.assertRegex(self.ws.ok("mailing", "show", str(self.never)).stdout, r"(?m)^last_run:\s+never$")

    def test_list_has_aligned_columns_for_them(self):
        lines = self.ws.ok("mailing", "list").stdout.splitlines()
        header = lines[0].split()
        self.assertEqual(header[:5], ["ID", "NAME", "MESSAGE", "SUBJECT", "TO"])
        self.assertEqual(lines[0].split("  ")[-3:], ["SENT", "BOUNCED", "FAILED"])
        row = re.compile(r"^{}\s+Осень\s+{}\s+Скидки недели\s+group all\s+3\s+once\s+finished\s+3\s+1\s+1$"
                         .format(self.mailing, self.message))
        self.assertTrue(any(row.match(line) for line in lines), lines)
        never = re.compile(r"^{}\s+Весна\s+.*\s+1\s+once\s+2027-04-01 09:00\s+created\s+-\s+-\s+-$"
                           .format(self.never))
        self.assertTrue(any(never.match(line) for line in lines), lines)
        # Aligned: every column starts where its header does.
        at_sent = lines[0].index("SENT")
        self.assertTrue(all(line[at_sent - 2:at_sent] == "  " for line in lines[1:]), lines)

    def list_on_a_terminal(self, width):
        """`mailing list` on a pseudo-terminal `width` columns wide: its lines."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, width, 0, 0))
        env = {k: v for k, v in os.environ.items() if self.ws.env.get(k, "") is not None}
        env.update({k: v for k, v in self.ws.env.items() if v is not None})
        proc = subprocess.run([os.environ["MAILER_BIN"], "mailing", "list"], stdin=subprocess.DEVNULL,
                              stdout=slave, stderr=subprocess.PIPE, env=env, timeout=30)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed and everything was read
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return out.decode("utf-8").replace("\r\n", "\n").splitlines()

    def test_on_a_terminal_the_table_fits_its_width(self):
        self.ws.ok("mailing", "edit", str(self.never), "--name", "Очень длинное название весенней рассылки")
        try:
            wide = self.list_on_a_terminal(140)
            self.assertTrue(all(len(line) <= 140 for line in wide), wide)
            self.assertEqual(wide[0].split()[:5], ["ID", "NAME", "MESSAGE", "SUBJECT", "TO"])
            self.assertTrue(any("Очень длинное название" in line and "…" in line for line in wide), wide)
            self.assertTrue(any("Скидки недели" in line for line in wide), wide)
            # Narrower: the message id and the recipients' names (in `mailing show`) are left out,
            # and the rest share the room that leaves.
            narrow = self.list_on_a_terminal(100)
            self.assertTrue(all(len(line) <= 100 for line in narrow), narrow)
            self.assertEqual(narrow[0].split()[:3], ["ID", "NAME", "SUBJECT"])
            self.assertNotIn("TO", narrow[0].split())
            self.assertEqual(narrow[0].split()[-3:], ["SENT", "BOUNCED", "FAILED"])
            self.assertRegex(narrow[1], r"^{}\s+Осень\s+Скидки \S+\s+3\s+once\s+finished\s+3\s+1\s+1$"
                             .format(self.mailing))
        finally:
            self.ws.ok("mailing", "edit", str(self.never), "--name", "Весна")


if __name__ == "__main__":
    unittest.main()

"""`mailer bounces fetch | list | show` (SPEC §2, §3; issue 12 items 1, 3, 6) against a real IMAP
server (dovecot, tests/integration/dovecot.py) holding real reports of tests/data/bounces,
next to attempts a real `mailer send` made to the test SMTP server: each report lands on the
right attempt with the expected reason; the unmatched ones are listed and viewable; a second
fetch counts nothing; a kill -9 mid-fetch, then a re-run, counts nothing twice; messages stay
in the mailbox unless --expunge, which removes only the processed ones.

Run: MAILER_BIN=build/mailer MAILER_SOURCE_DIR=$PWD /usr/bin/python3 tests/integration/test_bounces_fetch.py -v
"""

import os
import pathlib
import re
import time
import unittest

import dovecot
from mailtest import smtp_server
from sendkit import add_clients, add_mailing, add_message, at, spawn
from workspace import Workspace

SOURCE = pathlib.Path(os.environ.get("MAILER_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
DATA = SOURCE / "tests" / "data" / "bounces"
PASSWORD_VAR = "MAILER_TEST_IMAP_PASSWORD"
T0 = "2027-03-01T10:00:00"
T1 = "2027-03-01T11:00:00"
LATER = "2027-03-02T10:00:00"  # within 30 days of the sends
FLAG = "$MailerProcessed"


def imap_config(imap):
    return '[imap]\nurl = "{}"\nusername = "{}"\npassword_env = "{}"\n'.format(
        imap.url, imap.user, PASSWORD_VAR)


def report(name):
    return (DATA / name).read_bytes()


def with_own_message_id(raw, n):
    """The report with a Message-ID of its own (copies of one report are distinct reports)."""
    head, sep, body = raw.partition(b"\n\n") if b"\r\n\r\n" not in raw else raw.partition(b"\r\n\r\n")
    head = re.sub(rb"(?im)^message-id:[^\n]*\n", b"", head + b"\n")
    return b"Message-ID: <copy-" + str(n).encode() + b"@bounces.test>\n" + head.rstrip(b"\n") + sep + body


def quoting(raw, message_id):
    """The report with every Message-ID it quotes (below its own header) replaced by ours."""
    sep = b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n"
    head, _, body = raw.partition(sep)
    body = re.sub(rb"(?im)^(message-id:\s*)<[^>]+>", lambda m: m.group(1) + message_id, body)
    return head + sep + body


def sent_message_ids(smtp):
    """{recipient: [Message-ID of each copy received, oldest first]} as the SMTP server got them."""
    out = {}
    for raw in smtp.raw_messages():
        to = re.search(rb"^Delivered-To: (.+?)\r\n", raw, re.M).group(1).decode()
        mid = re.search(rb"^Message-ID: (<[^>]+>)", raw, re.M | re.I).group(1)
        out.setdefault(to, []).append(mid)
    return out


@unittest.skipUnless(dovecot.available(), "dovecot-imapd is not installed (scripts/install-deps)")
class BouncesFetch(unittest.TestCase):
    def setUp(self):
        self.imap = dovecot.Dovecot().start()
        self.addCleanup(self.imap.__exit__)
        self.smtp_cm = smtp_server()
        self.smtp = self.smtp_cm.__enter__()
        self.addCleanup(self.smtp_cm.__exit__, None, None, None)
        self.ws = Workspace(smtp_url=self.smtp.url, extra_config=imap_config(self.imap))
        self.addCleanup(self.ws.__exit__)
        self.ws.env[PASSWORD_VAR] = self.imap.password
        self.ws.superuser()

    def fetch(self, *args, now=LATER):
        return self.ws.json("bounces", "fetch", *args, env=at(now))

    def send_two_mailings(self):
        """Mailing 1 to three addresses at T0, mailing 2 to two of them at T1."""
        ids = add_clients(self.ws, [("kijitora@example.edu", "Kiji"), ("mikeneko@example.co.jp", "Mike"),
                                    ("keeps@example.org", "Keeps")])
        msg = add_message(self.ws, "Hello {{name}}", "Body")
        m1 = add_mailing(self.ws, msg, clients=ids.values(), now=T0)
        self.ws.ok("send", str(m1["id"]), env=at(T0))
        m2 = add_mailing(self.ws, msg, clients=[ids["mikeneko@example.co.jp"], ids["kijitora@example.edu"]], now=T1)
        self.ws.ok("send", str(m2["id"]), env=at(T1))
        attempts = self.ws.json("report", "attempts", env=at(LATER))
        by = {(a["mailing"], a["email"]): a["id"] for a in attempts}
        return ids, m1["id"], m2["id"], by

    def test_reports_land_on_their_attempts(self):
        ids, m1, m2, attempts = self.send_two_mailings()
        mids = sent_message_ids(self.smtp)
        # A: a full mailbox (soft), quoting the original's Message-ID: rewritten to mailing 1's copy.
        a = quoting(report("lhost-exchange2007-02.eml"), mids["kijitora@example.edu"][0])
        self.imap.deliver(a)
        # B: a dead address (hard) quoting no Message-ID of ours: by recipient, the latest attempt.
        self.imap.deliver(report("lhost-exchange2007-01.eml"))
        # C: an address nobody here mailed: unmatched, kept. D: an auto-reply.
        self.imap.deliver(report("lhost-mailru-06.eml"))
        self.imap.deliver(report("synthetic-vacation-01.eml"))

        s = self.fetch()
        self.assertEqual((s["fetched"], s["matched"], s["hard"], s["soft"], s["not_bounce"]), (4, 2, 2, 1, 1), s)

        rows = self.ws.json("bounces", "list")
        got = {r["recipient"]: r for r in rows}
        self.assertEqual(got["kijitora@example.edu"]["reason"], "mailboxfull")
        self.assertEqual(got["kijitora@example.edu"]["severity"], "soft")
        self.assertEqual(got["kijitora@example.edu"]["attempt"], attempts[(m1, "kijitora@example.edu")])
        self.assertEqual(got["kijitora@example.edu"]["matched_by"], "message-id")
        self.assertEqual(got["mikeneko@example.co.jp"]["reason"], "userunknown")
        self.assertEqual(got["mikeneko@example.co.jp"]["attempt"], attempts[(m2, "mikeneko@example.co.jp")])
        self.assertEqual(got["mikeneko@example.co.jp"]["matched_by"], "recipient")
        self.assertIsNone(got["nyan@haineko.org"]["attempt"])
        self.assertNotIn("keeps@example.org", got)

        # The hard bounce: the attempt bounced, the address suppressed; the soft one stays sent.
        final = {a["id"]: a["status"] for a in self.ws.json("report", "attempts", env=at(LATER))}
        self.assertEqual(final[attempts[(m2, "mikeneko@example.co.jp")]], "bounced")
        self.assertEqual(final[attempts[(m1, "kijitora@example.edu")]], "sent")
        suppressed = [c["email"] for c in self.ws.json("client", "list", "--suppressed")]
        self.assertEqual(suppressed, ["mikeneko@example.co.jp"])

        # The unmatched report is listed and its raw text viewable.
        unmatched = self.ws.json("bounces", "list", "--unmatched")
        self.assertEqual([r["recipient"] for r in unmatched], ["nyan@haineko.org"])
        shown = self.ws.ok("bounces", "show", str(unmatched[0]["id"])).stdout
        self.assertIn("hostunknown", shown)
        self.assertIn("Message-Id: <E1d5Q3j-0002h2-9s@f424.i.mail.ru>", shown)
        self.assertNotIn("\r", shown)

        # Everything stays in the mailbox, flagged; a second fetch reads nothing.
        messages = self.imap.messages()
        self.assertEqual(len(messages), 4)
        self.assertTrue(all(FLAG in flags and "\\Deleted" not in flags for _, flags, _ in messages))
        again = self.fetch()
        self.assertEqual((again["fetched"], again["matched"], again["hard"], again["soft"]), (0, 0, 0, 0), again)
        self.assertEqual(len(self.ws.json("bounces", "list")), len(rows))

    def test_verp_return_path_names_the_attempt(self):
        """send.return_path: each copy's envelope sender is its own signed address; a report
        delivered to it lands on that attempt though its recipient alone would name a later one."""
        with open(self.ws.config_path, "a", encoding="utf-8") as f:
            f.write('[send]\nreturn_path = "bounces@shop.test"\n')
        ids, m1, m2, attempts = self.send_two_mailings()
        runs = {a["id"]: a["run"] for a in self.ws.json("report", "attempts", env=at(LATER))}
        senders = {}
        for raw in self.smtp.raw_messages():
            to = re.search(rb"^Delivered-To: (.+?)\r\n", raw, re.M).group(1).decode()
            path = re.search(rb"^Return-Path: <(.*?)>\r\n", raw, re.M).group(1).decode()
            senders.setdefault(to, []).append(path)
        self.assertEqual(sum(len(v) for v in senders.values()), 5)
        pattern = re.compile(r"bounces\+(\d+)\.(\d+)\.[0-9a-f]{20}@shop\.test")
        for to, paths in senders.items():
            for path in paths:
                m = pattern.fullmatch(path)
                self.assertIsNotNone(m, path)
                self.assertEqual(int(m.group(2)), ids[to])
        first = senders["mikeneko@example.co.jp"][0]
        self.assertEqual(int(pattern.fullmatch(first).group(1)), runs[attempts[(m1, "mikeneko@example.co.jp")]])

        # The dead-address report quotes no Message-ID of ours: by recipient it would be mailing 2's.
        raw = report("lhost-exchange2007-01.eml")
        self.imap.deliver(b"Delivered-To: " + first.encode() + b"\n" + raw)
        s = self.fetch()
        self.assertEqual((s["fetched"], s["matched"], s["hard"]), (1, 1, 1), s)
        row = self.ws.json("bounces", "list")[0]
        self.assertEqual(row["attempt"], attempts[(m1, "mikeneko@example.co.jp")])
        self.assertEqual(row["matched_by"], "return-path")
        final = {a["id"]: a["status"] for a in self.ws.json("report", "attempts", env=at(LATER))}
        self.assertEqual(final[attempts[(m1, "mikeneko@example.co.jp")]], "bounced")
        self.assertEqual(final[attempts[(m2, "mikeneko@example.co.jp")]], "sent")

    def test_a_lost_flag_counts_nothing_twice(self):
        """The window between the commit and the flag: the flag removed behind mailer's back, as if
        the run had died there; the re-run finds the reports kept and records nothing."""
        self.send_two_mailings()
        for n in range(5):
            self.imap.deliver(with_own_message_id(report("lhost-exchange2007-02.eml"), n))
        first = self.fetch()
        self.assertEqual(first["fetched"], 5)
        with self.imap.client() as c:
            c.select("INBOX")
            c.uid("STORE", "1:*", "-FLAGS", "({})".format(FLAG))
        second = self.fetch()
        self.assertEqual((second["fetched"], second["already_recorded"], second["soft"]), (0, 5, 0), second)
        self.assertEqual(len(self.ws.json("bounces", "list")), 5)
        events = self.ws.sql("SELECT count(*) FROM event WHERE kind = 'bounce'")[0][0]
        self.assertEqual(events, 5)

    def test_kill_mid_fetch_then_rerun(self):
        self.send_two_mailings()
        total = 400
        for n in range(total):
            self.imap.deliver(with_own_message_id(report("lhost-mailru-06.eml"), n))
        proc = spawn(self.ws, "bounces", "fetch", env=at(LATER))
        deadline = time.monotonic() + 60
        kept = 0
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                kept = self.ws.sql("SELECT count(*) FROM bounce_report")[0][0]
            except Exception:  # the database may be locked for a moment
                kept = 0
            if kept >= 50:
                break
            time.sleep(0.01)
        proc.kill()
        proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, -9, "the fetch ended before it was killed")
        self.assertGreater(kept, 0)
        self.assertLess(kept, total)
        kept = self.ws.sql("SELECT count(*) FROM bounce_report")[0][0]
        rest = self.fetch()
        # Recorded but not yet flagged when killed: at most one batch of flags (100), read
        # again and not counted.
        self.assertLessEqual(rest["already_recorded"], 100, rest)
        self.assertEqual(kept + rest["fetched"], total)
        rows = self.ws.sql("SELECT count(*), count(DISTINCT identity) FROM bounce_report")[0]
        self.assertEqual(rows, (total, total))
        flagged = [uid for uid, flags, _ in self.imap.messages() if FLAG in flags]
        self.assertEqual(len(flagged), total)

    def test_fetch_leaves_seen_as_it_was(self):
        """A human reads the same mailbox: the fetch adds its keyword and nothing else, a report
        nobody has read stays unread (\\Seen as IMAP FLAGS gives it), a read one stays read."""
        self.imap.deliver(with_own_message_id(report("lhost-mailru-06.eml"), 1))
        self.imap.append(with_own_message_id(report("lhost-exchange2007-01.eml"), 2), flags="(\\Seen)")
        self.imap.deliver(with_own_message_id(report("synthetic-vacation-01.eml"), 3))

        # \Recent belongs to the IMAP session that first sees a message, not to the mailbox.
        def flags():
            return {uid: flags - {"\\Recent"} for uid, flags, _ in self.imap.messages()}
        before = flags()
        self.assertEqual(sorted("\\Seen" in f for f in before.values()), [False, False, True], before)
        self.assertEqual(self.fetch()["fetched"], 3)
        self.assertEqual(flags(), {uid: f | {FLAG} for uid, f in before.items()}, before)

    def test_expunge_removes_only_processed(self):
        self.imap.deliver(with_own_message_id(report("lhost-mailru-06.eml"), 1))
        self.fetch()
        self.imap.deliver(with_own_message_id(report("lhost-mailru-06.eml"), 2))
        self.imap.deliver(with_own_message_id(report("synthetic-vacation-01.eml"), 3))
        s = self.fetch("--expunge")
        self.assertEqual((s["fetched"], s["expunged"]), (2, 2), s)
        left = self.imap.messages()
        self.assertEqual(len(left), 1)
        self.assertIn(b"copy-1@bounces.test", left[0][2])
        self.assertEqual(len(self.ws.json("bounces", "list")), 3)

    def test_access(self):
        """fetch needs no session; list and show do. A plain user sees the reports matched to
        their own attempts only, never the unmatched ones."""
        self.imap.deliver(report("lhost-mailru-06.eml"))
        report_id = None
        self.ws.ok("logout")
        self.assertEqual(self.fetch()["fetched"], 1)
        self.assertEqual(self.ws.run("bounces", "list").returncode, 77)
        self.ws.login("owner@example.com")
        report_id = self.ws.json("bounces", "list", "--unmatched")[0]["id"]
        self.ws.ok("user", "create-superuser", "plain@example.com", "--password-stdin",
                   input="pw-plain-12345\n")
        self.ws.ok("user", "revoke", "plain@example.com", "superuser")
        self.ws.login("plain@example.com", "pw-plain-12345")
        self.assertEqual(self.ws.json("bounces", "list"), [])
        self.assertEqual(self.ws.run("bounces", "list", "--unmatched").returncode, 77)
        self.assertEqual(self.ws.run("bounces", "show", str(report_id)).returncode, 66)

    def test_no_imap_url_and_unreachable(self):
        ws = Workspace(smtp_url=self.smtp.url)
        self.addCleanup(ws.__exit__)
        proc = ws.run("bounces", "fetch")
        self.assertEqual(proc.returncode, 78, proc.stderr)
        self.assertIn("imap.url", proc.stderr)
        proc = self.ws.run("bounces", "fetch", env={PASSWORD_VAR: None})
        self.assertEqual(proc.returncode, 78, proc.stderr)
        self.assertIn("$" + PASSWORD_VAR, proc.stderr)
        proc = self.ws.run("bounces", "fetch", env={PASSWORD_VAR: "wrong"})
        self.assertEqual(proc.returncode, 78, proc.stderr)
        self.assertIn("refused the login", proc.stderr)
        self.imap.stop()
        proc = self.ws.run("bounces", "fetch")
        self.assertEqual(proc.returncode, 69, proc.stderr)

    def test_starttls_required_off_loopback(self):
        """A host not named as this one (here 127.0.0.1 written as one number, which the
        resolver still takes to loopback) must offer STARTTLS: this dovecot has no TLS, so the
        fetch stops before the login and the password never crosses in clear."""
        self.imap.deliver(report("lhost-exchange2007-01.eml"))
        number = sum(int(part) << (8 * (3 - i)) for i, part in enumerate("127.0.0.1".split(".")))
        url = self.imap.url.replace("127.0.0.1", str(number))
        self.assertNotEqual(url, self.imap.url)
        ws = Workspace(smtp_url=self.smtp.url, extra_config=imap_config(self.imap).replace(self.imap.url, url))
        self.addCleanup(ws.__exit__)
        ws.env[PASSWORD_VAR] = self.imap.password
        ws.superuser()
        proc = ws.run("bounces", "fetch")
        self.assertEqual(proc.returncode, 69, proc.stderr)
        self.assertIn("STARTTLS", proc.stderr)
        self.assertNotIn(self.imap.password, proc.stderr + proc.stdout)
        self.assertEqual(ws.json("bounces", "list"), [])
        self.assertTrue(all(FLAG not in flags for _, flags, _ in self.imap.messages()))


if __name__ == "__main__":
    unittest.main()

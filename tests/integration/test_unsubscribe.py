"""Unsubscribes (issue 10 point 7; SPEC §1, §3, §4): an unsubscribed client gets nothing from
any mailing of their owner, from the next run on and in the rest of a run being sent;
`client show` says when and how; `client list --unsubscribed`; `client edit --resubscribe` by
the owner only, and `--unsubscribe` for an unsubscribe made by phone.

`mailer serve` records unsubscribes by link; here the database is written as it would
(unsubscribed_via 'link'), with Python's sqlite3.

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_unsubscribe.py -v
"""

import json
import time
import unittest

from mailtest import smtp_server
from sendkit import T0, add_clients, add_mailing, add_message, at, copies, spawn, write_sql
from workspace import PASSWORD, Workspace

EX_USAGE, EX_NOINPUT, EX_NOPERM = 64, 66, 77
# 2027-03-01 10:05 in Moscow, when the link was followed.
LINK_AT = 1803884700


class Person:
    """An account with a session folder of its own, so that several users share a database."""

    def __init__(self, ws, email):
        self.ws = ws
        self.email = email
        self.env = {"XDG_STATE_HOME": str(ws.root / ("state-" + email))}

    def run(self, *args, env=None, **kwargs):
        return self.ws.run(*args, env={**self.env, **(env or {})}, **kwargs)

    def ok(self, *args, **kwargs):
        proc = self.run(*args, **kwargs)
        if proc.returncode != 0:
            raise AssertionError("{}: mailer {} exited {}: {}".format(
                self.email, " ".join(map(str, args)), proc.returncode, proc.stderr))
        return proc

    def json(self, *args, **kwargs):
        return json.loads(self.ok("--json", *args, **kwargs).stdout)


def person(ws, email, role=None):
    """A verified account with `role` (None: a plain user), logged in."""
    ws.ok("user", "create-superuser", email, "--password-stdin", input=PASSWORD + "\n")
    ws.ok("user", "revoke", email, "superuser")
    if role:
        ws.ok("user", "grant", email, role)
    p = Person(ws, email)
    p.ok("login", email, "--password-stdin", input=PASSWORD + "\n")
    return p


def unsubscribe_by_link(ws, client_id):
    write_sql(ws, "UPDATE client SET unsubscribed_at = ?, unsubscribed_via = 'link' WHERE id = ?",
              (LINK_AT, client_id))


def delivered(smtp, subject):
    """{address: copies} of the messages with this subject."""
    out = {}
    for m in smtp.messages():
        if m["Subject"] == subject:
            out[m["Delivered-To"]] = out.get(m["Delivered-To"], 0) + 1
    return out


class Unsubscribes(unittest.TestCase):
    def setUp(self):
        self.smtp = self.enterContext(smtp_server())
        self.ws = self.enterContext(Workspace(smtp_url=self.smtp.url))
        self.ws.superuser("root@example.com")
        self.root = Person(self.ws, "root@example.com")
        self.root.env = {}
        self.ann = person(self.ws, "ann@example.com")
        ids = add_clients(self.ws, [("ivan@example.com", "Иван"), ("olga@example.com", "Ольга")],
                          group="vip", env=self.ann.env)
        self.ivan, self.olga = ids["ivan@example.com"], ids["olga@example.com"]

    def test_the_unsubscribed_get_nothing_from_any_mailing_of_the_owner_until_resubscribed(self):
        env = self.ann.env
        direct = add_mailing(self.ws, add_message(self.ws, "Прямая", "Текст", env=env),
                             clients=[self.ivan, self.olga], now=T0, env=env)["id"]
        weekly = add_mailing(self.ws, add_message(self.ws, "Еженедельная", "Текст", env=env),
                             groups=["vip"], every="weekly", now=T0, env=env)["id"]
        # Another owner's client with the same address is theirs to send to.
        bob = person(self.ws, "bob@example.com")
        theirs = add_clients(self.ws, [("ivan@example.com", "Иван")], env=bob.env)
        bobs = add_mailing(self.ws, add_message(self.ws, "От Боба", "Текст", env=bob.env),
                           clients=theirs.values(), now=T0, env=bob.env)["id"]
        unsubscribe_by_link(self.ws, self.ivan)

        for mailing in (direct, weekly):
            self.ann.ok("send", str(mailing), env=at(T0))
        bob.ok("send", str(bobs), env=at(T0))
        self.assertEqual(delivered(self.smtp, "Прямая"), {"olga@example.com": 1})
        self.assertEqual(delivered(self.smtp, "Еженедельная"), {"olga@example.com": 1})
        self.assertEqual(delivered(self.smtp, "От Боба"), {"ivan@example.com": 1})

        # client show: when and how, in text and JSON.
        shown = self.ann.ok("client", "show", str(self.ivan)).stdout
        self.assertRegex(shown, r"(?m)^unsubscribed:\s+2027-03-01 10:05 \(by the link in a message\)$")
        self.assertRegex(self.ann.ok("client", "show", str(self.olga)).stdout, r"(?m)^unsubscribed:\s+no$")
        data = self.ann.json("client", "show", str(self.ivan))
        self.assertEqual((data["unsubscribed_at"], data["unsubscribed_via"]),
                         ("2027-03-01T10:05:00+03:00", "link"))
        olga = self.ann.json("client", "show", str(self.olga))
        self.assertEqual((olga["unsubscribed_at"], olga["unsubscribed_via"]), (None, None))

        # client list marks them; --unsubscribed lists only them (with --group too).
        listing = self.ann.ok("client", "list").stdout
        self.assertIn("ivan@example.com (unsubscribed)", listing)
        self.assertNotIn("olga@example.com (unsubscribed)", listing)
        only = self.ann.json("client", "list", "--unsubscribed")
        self.assertEqual([(c["email"], c["unsubscribed_via"]) for c in only], [("ivan@example.com", "link")])
        self.assertEqual([c["id"] for c in self.ann.json("client", "list", "--unsubscribed", "--group", "vip")],
                         [self.ivan])
        text = self.ann.ok("client", "list", "--unsubscribed").stdout
        self.assertIn("ivan@example.com", text)
        self.assertNotIn("olga@example.com", text)
        everyone = self.root.json("client", "list", "--all", "--unsubscribed")
        self.assertEqual([c["id"] for c in everyone], [self.ivan])

        # The owner resubscribes: the next run sends to them again.
        proc = self.ann.ok("client", "edit", str(self.ivan), "--resubscribe")
        self.assertIn("resubscribed", proc.stderr)
        data = self.ann.json("client", "show", str(self.ivan))
        self.assertEqual((data["unsubscribed_at"], data["unsubscribed_via"]), (None, None))
        self.assertEqual(self.ann.json("client", "list", "--unsubscribed"), [])
        self.ann.ok("send", str(weekly), env=at("2027-03-01T11:00"))
        self.assertEqual(delivered(self.smtp, "Еженедельная"), {"olga@example.com": 2, "ivan@example.com": 1})

        # Again: nothing to do, said, exit 0.
        again = self.ann.run("client", "edit", str(self.ivan), "--resubscribe")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("subscribed already", again.stderr)

    def test_resubscribing_another_users_client_is_refused_and_changes_nothing(self):
        bob = person(self.ws, "bob@example.com")
        mgr = person(self.ws, "mgr@example.com", "manager")
        unsubscribe_by_link(self.ws, self.ivan)
        row = "SELECT unsubscribed_at, unsubscribed_via FROM client WHERE id = {}".format(self.ivan)
        before = self.ws.sql(row)
        # The same refusal as any change of another's client: not found for a plain user...
        refused = bob.run("client", "edit", str(self.ivan), "--resubscribe")
        rename = bob.run("client", "edit", str(self.ivan), "--name", "Чужой")
        self.assertEqual((refused.returncode, rename.returncode), (EX_NOINPUT, EX_NOINPUT), refused.stderr)
        self.assertEqual(refused.stderr, rename.stderr)
        self.assertIn("client {} not found".format(self.ivan), refused.stderr)
        # ... permission denied for a manager, and for a superuser too: the consent was ann's.
        for other in (mgr, self.root):
            proc = other.run("client", "edit", str(self.ivan), "--resubscribe")
            self.assertEqual(proc.returncode, EX_NOPERM, (other.email, proc.stderr))
            self.assertIn("permission denied", proc.stderr)
            self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertIn("only its owner", proc.stderr)
        self.assertEqual(self.ws.sql(row), before)
        self.assertEqual(before, [(LINK_AT, "link")])
        # Both ways at once is a usage error; the owner's own resubscribe works.
        both = self.ann.run("client", "edit", str(self.ivan), "--resubscribe", "--unsubscribe")
        self.assertEqual(both.returncode, EX_USAGE, both.stderr)
        self.ann.ok("client", "edit", str(self.ivan), "--resubscribe")
        self.assertEqual(self.ws.sql(row), [(None, None)])


class UnsubscribeDuringARun(unittest.TestCase):
    def test_clients_who_unsubscribe_while_their_run_is_sent_get_nothing(self):
        smtp = self.enterContext(smtp_server(slow_seconds=0.02))
        ws = self.enterContext(Workspace(smtp_url=smtp.url, connections=2))
        ws.superuser()
        people = ["slow{:03d}@example.com".format(i) for i in range(200)]
        ids = add_clients(ws, [(e, "Получатель") for e in people], group="all")
        mailing = add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], now=T0)["id"]
        cron = spawn(ws, "send", "--due", env=at(T0))
        deadline = time.monotonic() + 30
        while len(smtp.message_files()) < 10 and time.monotonic() < deadline:
            self.assertIsNone(cron.poll(), "the sender ended early")
            time.sleep(0.02)
        # Recipients go out by client id: the last ones are still waiting (by phone, by link).
        by_phone, by_link = ids[people[-1]], ids[people[-2]]
        proc = ws.ok("client", "edit", str(by_phone), "--unsubscribe")
        self.assertIn("unsubscribed", proc.stderr)
        unsubscribe_by_link(ws, by_link)
        out, err = cron.communicate(timeout=60)
        self.assertEqual(cron.returncode, 0, out + err)
        self.assertEqual(copies(smtp), {e: 1 for e in people[:-2]})
        shown = ws.ok("client", "show", str(by_phone)).stdout
        self.assertRegex(shown, r"(?m)^unsubscribed:\s+\d{4}-\d\d-\d\d \d\d:\d\d "
                                r"\(recorded with `mailer client edit --unsubscribe`\)$")
        data = ws.json("client", "show", str(by_phone))
        self.assertEqual(data["unsubscribed_via"], "cli")
        # A second unsubscribe keeps the first one's time and way, and says so.
        again = ws.run("client", "edit", str(by_link), "--unsubscribe")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("unsubscribed already", again.stderr)
        self.assertEqual(ws.json("client", "show", str(by_link))["unsubscribed_via"], "link")
        self.assertEqual(ws.json("mailing", "show", str(mailing))["status"], "finished")
        self.assertEqual(sorted(c["id"] for c in ws.json("client", "list", "--unsubscribed")),
                         sorted([by_phone, by_link]))


if __name__ == "__main__":
    unittest.main()

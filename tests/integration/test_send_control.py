"""What a user controls while mailings go out, and what must never cost them a recipient:
session refusals that burn no tries, schedule edits, stop and rm during a send, test copies,
retrying the failed, one run's failure, and the sender's files (SPEC §3; issues 7 and 8).

    MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_send_control.py -v
"""

import os
import pathlib
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from mailtest import smtp_server  # noqa: E402
from sendkit import (T0, add_clients, add_mailing, add_message, at, attempts, copies,  # noqa: E402
                     mailing, set_smtp_url, spawn, summary, unused_port, write_sql)
from workspace import Workspace, pg_server_url, sqlite_only  # noqa: E402

EX_DATAERR, EX_UNAVAILABLE, EX_TEMPFAIL, EX_NOPERM = 65, 69, 75, 77


def journals(ws):
    return sorted(p.name for p in ws.root.glob("*.deliveries"))


class SessionRefusalsBurnNoTries(unittest.TestCase):
    """Issue 7.1: a refused login used up the recipients' tries; after the fix, cron retrying
    with the wrong password every minute costs nobody their copy."""

    PEOPLE = ["r{:02d}@example.com".format(i) for i in range(40)]

    def test_four_ticks_with_a_wrong_password_then_the_right_one_deliver_everyone(self):
        with smtp_server(auth="mailer:s3cret") as smtp, \
                Workspace(smtp_url=smtp.url, username="mailer", password_env="TEST_SMTP_PASSWORD", tls="none",
                          extra_config="[send]\nmax_tries = 2\n") as ws:
            ws.superuser()
            add_clients(ws, [(e, "Имя") for e in self.PEOPLE], group="all")
            m = add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], now=T0)["id"]
            for minute in range(4):
                proc = ws.run("send", "--due", env={"MAILER_NOW": "2027-03-01T10:0{}:00".format(minute),
                                                    "TEST_SMTP_PASSWORD": "wrong"})
                self.assertEqual(proc.returncode, EX_UNAVAILABLE, proc.stdout + proc.stderr)
                self.assertIn("535", proc.stderr)
            log = attempts(ws, m)
            self.assertTrue(log, "each refusal is still logged with the server's reply")
            self.assertEqual({a["status"] for a in log}, {"deferred"})
            self.assertEqual(ws.sql("SELECT max(tries) FROM run_recipient"), [(0,)])
            proc = ws.run("send", "--due", env={"MAILER_NOW": "2027-03-01T10:05:00", "TEST_SMTP_PASSWORD": "s3cret"})
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            self.assertEqual(copies(smtp), {e: 1 for e in self.PEOPLE})
            self.assertEqual(mailing(ws, m)["status"], "finished")

    def test_a_throttled_sender_burns_no_tries_either(self):
        with smtp_server(extra_args=["--throttle-after", "0"]) as smtp, \
                Workspace(smtp_url=smtp.url, extra_config="[send]\nmax_tries = 1\n") as ws:
            ws.superuser()
            add_clients(ws, [(e, "Имя") for e in self.PEOPLE[:6]], group="all")
            m = add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], now=T0)["id"]
            for minute in range(3):
                ws.run("send", "--due", env=at("2027-03-01T10:0{}:00".format(minute)))
            self.assertNotIn("failed", {a["status"] for a in attempts(ws, m)})
            self.assertEqual(ws.sql("SELECT count(*) FROM run_recipient WHERE state = 'done'"), [(0,)])


class ScheduleEdits(unittest.TestCase):
    """Issue 7.2: `mailing edit --every weekly` on a running daily mailing sent again at once."""

    def test_changing_the_period_keeps_the_last_run(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            ws.superuser()
            add_clients(ws, [("ivan@example.com", "Иван")], group="all")
            m = add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], every="daily",
                            start="2027-03-01T09:00", now="2027-03-01T08:00:00")["id"]
            ws.ok("send", "--due", env=at("2027-03-01T09:00:30"))
            self.assertEqual(len(copies(smtp)), 1)
            edited = ws.json("mailing", "edit", str(m), "--every", "weekly", env=at("2027-03-01T09:01:00"))
            self.assertEqual(edited["next_run_at"], "2027-03-08T09:00:00+03:00")
            ws.ok("send", "--due", env=at("2027-03-01T09:02:00"))
            self.assertEqual(copies(smtp), {"ivan@example.com": 1}, "a second copy a minute later")
            ws.ok("send", "--due", env=at("2027-03-08T09:00:10"))
            self.assertEqual(copies(smtp), {"ivan@example.com": 2})

    def test_a_start_in_the_past_after_a_run_takes_the_next_slot_and_says_so(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            ws.superuser()
            add_clients(ws, [("ivan@example.com", "Иван")], group="all")
            m = add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], every="daily",
                            start="2027-03-01T09:00", now="2027-03-01T08:00:00")["id"]
            ws.ok("send", "--due", env=at("2027-03-01T09:00:30"))
            proc = ws.ok("mailing", "edit", str(m), "--start", "2027-02-20 10:00", env=at("2027-03-01T09:05:00"))
            self.assertIn("in the past", proc.stderr)
            self.assertEqual(mailing(ws, m)["next_run_at"], "2027-03-01T10:00:00+03:00")
            ws.ok("send", "--due", env=at("2027-03-01T09:06:00"))
            self.assertEqual(copies(smtp), {"ivan@example.com": 1})


class DuringASend(unittest.TestCase):
    """Issues 7.3 and 7.4: what `mailing stop` and `rm` do to a run being sent."""

    def start(self, count, slow_seconds, connections=2):
        self.smtp = self.enterContext(smtp_server(slow_seconds=slow_seconds))
        self.ws = self.enterContext(Workspace(smtp_url=self.smtp.url, connections=connections))
        self.ws.superuser()
        self.people = ["slow{:03d}@example.com".format(i) for i in range(count)]
        add_clients(self.ws, [(e, "Получатель") for e in self.people], group="all")
        self.message = add_message(self.ws, "Тема", "Текст")
        self.mailing = add_mailing(self.ws, self.message, groups=["all"], now=T0)["id"]

    def wait_for_copies(self, proc, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.smtp.message_files()) < count and time.monotonic() < deadline:
            if proc.poll() is not None:
                self.fail("the sender ended early: {}".format(proc.communicate()))
            time.sleep(0.02)
        self.assertGreaterEqual(len(self.smtp.message_files()), count)

    def test_stop_is_seen_within_a_second_and_the_summary_says_what_was_not_sent(self):
        self.start(400, slow_seconds=0.04)  # about 50 messages a second over 2 connections
        cron = spawn(self.ws, "send", "--due", env=at(T0))
        self.wait_for_copies(cron, 40)
        self.ws.ok("mailing", "stop", str(self.mailing))
        at_stop = len(self.smtp.message_files())
        out, err = cron.communicate(timeout=60)
        self.assertEqual(cron.returncode, 0, out + err)
        sent = len(self.smtp.message_files())
        self.assertLessEqual(sent - at_stop, 50 + 2, "copies sent after the stop")
        self.assertIn("stopped: {} not sent".format(400 - sent), out)
        self.assertEqual(summary(out)["sent"], sent)
        self.assertEqual(journals(self.ws), [])

    def test_rm_of_a_mailing_being_sent_is_refused_then_allowed_after_stop(self):
        self.start(300, slow_seconds=0.03)
        cron = spawn(self.ws, "send", "--due", env=at(T0))
        self.wait_for_copies(cron, 20)
        refused = self.ws.run("mailing", "rm", str(self.mailing))
        self.assertEqual(refused.returncode, EX_DATAERR, refused.stderr)
        self.assertIn("being sent", refused.stderr)
        self.assertIn("stop it first", refused.stderr)
        self.ws.ok("mailing", "stop", str(self.mailing))
        deadline = time.monotonic() + 10
        while self.ws.run("mailing", "rm", str(self.mailing)).returncode != 0:
            self.assertLess(time.monotonic(), deadline, "rm still refused after the stop")
            time.sleep(0.1)
        out, err = cron.communicate(timeout=60)
        self.assertEqual(cron.returncode, 0, out + err)
        self.assertEqual(self.ws.sql("SELECT count(*) FROM mailing"), [(0,)])
        self.assertEqual(journals(self.ws), [])

    def test_a_mailing_removed_under_a_sender_does_not_crash_it(self):
        """The sender must survive its run vanishing between two commits (here: removed with
        sqlite3 or psql, as no check of ours can stop an administrator)."""
        self.start(300, slow_seconds=0.03)
        cron = spawn(self.ws, "send", "--due", env=at(T0))
        self.wait_for_copies(cron, 20)
        if self.ws.pg_database:
            write_sql(self.ws, "DELETE FROM mailing WHERE id = ?", (self.mailing,))
        else:
            con = sqlite3.connect(str(self.ws.db_path), timeout=10)
            con.execute("PRAGMA foreign_keys = ON")
            with con:
                con.execute("DELETE FROM mailing WHERE id = ?", (self.mailing,))
            con.close()
        out, err = cron.communicate(timeout=60)
        self.assertEqual(cron.returncode, 0, out + err)
        self.assertIn("was removed during the send", err)
        self.assertLess(len(self.smtp.message_files()), 300)
        self.assertEqual(journals(self.ws), [])

    def test_message_rm_during_a_send_is_refused(self):
        self.start(200, slow_seconds=0.03)
        cron = spawn(self.ws, "send", "--due", env=at(T0))
        self.wait_for_copies(cron, 10)
        proc = self.ws.run("message", "rm", str(self.message))
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr)
        out, err = cron.communicate(timeout=60)
        self.assertEqual(cron.returncode, 0, out + err)
        self.assertEqual(copies(self.smtp), {e: 1 for e in self.people})

    def test_group_rm_during_a_send_is_refused(self):
        self.start(200, slow_seconds=0.03)
        cron = spawn(self.ws, "send", "--due", env=at(T0))
        self.wait_for_copies(cron, 10)
        proc = self.ws.run("group", "rm", "all")
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr)
        out, err = cron.communicate(timeout=60)
        self.assertEqual(cron.returncode, 0, out + err)
        self.assertEqual(copies(self.smtp), {e: 1 for e in self.people})

    def test_client_rm_during_a_send_leaves_the_others_untouched(self):
        self.start(200, slow_seconds=0.03)
        cron = spawn(self.ws, "send", "--due", env=at(T0))
        self.wait_for_copies(cron, 10)
        last = self.ws.json("client", "list")[-1]
        self.ws.ok("client", "rm", str(last["id"]))
        out, err = cron.communicate(timeout=60)
        self.assertEqual(cron.returncode, 0, out + err)
        got = copies(self.smtp)
        self.assertNotIn(last["email"], got)
        self.assertEqual(got, {e: 1 for e in self.people if e != last["email"]})

    @sqlite_only("the journal beside the file")
    def test_a_journal_left_by_a_dead_run_of_a_removed_mailing_is_cleaned_up(self):
        self.start(300, slow_seconds=0.03)
        cron = spawn(self.ws, "send", "--due", env=at(T0))
        self.wait_for_copies(cron, 20)
        cron.kill()
        cron.communicate()
        self.ws.ok("mailing", "stop", str(self.mailing))
        self.ws.ok("mailing", "rm", str(self.mailing))
        self.ws.ok("send", "--due", env=at("2027-03-01T10:01:00"))
        self.assertEqual(journals(self.ws), [])


class TestCopiesAndRetries(unittest.TestCase):
    """Issue 7.7 `send ID --to EMAIL` and 7.8 `send ID --retry-failed`."""

    def test_a_test_copy_goes_to_one_address_and_changes_nothing(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            ws.superuser()
            add_clients(ws, [("ivan@example.com", "Иван"), ("olga@example.com", "Ольга")], group="all")
            m = add_mailing(ws, add_message(ws, "Привет, {{name}}", "Текст для {{name}}"), groups=["all"],
                            start="2027-03-02T09:00", now=T0)["id"]
            proc = ws.ok("send", str(m), "--to", "Olga@Example.com", env=at(T0))
            self.assertEqual(summary(proc.stdout)["sent"], 1)
            [msg] = smtp.messages()
            self.assertEqual(msg["Subject"], "Привет, Ольга")
            self.assertEqual(msg["Delivered-To"], "Olga@example.com")
            self.assertEqual(mailing(ws, m)["status"], "created")
            self.assertEqual(mailing(ws, m)["next_run_at"], "2027-03-02T09:00:00+03:00")
            ws.ok("send", str(m), "--to", "boss@example.org", env=at(T0))
            self.assertEqual(len(smtp.messages()), 2)
            bad = ws.run("send", str(m), "--to", "not an address", env=at(T0))
            self.assertEqual(bad.returncode, EX_DATAERR, bad.stderr)
            ws.ok("send", "--due", env=at("2027-03-02T09:00:30"))
            self.assertEqual(copies(smtp), {"Olga@example.com": 1, "boss@example.org": 1,
                                            "ivan@example.com": 1, "olga@example.com": 1})
            self.assertEqual(mailing(ws, m)["status"], "finished")

    def test_retry_failed_sends_again_to_those_whose_last_try_failed_only(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url, extra_config="[send]\nmax_tries = 1\n") as ws:
            ws.superuser()
            add_clients(ws, [("ok@example.com", "A"), ("defer1@example.com", "B"), ("reject1@example.com", "C")],
                        group="all")
            m = add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], now=T0)["id"]
            ws.run("send", str(m), env=at(T0))
            self.assertEqual(mailing(ws, m)["status"], "finished")
            statuses = {a["email"]: a["status"] for a in attempts(ws, m)}
            self.assertEqual(statuses, {"ok@example.com": "sent", "defer1@example.com": "failed",
                                        "reject1@example.com": "bounced"})
            again = ws.run("send", str(m), "--retry-failed", env=at("2027-03-01T11:00:00"))
            self.assertEqual(summary(again.stdout)["failed"], 1, again.stdout + again.stderr)
            log = attempts(ws, m)
            self.assertEqual([a["email"] for a in log[3:]], ["defer1@example.com"])
            self.assertEqual(copies(smtp), {"ok@example.com": 1})
            self.assertEqual(mailing(ws, m)["status"], "finished")
            ws.ok("send", str(m), "--retry-failed", env=at("2027-03-01T12:00:00"))
            self.assertEqual(len(attempts(ws, m)), 5, "its last try failed again: retried once more")


class OneRunFailsTheOthersGoOn(unittest.TestCase):
    """Issue 8.2: a run whose message cannot be composed stopped `send --due` for every user."""

    def test_a_broken_stored_template_pauses_its_run_and_the_next_mailing_is_sent(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            ws.superuser()
            add_clients(ws, [("ivan@example.com", "Иван")], group="all")
            bad = add_message(ws, "Тема", "Текст")
            good = add_message(ws, "Хорошая", "Текст")
            m_bad = add_mailing(ws, bad, groups=["all"], now=T0)["id"]
            m_good = add_mailing(ws, good, groups=["all"], now=T0)["id"]
            # A body stored before templates were checked as they are now.
            write_sql(ws, "UPDATE message SET body_text = 'Hello {{#name}} unclosed' WHERE id = ?", (bad,))
            proc = ws.run("send", "--due", env=at(T0))
            self.assertEqual(proc.returncode, EX_DATAERR, proc.stdout + proc.stderr)
            self.assertIn("paused", proc.stderr)
            self.assertEqual([m["Subject"] for m in smtp.messages()], ["Хорошая"])
            self.assertEqual(mailing(ws, m_good)["status"], "finished")
            # Later ticks leave the paused run alone; `send ID` resumes it once fixed.
            ws.ok("send", "--due", env=at("2027-03-01T10:01:00"))
            write_sql(ws, "UPDATE message SET body_text = 'Hello {{name}}' WHERE id = ?", (bad,))
            ws.ok("send", str(m_bad), env=at("2027-03-01T10:02:00"))
            self.assertEqual(len(smtp.messages()), 2)

    def test_a_5xx_our_message_caused_bounces_nobody_and_pauses_the_run(self):
        """Issue 8.7: "500 Line too long" for our own message marked the whole list bounced."""
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            ws.superuser()
            people = ["toolong{}@example.com".format(i) for i in range(10)]
            add_clients(ws, [(e, "Имя") for e in people], group="all")
            m = add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], now=T0)["id"]
            proc = ws.run("send", str(m), env=at(T0))
            self.assertEqual(proc.returncode, EX_DATAERR, proc.stdout + proc.stderr)
            self.assertIn("refused our message itself", proc.stderr)
            log = attempts(ws, m)
            self.assertNotIn("bounced", {a["status"] for a in log})
            self.assertLessEqual(len(log), 2, "the run stops at the first such refusal per connection")
            self.assertEqual(ws.sql("SELECT max(tries) FROM run_recipient"), [(0,)])
            ws.ok("send", "--due", env=at("2027-03-01T10:05:00"))
            self.assertEqual(len(attempts(ws, m)), len(log), "a paused run is left alone by cron")


class SendersFiles(unittest.TestCase):
    """Issues 8.1 and 8.4: the claim and the journal belong to the database file itself."""

    def prepare(self, ws, smtp, count=12):
        """A mailing whose run exists with every recipient still queued: its first send found
        the server down."""
        ws.superuser()
        self.people = ["p{:02d}@example.com".format(i) for i in range(count)]
        add_clients(ws, [(e, "Имя") for e in self.people], group="all")
        m = add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], now=T0)["id"]
        set_smtp_url(ws, "smtp://127.0.0.1:{}".format(unused_port()))
        self.assertEqual(ws.run("send", "--due", env=at(T0)).returncode, EX_UNAVAILABLE)
        set_smtp_url(ws, smtp.url)
        return m

    @sqlite_only("paths to one database file")
    def test_senders_through_several_paths_send_each_copy_once(self):
        with smtp_server(slow_seconds=0.05) as smtp, Workspace(smtp_url=smtp.url) as ws:
            people = ["slow{:02d}@example.com".format(i) for i in range(12)]
            ws.superuser()
            add_clients(ws, [(e, "Имя") for e in people], group="all")
            add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], now=T0)
            other = ws.root / "other"
            other.mkdir()
            (other / "mailer.db").symlink_to(ws.db_path)
            (ws.root / "dirlink").symlink_to(ws.root)
            paths = [str(other / "mailer.db"), str(other / ".." / "mailer.db"),
                     str(ws.root / "dirlink" / "mailer.db"), str(ws.db_path)]
            procs = [spawn(ws, "--db", p, "send", "--due", env=at(T0)) for p in paths]
            for p in procs:
                out, err = p.communicate(timeout=60)
                self.assertIn(p.returncode, (0, EX_TEMPFAIL), out + err)
            self.assertEqual(copies(smtp), {e: 1 for e in people})

    @sqlite_only("hard links to the database file")
    def test_a_hard_link_to_the_database_is_refused(self):
        """SQLite keeps a write-ahead log per name, so two names of one file are two databases
        to it: a second sender through a hard link would not even see the first one's run."""
        with Workspace() as ws:
            ws.superuser()
            os.link(ws.db_path, ws.root / "hard.db")
            proc = ws.run("--db", str(ws.root / "hard.db"), "send", "--due", env=at(T0))
            self.assertEqual(proc.returncode, 78, proc.stderr)
            self.assertIn("hard links", proc.stderr)
            self.assertEqual(ws.run("send", "--due", env=at(T0)).returncode, 78)

    @sqlite_only("the journal beside the file")
    def test_a_dead_senders_journal_is_found_by_a_sender_that_knows_the_database_by_another_name(self):
        """Killed while results wait in its journal; then the database is renamed (with its log)
        before the next send. The journal's place is kept with the run, so those recipients get
        no second copy."""
        with smtp_server(slow_seconds=0.02) as smtp, Workspace(smtp_url=smtp.url) as ws:
            people = ["slow{:03d}@example.com".format(i) for i in range(300)]
            ws.superuser()
            add_clients(ws, [(e, "Имя") for e in people], group="all")
            m = add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], now=T0)["id"]
            journal = pathlib.Path(str(ws.db_path) + "-run1.deliveries")
            left, kills = "", 0
            while not left and kills < 10:
                proc = spawn(ws, "send", "--due", env=at(T0))
                deadline = time.monotonic() + 20
                while proc.poll() is None and time.monotonic() < deadline:
                    if journal.exists() and journal.stat().st_size > 0:
                        break
                    time.sleep(0.001)
                proc.kill()
                proc.communicate()
                kills += 1
                left = journal.read_text(encoding="utf-8") if journal.exists() else ""
                left = left[:left.rfind("\n") + 1]
            self.assertTrue(left, "never killed while results waited in the journal")
            journaled = {int(line.split("\t")[1]) for line in left.splitlines()}
            renamed = ws.root / "renamed.db"
            for suffix in ("", "-wal", "-shm"):
                source = pathlib.Path(str(ws.db_path) + suffix)
                if source.exists():
                    source.rename(pathlib.Path(str(renamed) + suffix))
            ws.ok("--db", str(renamed), "send", "--due", env=at(T0))
            self.assertFalse(journal.exists(), "the journal outlived its run")
            con = sqlite3.connect(str(renamed))
            emails = dict(con.execute("SELECT id, email FROM client").fetchall())
            sent = con.execute("SELECT count(*) FROM attempt WHERE status = 'sent' AND mailing = ?", (m,)).fetchone()
            con.close()
            got = copies(smtp)
            self.assertEqual(set(got), set(people))
            for client in journaled:
                self.assertEqual(got[emails[client]], 1, emails[client])
            self.assertLessEqual(sum(got.values()) - len(people), kills * 2, "more repeats than copies in flight")
            self.assertEqual(sent, (len(people),))

    @sqlite_only("the journal beside the file")
    def test_a_planted_journal_writes_nothing_into_the_attempt_log(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            m = self.prepare(ws, smtp)
            [(run,)] = ws.sql("SELECT id FROM run")
            forged = ws.root / "mailer.db-run{}.deliveries".format(run)
            line = "m1\t{}\t0\t1800000000\tsent\tdone\t\t250\tp00@example.com\t<forged@x>\t250 forged\n"
            forged.write_text(line.format(1) + line.format(999).replace("sent\tdone", "pwned\tdone"))
            os.chmod(forged, 0o644)
            proc = ws.run("send", "--due", env=at("2027-03-01T10:01:00"))
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            self.assertIn("was not read", proc.stderr)
            self.assertNotIn("250 forged", [a["server_response"] for a in attempts(ws, m)])
            self.assertEqual(copies(smtp), {e: 1 for e in self.people})
            self.assertEqual(journals(ws), [])

    def test_runs_held_by_another_process_are_said_and_exit_75(self):
        with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
            self.prepare(ws, smtp)
            [(run,)] = ws.sql("SELECT id FROM run")
            holder = (subprocess_holding_pg_lock(ws, (0x6D6C72 << 40) + run) if ws.pg_database
                      else subprocess_holding_lock(ws.db_path, (1 << 40) + run))
            try:
                proc = ws.run("send", "--due", env=at("2027-03-01T10:01:00"))
                self.assertEqual(proc.returncode, EX_TEMPFAIL, proc.stdout + proc.stderr)
                self.assertIn("left alone: another mailer process is sending it", proc.stderr)
                self.assertEqual(copies(smtp), {})
            finally:
                holder.kill()
                holder.wait()
            ws.ok("send", "--due", env=at("2027-03-01T10:02:00"))
            self.assertEqual(copies(smtp), {e: 1 for e in self.people})


def subprocess_holding_lock(path, offset):
    """A process that holds an OFD write lock on one byte of `path` until killed."""
    import subprocess
    code = ("import fcntl, os, struct, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR)\n"
            "F_OFD_SETLK = 37\n"
            "lk = struct.pack('hhqqi4x', fcntl.F_WRLCK, 0, int(sys.argv[2]), 1, 0)\n"
            "fcntl.fcntl(fd, F_OFD_SETLK, lk)\n"
            "print('held', flush=True)\n"
            "time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(offset)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def subprocess_holding_pg_lock(ws, key):
    """A psql session that holds PostgreSQL's advisory lock `key` (a run's claim) until killed:
    idle, reading its stdin, as a sender between two statements is."""
    import subprocess
    import time
    proc = subprocess.Popen(["psql", "-X", "-q", "-d", pg_server_url(ws.pg_database)], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    proc.stdin.write("SELECT pg_advisory_lock({});\n".format(key))
    proc.stdin.flush()
    deadline = time.monotonic() + 10
    while ws.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") != [(1,)]:
        assert time.monotonic() < deadline, "psql did not take the lock"
        time.sleep(0.05)
    return proc


class DryRunAcrossUsers(unittest.TestCase):
    """Issue 8.10: `send --due --dry-run` listed every user's recipients without a session."""

    def test_only_managers_and_superusers_may_dry_run_everyone(self):
        with Workspace() as ws:
            ws.superuser()
            add_clients(ws, [("ivan@example.com", "Иван")], group="all")
            add_mailing(ws, add_message(ws, "Тема", "Текст"), groups=["all"], now=T0)
            ws.ok("send", "--due", "--dry-run", env=at(T0))
            ws.ok("logout")
            proc = ws.run("send", "--due", "--dry-run", env=at(T0))
            self.assertEqual(proc.returncode, EX_NOPERM, proc.stdout + proc.stderr)
            self.assertNotIn("ivan@example.com", proc.stdout)


if __name__ == "__main__":
    unittest.main()

"""Several hosts on one database (issue 13, items 4 and 6): three worker processes, each with a
HOME of its own as three hosts would have, run `send --due` on one database at once. Run on
SQLite and, with MAILER_TEST_BACKEND=postgres, on PostgreSQL, where this is what the fleet does.

What is checked is what the recipients and the attempt log show: every recipient exactly one
recorded delivery per run; after kill -9 of workers at random moments nobody lost and at most
smtp.connections duplicates per kill (the messages in flight); a worker stopped (SIGSTOP) and
continued overwrites no attempt. On PostgreSQL the hosts share a run, and smtp.connections and
smtp.rate_per_second are the whole fleet's."""

import collections
import os
import random
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from mailtest import smtp_server  # noqa: E402
from sendkit import T0, add_clients, add_mailing, add_message, at, attempts, copies, spawn  # noqa: E402
from workspace import Workspace, postgres_only, sqlite_only  # noqa: E402

CONNECTIONS = 4
EX_TEMPFAIL = 75


class Fleet(unittest.TestCase):
    def start(self, mailings, per_mailing, slow_seconds, prefix="m", **config):
        """`prefix` "slow" makes the sink answer each copy after slow_seconds."""
        self.smtp = self.enterContext(smtp_server(slow_seconds=slow_seconds))
        config.setdefault("connections", CONNECTIONS)
        self.ws = self.enterContext(Workspace(smtp_url=self.smtp.url, **config))
        self.ws.superuser()
        self.people = []
        self.mailings = []
        for k in range(mailings):
            people = ["{}{}p{:05d}@example.com".format(prefix, k, i) for i in range(per_mailing)]
            add_clients(self.ws, [(e, "Получатель") for e in people], group="g{}".format(k))
            message = add_message(self.ws, "Письмо {} для {{{{name}}}}".format(k), "Текст")
            self.mailings.append(add_mailing(self.ws, message, groups=["g{}".format(k)], now=T0)["id"])
            self.people += people

    def host(self, n):
        """The environment of host n: a HOME and XDG folders of its own, the same config."""
        home = self.ws.root / "host{}".format(n)
        home.mkdir(exist_ok=True)
        env = {"HOME": str(home), "XDG_STATE_HOME": str(home / "state"), "XDG_DATA_HOME": str(home / "data")}
        env.update(at(T0))
        return env

    def arrived(self):
        """How many copies the sink stored (cheaper than message_files, asked every 20 ms)."""
        return sum(len(os.listdir(self.smtp.maildir / sub)) for sub in ("new", "cur")
                   if (self.smtp.maildir / sub).is_dir())

    def tick(self, n):
        return spawn(self.ws, "send", "--due", env=self.host(n))

    def stop_outside_a_transaction(self, proc):
        """SIGSTOPs proc at a moment when it holds no transaction open. A host stopped inside one
        keeps its locks until it wakes (or the server ends its session), and the other hosts
        wait for them: that is not the cut-off this checks."""
        for _ in range(50):
            proc.send_signal(signal.SIGSTOP)
            time.sleep(0.15)
            stuck = self.ws.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                "AND state = 'idle in transaction' AND now() - state_change > interval '100 ms'")
            if stuck == [(0,)]:
                return
            proc.send_signal(signal.SIGCONT)
            time.sleep(0.01)
        self.fail("the worker was inside a transaction at each of 50 stops")

    def assert_hosts_sent(self, outs, total, each_more_than=None):
        """The hosts' summaries ("sent N, ...") add up to `total`, each above `each_more_than`."""
        sent = [int(out.split("sent ")[1].split(",")[0]) for out, err in outs]
        self.assertEqual(sum(sent), total, outs)
        if each_more_than is not None:
            for n in sent:
                self.assertGreater(n, each_more_than, sent)

    def assert_each_recorded_once(self, max_duplicates):
        time.sleep(0.3)  # a copy whose data the server was still answering when its sender died
        counts = copies(self.smtp)
        self.assertEqual(set(counts), set(self.people), "recipients missing")
        duplicated = {e: n for e, n in counts.items() if n > 1}
        self.assertLessEqual(sum(n - 1 for n in duplicated.values()), max_duplicates, duplicated)
        log = [a for m in self.mailings for a in attempts(self.ws, m)]
        self.assertEqual(collections.Counter(a["status"] for a in log), {"sent": len(self.people)})
        self.assertEqual(collections.Counter(a["email"] for a in log), {e: 1 for e in self.people})
        self.assertEqual(self.ws.sql("SELECT count(*) FROM run"), [(len(self.mailings),)])
        self.assertEqual(self.ws.sql("SELECT count(*) FROM run WHERE finished_at IS NULL"), [(0,)])

    def test_three_hosts_ticking_at_once_record_each_recipient_once(self):
        self.start(mailings=3, per_mailing=400, slow_seconds=0)
        workers = [self.tick(n) for n in range(3)]
        outs = [w.communicate(timeout=120) for w in workers]
        for w, (out, err) in zip(workers, outs):
            # A run another host is sending is left alone and said (exit 75); nothing else fails.
            self.assertIn(w.returncode, (0, EX_TEMPFAIL), out + err)
        # Whatever a host left to another is sent by the next tick of any host.
        for n in range(3):
            proc = self.tick(n)
            out, err = proc.communicate(timeout=120)
            self.assertEqual(proc.returncode, 0, out + err)
        self.assert_each_recorded_once(0)

    def test_ten_kill_9_of_workers_at_random_moments_lose_nobody(self):
        self.start(mailings=3, per_mailing=500, slow_seconds=0.03)
        rng = random.Random(int(os.environ.get("MAILER_TEST_SEED", "13")))
        # The moments are points of the progress (so many copies arrived), drawn at random: ten
        # kills happen whatever the speed of the machine, all while recipients are left.
        total = len(self.people)
        moments = sorted(rng.sample(range(total // 20, total * 8 // 10), 10))
        workers = {n: self.tick(n) for n in range(3)}
        kills = 0
        deadline = time.monotonic() + 90
        while kills < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
            if self.arrived() < moments[kills]:
                if all(w.poll() is not None for w in workers.values()):
                    workers = {n: self.tick(n) for n in range(3)}
                continue
            alive = [n for n, w in workers.items() if w.poll() is None]
            if not alive:
                workers = {n: self.tick(n) for n in range(3)}
                continue
            n = rng.choice(alive)
            workers[n].send_signal(signal.SIGKILL)
            workers[n].communicate()
            kills += 1
            workers[n] = self.tick(n)  # cron's next minute on that host
        self.assertEqual(kills, 10, "ten kills within 90 s")
        for w in workers.values():
            w.communicate(timeout=120)
        final = self.tick(0)
        out, err = final.communicate(timeout=120)
        self.assertEqual(final.returncode, 0, out + err)
        self.assert_each_recorded_once(kills * CONNECTIONS)

    @sqlite_only("on PostgreSQL the other hosts share the run (see the lease tests below)")
    def test_a_stopped_worker_keeps_its_run_and_overwrites_nothing_when_continued(self):
        self.start(mailings=1, per_mailing=120, slow_seconds=0.02)
        first = self.tick(0)
        deadline = time.monotonic() + 20
        while len(self.smtp.message_files()) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.send_signal(signal.SIGSTOP)
        try:
            time.sleep(1.5)
            before = len(self.smtp.message_files())
            other = self.tick(1)
            out, err = other.communicate(timeout=60)
            self.assertEqual(other.returncode, EX_TEMPFAIL, out + err)
            self.assertIn("left alone: another mailer process is sending it", err)
            self.assertLessEqual(len(self.smtp.message_files()), before + CONNECTIONS)
        finally:
            first.send_signal(signal.SIGCONT)
        out, err = first.communicate(timeout=120)
        self.assertEqual(first.returncode, 0, out + err)
        self.assert_each_recorded_once(0)

    @postgres_only("SQLite's run has one sender at a time")
    def test_three_hosts_share_one_run_of_30000_each_recipient_once(self):
        # smtp.connections is the fleet's: 12 make 4 a host.
        self.start(mailings=1, per_mailing=30000, slow_seconds=0, connections=3 * CONNECTIONS)
        workers = [self.tick(n) for n in range(3)]
        outs = [w.communicate(timeout=600) for w in workers]
        for w, (out, err) in zip(workers, outs):
            self.assertEqual(w.returncode, 0, out + err)
        # Each host sent a part of the one run: it was shared, not left to one of them.
        self.assert_hosts_sent(outs, 30000, each_more_than=1000)
        self.assert_each_recorded_once(0)

    @postgres_only("leases are PostgreSQL's")
    def test_a_worker_cut_off_past_its_lease_is_fenced_and_stops(self):
        # smtp.timeout_s 1 allows a lease of 2 s (it must be longer than a reply may take).
        # 800: enough that the other host is still sending when the stopped one's lease runs out.
        self.start(mailings=1, per_mailing=800, slow_seconds=0.02, prefix="slow", timeout_s=1,
                   extra_config="[send]\nlease_s = 2\n")
        first = self.tick(0)
        deadline = time.monotonic() + 20
        while self.arrived() < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        # The other host comes while the first sends: the first gives it half of the fleet's
        # connections (a stopped host keeps its own open, and their slots with them).
        other = self.tick(1)
        while len(self.smtp.events("connect")) < CONNECTIONS + 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.stop_outside_a_transaction(first)
        try:
            time.sleep(2.5)  # past its lease
            out, err = other.communicate(timeout=120)
            # The stopped worker's recipients, leased to it and in flight alike, went to this one.
            self.assertEqual(other.returncode, 0, out + err)
            self.assertEqual(set(copies(self.smtp)), set(self.people))
            self.assertEqual(self.ws.sql("SELECT count(*) FROM run WHERE finished_at IS NULL"), [(0,)])
            log = {a["email"]: a for a in attempts(self.ws, self.mailings[0])}
        finally:
            first.send_signal(signal.SIGCONT)
        out, err = first.communicate(timeout=120)
        self.assertEqual(first.returncode, EX_TEMPFAIL, out + err)
        self.assertIn("was cut off for longer than send.lease_s (2 s) and stopped", err)
        # Its late results (the copies it had in flight) overwrote nothing: the log is the same.
        self.assertEqual({a["email"]: a for a in attempts(self.ws, self.mailings[0])}, log)
        self.assert_each_recorded_once(CONNECTIONS)

    @postgres_only("the fleet's connections are counted in PostgreSQL")
    def test_three_hosts_keep_smtp_connections_together(self):
        self.start(mailings=1, per_mailing=600, slow_seconds=0.02, prefix="slow")
        workers = [self.tick(n) for n in range(3)]
        outs = [w.communicate(timeout=120) for w in workers]
        for w, (out, err) in zip(workers, outs):
            self.assertEqual(w.returncode, 0, out + err)
        # Never more than smtp.connections open at the server, the three hosts together; the
        # first to come gave some back to the others, so that each of them sent.
        opened = [e["open"] for e in self.smtp.events("connect")]
        self.assertLessEqual(max(opened), CONNECTIONS, opened)
        self.assert_hosts_sent(outs, 600, each_more_than=0)
        self.assert_each_recorded_once(0)

    @postgres_only("the fleet's connections are counted in PostgreSQL")
    def test_a_host_left_without_a_connection_leaves_the_run_to_the_others(self):
        # Two of the fleet's connections for three hosts: one of them waits, and leaves after
        # smtp.timeout_s and 5 s.
        self.start(mailings=1, per_mailing=600, slow_seconds=0.03, prefix="slow", connections=2, timeout_s=1)
        workers = [self.tick(n) for n in range(3)]
        outs = [w.communicate(timeout=120) for w in workers]
        codes = sorted(w.returncode for w in workers)
        self.assertEqual(codes, [0, 0, EX_TEMPFAIL], outs)
        left = [err for w, (out, err) in zip(workers, outs) if w.returncode == EX_TEMPFAIL][0]
        self.assertIn("left to the other hosts: they hold all 2 of smtp.connections toward the server", left)
        self.assertLessEqual(max(e["open"] for e in self.smtp.events("connect")), 2)
        self.assert_each_recorded_once(0)

    @postgres_only("the fleet's pace is kept in PostgreSQL")
    def test_three_hosts_keep_smtp_rate_per_second_together(self):
        self.start(mailings=1, per_mailing=90, slow_seconds=0, rate_per_second=20)
        workers = [self.tick(n) for n in range(3)]
        outs = [w.communicate(timeout=120) for w in workers]
        for w, (out, err) in zip(workers, outs):
            self.assertEqual(w.returncode, 0, out + err)
        self.assert_hosts_sent(outs, 90)
        # 20 a second for the three together: 89 gaps of 50 ms, 4.45 s (each host at 20 a
        # second would take 1.5 s), and no second with much more than 20.
        arrivals = [p.stat().st_mtime_ns / 1e9 for p in self.smtp.message_files()]
        self.assertGreaterEqual(arrivals[-1] - arrivals[0], 3.6, "the fleet sent faster than 20 a second")
        busiest = max(sum(1 for t in arrivals if start <= t < start + 1) for start in arrivals)
        self.assertLessEqual(busiest, 26, "copies in the busiest second")
        self.assert_each_recorded_once(0)


if __name__ == "__main__":
    unittest.main()

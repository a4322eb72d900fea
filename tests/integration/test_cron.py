"""`mailer cron show|install|remove` against a fake `crontab` (MAILER_CRONTAB), and the
installed line run the way cron runs it (SPEC §2, §3; issue 3 point 6).

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_cron.py -v
"""

import os
import pathlib
import re
import shlex
import subprocess
import tempfile
import unittest

from mailtest import smtp_server
from sendkit import SUMMARY, add_clients, add_mailing, add_message, copies, mailing
from workspace import Workspace

# Behaves like cron's crontab(1) for one user: -l prints the table or fails when there is
# none, - replaces it with standard input. Every call is logged.
FAKE_CRONTAB = r"""#!/bin/sh
dir=$(dirname "$0")
echo "$*" >> "$dir/calls.log"
case "$1" in
  -l)
    if [ -f "$dir/crontab.txt" ]; then cat "$dir/crontab.txt"; exit 0; fi
    echo "no crontab for $(id -un)" >&2
    exit 1 ;;
  -)
    if [ -f "$dir/fail-writes" ]; then echo "crontab: cannot write" >&2; exit 1; fi
    cat > "$dir/crontab.txt.new" && mv "$dir/crontab.txt.new" "$dir/crontab.txt" ;;
  *)
    echo "usage: crontab [-l | -]" >&2
    exit 2 ;;
esac
"""

OTHER_LINES = ("MAILTO=ops@example.com\n"
               "# nightly backup\n"
               "0 3 * * * /usr/local/bin/backup --all >/dev/null 2>&1\n"
               "*/5 * * * * /opt/other/mailer --config /etc/other.toml send --due\n")


class CronTest(unittest.TestCase):
    def setUp(self):
        self.dir = pathlib.Path(self.enterContext(tempfile.TemporaryDirectory(prefix="crontab-")))
        self.crontab_program = self.dir / "crontab"
        self.crontab_program.write_text(FAKE_CRONTAB)
        self.crontab_program.chmod(0o755)
        self.table = self.dir / "crontab.txt"
        self.ws = self.enterContext(Workspace())
        self.ws.env["MAILER_CRONTAB"] = str(self.crontab_program)
        self.ws.superuser()

    def cron(self, *args, ws=None):
        return (ws or self.ws).run("cron", *args)

    def show(self, ws=None):
        proc = self.cron("show", ws=ws)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertEqual(len(lines), 1, proc.stdout)
        return lines[0]

    def calls(self):
        log = self.dir / "calls.log"
        return log.read_text().splitlines() if log.exists() else []

    def ours(self, text):
        return [line for line in text.splitlines() if "send --due" in line
                and "/opt/other/" not in line]

    def test_cron_needs_a_session(self):
        """SPEC §4: every command not listed as session-free needs one (exit 77)."""
        self.ws.ok("logout")
        for verb in ("show", "install", "remove"):
            proc = self.cron(verb)
            self.assertEqual(proc.returncode, 77, proc.stderr)
            self.assertIn("not logged in", proc.stderr)
        self.assertFalse(self.table.exists(), "nothing may be installed without a session")

    def test_show_prints_an_absolute_line_appending_to_a_log(self):
        line = self.show()
        fields = line.split(None, 5)
        self.assertEqual(fields[:5], ["*"] * 5, line)
        words = shlex.split(fields[5], comments=True)
        self.assertEqual(words[0], os.path.realpath(os.environ["MAILER_BIN"]))
        self.assertTrue(os.path.isabs(words[0]))
        self.assertIn("--config", words)
        self.assertEqual(words[words.index("--config") + 1], str(self.ws.config_path))
        self.assertIn("send --due", " ".join(words))
        self.assertIn(">>", words)
        log = words[words.index(">>") + 1]
        self.assertTrue(os.path.isabs(log), log)
        self.assertTrue(os.path.isdir(os.path.dirname(log)), "the log's folder must exist")
        self.assertIn("2>&1", words)
        self.assertEqual(self.calls(), [], "show must not touch the crontab")

    def test_install_into_an_empty_crontab(self):
        proc = self.cron("install")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.table.read_text(), self.show() + "\n")

    def test_install_twice_leaves_one_line_and_keeps_the_others(self):
        self.table.write_text(OTHER_LINES)
        self.assertEqual(self.cron("install").returncode, 0)
        after_first = self.table.read_text()
        self.assertTrue(after_first.startswith(OTHER_LINES), after_first)
        self.assertEqual(self.ours(after_first), [self.show()])
        proc = self.cron("install")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.table.read_text(), after_first)

    def test_install_replaces_a_stale_line_of_ours(self):
        self.table.write_text(OTHER_LINES)
        self.cron("install")
        line = self.show()
        # The binary moved (reinstalled elsewhere): the old line still carries our marker.
        stale = line.replace(os.path.realpath(os.environ["MAILER_BIN"]), "/old/place/mailer")
        self.assertNotEqual(stale, line)
        self.table.write_text(OTHER_LINES + stale + "\n")
        self.assertEqual(self.cron("install").returncode, 0)
        self.assertEqual(self.table.read_text(), OTHER_LINES + line + "\n")

    def test_remove_removes_only_our_line(self):
        other_ws = self.enterContext(Workspace())
        other_ws.env["MAILER_CRONTAB"] = str(self.crontab_program)
        other_ws.superuser()
        self.table.write_text(OTHER_LINES)
        self.cron("install")
        self.cron("install", ws=other_ws)
        both = self.table.read_text()
        self.assertEqual(len(self.ours(both)), 2, both)
        proc = self.cron("remove")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.table.read_text(), OTHER_LINES + self.show(other_ws) + "\n")
        again = self.cron("remove")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(self.table.read_text(), OTHER_LINES + self.show(other_ws) + "\n")
        self.cron("remove", ws=other_ws)
        self.assertEqual(self.table.read_text(), OTHER_LINES)

    def test_remove_without_a_crontab_changes_nothing(self):
        proc = self.cron("remove")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertFalse(self.table.exists())
        self.assertNotIn("-", self.calls(), "wrote a crontab although there was nothing to remove")

    def test_a_failing_crontab_is_reported(self):
        (self.dir / "fail-writes").touch()
        proc = self.cron("install")
        self.assertNotEqual(proc.returncode, 0)
        self.assertRegex(proc.stderr, r"(?m)^mailer: .*crontab")
        self.assertFalse(self.table.exists())

    def test_a_crontab_program_that_fails_before_reading_a_long_table_is_reported(self):
        """More than a pipe holds (64 KiB) and a crontab that exits without reading it: the
        write fails (EPIPE), and mailer says so instead of dying of SIGPIPE without a word."""
        long_table = "".join("# job {:05d} of a long crontab, kept as it is\n".format(i) for i in range(3000))
        self.table.write_text(long_table)
        (self.dir / "fail-writes").touch()
        proc = self.cron("install")
        self.assertEqual(proc.returncode, 78, proc.stderr)
        self.assertRegex(proc.stderr, r"(?m)^mailer: .*crontab")
        self.assertEqual(self.table.read_text(), long_table)

    def test_installed_line_sends_due_mailings_the_way_cron_runs_it(self):
        with smtp_server() as smtp:
            ws = self.enterContext(Workspace(smtp_url=smtp.url))
            ws.env["MAILER_CRONTAB"] = str(self.crontab_program)
            ws.superuser()
            ids = add_clients(ws, [("ivan@example.com", "Иван")])
            m = add_mailing(ws, add_message(ws, "Тема", "Текст"), clients=ids.values())["id"]
            self.assertEqual(self.cron("install", ws=ws).returncode, 0)
            [line] = self.ours(self.table.read_text())
            command = line.split(None, 5)[5]
            words = shlex.split(command, comments=True)
            log = pathlib.Path(words[words.index(">>") + 1])
            # cron: /bin/sh, a bare environment, the home directory as the working directory.
            env = {"HOME": str(ws.root), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh",
                   "LOGNAME": "tester"}
            for _ in range(2):
                proc = subprocess.run(["/bin/sh", "-c", command], env=env, cwd="/",
                                      capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
                self.assertEqual(proc.stdout + proc.stderr, "", "output must go to the log")
            self.assertEqual(copies(smtp), {"ivan@example.com": 1})
            self.assertEqual(mailing(ws, m)["status"], "finished")
            # Each log line starts with its time stamp (issue 7 item 10); the summary follows.
            summaries = SUMMARY.findall(re.sub(r"(?m)^\S+ ", "", log.read_text(encoding="utf-8")))
            # Issue 7.10: the second tick had nothing due and leaves the cron log alone.
            self.assertEqual(len(summaries), 1, log.read_text(encoding="utf-8"))
            self.assertEqual(summaries[0][0], "1")

    def test_send_due_with_nothing_due_does_not_touch_the_server(self):
        with smtp_server() as smtp:
            ws = self.enterContext(Workspace(smtp_url=smtp.url))
            ws.superuser()
            ids = add_clients(ws, [("ivan@example.com", "Иван")])
            add_mailing(ws, add_message(ws, "Тема", "Текст"), clients=ids.values(),
                        start="2027-03-02T09:00", now="2027-03-01T09:00:00")
            proc = ws.run("send", "--due", env={"MAILER_NOW": "2027-03-01T09:01:00"})
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(SUMMARY.search(proc.stdout).groups(), ("0", "0", "0", "0"))
            self.assertEqual(smtp.connections(), 0)
            self.assertEqual(ws.sql("SELECT count(*) FROM run"), [(0,)])


if __name__ == "__main__":
    unittest.main()

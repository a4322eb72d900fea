"""The cron log and `cron show --json` (issue 7 item 10; SPEC §2): every line the installed
line appends to its log starts with its time, and `cron show --json` says what is installed.

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_cron_log.py -v
"""

import json
import pathlib
import re
import shlex
import subprocess
import tempfile
import unittest

from mailtest import smtp_server
from sendkit import SUMMARY, add_clients, add_mailing, add_message, unused_port
from test_cron import FAKE_CRONTAB
from workspace import Workspace, pg_server_url

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d "


class CronLog(unittest.TestCase):
    def setUp(self):
        self.dir = pathlib.Path(self.enterContext(tempfile.TemporaryDirectory(prefix="crontab-")))
        self.crontab_program = self.dir / "crontab"
        self.crontab_program.write_text(FAKE_CRONTAB)
        self.crontab_program.chmod(0o755)
        self.table = self.dir / "crontab.txt"

    def workspace(self, smtp_url):
        ws = self.enterContext(Workspace(smtp_url=smtp_url))
        ws.env["MAILER_CRONTAB"] = str(self.crontab_program)
        ws.superuser()
        ids = add_clients(ws, [("ivan@example.com", "Иван")])
        add_mailing(ws, add_message(ws, "Тема", "Текст"), clients=ids.values(),
                    start="2027-03-01T09:00", now="2027-03-01T08:00:00")
        self.assertEqual(ws.run("cron", "install").returncode, 0)
        return ws

    def run_as_cron(self, ws, now):
        """Runs our crontab line with /bin/sh in cron's bare environment; returns the log."""
        [line] = [l for l in self.table.read_text().splitlines() if "send --due" in l]
        command = line.split(None, 5)[5]
        words = shlex.split(command, comments=True)
        log = pathlib.Path(words[words.index(">>") + 1])
        env = {"HOME": str(ws.root), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "LOGNAME": "tester",
               "TZ": "Europe/Moscow", "MAILER_NOW": now}
        proc = subprocess.run(["/bin/sh", "-c", command], env=env, cwd="/", capture_output=True,
                              text=True, timeout=60)
        self.assertEqual(proc.stdout + proc.stderr, "", "output must go to the log")
        return proc.returncode, log.read_text(encoding="utf-8")

    def test_every_line_of_the_log_starts_with_its_time(self):
        with smtp_server() as smtp:
            ws = self.workspace(smtp.url)
            code, text = self.run_as_cron(ws, "2027-03-01T09:00:00")
            self.assertEqual(code, 0, text)
            lines = text.splitlines()
            self.assertTrue(lines, "a run that sent something logs its summary")
            for line in lines:
                self.assertTrue(line.startswith("2027-03-01T09:00:00+03:00 "), line)
            self.assertEqual(SUMMARY.findall(re.sub("(?m)^" + STAMP, "", text))[0][0], "1")

    def test_a_tick_with_nothing_due_writes_nothing(self):
        """Issue 7.10: a minute with nothing to send leaves the cron log alone."""
        with smtp_server() as smtp:
            ws = self.workspace(smtp.url)
            self.assertEqual(self.run_as_cron(ws, "2027-03-01T09:00:00")[0], 0)
            before = self.run_as_cron(ws, "2027-03-01T09:00:00")[1]
            code, after = self.run_as_cron(ws, "2027-03-01T09:01:00")
            self.assertEqual(code, 0, after)
            self.assertEqual(after, before)

    def test_an_error_in_the_log_is_stamped_too(self):
        ws = self.workspace("smtp://127.0.0.1:{}".format(unused_port()))
        code, text = self.run_as_cron(ws, "2027-03-01T09:01:00")
        self.assertEqual(code, 69, text)
        errors = [line for line in text.splitlines() if "mailer: " in line]
        self.assertTrue(errors, text)
        for line in text.splitlines():
            self.assertRegex(line, "^2027-03-01T09:01:00\\+03:00 ")

    def test_the_option_stamps_stdout_and_stderr_of_any_command(self):
        ws = self.enterContext(Workspace())
        proc = ws.run("--log-timestamps", "init", env={"MAILER_NOW": "2027-03-01T09:00:00"})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        database = pg_server_url(ws.pg_database) if ws.pg_database else ws.db_path  # as init names it
        self.assertEqual(proc.stdout, "2027-03-01T09:00:00+03:00 {}\n".format(database))
        proc = ws.run("frobnicate", "--log-timestamps", env={"MAILER_NOW": "2027-03-01T09:00:00"})
        self.assertEqual(proc.returncode, 64)
        self.assertRegex(proc.stderr, r"^2027-03-01T09:00:00\+03:00 mailer: unknown command 'frobnicate' ")

    def test_cron_show_json_says_what_and_whether_it_is_installed(self):
        ws = self.enterContext(Workspace())
        ws.env["MAILER_CRONTAB"] = str(self.crontab_program)
        ws.superuser()
        plain = ws.ok("cron", "show").stdout
        shown = ws.json("cron", "show")
        self.assertEqual(set(shown), {"line", "installed", "log", "marker"})
        self.assertEqual(shown["line"] + "\n", plain)
        self.assertFalse(shown["installed"])
        self.assertIn("--log-timestamps send --due", shown["line"])
        self.assertIn(shlex.quote(shown["log"]), shown["line"])
        self.assertTrue(shown["line"].endswith(shown["marker"]), shown)
        ws.ok("cron", "install")
        self.assertTrue(ws.json("cron", "show")["installed"])
        # A stale line of ours (same marker, another binary) is not the line.
        self.table.write_text(shown["line"].replace("* * * * *", "*/5 * * * *") + "\n")
        self.assertFalse(ws.json("cron", "show")["installed"])
        ws.ok("cron", "install")
        ws.ok("cron", "remove")
        self.assertFalse(ws.json("cron", "show")["installed"])
        # No crontab program: nothing can be installed, and the line is still shown.
        gone = ws.json("cron", "show", env={"MAILER_CRONTAB": str(self.dir / "no-such-crontab")})
        self.assertEqual((gone["line"], gone["installed"]), (shown["line"], False))


if __name__ == "__main__":
    unittest.main()

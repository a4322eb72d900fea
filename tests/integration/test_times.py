"""Time arguments as Russian users type them (issue 7 item 10; SPEC §1): `07.12.2026 09:00`,
a time alone `9:00`, and a date alone, which means 00:00 local time and says so.

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_times.py -v
"""

import json
import unittest

from sendkit import add_message
from workspace import Workspace

EX_DATAERR = 65
NOW = "2026-11-24T14:30:00"  # local (TZ is Europe/Moscow, UTC+3, in every Workspace)
MIDNIGHT_NOTE = "a date alone means 00:00 local time"


class TimeArguments(unittest.TestCase):
    def setUp(self):
        self.ws = self.enterContext(Workspace())
        self.ws.superuser()
        self.client = self.ws.json("client", "add", "ivan@example.com")["id"]
        self.message = add_message(self.ws, "Тема", "Текст")

    def add(self, *options, quiet=False):
        args = (["-q"] if quiet else []) + ["--json", "mailing", "add", "--message", str(self.message),
                                            "--client", str(self.client), *options]
        return self.ws.run(*args, env={"MAILER_NOW": NOW})

    def start_of(self, *options):
        proc = self.add(*options)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return json.loads(proc.stdout)["start_at"]

    def test_the_russian_order_is_the_same_instant_as_iso_8601(self):
        self.assertEqual(self.start_of("--start", "07.12.2026 09:00"), "2026-12-07T09:00:00+03:00")
        self.assertEqual(self.start_of("--start", "7.12.2026 9:05:30"), "2026-12-07T09:05:30+03:00")
        self.assertEqual(self.start_of("--start", "2026-12-07 09:00"), "2026-12-07T09:00:00+03:00")

    def test_a_time_alone_is_today_in_the_local_zone(self):
        self.assertEqual(self.start_of("--start", "18:00"), "2026-11-24T18:00:00+03:00")
        self.assertEqual(self.start_of("--start", "9:00"), "2026-11-24T09:00:00+03:00")

    def test_a_date_alone_means_midnight_and_says_so_unless_quiet(self):
        for text in ("07.12.2026", "2026-12-07"):
            with self.subTest(text=text):
                proc = self.add("--start", text)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(json.loads(proc.stdout)["start_at"], "2026-12-07T00:00:00+03:00")
                self.assertIn("--start: " + MIDNIGHT_NOTE, proc.stderr)
                self.assertIn("2026-12-07 00:00", proc.stderr)
        quiet = self.add("--start", "07.12.2026", quiet=True)
        self.assertEqual((quiet.returncode, quiet.stderr), (0, ""))
        with_time = self.add("--start", "07.12.2026 00:00")
        self.assertNotIn(MIDNIGHT_NOTE, with_time.stderr)

    def test_every_time_option_notes_a_date_alone(self):
        m = self.ws.json("mailing", "add", "--message", str(self.message), "--client", str(self.client),
                         env={"MAILER_NOW": NOW})["id"]
        edit = self.ws.run("mailing", "edit", str(m), "--end", "31.12.2026", env={"MAILER_NOW": NOW})
        self.assertEqual(edit.returncode, 0, edit.stderr)
        self.assertIn("--end: " + MIDNIGHT_NOTE, edit.stderr)
        self.assertEqual(self.ws.json("mailing", "show", str(m))["end_at"], "2026-12-31T00:00:00+03:00")
        report = self.ws.run("report", "attempts", "--since", "24.11.2026", env={"MAILER_NOW": NOW})
        self.assertEqual(report.returncode, 0, report.stderr)
        self.assertIn("--since: " + MIDNIGHT_NOTE, report.stderr)

    def test_malformed_times_are_bad_data_naming_the_option_and_change_nothing(self):
        for text, hint in (("07.12.26 09:00", "four digits"), ("31.11.2026", "2026-11 has 30 days"),
                           ("25:00", "hour"), ("07/12/2026", "24.11.2026 09:00")):
            with self.subTest(text=text):
                proc = self.add("--start", text)
                self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr)
                self.assertRegex(proc.stderr, r"^mailer: --start: invalid time '[^\n]*' \([^\n]+\)\n$")
                self.assertIn(hint, proc.stderr)
        self.assertEqual(self.ws.sql("SELECT count(*) FROM mailing"), [(0,)])


if __name__ == "__main__":
    unittest.main()

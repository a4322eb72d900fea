"""`mailer bounces parse FILE|-` (SPEC §2; issue 12 items 2 and 4): the real binary over real
reports of tests/data/bounces, as text and --json, from a file and from stdin; an auto-reply,
a complaint and a personal reply are no bounce; bytes that are no message and a missing file
are errors naming the file. It needs no session and touches no database.

Run: MAILER_BIN=build/mailer MAILER_SOURCE_DIR=$PWD /usr/bin/python3 tests/integration/test_bounces_parse.py -v
"""

import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import unittest

SOURCE = pathlib.Path(os.environ.get("MAILER_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
DATA = SOURCE / "tests" / "data" / "bounces"
EX_DATA, EX_NOINPUT = 65, 66


class BouncesParse(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = pathlib.Path(tempfile.mkdtemp(prefix="mailer-bounces-"))
        cls.db = cls.root / "never.db"
        # No config, no session: a database path that must never come to exist.
        cls.env = dict(os.environ, HOME=str(cls.root), XDG_CONFIG_HOME=str(cls.root / "config"),
                       XDG_DATA_HOME=str(cls.root / "data"), XDG_STATE_HOME=str(cls.root / "state"),
                       MAILER_CONFIG=str(cls.root / "missing.toml"), MAILER_DB=str(cls.db), NO_COLOR="1")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    def run_parse(self, *args, stdin=None):
        binary = os.environ["MAILER_BIN"]
        proc = subprocess.run([binary, *args], env=self.env, input=stdin if stdin is not None else b"",
                              capture_output=True, timeout=60)
        return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")

    def parse_json(self, name):
        code, out, err = self.run_parse("--json", "bounces", "parse", str(DATA / name))
        self.assertEqual(code, 0, err)
        return json.loads(out)

    def tearDown(self):
        self.assertFalse(self.db.exists(), "bounces parse created a database")

    def test_rfc3464_report_as_json(self):
        rows = self.parse_json("lhost-postfix-02.eml")
        self.assertGreaterEqual(len(rows), 1)
        for row in rows:
            self.assertEqual(set(row), {"recipient", "status", "reason", "severity", "diagnostic"})
            self.assertIn(row["severity"], ("hard", "soft"))
            self.assertIn("@", row["recipient"])

    def test_user_unknown_is_hard_and_mailbox_full_is_soft(self):
        unknown = self.parse_json("lhost-exchange2007-01.eml")
        self.assertEqual([(r["recipient"], r["reason"], r["severity"]) for r in unknown],
                         [("mikeneko@example.co.jp", "userunknown", "hard")])
        full = self.parse_json("lhost-exchange2007-02.eml")
        self.assertEqual([(r["reason"], r["severity"]) for r in full], [("mailboxfull", "soft")])

    def test_exim_free_text_report(self):
        rows = self.parse_json("lhost-mailru-01.eml")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["recipient"], "kijitora@example.jp")
        self.assertEqual(rows[0]["status"], "5.1.1")
        self.assertEqual(rows[0]["reason"], "userunknown")
        self.assertIn("User Unknown", rows[0]["diagnostic"])

    def test_text_output_is_an_aligned_table(self):
        code, out, err = self.run_parse("bounces", "parse", str(DATA / "lhost-qmail-01.eml"))
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["RECIPIENT", "STATUS", "REASON", "SEVERITY", "DIAGNOSTIC"])
        self.assertEqual(len(lines), 2, out)
        self.assertTrue(lines[1].startswith("kijitora@example.ne.jp "), out)
        self.assertIn(" userunknown ", lines[1])
        self.assertIn(" hard ", lines[1])
        # Columns start where the header's do.
        self.assertEqual(lines[1].index(" userunknown ") + 1, lines[0].index("REASON"))

    def test_stdin_gives_the_same_as_the_file(self):
        raw = (DATA / "lhost-yandex-02.eml").read_bytes()
        code, out, err = self.run_parse("bounces", "parse", "-", "--json", stdin=raw)
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out), self.parse_json("lhost-yandex-02.eml"))

    def test_control_characters_in_a_diagnostic_are_escaped(self):
        raw = (DATA / "lhost-postfix-02.eml").read_bytes().replace(b"Diagnostic-Code: smtp;", b"Diagnostic-Code: smtp; \x1b[31m", 1)
        code, out, err = self.run_parse("bounces", "parse", "-", stdin=raw)
        self.assertEqual(code, 0, err)
        self.assertNotIn("\x1b", out)
        self.assertIn("\\x1B[31m", out)

    def test_auto_reply_and_personal_reply_are_no_bounce(self):
        for name, why in (("synthetic-vacation-01.eml", "auto-reply"), ("synthetic-vacation-02.eml", "auto-reply"),
                          ("synthetic-plain-01.eml", "no delivery-status")):
            with self.subTest(name=name):
                self.assertEqual(self.parse_json(name), [])
                code, out, err = self.run_parse("bounces", "parse", str(DATA / name))
                self.assertEqual(code, 0, err)
                self.assertTrue(out.startswith("not a bounce: "), out)
                self.assertIn(why, out)

    def test_feedback_report_is_a_complaint(self):
        rows = self.parse_json("synthetic-arf-01.eml")
        self.assertEqual([(r["recipient"], r["reason"]) for r in rows], [("ann.reader@isp.example.net", "complaint")])

    def test_bytes_that_are_no_message_are_bad_data(self):
        code, out, err = self.run_parse("bounces", "parse", str(DATA / "synthetic-broken-01.bin"))
        self.assertEqual(code, EX_DATA, err)
        self.assertEqual(out, "")
        self.assertRegex(err, r"^mailer: .*synthetic-broken-01\.bin is not an email message \(.+\)\n$")
        code, out, err = self.run_parse("bounces", "parse", "-", stdin=b"")
        self.assertEqual(code, EX_DATA, err)
        self.assertIn("stdin is empty", err)

    def test_missing_file_and_directory_are_not_found(self):
        code, out, err = self.run_parse("bounces", "parse", str(self.root / "nope.eml"))
        self.assertEqual(code, EX_NOINPUT, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn("nope.eml", err)
        code, out, err = self.run_parse("bounces", "parse", str(self.root))
        self.assertEqual(code, EX_NOINPUT, err)
        self.assertIn("is a directory", err)

    def test_the_executable_does_not_link_gmime(self):
        # GMime and GLib cost every start of mailer some 8 ms: only mailer-bounces.so links them.
        ldd = subprocess.run(["ldd", os.environ["MAILER_BIN"]], capture_output=True, text=True)
        if ldd.returncode != 0:
            self.skipTest("ldd failed: " + ldd.stderr)
        self.assertNotIn("libgmime", ldd.stdout)
        self.assertNotIn("libglib", ldd.stdout)

    def test_every_corpus_file_parses_and_agrees_with_expected_tsv(self):
        expected = {}
        for line in (DATA / "expected.tsv").read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line:
                continue
            cells = line.split("\t")
            expected.setdefault(cells[0], []).append((cells[1], cells[2], cells[3]))
        for name in sorted(expected):
            if not name.endswith(".eml"):
                continue
            with self.subTest(name=name):
                rows = self.parse_json(name)
                got = [(r["recipient"], r["reason"], r["severity"]) for r in rows] or [("-", "-", "-")]
                self.assertEqual(got, expected[name])


if __name__ == "__main__":
    unittest.main()

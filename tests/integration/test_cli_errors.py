"""Errors that say what went wrong (issue 7 item 9; SPEC §2, §6): a typo'd command or option
gets a suggestion, a bad argument names itself and the help of the command it was given to,
bare `mailer` prints the help, and output that cannot be written is exit 74.

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_cli_errors.py -v
"""

import os
import signal
import subprocess
import unittest

from workspace import Workspace

EX_USAGE, EX_IOERR = 64, 74

# What CLI11 says in its own words; none of it may reach a user.
LIBRARY_WORDING = ("A subcommand is required", "Could not convert", "The following argument",
                   "not expected", "required TEXT missing", "required INT missing", " excludes ",
                   "not in {", "Run with --help")


class UsageErrors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace()

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)

    def usage_error(self, *args):
        """Runs, asserts 64, an empty stdout and one `mailer: <what> (<hint>)` line; returns
        the line without its newline."""
        proc = self.ws.run(*args)
        self.assertEqual(proc.returncode, EX_USAGE, (args, proc.stderr))
        self.assertEqual(proc.stdout, "", args)
        self.assertRegex(proc.stderr, r"^mailer: [^\n]+ \([^\n]+\)\n$", args)
        for words in LIBRARY_WORDING:
            self.assertNotIn(words, proc.stderr, args)
        return proc.stderr.rstrip("\n")

    def test_a_typo_in_a_command_suggests_the_command(self):
        self.assertEqual(self.usage_error("clinet", "list"),
                         "mailer: unknown command 'clinet' (did you mean 'client'?)")
        self.assertEqual(self.usage_error("sned", "1"),
                         "mailer: unknown command 'sned' (did you mean 'send'?)")
        self.assertEqual(self.usage_error("mesage", "list"),
                         "mailer: unknown command 'mesage' (did you mean 'message'?)")

    def test_a_typo_in_a_subcommand_suggests_the_subcommand(self):
        self.assertEqual(self.usage_error("client", "lsit"),
                         "mailer: unknown command 'client lsit' (did you mean 'client list'?)")
        self.assertEqual(self.usage_error("mailing", "stpo", "1"),
                         "mailer: unknown command 'mailing stpo' (did you mean 'mailing stop'?)")
        # Global options before or after the words change nothing.
        self.assertEqual(self.usage_error("--db", str(self.ws.root / "x.db"), "client", "lsit", "--json"),
                         "mailer: unknown command 'client lsit' (did you mean 'client list'?)")

    def test_a_word_like_no_command_names_the_help_of_where_it_was_typed(self):
        self.assertEqual(self.usage_error("frobnicate"),
                         "mailer: unknown command 'frobnicate' (see `mailer --help`)")
        self.assertEqual(self.usage_error("client", "frobnicate"),
                         "mailer: unknown command 'client frobnicate' (see `mailer client --help`)")

    def test_a_non_numeric_id_says_it_must_be_a_number(self):
        line = self.usage_error("client", "show", "abc")
        self.assertIn("ID must be a number", line)
        self.assertIn("'abc'", line)
        self.assertTrue(line.endswith("(see `mailer client show --help`)"), line)
        self.assertIn("--mailing must be a number",
                      self.usage_error("report", "attempts", "--mailing", "seven"))

    def test_an_unknown_option_is_named_with_a_suggestion(self):
        line = self.usage_error("client", "list", "--serach", "Иван")
        self.assertIn("unknown option '--serach'", line)
        self.assertIn("did you mean '--search'?", line)
        self.assertIn("`mailer client list --help`", line)
        line = self.usage_error("client", "list", "--no-such-option")
        self.assertIn("unknown option '--no-such-option'", line)
        self.assertTrue(line.endswith("(see `mailer client list --help`)"), line)

    def test_every_parse_error_is_one_line_naming_the_argument_and_the_deepest_help(self):
        cases = [
            (("client",), "client", "mailer client"),
            (("client", "show"), "ID", "mailer client show"),
            (("client", "show", "1", "2"), "'2'", "mailer client show"),
            (("--db",), "--db", "mailer"),
            (("mailing", "add", "--start"), "--start", "mailer mailing add"),
            (("report", "attempts", "--status", "lost"), "--status", "mailer report attempts"),
            (("send", "1", "--due"), "--due", "mailer send"),
            (("user", "verify", "a@example.com"), "CODE", "mailer user verify"),
            (("group", "add-member", "G"), "CLIENT_ID", "mailer group add-member"),
        ]
        for args, named, command in cases:
            with self.subTest(args=args):
                line = self.usage_error(*args)
                self.assertIn(named, line)
                self.assertTrue(line.endswith("(see `{} --help`)".format(command)), line)

    def test_a_usage_error_from_a_command_names_its_help(self):
        line = self.usage_error("send")
        self.assertTrue(line.endswith("(see `mailer send --help`)"), line)

    def test_bare_mailer_prints_the_help_on_stdout_and_fails_as_git_does(self):
        for args in ((), ("--json",), ("-q",)):
            with self.subTest(args=args):
                proc = self.ws.run(*args)
                self.assertEqual(proc.returncode, EX_USAGE, proc.stderr)
                self.assertIn("Usage: mailer", proc.stdout)
                for command in ("client", "mailing", "send", "report", "cron"):
                    self.assertIn(command, proc.stdout)
                self.assertEqual(proc.stderr, "")
        self.assertFalse(self.ws.db_path.exists(), "the help must not create the database")

    def test_help_on_request_still_exits_0(self):
        proc = self.ws.run("--help")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("--log-timestamps", proc.stdout)


class OutputErrors(unittest.TestCase):
    """SPEC §6: 74 when the output could not be written."""

    def setUp(self):
        self.ws = self.enterContext(Workspace())
        self.ws.ok("init")

    def run_to(self, stdout, *args, ignore_sigpipe=False, program=os.environ.get("MAILER_BIN")):
        env = dict(os.environ)
        env.update({k: v for k, v in self.ws.env.items() if v is not None})
        for k in [k for k, v in self.ws.env.items() if v is None]:
            env.pop(k, None)

        def child_setup():
            if ignore_sigpipe:
                signal.signal(signal.SIGPIPE, signal.SIG_IGN)

        command = [program, *args] if program else list(args)
        return subprocess.run(command, env=env, stdin=subprocess.DEVNULL,
                              stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60,
                              preexec_fn=child_setup)

    def test_a_full_disk_is_74_with_one_line(self):
        with open("/dev/full", "w") as full:
            for args in (("init",), ("--help",), ("client", "--help")):
                with self.subTest(args=args):
                    proc = self.run_to(full, *args)
                    self.assertEqual(proc.returncode, EX_IOERR, proc.stderr)
                    self.assertRegex(proc.stderr, r"^mailer: cannot write to standard output: [^\n]+\n$")

    def test_a_closed_pipe_ends_quietly_by_sigpipe_or_is_74_when_sigpipe_is_ignored(self):
        for ignore in (False, True):
            with self.subTest(sigpipe_ignored=ignore):
                read_end, write_end = os.pipe()
                os.close(read_end)
                try:
                    proc = self.run_to(write_end, "init", ignore_sigpipe=ignore)
                finally:
                    os.close(write_end)
                if ignore:
                    self.assertEqual(proc.returncode, EX_IOERR, proc.stderr)
                    self.assertRegex(proc.stderr, r"^mailer: cannot write to standard output: [^\n]+\n$")
                else:
                    # As cat or git: killed by SIGPIPE, nothing said.
                    self.assertEqual(proc.returncode, -signal.SIGPIPE, proc.stderr)
                    self.assertEqual(proc.stderr, "")

    def test_nothing_to_write_to_a_closed_stdout_is_no_error(self):
        self.ws.superuser()
        proc = self.run_to(None, "/bin/sh", "-c", 'exec "$0" "$@" >&-', os.environ["MAILER_BIN"],
                           "-q", "client", "add", "quiet@example.com", program=None)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertEqual(self.ws.sql("SELECT email FROM client"), [("quiet@example.com",)])

if __name__ == "__main__":
    unittest.main()

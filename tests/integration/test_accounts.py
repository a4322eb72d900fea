"""Accounts, sessions, roles and the access matrix, end to end through the real binary
(SPEC §2, §4, §6). Verification and reset codes are read from the emails that a real SMTP
server on 127.0.0.1 (mailtest.smtp_server) received, as a user would read them.

    MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_accounts.py -v
"""

import json
import os
import pathlib
import re
import stat
import subprocess
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from mailtest import smtp_server  # noqa: E402
from workspace import PASSWORD, Workspace, pg_server_url, sqlite_only  # noqa: E402

# SPEC §6
EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_UNAVAILABLE, EX_NOPERM, EX_CONFIG = 64, 65, 66, 69, 77, 78

SMTP = None  # one server for the module: starting one costs ~0.3 s


def setUpModule():
    global _smtp_cm, SMTP
    _smtp_cm = smtp_server()
    SMTP = _smtp_cm.__enter__()


def tearDownModule():
    _smtp_cm.__exit__(None, None, None)


class RecordingWorkspace(Workspace):
    """A Workspace that keeps every command's output, to check afterwards that no secret was
    ever printed (SPEC §4)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outputs = []

    def run(self, *args, **kwargs):
        proc = super().run(*args, **kwargs)
        self.outputs.append((args, proc.returncode, proc.stdout, proc.stderr))
        return proc


class Person:
    """One account with its own session folder, so that several users can be logged in to
    the same database at once."""

    def __init__(self, ws, email, password=PASSWORD):
        self.ws = ws
        self.email = email
        self.password = password
        self.state = ws.root / ("state-" + email)
        self.env = {"XDG_STATE_HOME": str(self.state)}

    def run(self, *args, **kwargs):
        env = dict(self.env)
        env.update(kwargs.pop("env", None) or {})
        return self.ws.run(*args, env=env, **kwargs)

    def ok(self, *args, **kwargs):
        proc = self.run(*args, **kwargs)
        if proc.returncode != 0:
            raise AssertionError("{} ran mailer {}: exit {}: {}{}".format(
                self.email, " ".join(map(str, args)), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def json(self, *args, **kwargs):
        return json.loads(self.ok("--json", *args, **kwargs).stdout)

    def login(self, password=None):
        return self.run("login", self.email, "--password-stdin",
                        input=(password or self.password) + "\n")

    def session_file(self):
        files = sorted((self.state / "mailer").glob("session-*"))
        return files[0] if files else None

    def token(self):
        path = self.session_file()
        return path.read_text().strip() if path else None


def database_bytes(ws):
    """Everything the database holds: the SQLite file's bytes, or pg_dump's dump of the
    PostgreSQL database (its rows and schema)."""
    if ws.pg_database:
        return subprocess.run(["pg_dump", "--no-owner", "-d", pg_server_url(ws.pg_database)],
                              capture_output=True, check=True, timeout=60).stdout
    return ws.db_path.read_bytes()


def mails_to(address):
    return [m for m in SMTP.messages() if m["Delivered-To"] == address]


def wait_for_mail_to(address, count, timeout=10):
    """The `count`-th email delivered to `address` (1-based), waiting for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = mails_to(address)
        if len(mails) >= count:
            return mails[count - 1]
        time.sleep(0.05)
    raise AssertionError("no email #{} to {} arrived".format(count, address))


def body_of(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def verification_code(address, count=1):
    """Reads the exact command `mailer user verify EMAIL CODE` from the email and returns
    CODE (SPEC §2)."""
    body = body_of(wait_for_mail_to(address, count))
    match = re.search(r"mailer user verify (\S+) (\S+)", body)
    if not match:
        raise AssertionError("no `mailer user verify` command in:\n" + body)
    if match.group(1) != address:
        raise AssertionError("the command names {}, not {}".format(match.group(1), address))
    return match.group(2)


def register(ws, address, name="", password=PASSWORD):
    """Registers `address` and verifies it with the code from its email; returns a Person."""
    before = len(mails_to(address))
    args = ["user", "register", address, "--password-stdin"]
    if name:
        args += ["--name", name]
    ws.ok(*args, input=password + "\n")
    ws.ok("user", "verify", address, verification_code(address, before + 1))
    person = Person(ws, address, password)
    proc = person.login()
    if proc.returncode != 0:
        raise AssertionError("login {}: {}".format(address, proc.stderr))
    return person


def superuser(ws, address="root@example.com", password=PASSWORD):
    ws.ok("user", "create-superuser", address, "--password-stdin", input=password + "\n")
    person = Person(ws, address, password)
    if person.login().returncode != 0:
        raise AssertionError("superuser login failed")
    return person


class SuperuserSessions(unittest.TestCase):
    """create-superuser, login, whoami, logout and the session file."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(smtp_url=SMTP.url)
        cls.root = superuser(cls.ws, "root@example.com")

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)

    def test_create_superuser_then_login_then_whoami_names_the_account(self):
        """SPEC §2: create-superuser + login store a session; whoami names the user and roles."""
        proc = self.root.ok("whoami")
        self.assertEqual(proc.stdout.strip(), "root@example.com (user,superuser)")
        me = self.root.json("whoami")
        self.assertEqual(me["email"], "root@example.com")
        self.assertIn("superuser", me["roles"])
        self.assertTrue(me["verified"])
        self.assertTrue(me["active"])
        self.assertEqual(self.ws.sql("SELECT email, verified, active FROM account"),
                         [("root@example.com", 1, 1)])

    def test_create_superuser_for_an_existing_email_is_65(self):
        """SPEC §6: an existing account is bad data; no second row is written."""
        proc = self.ws.run("user", "create-superuser", "ROOT@example.com", "--password-stdin",
                           input=PASSWORD + "\n")
        self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr)
        self.assertIn("already exists", proc.stderr)
        self.assertEqual(self.ws.sql("SELECT count(*) FROM account"), [(1,)])

    def test_session_file_is_mode_0600(self):
        """SPEC §4: the session file mailer creates is mode 0600."""
        path = self.root.session_file()
        self.assertIsNotNone(path, "no session file under XDG_STATE_HOME/mailer")
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)

    @sqlite_only("the database file's mode")
    def test_database_file_is_mode_0600(self):
        """SPEC §4: the database file mailer creates is mode 0600."""
        self.assertEqual(stat.S_IMODE(self.ws.db_path.stat().st_mode), 0o600)

    def test_session_token_is_stored_only_hashed(self):
        """SPEC §4: the database holds no session token in clear."""
        token = self.root.token()
        self.assertTrue(token and len(token) >= 32, token)
        hashes = [h for (h,) in self.ws.sql("SELECT token_hash FROM session")]
        self.assertTrue(hashes)
        self.assertNotIn(token, hashes)
        stored = database_bytes(self.ws)
        self.assertIn(hashes[0].encode(), stored)  # what was read holds the session rows
        self.assertNotIn(token.encode(), stored)

    def test_login_with_a_wrong_password_is_77_and_unknown_email_says_the_same(self):
        """SPEC §4, §6: a failed login is 77 and does not tell which part was wrong."""
        stranger = Person(self.ws, "root@example.com")
        stranger.state = self.ws.root / "state-wrong-password"
        stranger.env = {"XDG_STATE_HOME": str(stranger.state)}
        wrong = stranger.login("not the password")
        unknown = stranger.run("login", "nobody@example.com", "--password-stdin", input=PASSWORD + "\n")
        self.assertEqual(wrong.returncode, EX_NOPERM)
        self.assertEqual(unknown.returncode, EX_NOPERM)
        self.assertEqual(wrong.stderr, unknown.stderr)
        self.assertIsNone(stranger.session_file())
        self.assertEqual(stranger.run("whoami").returncode, EX_NOPERM)

    def test_without_a_session_client_list_is_77(self):
        """SPEC §4: every data command needs a session (exit 77), with a hint to log in."""
        nobody = Person(self.ws, "nobody@example.com")
        proc = nobody.run("client", "list")
        self.assertEqual(proc.returncode, EX_NOPERM)
        self.assertEqual(proc.stdout, "")
        self.assertRegex(proc.stderr, r"^mailer: not logged in \(.*mailer login.*\)\n$")
        self.assertEqual(nobody.run("whoami").returncode, EX_NOPERM)

    def test_a_session_belongs_to_one_database(self):
        """Issue 2 §5: a session per database; another database does not accept it."""
        other_db = self.ws.root / "other.db"
        proc = self.root.run("--db", str(other_db), "whoami")
        self.assertEqual(proc.returncode, EX_NOPERM, proc.stderr)
        self.assertEqual(self.root.run("whoami").returncode, 0)

    def test_mailer_token_lets_a_script_act_without_a_session_file(self):
        """Issue 2 (§2 sessions): MAILER_TOKEN names the session for scripts; a forged one is 77."""
        script = Person(self.ws, "script")
        proc = script.run("whoami", env={"MAILER_TOKEN": self.root.token()})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("root@example.com", proc.stdout)
        forged = script.run("whoami", env={"MAILER_TOKEN": "0" * 64})
        self.assertEqual(forged.returncode, EX_NOPERM)

    def test_logout_ends_the_session_in_the_database_not_only_the_file(self):
        """SPEC §2, §4: after logout whoami is 77, and a copy of the old token is dead too."""
        other = Person(self.ws, "root@example.com")
        other.state = self.ws.root / "state-logout"
        other.env = {"XDG_STATE_HOME": str(other.state)}
        self.assertEqual(other.login().returncode, 0)
        token = other.token()
        sessions = self.ws.sql("SELECT count(*) FROM session")[0][0]
        self.assertEqual(other.ok("whoami").stdout.split()[0], "root@example.com")
        other.ok("logout")
        self.assertIsNone(other.session_file())
        self.assertEqual(other.run("whoami").returncode, EX_NOPERM)
        self.assertEqual(other.run("client", "list").returncode, EX_NOPERM)
        reused = other.run("whoami", env={"MAILER_TOKEN": token})
        self.assertEqual(reused.returncode, EX_NOPERM)
        self.assertEqual(self.ws.sql("SELECT count(*) FROM session")[0][0], sessions - 1)
        # The first session of the same account is untouched.
        self.assertEqual(self.root.run("whoami").returncode, 0)


class Registration(unittest.TestCase):
    """user register / verify with the code read from the real SMTP server."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(smtp_url=SMTP.url)

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)

    def register(self, address, name=""):
        before = len(mails_to(address))
        args = ["user", "register", address, "--password-stdin"]
        if name:
            args += ["--name", name]
        proc = self.ws.run(*args, input=PASSWORD + "\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc, verification_code(address, before + 1)

    def test_register_emails_the_exact_verify_command_and_running_it_verifies(self):
        """SPEC §2: the verification email contains `mailer user verify EMAIL CODE`; running it
        verifies the account, which can then log in; before that login is 77."""
        proc, code = self.register("anna@example.com", name="Анна Петрова")
        self.assertNotIn(code, proc.stdout + proc.stderr, "the code must come only by email")
        msg = mails_to("anna@example.com")[-1]
        self.assertEqual(msg["To"], "anna@example.com")
        self.assertIn("Анна Петрова", body_of(msg))
        self.assertIn("mailer user verify anna@example.com " + code, body_of(msg))
        self.assertEqual(self.ws.sql("SELECT verified, roles FROM account WHERE email = 'anna@example.com'"),
                         [(0, "user")])

        anna = Person(self.ws, "anna@example.com")
        early = anna.login()
        self.assertEqual(early.returncode, EX_NOPERM)
        self.assertIsNone(anna.session_file())

        self.ws.ok("user", "verify", "anna@example.com", code)
        self.assertEqual(self.ws.sql("SELECT verified FROM account WHERE email = 'anna@example.com'"), [(1,)])
        self.assertEqual(anna.login().returncode, 0)
        self.assertEqual(anna.ok("whoami").stdout.strip(), "anna@example.com (user)")

    def test_a_verification_code_is_single_use(self):
        """SPEC §4: codes are single-use; the second use is 65."""
        _, code = self.register("boris@example.com")
        self.ws.ok("user", "verify", "boris@example.com", code)
        again = self.ws.run("user", "verify", "boris@example.com", code)
        self.assertEqual(again.returncode, EX_DATAERR)

    def test_a_wrong_code_is_65_and_says_nothing_about_whether_the_account_exists(self):
        """SPEC §4: a wrong code gives the same answer for a real and an unknown account."""
        _, code = self.register("vera@example.com")
        wrong = "000000" if code != "000000" else "111111"
        existing = self.ws.run("user", "verify", "vera@example.com", wrong)
        unknown = self.ws.run("user", "verify", "ghost@example.com", wrong)
        self.assertEqual(existing.returncode, EX_DATAERR)
        self.assertEqual(unknown.returncode, EX_DATAERR)
        self.assertEqual(existing.stderr, unknown.stderr)
        self.assertNotIn("vera@example.com", existing.stderr)
        self.assertNotIn("ghost", unknown.stderr)
        self.assertNotIn("not found", existing.stderr + unknown.stderr)
        # The wrong try did not verify, and the right code still works.
        self.assertEqual(self.ws.sql("SELECT verified FROM account WHERE email = 'vera@example.com'"), [(0,)])
        self.ws.ok("user", "verify", "vera@example.com", code)

    def test_five_wrong_tries_kill_the_code(self):
        """SPEC §4: a code dies after 5 wrong tries; then even the right one is refused."""
        _, code = self.register("gleb@example.com")
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            self.assertEqual(self.ws.run("user", "verify", "gleb@example.com", wrong).returncode, EX_DATAERR)
        right = self.ws.run("user", "verify", "gleb@example.com", code)
        self.assertEqual(right.returncode, EX_DATAERR)
        self.assertEqual(self.ws.sql("SELECT verified FROM account WHERE email = 'gleb@example.com'"), [(0,)])

    def test_a_verification_code_expires_after_24_hours(self):
        """SPEC §4: verification codes expire after 24 h (MAILER_NOW moves the clock)."""
        before = len(mails_to("late@example.com"))
        self.ws.ok("user", "register", "late@example.com", "--password-stdin", input=PASSWORD + "\n",
                   env={"MAILER_NOW": "2026-11-24T09:00"})
        code = verification_code("late@example.com", before + 1)
        late = self.ws.run("user", "verify", "late@example.com", code, env={"MAILER_NOW": "2026-11-25T09:01"})
        self.assertEqual(late.returncode, EX_DATAERR, late.stderr)
        self.assertEqual(self.ws.sql("SELECT verified FROM account WHERE email = 'late@example.com'"), [(0,)])

        before = len(mails_to("intime@example.com"))
        self.ws.ok("user", "register", "intime@example.com", "--password-stdin", input=PASSWORD + "\n",
                   env={"MAILER_NOW": "2026-11-24T09:00"})
        code = verification_code("intime@example.com", before + 1)
        self.ws.ok("user", "verify", "intime@example.com", code, env={"MAILER_NOW": "2026-11-25T08:59"})

    def test_registering_an_invalid_email_is_65_and_sends_nothing(self):
        """SPEC §2, §6: an invalid address is bad data naming the field; nothing is written."""
        before = len(SMTP.message_files())
        proc = self.ws.run("user", "register", "not-an-address", "--password-stdin", input=PASSWORD + "\n")
        self.assertEqual(proc.returncode, EX_DATAERR)
        self.assertRegex(proc.stderr, r"^mailer: EMAIL: invalid email address 'not-an-address'")
        self.assertEqual(self.ws.sql("SELECT count(*) FROM account WHERE email = 'not-an-address'"), [(0,)])
        self.assertEqual(len(SMTP.message_files()), before)

    def test_registering_when_the_smtp_server_is_down_registers_nobody(self):
        """SPEC §6: no SMTP server is 69, and an account that got no code is not created."""
        with Workspace() as down:  # smtp://127.0.0.1:9: nothing listens there
            proc = down.run("user", "register", "dana@example.com", "--password-stdin", input=PASSWORD + "\n")
            self.assertEqual(proc.returncode, EX_UNAVAILABLE, proc.stderr)
            self.assertTrue(proc.stderr.startswith("mailer: "), proc.stderr)
            self.assertEqual(down.sql("SELECT count(*) FROM account"), [(0,)])


class PasswordReset(unittest.TestCase):
    """user reset-password by emailed code (SPEC §2, §4)."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(smtp_url=SMTP.url)

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)

    def request_code(self, address, env=None):
        before = len(mails_to(address))
        proc = self.ws.run("user", "reset-password", address, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        body = body_of(wait_for_mail_to(address, before + 1))
        match = re.search(r"mailer user reset-password (\S+) --code (\S+)", body)
        self.assertIsNotNone(match, body)
        self.assertEqual(match.group(1), address)
        self.assertNotIn(match.group(2), proc.stdout + proc.stderr)
        return match.group(2)

    def test_reset_by_emailed_code_changes_the_password_and_ends_sessions(self):
        """SPEC §2, §4: the emailed code sets a new password; the old one stops working and
        every session of the account ends; the code is single-use."""
        kira = register(self.ws, "kira@example.com")
        self.assertEqual(kira.run("whoami").returncode, 0)
        code = self.request_code("kira@example.com")
        new_password = "новый пароль 2026"
        proc = self.ws.run("user", "reset-password", "kira@example.com", "--code", code, "--password-stdin",
                           input=new_password + "\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(kira.run("whoami").returncode, EX_NOPERM)
        self.assertEqual(kira.run("client", "list").returncode, EX_NOPERM)
        self.assertEqual(kira.login(PASSWORD).returncode, EX_NOPERM)
        self.assertEqual(kira.login(new_password).returncode, 0)
        self.assertEqual(kira.run("whoami").returncode, 0)
        again = self.ws.run("user", "reset-password", "kira@example.com", "--code", code, "--password-stdin",
                            input="another password\n")
        self.assertEqual(again.returncode, EX_DATAERR)
        self.assertEqual(kira.login(new_password).returncode, 0, "a reused code must not change the password")

    def test_a_reset_code_expires_after_an_hour(self):
        """SPEC §4: reset codes expire after 1 h."""
        nina = register(self.ws, "nina@example.com")
        code = self.request_code("nina@example.com", env={"MAILER_NOW": "2026-11-24T09:00"})
        late = self.ws.run("user", "reset-password", "nina@example.com", "--code", code, "--password-stdin",
                           input="too late password\n", env={"MAILER_NOW": "2026-11-24T10:01"})
        self.assertEqual(late.returncode, EX_DATAERR, late.stderr)
        self.assertEqual(nina.run("whoami").returncode, 0)
        self.assertEqual(nina.login("too late password").returncode, EX_NOPERM)

    def test_a_wrong_reset_code_is_65_and_keeps_the_password(self):
        """SPEC §4: a wrong reset code is 65, the same text for an unknown account."""
        lev = register(self.ws, "lev@example.com")
        code = self.request_code("lev@example.com")
        wrong = "000000" if code != "000000" else "111111"
        existing = self.ws.run("user", "reset-password", "lev@example.com", "--code", wrong, "--password-stdin",
                               input="hijacked password\n")
        unknown = self.ws.run("user", "reset-password", "ghost@example.com", "--code", wrong,
                              "--password-stdin", input="hijacked password\n")
        self.assertEqual(existing.returncode, EX_DATAERR)
        self.assertEqual(unknown.returncode, EX_DATAERR)
        self.assertEqual(existing.stderr, unknown.stderr)
        self.assertEqual(lev.run("whoami").returncode, 0)
        self.assertEqual(lev.login("hijacked password").returncode, EX_NOPERM)

    def test_asking_a_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(self):
        """SPEC §4: the request does not reveal whether the account exists."""
        register(self.ws, "mila@example.com")
        before = len(SMTP.message_files())
        unknown = self.ws.run("user", "reset-password", "nobody@example.com")
        self.assertEqual(unknown.returncode, 0, unknown.stderr)
        time.sleep(0.3)
        self.assertEqual(len(SMTP.message_files()), before)
        known = self.ws.run("user", "reset-password", "mila@example.com")
        self.assertEqual(known.returncode, 0)
        self.assertEqual(known.stderr.replace("mila@", "X@"), unknown.stderr.replace("nobody@", "X@"))
        self.assertEqual(known.stdout, unknown.stdout)


class RolesAndBlocking(unittest.TestCase):
    """user list/show/block/unblock (manager) and grant/revoke (superuser) (SPEC §2, §4)."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(smtp_url=SMTP.url)
        cls.root = superuser(cls.ws, "root@example.com")
        cls.mgr = register(cls.ws, "mgr@example.com")
        cls.root.ok("user", "grant", "mgr@example.com", "manager")
        cls.plain = register(cls.ws, "plain@example.com")

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)

    def test_blocking_by_a_manager_ends_sessions_and_stops_login(self):
        """SPEC §2, §4: block ends the user's sessions (whoami 77) and login is 77; unblock
        lets the user log in again."""
        olga = register(self.ws, "olga@example.com")
        self.assertEqual(olga.run("whoami").returncode, 0)
        self.mgr.ok("user", "block", "olga@example.com")
        self.assertEqual(self.ws.sql(
            "SELECT count(*) FROM session s JOIN account u ON u.id = s.user_id WHERE u.email = 'olga@example.com'"),
            [(0,)])
        self.assertEqual(olga.run("whoami").returncode, EX_NOPERM)
        self.assertEqual(olga.run("client", "list").returncode, EX_NOPERM)
        self.assertEqual(olga.login().returncode, EX_NOPERM)
        self.assertEqual(self.mgr.run("user", "show", "nobody@example.com").returncode, EX_NOINPUT)
        shown = self.mgr.json("user", "show", "olga@example.com")
        self.assertFalse(shown["active"])
        self.mgr.ok("user", "unblock", "olga@example.com")
        self.assertEqual(olga.login().returncode, 0)
        self.assertEqual(olga.run("whoami").returncode, 0)

    def test_a_plain_user_cannot_block(self):
        """SPEC §4: block needs the manager role (77); nothing changes."""
        proc = self.plain.run("user", "block", "mgr@example.com")
        self.assertEqual(proc.returncode, EX_NOPERM)
        self.assertIn("permission denied", proc.stderr)
        self.assertEqual(self.ws.sql("SELECT active FROM account WHERE email = 'mgr@example.com'"), [(1,)])
        self.assertEqual(self.mgr.run("whoami").returncode, 0)

    def test_a_manager_cannot_block_a_superuser(self):
        """SPEC §4: a manager may not lock out a superuser (77)."""
        proc = self.mgr.run("user", "block", "root@example.com")
        self.assertEqual(proc.returncode, EX_NOPERM)
        self.assertEqual(self.root.run("whoami").returncode, 0)

    def test_user_list_is_for_managers_only(self):
        """SPEC §4: user list as a plain user is 77; a manager sees every account."""
        proc = self.plain.run("user", "list")
        self.assertEqual(proc.returncode, EX_NOPERM)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(self.plain.run("user", "show", "root@example.com").returncode, EX_NOPERM)
        emails = {u["email"] for u in self.mgr.json("user", "list")}
        self.assertTrue({"root@example.com", "mgr@example.com", "plain@example.com"} <= emails)
        table = self.mgr.ok("user", "list").stdout
        self.assertTrue(table.startswith("ID"), table)
        self.assertIn("plain@example.com", table)

    def test_grant_and_revoke_are_for_the_superuser_only(self):
        """SPEC §4: a manager or user granting is 77; the superuser's grant and revoke take
        effect at the user's next command."""
        denied = self.mgr.run("user", "grant", "plain@example.com", "manager")
        self.assertEqual(denied.returncode, EX_NOPERM)
        self.assertEqual(self.plain.run("user", "grant", "plain@example.com", "superuser").returncode, EX_NOPERM)
        self.assertEqual(self.mgr.run("user", "revoke", "root@example.com", "superuser").returncode, EX_NOPERM)
        self.assertEqual(self.ws.sql("SELECT roles FROM account WHERE email = 'plain@example.com'"), [("user",)])
        self.assertEqual(self.ws.sql("SELECT roles FROM account WHERE email = 'root@example.com'"),
                         [("user,superuser",)])

        self.root.ok("user", "grant", "plain@example.com", "manager")
        self.assertEqual(self.plain.ok("whoami").stdout.strip(), "plain@example.com (user,manager)")
        self.assertEqual(self.plain.run("user", "list").returncode, 0)
        self.root.ok("user", "revoke", "plain@example.com", "manager")
        self.assertEqual(self.plain.ok("whoami").stdout.strip(), "plain@example.com (user)")
        self.assertEqual(self.plain.run("user", "list").returncode, EX_NOPERM)

    def test_grant_of_an_unknown_role_is_a_usage_error(self):
        """SPEC §6: ROLE is one of manager, content-manager, superuser; another is 64."""
        proc = self.root.run("user", "grant", "plain@example.com", "admin")
        self.assertEqual(proc.returncode, EX_USAGE)
        self.assertEqual(self.ws.sql("SELECT roles FROM account WHERE email = 'plain@example.com'"), [("user",)])


class SecretsNeverPrinted(unittest.TestCase):
    """SPEC §4: passwords, their hashes, session tokens and codes never reach stdout/stderr."""

    def test_no_command_prints_a_password_its_hash_or_a_token(self):
        """SPEC §4: run the account commands (also with --json and -v) and search every output."""
        root_pw = "Пароль-суперпользователя-1"
        user_pw = "user-password-xyz"
        new_pw = "brand-new-password-42"
        with RecordingWorkspace(smtp_url=SMTP.url) as ws:
            ws.run("-v", "user", "create-superuser", "root@example.com", "--password-stdin", input=root_pw + "\n")
            ws.run("-v", "--json", "user", "create-superuser", "root2@example.com", "--password-stdin",
                   input=root_pw + "\n")
            root = Person(ws, "root@example.com", root_pw)
            root.run("-v", "login", "root@example.com", "--password-stdin", input=root_pw + "\n")
            root.run("login", "root@example.com", "--password-stdin", input="wrong " + root_pw + "\n")
            root.run("-v", "whoami")
            root.run("--json", "whoami")
            mails_before = len(mails_to("ivan@example.com"))
            ws.run("-v", "--json", "user", "register", "ivan@example.com", "--name", "Иван",
                   "--password-stdin", input=user_pw + "\n")
            code = verification_code("ivan@example.com", mails_before + 1)
            ws.run("-v", "user", "verify", "ivan@example.com", code)
            ivan = Person(ws, "ivan@example.com", user_pw)
            ivan.run("-v", "--json", "login", "ivan@example.com", "--password-stdin", input=user_pw + "\n")
            root.run("-v", "--json", "user", "list")
            root.run("user", "list")
            root.run("-v", "--json", "user", "show", "ivan@example.com")
            root.run("user", "show", "ivan@example.com")
            ws.run("-v", "user", "reset-password", "ivan@example.com")
            body = body_of(wait_for_mail_to("ivan@example.com", mails_before + 2))
            reset_code = re.search(r"--code (\S+)", body).group(1)
            ws.run("-v", "--json", "user", "reset-password", "ivan@example.com", "--code", reset_code,
                   "--password-stdin", input=new_pw + "\n")
            ivan.run("-v", "login", "ivan@example.com", "--password-stdin", input=new_pw + "\n")
            ivan.run("-v", "--json", "whoami")
            root.run("-v", "--json", "user", "block", "ivan@example.com")
            root.run("-v", "--json", "user", "grant", "root2@example.com", "manager")
            root.run("--json", "init")
            secrets = {"root password": root_pw, "user password": user_pw, "new password": new_pw,
                       "verification code": code, "reset code": reset_code,
                       "root token": root.token()}
            for (h,) in ws.sql("SELECT password_hash FROM account"):
                secrets["hash " + h[:20]] = h
                # the salt+hash part alone, as a partial leak
                secrets["hash tail " + h[:20]] = h.rsplit("$", 1)[-1]
            for (h,) in ws.sql("SELECT token_hash FROM session"):
                secrets["token hash"] = h
            self.assertTrue(root.token(), "the superuser should be logged in")
            self.assertEqual(len(ws.outputs), 20)
            failed = [(args, rc, err) for args, rc, _, err in ws.outputs if rc != 0]
            self.assertEqual(len(failed), 1, failed)  # only the login with the wrong password
            self.assertEqual(failed[0][1], EX_NOPERM)
            for args, _, out, err in ws.outputs:
                for what, secret in secrets.items():
                    if what == "verification code" and args[-2:] == ("ivan@example.com", code):
                        continue  # the command line itself holds it; the output must not
                    self.assertNotIn(secret, out, "{} in stdout of {}".format(what, args))
                    self.assertNotIn(secret, err, "{} in stderr of {}".format(what, args))
                self.assertNotIn("$argon2", out + err, args)


class RecordAccessMatrix(unittest.TestCase):
    """SPEC §4: others' clients, messages and mailings for a plain user, a content-manager,
    a manager and a superuser."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(smtp_url=SMTP.url)
        ws = cls.ws
        cls.root = superuser(ws, "root@example.com")
        cls.ann = register(ws, "ann@example.com")
        cls.bob = register(ws, "bob@example.com")
        cls.mgr = register(ws, "mgr@example.com")
        cls.cm = register(ws, "cm@example.com")
        cls.root.ok("user", "grant", "mgr@example.com", "manager")
        cls.root.ok("user", "grant", "cm@example.com", "content-manager")
        cls.client = cls.ann.json("client", "add", "petr@example.com", "--name", "Пётр", "--group", "VIP")["id"]
        cls.message = cls.ann.json("message", "add", "--subject", "Скидки", "--body", "Привет, {{name}}!")["id"]
        cls.mailing = cls.ann.json("mailing", "add", "--message", str(cls.message), "--group", "VIP",
                                   "--name", "Осень", "--start", "2030-01-01T09:00")["id"]
        cls.bob.ok("client", "add", "own@example.com")

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)

    def snapshot(self):
        return (self.ws.sql("SELECT * FROM client ORDER BY id"), self.ws.sql("SELECT * FROM message ORDER BY id"),
                self.ws.sql("SELECT * FROM mailing ORDER BY id"))

    def records(self):
        return [("client", self.client), ("message", self.message), ("mailing", self.mailing)]

    def assert_not_found_like_a_missing_record(self, person, *args, record_id):
        """Same exit and same text (but for the id) as for an id that does not exist."""
        proc = person.run(*args)
        missing = person.run(*[("999999" if a == str(record_id) else a) for a in args])
        self.assertEqual(proc.returncode, EX_NOINPUT, (args, proc.stderr))
        self.assertIn("not found", proc.stderr)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(missing.returncode, EX_NOINPUT)
        self.assertEqual(proc.stderr.replace(str(record_id), "N"), missing.stderr.replace("999999", "N"))
        self.assertNotIn("ann@example.com", proc.stderr)

    def test_a_plain_user_gets_not_found_for_anothers_records(self):
        """SPEC §4: a plain user asking for another user's client/message/mailing gets 66
        "not found", exactly as for a record that does not exist, for show, edit and rm."""
        before = self.snapshot()
        for noun, rid in self.records():
            self.assert_not_found_like_a_missing_record(self.bob, noun, "show", str(rid), record_id=rid)
            self.assert_not_found_like_a_missing_record(self.bob, noun, "rm", str(rid), record_id=rid)
        self.assert_not_found_like_a_missing_record(self.bob, "client", "edit", str(self.client), "--name", "X",
                                                    record_id=self.client)
        self.assert_not_found_like_a_missing_record(self.bob, "message", "edit", str(self.message),
                                                    "--subject", "X", record_id=self.message)
        self.assert_not_found_like_a_missing_record(self.bob, "mailing", "edit", str(self.mailing),
                                                    "--name", "X", record_id=self.mailing)
        self.assertEqual(self.snapshot(), before)

    def test_a_plain_user_cannot_use_anothers_records_in_own_ones(self):
        """SPEC §4: another's message or client used in a mailing or group is "not found" (66)."""
        before = self.ws.sql("SELECT count(*) FROM mailing")
        proc = self.bob.run("mailing", "add", "--message", str(self.message), "--client", "1")
        self.assertEqual(proc.returncode, EX_NOINPUT, proc.stderr)
        self.assertIn("not found", proc.stderr)
        own_message = self.bob.json("message", "add", "--subject", "S", "--body", "B")["id"]
        proc = self.bob.run("mailing", "add", "--message", str(own_message), "--client", str(self.client))
        self.assertEqual(proc.returncode, EX_NOINPUT, proc.stderr)
        self.bob.ok("group", "add", "Друзья")
        proc = self.bob.run("group", "add-member", "Друзья", str(self.client))
        self.assertEqual(proc.returncode, EX_NOINPUT, proc.stderr)
        self.assertEqual(self.ws.sql("SELECT count(*) FROM mailing"), before)
        self.bob.ok("message", "rm", str(own_message))

    def test_a_plain_user_lists_only_own_records_and_list_all_is_77(self):
        """SPEC §2, §4: list shows the caller's records; --all needs a manager (77)."""
        emails = [c["email"] for c in self.bob.json("client", "list")]
        self.assertEqual(emails, ["own@example.com"])
        self.assertEqual(self.bob.json("mailing", "list"), [])
        for noun in ("client", "message", "mailing", "group"):
            proc = self.bob.run(noun, "list", "--all")
            self.assertEqual(proc.returncode, EX_NOPERM, (noun, proc.stderr))

    def test_a_content_manager_cannot_read_anothers_records(self):
        """SPEC §4: content-manager has no read access to others' clients, messages, mailings."""
        for noun, rid in self.records():
            proc = self.cm.run(noun, "show", str(rid))
            self.assertEqual(proc.returncode, EX_NOINPUT, (noun, proc.stderr))
            self.assertIn("not found", proc.stderr)
        self.assertEqual(self.cm.run("client", "list", "--all").returncode, EX_NOPERM)

    def test_a_manager_reads_anothers_records_and_lists_all_with_owner(self):
        """SPEC §2, §4: a manager can show others' records and list --all with the owner."""
        shown = self.mgr.json("client", "show", str(self.client))
        self.assertEqual((shown["email"], shown["name"], shown["owner"]),
                         ("petr@example.com", "Пётр", "ann@example.com"))
        self.assertEqual(self.mgr.json("message", "show", str(self.message))["subject"], "Скидки")
        self.assertEqual(self.mgr.json("mailing", "show", str(self.mailing))["name"], "Осень")
        self.assertIn("petr@example.com", self.mgr.ok("client", "show", str(self.client)).stdout)

        clients = self.mgr.json("client", "list", "--all")
        owners = {c["email"]: c["owner"] for c in clients}
        self.assertEqual(owners.get("petr@example.com"), "ann@example.com")
        self.assertEqual(owners.get("own@example.com"), "bob@example.com")
        table = self.mgr.ok("client", "list", "--all").stdout.splitlines()
        self.assertIn("OWNER", table[0].split())
        petr = next(line for line in table if "petr@example.com" in line)
        self.assertTrue(petr.rstrip().endswith("ann@example.com"), petr)
        mailings = self.mgr.json("mailing", "list", "--all")
        self.assertIn((self.mailing, "ann@example.com"), [(m["id"], m["owner"]) for m in mailings])
        messages = self.mgr.json("message", "list", "--all")
        self.assertIn((self.message, "ann@example.com"), [(m["id"], m["owner"]) for m in messages])
        self.assertIn("ann@example.com", self.mgr.ok("mailing", "list", "--all").stdout)
        # Without --all, only the manager's own (none).
        self.assertEqual(self.mgr.json("client", "list"), [])

    def test_a_manager_changing_anothers_record_is_77(self):
        """SPEC §4: a manager may not edit or rm others' records: "permission denied" (77)."""
        before = self.snapshot()
        attempts = [("client", "edit", str(self.client), "--name", "Взлом"),
                    ("client", "rm", str(self.client)),
                    ("message", "edit", str(self.message), "--subject", "Взлом"),
                    ("message", "rm", str(self.message)),
                    ("mailing", "edit", str(self.mailing), "--name", "Взлом"),
                    ("mailing", "rm", str(self.mailing)),
                    ("mailing", "stop", str(self.mailing))]
        for args in attempts:
            proc = self.mgr.run(*args)
            self.assertEqual(proc.returncode, EX_NOPERM, (args, proc.stderr))
            self.assertIn("permission denied", proc.stderr)
        self.assertEqual(self.snapshot(), before)

    def test_a_superuser_can_edit_anothers_records(self):
        """SPEC §4: a superuser edits others' records; the owner sees the change."""
        try:
            edited = self.root.json("client", "edit", str(self.client), "--comment", "проверено")
            self.assertEqual(edited["comment"], "проверено")
            self.assertEqual(self.ann.json("client", "show", str(self.client))["comment"], "проверено")
            self.root.ok("mailing", "edit", str(self.mailing), "--name", "Осень-2")
            self.assertEqual(self.ws.sql("SELECT name, owner FROM mailing WHERE id = {}".format(self.mailing)),
                             [("Осень-2", self.ws.sql("SELECT id FROM account WHERE email='ann@example.com'")[0][0])])
            self.root.ok("message", "edit", str(self.message), "--subject", "Скидки!")
            self.assertEqual(self.ann.json("message", "show", str(self.message))["subject"], "Скидки!")
        finally:
            self.ann.ok("client", "edit", str(self.client), "--comment", "")
            self.ann.ok("mailing", "edit", str(self.mailing), "--name", "Осень")
            self.ann.ok("message", "edit", str(self.message), "--subject", "Скидки")

    def test_mailing_disable_is_for_managers_and_show_reports_it(self):
        """SPEC §4: disable/enable is 77 for a plain user (even the owner); a manager's
        disable shows in the owner's `mailing show` and list."""
        for person in (self.bob, self.ann, self.cm):
            proc = person.run("mailing", "disable", str(self.mailing))
            self.assertEqual(proc.returncode, EX_NOPERM, (person.email, proc.stderr))
        self.assertEqual(self.ws.sql("SELECT enabled FROM mailing WHERE id = {}".format(self.mailing)), [(1,)])
        try:
            self.mgr.ok("mailing", "disable", str(self.mailing))
            self.assertFalse(self.ann.json("mailing", "show", str(self.mailing))["enabled"])
            text = self.ann.ok("mailing", "show", str(self.mailing)).stdout
            self.assertRegex(text, r"(?m)^enabled:\s+no")
            listing = self.ann.ok("mailing", "list").stdout
            self.assertIn("disabled", listing)
            self.assertEqual(self.ann.run("mailing", "enable", str(self.mailing)).returncode, EX_NOPERM)
            self.mgr.ok("mailing", "enable", str(self.mailing))
            self.assertTrue(self.ann.json("mailing", "show", str(self.mailing))["enabled"])
            self.assertRegex(self.ann.ok("mailing", "show", str(self.mailing)).stdout, r"(?m)^enabled:\s+yes")
        finally:
            self.root.ok("mailing", "enable", str(self.mailing))

    def test_disabling_a_missing_mailing_is_66(self):
        """SPEC §6: a manager disabling a mailing that does not exist gets 66."""
        proc = self.mgr.run("mailing", "disable", "999999")
        self.assertEqual(proc.returncode, EX_NOINPUT)
        self.assertIn("not found", proc.stderr)


if __name__ == "__main__":
    unittest.main()

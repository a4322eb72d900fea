"""Hardening of accounts, sessions, configuration and storage errors (issue 8 §3, §5, §6, §9,
§10; issue 7 §1, §9, §10), end to end through the real binary against smtpd.py on 127.0.0.1.

    MAILER_BIN=build-dev/mailer /usr/bin/python3 tests/integration/test_hardening_accounts.py -v
"""

import base64
import hashlib
import os
import pathlib
import pwd
import re
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from mailtest import smtp_server  # noqa: E402
from sendkit import write_sql  # noqa: E402
from workspace import PASSWORD, Workspace, pg_server_url, sqlite_only  # noqa: E402

EX_DATAERR, EX_NOINPUT, EX_UNAVAILABLE, EX_IOERR, EX_TEMPFAIL, EX_NOPERM, EX_CONFIG = 65, 66, 69, 74, 75, 77, 78

def mails_to(server, address):
    return [m for m in server.messages() if m["Delivered-To"] == address]


def last_body(server, address, count):
    """The text of the `count`-th email to `address`, waiting for it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        mails = mails_to(server, address)
        if len(mails) >= count:
            return mails[count - 1].get_body(preferencelist=("plain",)).get_content()
        time.sleep(0.05)
    raise AssertionError("no email #{} to {}".format(count, address))


def verify_code(server, address, count):
    return re.search(r"mailer user verify \S+ (\d{6})", last_body(server, address, count)).group(1)


def reset_code(server, address, count):
    return re.search(r"--code (\d{6})", last_body(server, address, count)).group(1)


def at(when):
    return {"MAILER_NOW": when}


def run_bare(args, env, input=None):
    """Runs mailer with nothing but `env`, as `env -i` would (the sanitizers' options kept)."""
    full = {k: v for k, v in os.environ.items() if k.endswith("SAN_OPTIONS")}
    full.update(env)
    return subprocess.run([os.environ["MAILER_BIN"], *args], env=full, input=input or "", capture_output=True,
                          text=True, timeout=60)


class RecordingProxy:
    """A TCP relay on 127.0.0.1 in front of a server that keeps every byte the client sent,
    to show what an eavesdropper on the path would read."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sent = bytearray()
        self.lock = threading.Lock()
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return "smtp://127.0.0.1:{}".format(self.port)

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self.sockets += [client, upstream]
            for src, dst, record in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(target=self._pump, args=(src, dst, record), daemon=True).start()

    def _pump(self, src, dst, record):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if record:
                    with self.lock:
                        self.sent.extend(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def client_bytes(self):
        with self.lock:
            return bytes(self.sent)

    def close(self):
        self.listener.close()
        for s in self.sockets:
            s.close()


class PendingRegistrations(unittest.TestCase):
    """Issue 8 §3: a squatter cannot replace a pending registration's password, codes are
    limited per address, wrong tries count across codes, codes are stored keyed."""

    @classmethod
    def setUpClass(cls):
        cls.smtp = cls.enterClassContext(smtp_server())
        cls.ws = cls.enterClassContext(Workspace(smtp_url=cls.smtp.url))

    def register(self, address, password, when, name=None):
        args = ["user", "register", address, "--password-stdin"] + (["--name", name] if name else [])
        return self.ws.run(*args, input=password + "\n", env=at(when))

    def login(self, address, password):
        return self.ws.run("login", address, "--password-stdin", input=password + "\n",
                           env={"XDG_STATE_HOME": str(self.ws.root / ("state-" + address))})

    def test_a_second_registration_does_not_replace_the_first_password(self):
        """Issue 8 §3: the owner registers, a squatter registers the same address again; the
        owner verifies with the newest code; the squatter's password does not log in."""
        owner_pw, squatter_pw = "owner password 1", "squatter password 2"
        self.assertEqual(self.register("anna@example.com", owner_pw, "2027-05-10T10:00", "Анна").returncode, 0)
        again = self.register("anna@example.com", squatter_pw, "2027-05-10T10:05", "Squatter")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("keeps the name and password", again.stderr)
        body = last_body(self.smtp, "anna@example.com", 2)
        self.assertIn("waiting since", body)
        self.ws.ok("user", "verify", "anna@example.com", verify_code(self.smtp, "anna@example.com", 2),
                   env=at("2027-05-10T10:06"))
        self.assertEqual(self.login("anna@example.com", squatter_pw).returncode, EX_NOPERM)
        self.assertEqual(self.login("anna@example.com", owner_pw).returncode, 0)
        self.assertEqual(self.ws.sql("SELECT name FROM account WHERE email = 'anna@example.com'"), [("Анна",)])

    def test_an_unverified_registration_older_than_a_day_is_registered_anew(self):
        """Issue 8 §3: keeping the first password lasts as long as its code; after that the
        address is free again (a squatter cannot hold it for ever)."""
        self.assertEqual(self.register("boris@example.com", "first password", "2027-05-10T10:00").returncode, 0)
        self.assertEqual(self.register("boris@example.com", "second password", "2027-05-11T10:01").returncode, 0)
        self.ws.ok("user", "verify", "boris@example.com", verify_code(self.smtp, "boris@example.com", 2),
                   env=at("2027-05-11T10:02"))
        self.assertEqual(self.login("boris@example.com", "first password").returncode, EX_NOPERM)
        self.assertEqual(self.login("boris@example.com", "second password").returncode, 0)

    def test_at_most_five_verification_codes_an_hour(self):
        """Issue 8 §3: the sixth request within an hour is 75 and sends nothing; an hour
        later it works again."""
        for minute in range(5):
            proc = self.register("vera@example.com", PASSWORD, "2027-05-10T10:0{}".format(minute))
            self.assertEqual(proc.returncode, 0, proc.stderr)
        sixth = self.register("vera@example.com", PASSWORD, "2027-05-10T10:30")
        self.assertEqual(sixth.returncode, EX_TEMPFAIL, sixth.stderr)
        self.assertRegex(sixth.stderr, r"^mailer: too many codes asked for vera@example\.com .*\(.*\)\n$")
        time.sleep(0.3)
        self.assertEqual(len(mails_to(self.smtp, "vera@example.com")), 5)
        self.assertEqual(self.register("vera@example.com", PASSWORD, "2027-05-10T11:01").returncode, 0)
        self.assertEqual(len(mails_to(self.smtp, "vera@example.com")), 6)

    def test_wrong_tries_count_across_codes(self):
        """Issue 8 §3: five wrong codes, then a new code: even the right one is refused within
        the hour, with the same words as for an unknown account; an hour later it works."""
        self.assertEqual(self.register("gleb@example.com", PASSWORD, "2027-05-10T10:00").returncode, 0)
        first = verify_code(self.smtp, "gleb@example.com", 1)
        wrong = "000000" if first != "000000" else "111111"
        for _ in range(5):
            proc = self.ws.run("user", "verify", "gleb@example.com", wrong, env=at("2027-05-10T10:01"))
            self.assertEqual(proc.returncode, EX_DATAERR)
        self.assertEqual(self.register("gleb@example.com", PASSWORD, "2027-05-10T10:02").returncode, 0)
        code = verify_code(self.smtp, "gleb@example.com", 2)
        locked = self.ws.run("user", "verify", "gleb@example.com", code, env=at("2027-05-10T10:03"))
        unknown = self.ws.run("user", "verify", "nobody@example.com", code, env=at("2027-05-10T10:03"))
        self.assertEqual(locked.returncode, EX_DATAERR, locked.stderr)
        self.assertEqual(locked.stderr, unknown.stderr)
        self.assertEqual(self.ws.sql("SELECT verified FROM account WHERE email = 'gleb@example.com'"), [(0,)])
        self.ws.ok("user", "verify", "gleb@example.com", code, env=at("2027-05-10T11:02"))

    def test_reset_codes_follow_the_same_limits(self):
        """Issue 8 §3: reset requests are limited too (the same answer for an unknown address),
        and wrong reset codes count across codes."""
        self.ws.ok("user", "create-superuser", "lev@example.com", "--password-stdin", input=PASSWORD + "\n")
        for minute in range(5):
            for address in ("lev@example.com", "ghost@example.com"):
                proc = self.ws.run("user", "reset-password", address, env=at("2027-05-10T10:0{}".format(minute)))
                self.assertEqual(proc.returncode, 0, proc.stderr)
        known = self.ws.run("user", "reset-password", "lev@example.com", env=at("2027-05-10T10:10"))
        ghost = self.ws.run("user", "reset-password", "ghost@example.com", env=at("2027-05-10T10:10"))
        self.assertEqual(known.returncode, EX_TEMPFAIL, known.stderr)
        self.assertEqual(ghost.returncode, EX_TEMPFAIL, ghost.stderr)
        self.assertEqual(known.stderr.replace("lev@", "X@"), ghost.stderr.replace("ghost@", "X@"))

        code = reset_code(self.smtp, "lev@example.com", 5)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            proc = self.ws.run("user", "reset-password", "lev@example.com", "--code", wrong, "--password-stdin",
                               input="hijacked password\n", env=at("2027-05-10T10:11"))
            self.assertEqual(proc.returncode, EX_DATAERR)
        self.ws.ok("user", "reset-password", "lev@example.com", env=at("2027-05-10T11:05"))
        fresh = reset_code(self.smtp, "lev@example.com", 6)
        locked = self.ws.run("user", "reset-password", "lev@example.com", "--code", fresh, "--password-stdin",
                             input="new password 42\n", env=at("2027-05-10T11:06"))
        self.assertEqual(locked.returncode, EX_DATAERR, "a new code gave new tries")
        self.assertEqual(self.login("lev@example.com", "new password 42").returncode, EX_NOPERM)
        proc = self.ws.run("user", "reset-password", "lev@example.com", "--code", fresh, "--password-stdin",
                           input="new password 42\n", env=at("2027-05-10T11:12"))
        self.assertEqual(proc.returncode, 0, proc.stderr)  # the wrong tries are an hour old
        self.assertEqual(self.login("lev@example.com", "new password 42").returncode, 0)

    def test_codes_are_stored_keyed_with_the_installation_secret(self):
        """Issue 8 §3: the stored hash is not an unkeyed hash of the code; it depends on the
        installation secret, which is kept apart from the tracking key."""
        self.assertEqual(self.register("dina@example.com", PASSWORD, "2027-05-10T10:00").returncode, 0)
        code = verify_code(self.smtp, "dina@example.com", 1)
        (uid, stored), = self.ws.sql("SELECT u.id, c.code_hash FROM user_code c JOIN account u ON u.id = c.user_id "
                                     "WHERE u.email = 'dina@example.com'")
        unkeyed = {hashlib.blake2b("{}:verify:{}".format(uid, code).encode(), digest_size=32).hexdigest(),
                   hashlib.blake2b(code.encode(), digest_size=32).hexdigest(),
                   hashlib.sha256(code.encode()).hexdigest(), code}
        self.assertNotIn(stored, unkeyed)
        keys = dict(self.ws.sql("SELECT key, value FROM setting"))
        self.assertRegex(keys.get("code_key", ""), r"^[0-9a-f]{64}$")
        self.assertNotIn(code, keys["code_key"])
        # Another installation's secret does not accept this code.
        write_sql(self.ws, "UPDATE setting SET value = ? WHERE key = 'code_key'", ("ab" * 32,))
        try:
            proc = self.ws.run("user", "verify", "dina@example.com", code, env=at("2027-05-10T10:01"))
            self.assertEqual(proc.returncode, EX_DATAERR, proc.stderr)
        finally:
            write_sql(self.ws, "UPDATE setting SET value = ? WHERE key = 'code_key'", (keys["code_key"],))


class SmtpLoginSafety(unittest.TestCase):
    """Issue 8 §5, §6 and issue 7 §1: the SMTP password goes only over TLS (unless chosen),
    only when it is set, and never into a URL that gets printed."""

    def test_no_login_goes_to_a_server_without_starttls(self):
        """Issue 8 §5: with a username and a server that offers no STARTTLS (as after an
        attacker stripped it), mailer stops before AUTH: the server never sees it."""
        with smtp_server(auth="shop:S3cretPW") as server:
            proxy = RecordingProxy(server.port)
            self.addCleanup(proxy.close)
            with Workspace(smtp_url=proxy.url, username="shop", password_env="TEST_SMTP_PASSWORD") as ws:
                env = {"TEST_SMTP_PASSWORD": "S3cretPW"}
                proc = ws.run("user", "register", "ann@example.com", "--password-stdin", input=PASSWORD + "\n",
                              env=env)
                self.assertEqual(proc.returncode, EX_UNAVAILABLE, proc.stderr)
                self.assertIn("TLS", proc.stderr)
                self.assertEqual(ws.sql("SELECT count(*) FROM account"), [(0,)])
                ws.superuser()
                client = ws.json("client", "add", "ivan@example.com")["id"]
                message = ws.json("message", "add", "--subject", "S", "--body", "B")["id"]
                mailing = ws.json("mailing", "add", "--message", str(message), "--client", str(client))["id"]
                sent = ws.run("send", str(mailing), env=env)
                self.assertEqual(sent.returncode, EX_UNAVAILABLE, sent.stdout + sent.stderr)
            wire = proxy.client_bytes()
            self.assertIn(b"EHLO", wire)
            self.assertNotIn(b"AUTH", wire.upper())
            for secret in (b"S3cretPW", base64.b64encode(b"\0shop\0S3cretPW"), base64.b64encode(b"S3cretPW")):
                self.assertNotIn(secret, wire)
            self.assertEqual(server.events("message"), [])

    def test_tls_none_is_the_explicit_choice_to_log_in_in_clear(self):
        """Issue 8 §5: smtp.tls = "none" lets a login go to a server without TLS."""
        with smtp_server(auth="shop:S3cretPW") as server, \
                Workspace(smtp_url=server.url, username="shop", password_env="TEST_SMTP_PASSWORD",
                          tls="none") as ws:
            proc = ws.run("user", "register", "ann@example.com", "--password-stdin", input=PASSWORD + "\n",
                          env={"TEST_SMTP_PASSWORD": "S3cretPW"})
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(len(server.messages()), 1)

    def test_smtp_tls_must_match_the_url(self):
        """Issue 8 §5: starttls|implicit|none; a value that contradicts the scheme is 78
        naming file, line and key."""
        cases = [("smtp://127.0.0.1:25", "implicit", "smtps://"), ("smtps://127.0.0.1:465", "starttls", "smtp://"),
                 ("smtps://127.0.0.1:465", "none", "smtps://"), ("smtp://127.0.0.1:25", "tls1.3", "must be")]
        for url, tls, words in cases:
            with Workspace(smtp_url=url, tls=tls) as ws:
                proc = ws.run("init")
                self.assertEqual(proc.returncode, EX_CONFIG, (url, tls, proc.stderr))
                self.assertRegex(proc.stderr, r"mailer\.toml:\d+: smtp\.tls: ")
                self.assertIn(words, proc.stderr)
        for url, tls in (("smtp://127.0.0.1:25", "starttls"), ("smtp://127.0.0.1:25", "none"),
                         ("smtps://127.0.0.1:465", "implicit")):
            with Workspace(smtp_url=url, tls=tls) as ws:
                self.assertEqual(ws.run("init").returncode, 0, (url, tls))

    def test_a_username_without_its_password_is_a_config_error_before_connecting(self):
        """Issue 7 §1: smtp.username set and the password variable unset or empty: 78 before
        any connection, for every command that would use SMTP, and no other."""
        with smtp_server(auth="shop:S3cretPW") as server, \
                Workspace(smtp_url=server.url, username="shop", password_env="TEST_SMTP_PASSWORD",
                          tls="none") as ws:
            for env in ({}, {"TEST_SMTP_PASSWORD": ""}):
                proc = ws.run("user", "register", "ann@example.com", "--password-stdin",
                              input=PASSWORD + "\n", env=env)
                self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
                self.assertRegex(proc.stderr, r"mailer\.toml:\d+: smtp\.username is set but \$TEST_SMTP_PASSWORD")
            ws.superuser()
            client = ws.json("client", "add", "ivan@example.com")["id"]
            message = ws.json("message", "add", "--subject", "S", "--body", "B")["id"]
            mailing = ws.json("mailing", "add", "--message", str(message), "--client", str(client))["id"]
            self.assertEqual(ws.run("user", "reset-password", "owner@example.com").returncode, EX_CONFIG)
            sent = ws.run("send", str(mailing))
            self.assertEqual(sent.returncode, EX_CONFIG, sent.stdout + sent.stderr)
            self.assertEqual(server.connections(), 0)
            self.assertEqual(ws.sql("SELECT count(*) FROM attempt"), [(0,)])

    def test_a_password_in_the_url_is_refused_and_never_printed(self):
        """Issue 8 §6: user information in smtp.url (or imap.url) is 78 at load, and the
        password appears in no output."""
        with Workspace(smtp_url="smtp://shop:S3cretPW@127.0.0.1:1") as ws:
            proc = ws.run("init")
            self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
            self.assertIn("use smtp.username and smtp.password_env", proc.stderr)
            self.assertNotIn("S3cretPW", proc.stdout + proc.stderr)
            sent = ws.run("send", "--due")
            self.assertEqual(sent.returncode, EX_CONFIG)
            self.assertNotIn("S3cretPW", sent.stdout + sent.stderr)
        with Workspace(extra_config='[imap]\nurl = "imaps://box:Pa55@imap.example.com/INBOX"\n') as ws:
            proc = ws.run("init")
            self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
            self.assertRegex(proc.stderr, r"mailer\.toml:\d+: imap\.url: ")
            self.assertNotIn("Pa55", proc.stderr)


class ConfigHardening(unittest.TestCase):
    """Issue 8 §6, §10: control characters and oversized values in the config, a config path
    that is a directory."""

    def test_control_characters_in_any_config_string_are_78(self):
        cases = [('[smtp]\nusername = "shop\\r\\nRSET"\n', "smtp.username"),
                 ('[tracking]\nbase_url = "https://mail.example.com/\\u001b[31m"\n', "tracking.base_url"),
                 ('[smtp]\npassword_env = "PW\\u0007"\n', "smtp.password_env"),
                 ('[database]\npath = "mail\\u0085er.db"\n', "database.path")]
        for text, key in cases:
            with Workspace() as ws:
                ws.config_path.write_text(text, encoding="utf-8")
                proc = ws.run("init")
                self.assertEqual(proc.returncode, EX_CONFIG, (text, proc.stderr))
                self.assertRegex(proc.stderr, r"mailer\.toml:2: {}: contains a line break or a control character"
                                 .format(re.escape(key)))
                self.assertFalse(ws.db_path.exists())

    def test_oversized_values_are_78(self):
        with Workspace(extra_config='[tracking]\nbase_url = "https://mail.example.com/{}"\n'.format("a" * 190)) as ws:
            proc = ws.run("init")
            self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
            self.assertRegex(proc.stderr, r"tracking\.base_url: longer than 200 bytes")
        with Workspace(username="u" * 5000) as ws:
            proc = ws.run("init")
            self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
            self.assertIn("smtp.username: longer than 4096 bytes", proc.stderr)

    def test_a_config_path_that_is_a_directory_is_78(self):
        with Workspace() as ws:
            folder = ws.root / "conf.d"
            folder.mkdir()
            proc = ws.run("init", env={"MAILER_CONFIG": str(folder)})
            self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
            self.assertIn("is a directory", proc.stderr)


class StorageErrors(unittest.TestCase):
    """Issue 7 §9, issue 8 §10: files that are not mailer's database, and a damaged one."""

    def setUp(self):
        self.ws = self.enterContext(Workspace())

    def test_a_text_file_is_not_a_mailer_database(self):
        path = self.ws.root / "notes.txt"
        path.write_text("shopping list\n" * 500)
        before = path.read_bytes()
        proc = self.ws.run("--db", str(path), "init")
        self.assertEqual(proc.returncode, EX_NOINPUT, proc.stderr)
        self.assertIn("not a mailer database", proc.stderr)
        self.assertEqual(path.read_bytes(), before)

    def test_another_programs_sqlite_database_is_refused_not_migrated_into(self):
        path = self.ws.root / "other.db"
        con = sqlite3.connect(str(path))
        con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        con.execute("INSERT INTO notes (text) VALUES ('keep me')")
        con.commit()
        con.close()
        proc = self.ws.run("--db", str(path), "init")
        self.assertEqual(proc.returncode, EX_NOINPUT, proc.stderr)
        self.assertIn("not a mailer database", proc.stderr)
        con = sqlite3.connect(str(path))
        tables = [name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        version = con.execute("PRAGMA user_version").fetchone()[0]
        con.close()
        self.assertEqual((tables, version), (["notes"], 0))

    @sqlite_only("damages the SQLite file's first page")
    def test_a_damaged_database_is_74_with_a_hint(self):
        self.ws.superuser()
        with open(self.ws.db_path, "r+b") as f:
            f.seek(100)  # the first page's b-tree header, after the file header
            f.write(b"\xff" * 300)
        proc = self.ws.run("client", "list")
        self.assertEqual(proc.returncode, EX_IOERR, proc.stderr)
        self.assertRegex(proc.stderr, r"^mailer: database .* is damaged: .*malformed \(restore it from a backup")


class SessionFiles(unittest.TestCase):
    """Issue 8 §9, §10: where sessions live without HOME, a state directory that is not
    private, a planted symlink, and sessions that expire."""

    def setUp(self):
        self.ws = self.enterContext(Workspace())
        self.ws.ok("user", "create-superuser", "root@example.com", "--password-stdin", input=PASSWORD + "\n")
        self.state = self.ws.root / "state-root"
        self.env = {"XDG_STATE_HOME": str(self.state)}

    def login(self, **env):
        return self.ws.run("login", "root@example.com", "--password-stdin", input=PASSWORD + "\n",
                           env=dict(self.env, **env))

    def test_without_home_the_session_goes_to_the_users_home(self):
        """Issue 8 §9: no HOME and no XDG variables (cron, `env -i`): the session goes under the
        home of the password database's entry, never /tmp/.local."""
        db = pg_server_url(self.ws.pg_database) if self.ws.pg_database else str(self.ws.db_path)
        name = "session-" + hashlib.blake2b(db.encode(), digest_size=32).hexdigest()[:16]
        home_state = pathlib.Path(pwd.getpwuid(os.getuid()).pw_dir) / ".local" / "state" / "mailer"
        tmp_state = pathlib.Path("/tmp/.local/state/mailer")
        created = [p for p in (home_state.parent.parent, home_state.parent, home_state,
                               tmp_state.parent.parent, tmp_state.parent, tmp_state) if not p.exists()]
        target, tmp_target = home_state / name, tmp_state / name

        def cleanup():
            for p in (target, tmp_target):
                if p.exists():
                    p.unlink()
            for p in reversed(created):
                if p.exists() and not any(p.iterdir()):
                    p.rmdir()
        self.addCleanup(cleanup)
        bare = {"PATH": "/usr/bin:/bin", "TZ": "Europe/Moscow", "MAILER_DB": db}
        proc = run_bare(["login", "root@example.com", "--password-stdin"], bare, input=PASSWORD + "\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertFalse(tmp_target.exists(), "the session went to /tmp/.local")
        self.assertTrue(target.exists(), "no session under {}".format(home_state))
        self.assertEqual(stat.S_IMODE(target.stat().st_mode), 0o600)
        whoami = run_bare(["whoami"], bare)
        self.assertEqual(whoami.stdout.strip(), "root@example.com (user,superuser)", whoami.stderr)

    def test_a_planted_symlink_does_not_redirect_the_session_file(self):
        """Issue 8 §9: another user's symlink in place of the temporary file (or the session
        file) is neither followed nor overwritten through."""
        self.assertEqual(self.login().returncode, 0)
        session = next((self.state / "mailer").glob("session-*"))
        self.ws.ok("logout", env=self.env)
        victim = self.ws.root / "victim.txt"
        victim.write_text("precious\n")
        os.symlink(victim, str(session) + ".tmp")
        os.symlink(victim, session)
        self.assertEqual(self.login().returncode, 0)
        self.assertEqual(victim.read_text(), "precious\n")
        self.assertFalse(session.is_symlink())
        self.assertEqual(self.ws.run("whoami", env=self.env).returncode, 0)

    def test_a_state_directory_that_is_not_private_is_refused(self):
        """Issue 8 §9: a state directory owned by another user, writable by others, or a
        symlink: 77 naming it, and no session is written there."""
        mailer_dir = self.state / "mailer"
        mailer_dir.mkdir(parents=True)
        os.chown(mailer_dir, 65534, 65534)
        proc = self.login()
        self.assertEqual(proc.returncode, EX_NOPERM, proc.stderr)
        self.assertIn("owned by another user", proc.stderr)
        self.assertEqual(list(mailer_dir.iterdir()), [])
        os.chown(mailer_dir, os.getuid(), os.getgid())
        os.chmod(mailer_dir, 0o777)
        proc = self.login()
        self.assertEqual(proc.returncode, EX_NOPERM, proc.stderr)
        self.assertIn("writable by other users", proc.stderr)
        self.assertEqual(list(mailer_dir.iterdir()), [])
        mailer_dir.rmdir()
        elsewhere = self.ws.root / "elsewhere"
        elsewhere.mkdir(mode=0o700)
        os.symlink(elsewhere, mailer_dir)
        proc = self.login()
        self.assertEqual(proc.returncode, EX_NOPERM, proc.stderr)
        self.assertIn("symbolic link", proc.stderr)
        self.assertEqual(list(elsewhere.iterdir()), [])

    def test_sessions_expire_after_session_max_age_days(self):
        """Issue 8 §10: a session older than session.max_age_days (default 30) is refused, and
        a login deletes the old rows."""
        self.assertEqual(self.login().returncode, 0)
        self.age_sessions(days=29)
        self.assertEqual(self.ws.run("whoami", env=self.env).returncode, 0)
        self.age_sessions(days=2)
        proc = self.ws.run("whoami", env=self.env)
        self.assertEqual(proc.returncode, EX_NOPERM, proc.stderr)
        self.assertIn("expired", proc.stderr)
        self.assertEqual(self.login().returncode, 0)
        self.assertEqual(self.ws.sql("SELECT count(*) FROM session"), [(1,)])
        with open(self.ws.config_path, "a", encoding="utf-8") as f:
            f.write("[session]\nmax_age_days = 2\n")
        self.age_sessions(days=1)
        self.assertEqual(self.ws.run("whoami", env=self.env).returncode, 0)
        self.age_sessions(days=1.1)
        self.assertEqual(self.ws.run("whoami", env=self.env).returncode, EX_NOPERM)

    def age_sessions(self, days):
        write_sql(self.ws, "UPDATE session SET created_at = created_at - ?", (int(days * 86400),))

    def test_the_data_directory_is_made_only_with_the_database(self):
        """Issue 8 §9: loading the config creates nothing; the default database's folder is
        made, mode 0700, when the database is."""
        data = self.ws.root / "fresh-data"
        env = dict(self.env, MAILER_CONFIG=None, XDG_CONFIG_HOME=str(self.ws.root / "no-config"),
                   XDG_DATA_HOME=str(data))
        proc = self.ws.run("logout", env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertFalse(data.exists(), "logout made {}".format(data))
        proc = self.ws.run("init", env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), str(data / "mailer" / "mailer.db"))
        self.assertEqual(stat.S_IMODE((data / "mailer").stat().st_mode), 0o700)


class AccountOutput(unittest.TestCase):
    """Issue 7 §10: login names the stored address, logout --json is an object, roles are an
    array in JSON."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace()
        cls.ws.ok("user", "create-superuser", "Root@Пример.РФ", "--password-stdin", input=PASSWORD + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)

    def test_login_prints_the_address_as_stored(self):
        proc = self.ws.run("login", "root@ПРИМЕР.рф", "--password-stdin", input=PASSWORD + "\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "logged in as Root@пример.рф\n")

    def test_logout_json_is_an_object(self):
        self.ws.ok("login", "root@пример.рф", "--password-stdin", input=PASSWORD + "\n")
        self.assertEqual(self.ws.json("logout"), {"logged_out": True, "email": "Root@пример.рф"})
        self.assertEqual(self.ws.json("logout"), {"logged_out": False, "email": None})

    def test_roles_are_an_array_in_json(self):
        self.ws.ok("login", "root@пример.рф", "--password-stdin", input=PASSWORD + "\n")
        self.assertEqual(self.ws.json("whoami")["roles"], ["user", "superuser"])
        self.assertEqual(self.ws.json("user", "show", "Root@пример.рф")["roles"], ["user", "superuser"])
        self.assertEqual([u["roles"] for u in self.ws.json("user", "list")], [["user", "superuser"]])
        self.assertEqual(self.ws.ok("whoami").stdout, "Root@пример.рф (user,superuser)\n")


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/python3
"""A real IMAP server on 127.0.0.1 for mailer's integration tests: Debian's dovecot-imapd,
started as a process of the test with a config of its own in a temporary directory.

    with Dovecot() as imap:
        imap.deliver(b"From: ...\\r\\n\\r\\nbody")       # a file in the maildir's new/
        imap.url                                       # imap://127.0.0.1:PORT/INBOX
        imap.user, imap.password
        imap.messages()                                # [(uid, flags, bytes)] over IMAP

Plain authentication over loopback without TLS (ssl = no), one passwd-file user, its maildir
under the temporary directory, the log in DIR/dovecot.log. dovecot runs in the foreground
(`dovecot -F -c CONFIG`) and is stopped (SIGTERM, then SIGKILL) when the block ends. As root,
its login and internal processes run as the existing users dovenull and dovecot; otherwise as
the caller. Every wait is bounded.
"""

import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "bounces"
PASSWORD = "imap-secret-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available():
    """True when dovecot is installed (scripts/install-deps installs dovecot-imapd)."""
    return os.access(DOVECOT, os.X_OK)


class Dovecot:
    def __init__(self, root=None):
        self._own_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="mailer-dovecot-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.user, self.password = USER, PASSWORD
        self.url = "imap://127.0.0.1:{}/INBOX".format(self.port)
        self.maildir = self.root / "mail" / USER / "Maildir"
        self.log = self.root / "dovecot.log"
        self.proc = None
        self._seq = 0

    def _config(self):
        me = pwd.getpwuid(os.getuid())
        if os.getuid() == 0:
            # Dovecot refuses to give mail to root: the mail belongs to the dovecot user.
            login_user, internal_user = "dovenull", "dovecot"
            owner = pwd.getpwnam("dovecot")
            uid, gid = owner.pw_uid, owner.pw_gid
        else:
            login_user = internal_user = me.pw_name
            uid, gid = me.pw_uid, me.pw_gid
        passwd = self.root / "passwd"
        home = self.root / "mail" / USER
        passwd.write_text("{}:{{PLAIN}}{}:{}:{}::{}::\n".format(USER, PASSWORD, uid, gid, home))
        conf = self.root / "dovecot.conf"
        conf.write_text("""\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = mailer-test-{port}
log_path = {log}
info_log_path = {log}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {passwd}
}}
userdb {{
  driver = passwd-file
  args = {passwd}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""".format(root=self.root, port=self.port, log=self.log, login_user=login_user,
           internal_user=internal_user, uid=uid, gid=gid, passwd=passwd))
        for d in ("run", "state", "mail"):
            (self.root / d).mkdir(exist_ok=True)
        for sub in ("new", "cur", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        if os.getuid() == 0:
            # The login processes (dovenull) must reach the run directory's sockets.
            os.chmod(self.root, 0o755)
            os.chmod(self.root / "run", 0o755)
        self._owner = (uid, gid)
        if os.getuid() == 0:
            for path in [home, home.parent, self.maildir] + [self.maildir / s for s in ("new", "cur", "tmp")]:
                os.chown(path, uid, gid)
        return conf

    def start(self, timeout=15):
        conf = self._config()
        with open(self.root / "stderr", "wb") as err:
            self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dovecot exited with {}: {}{}".format(
                    self.proc.returncode, (self.root / "stderr").read_text(errors="replace"),
                    self.log.read_text(errors="replace") if self.log.exists() else ""))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.settimeout(2)
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("dovecot did not listen on port {} within {} s".format(self.port, timeout))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    # Loading messages.
    def deliver(self, content):
        """Writes one message straight into the maildir (new/), as a delivering MTA does; dovecot
        gives it a UID when a client next looks. Returns the file's path."""
        if isinstance(content, str):
            content = content.encode("utf-8")
        self._seq += 1
        name = "{}.M{}P{}.mailer-test".format(int(time.time()), self._seq, os.getpid())
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(content)
        if os.getuid() == 0:
            os.chown(tmp, *self._owner)
        final = self.maildir / "new" / name
        os.rename(tmp, final)
        return final

    def append(self, content, flags=""):
        """IMAP APPEND (slower than deliver(), but the message has its UID on return)."""
        if isinstance(content, str):
            content = content.encode("utf-8")
        with self.client() as c:
            typ, data = c.append("INBOX", flags or None, None, content)
            assert typ == "OK", data

    # Reading back over IMAP, as a user of the mailbox would.
    def client(self):
        c = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        c.login(self.user, self.password)
        return _Session(c)

    def messages(self):
        """Every message of INBOX: [(uid, set of flags, bytes)], by UID."""
        out = []
        with self.client() as c:
            c.select("INBOX")
            typ, data = c.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            assert typ == "OK", data
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head = item[0].decode()
                uid = int(head.split("UID ", 1)[1].split()[0])
                flags = set(head.split("FLAGS (", 1)[1].split(")", 1)[0].split())
                out.append((uid, flags, item[1]))
        return sorted(out)

    def count(self):
        with self.client() as c:
            typ, data = c.select("INBOX")
            assert typ == "OK", data
            return int(data[0])


class _Session:
    def __init__(self, imap):
        self.imap = imap

    def __enter__(self):
        return self.imap

    def __exit__(self, *exc):
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


if __name__ == "__main__":
    # A smoke check by hand: python3 dovecot.py
    with Dovecot() as d:
        d.deliver(b"From: a@example.com\r\nSubject: one\r\n\r\nbody\r\n")
        d.append(b"From: b@example.com\r\nSubject: two\r\n\r\nbody\r\n")
        for uid, flags, data in d.messages():
            print(uid, sorted(flags), len(data))

"""Helpers for mailer's integration tests (stdlib unittest only).

    from mailtest import smtp_server, run_mailer

    with smtp_server() as smtp:                      # smtpd.py on a free port, in a temp dir
        proc = run_mailer(["send", "1"], env={"MAILER_DB": db})
        msgs = smtp.messages()                       # email.message.EmailMessage objects

smtpd.py needs Debian's python3-aiosmtpd, so it always runs under /usr/bin/python3 (override
with MAILTEST_PYTHON); the tests themselves may run under any python3. MAILER_BIN names the
binary under test. MAILTEST_KEEP=1 keeps each server's temp dir for a post-mortem.
"""

import contextlib
import email
import email.policy
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
SMTPD = HERE / "smtpd.py"
SERVER_PYTHON = os.environ.get("MAILTEST_PYTHON", "/usr/bin/python3")
START_TIMEOUT_S = 15


class SmtpServer:
    """A running smtpd.py: where it listens and what it received."""

    def __init__(self, port, root, proc):
        self.port = port
        self.host = "127.0.0.1"
        self.root = pathlib.Path(root)
        self.maildir = self.root / "maildir"
        self.log_path = self.root / "log.jsonl"
        self.proc = proc

    @property
    def url(self):
        return "smtp://{}:{}".format(self.host, self.port)

    def message_files(self):
        """Paths of the stored copies, oldest first (Maildir names start with the time)."""
        files = []
        for sub in ("new", "cur"):
            d = self.maildir / sub
            if d.is_dir():
                files.extend(p for p in d.iterdir() if p.is_file())
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def raw_messages(self):
        """The stored copies as bytes (CRLF kept), each starting with Return-Path and
        Delivered-To as smtpd.py prepends them."""
        return [p.read_bytes() for p in self.message_files()]

    def messages(self):
        """The stored copies parsed by Python's email package; msg["Delivered-To"] is the
        envelope recipient of that copy."""
        return [email.message_from_bytes(b, policy=email.policy.default)
                for b in self.raw_messages()]

    def events(self, kind=None):
        """The server's event log (dicts); kind filters: connect, message, reject, drop."""
        if not self.log_path.exists():
            return []
        with open(self.log_path, encoding="utf-8") as f:
            events = [json.loads(line) for line in f if line.strip()]
        return [e for e in events if kind is None or e["event"] == kind]

    def connections(self):
        """How many connections the server has accepted so far."""
        return len(self.events("connect"))

    def wait_for_messages(self, count, timeout=10):
        """Polls until `count` copies are stored; returns them parsed (fewer on timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.message_files()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages()


@contextlib.contextmanager
def smtp_server(auth=None, fail_first=0, slow_seconds=None, extra_args=()):
    """Starts smtpd.py on 127.0.0.1 and a free port, yields a SmtpServer, stops it at exit.

    auth="user:pass" requires AUTH; fail_first=N answers 421 to the first N connections;
    slow_seconds sets the delay for "slow..." recipients.
    """
    root = tempfile.mkdtemp(prefix="mailtest-")
    port_file = os.path.join(root, "port")
    cmd = [SERVER_PYTHON, str(SMTPD), "--port", "0", "--maildir",
           os.path.join(root, "maildir"), "--port-file", port_file]
    if auth is not None:
        cmd += ["--auth", auth]
    if fail_first:
        cmd += ["--fail-first", str(fail_first)]
    if slow_seconds is not None:
        cmd += ["--slow-seconds", str(slow_seconds)]
    cmd += list(extra_args)
    stderr_path = os.path.join(root, "smtpd.stderr")
    with open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
    try:
        port = _wait_for_port(proc, port_file, stderr_path)
        yield SmtpServer(port, root, proc)
    finally:
        _stop(proc)
        if not os.environ.get("MAILTEST_KEEP"):
            shutil.rmtree(root, ignore_errors=True)


def _wait_for_port(proc, port_file, stderr_path):
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if os.path.exists(port_file):
            with open(port_file) as f:
                return int(f.read())
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    with open(stderr_path, errors="replace") as f:
        output = f.read()
    raise RuntimeError("smtpd.py did not start (exit status {}): {}".format(
        proc.poll(), output.strip() or "no output"))


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_mailer(args, env=None, input=None, timeout=60, check=False):
    """Runs $MAILER_BIN with args; returns the CompletedProcess (text stdout and stderr).

    env adds to (does not replace) this process's environment; a value of None removes
    that variable. input is text for stdin (stdin is empty otherwise).
    """
    binary = os.environ.get("MAILER_BIN")
    if not binary:
        raise RuntimeError("MAILER_BIN is not set: point it at the mailer binary under test")
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = str(value)
    return subprocess.run([binary, *map(str, args)], env=full_env,
                          input="" if input is None else input, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, check=check)

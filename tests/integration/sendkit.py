"""Shared steps of the sending tests (test_send.py, test_send_failures.py, test_cron.py):
records created through the CLI as a user would, and what a user can read back.

    with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
        ws.superuser()
        ids = add_clients(ws, [("ivan@example.com", "Иван")], group="vip")
        msg = add_message(ws, "Hi {{name}}", "Hello {{name}}")
        m = add_mailing(ws, msg, groups=["vip"])
        proc = ws.run("send", str(m["id"]))
"""

import collections
import csv
import io
import os
import re
import socket
import sqlite3
import subprocess

# `send`'s summary line (SPEC §2: one line in every case).
SUMMARY = re.compile(r"^sent (\d+), bounced (\d+), deferred (\d+), failed (\d+) in [0-9.]+ s "
                     r"\([0-9.]+ msgs/s\)$", re.M)

# A fixed local clock for MAILER_NOW (TZ is Europe/Moscow in every Workspace).
T0 = "2027-03-01T10:00:00"


def add_clients(ws, people, group=None, env=None):
    """Imports (email, name) pairs through `client import -` (CSV on stdin); returns
    {email: id}."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["email", "name", "comment"])
    for email, name in people:
        writer.writerow([email, name, ""])
    args = ["client", "import", "-"]
    if group:
        args += ["--group", group]
    ws.ok(*args, input=buf.getvalue(), env=env)
    ids = {}
    for c in ws.json("client", "list", env=env):
        ids[c["email"]] = c["id"]
    return {email: ids[email] for email, _ in people}


def add_message(ws, subject, body, html=None, env=None):
    """Creates a message (with an HTML part from a file when html is given); returns its id."""
    args = ["message", "add", "--subject", subject, "--body", body]
    if html is not None:
        path = ws.root / "body{}.html".format(len(list(ws.root.glob("body*.html"))))
        path.write_text(html, encoding="utf-8")
        args += ["--html-file", str(path)]
    return ws.json(*args, env=env)["id"]


def add_mailing(ws, message, clients=(), groups=(), start=None, end=None, every=None, now=None,
                env=None):
    """Creates a mailing; returns its --json object. now sets MAILER_NOW for the command."""
    args = ["mailing", "add", "--message", str(message)]
    for c in clients:
        args += ["--client", str(c)]
    for g in groups:
        args += ["--group", g]
    if start:
        args += ["--start", start]
    if end:
        args += ["--end", end]
    if every:
        args += ["--every", every]
    env = dict(env or {})
    if now:
        env["MAILER_NOW"] = now
    return ws.json(*args, env=env)


def at(now):
    """The env for a command run at MAILER_NOW=now (local time)."""
    return {"MAILER_NOW": now}


def attempts(ws, mailing=None, env=None):
    """`report attempts --json` (optionally of one mailing), oldest first."""
    args = ["report", "attempts"]
    if mailing is not None:
        args += ["--mailing", str(mailing)]
    return ws.json(*args, env=env)


def mailing(ws, mailing_id, env=None):
    return ws.json("mailing", "show", str(mailing_id), env=env)


def copies(smtp):
    """How many copies each envelope recipient received: Counter {address: n}."""
    counts = collections.Counter()
    for raw in smtp.raw_messages():
        head = raw.split(b"\r\n", 2)
        # smtpd.py prepends Return-Path then Delivered-To.
        assert head[1].startswith(b"Delivered-To: "), head[:2]
        counts[head[1][len(b"Delivered-To: "):].decode("utf-8")] += 1
    return counts


def write_sql(ws, query, params=()):
    """Changes the database directly, as an administrator with sqlite3 (or psql) would."""
    if ws.pg_database:
        # psql has no parameters: each ? becomes its value as an SQL literal.
        pieces = query.split("?")
        literal = lambda v: "NULL" if v is None else str(v) if isinstance(v, int) else \
            "'" + str(v).replace("'", "''") + "'"
        ws.sql(pieces[0] + "".join(literal(v) + rest for v, rest in zip(params, pieces[1:])))
        return
    con = sqlite3.connect(str(ws.db_path), timeout=10)
    try:
        with con:
            con.execute(query, params)
    finally:
        con.close()


def unused_port():
    """A TCP port on 127.0.0.1 where nothing listens (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def set_smtp_url(ws, url):
    """Points the workspace's config at another SMTP server."""
    text = ws.config_path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("[smtp]\n")
    rest = re.sub(r'^url = .*$', 'url = "{}"'.format(url), rest, count=1, flags=re.M)
    ws.config_path.write_text(head + sep + rest, encoding="utf-8")


def spawn(ws, *args, env=None):
    """Starts mailer in the background (for kill -9 and overlap tests); a Popen with text
    stdout and stderr pipes."""
    binary = os.environ.get("MAILER_BIN")
    if not binary:
        raise RuntimeError("MAILER_BIN is not set: point it at the mailer binary under test")
    full_env = dict(os.environ)
    for key, value in {**ws.env, **(env or {})}.items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = str(value)
    return subprocess.Popen([binary, *map(str, args)], env=full_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8")


def summary(stdout):
    """The numbers of `send`'s summary line: {"sent": n, "bounced": n, ...}, or None."""
    match = SUMMARY.search(stdout)
    if match is None:
        return None
    return dict(zip(("sent", "bounced", "deferred", "failed"), map(int, match.groups())))

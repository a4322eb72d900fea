"""A throwaway mailer installation for integration tests: its own HOME/XDG folders, config,
database and session, so tests never touch the user's files or each other's.

    from workspace import Workspace
    with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
        ws.superuser("owner@example.com")          # created and logged in
        ws.ok("client", "add", "ivan@example.com", "--name", "Иван")
        proc = ws.run("client", "show", "99")      # CompletedProcess
        data = ws.json("client", "list")           # parsed --json output

MAILER_TEST_BACKEND=postgres puts each workspace's database on PostgreSQL instead of SQLite:
a database of its own, copied from the migrated template on the server whose URL the file
MAILER_TEST_PG_URL_FILE holds (ctest's fixture "postgres", tests/integration/postgres.py), and
dropped at exit. Tests of what SQLite alone has (its file, journal, locks) are @sqlite_only.
"""

import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

from mailtest import run_mailer

PASSWORD = "correct horse battery"
BACKEND = os.environ.get("MAILER_TEST_BACKEND", "sqlite")
_counter = [0]


def sqlite_only(reason):
    """Skips a test of SQLite's own on PostgreSQL, saying why."""
    return unittest.skipIf(BACKEND == "postgres", "SQLite only: " + reason)


def postgres_only(reason):
    """Skips a test of PostgreSQL's fleet on SQLite, saying why."""
    return unittest.skipIf(BACKEND != "postgres", "PostgreSQL only: " + reason)


def pg_server_url(dbname):
    """The test server's URL of database dbname."""
    url_file = os.environ.get("MAILER_TEST_PG_URL_FILE")
    if not url_file or not os.path.exists(url_file):
        raise RuntimeError("MAILER_TEST_BACKEND=postgres needs MAILER_TEST_PG_URL_FILE (ctest's fixture "
                           "\"postgres\" writes it)")
    base = pathlib.Path(url_file).read_text().strip()
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + dbname))


def pg_psql(dbname, sql):
    """Runs sql on dbname as the server's superuser; rows as tuples, integers as int."""
    # An argument is at most 128 KiB (MAX_ARG_STRLEN): a longer statement goes on stdin.
    long = len(sql.encode("utf-8")) > 64 * 1024
    proc = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-R", "\x1d", "-P", "null=\x1e", "-v",
                           "ON_ERROR_STOP=1", "-d", pg_server_url(dbname)] + (["-f", "-"] if long else ["-c", sql]),
                          input=sql if long else None, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError("psql on {}: {}: {}".format(dbname, sql, proc.stderr))
    rows = []
    out = proc.stdout[:-1] if proc.stdout.endswith("\n") else proc.stdout
    for line in out.split("\x1d") if out else []:
        if line == "" and sql.lstrip().upper().startswith(("CREATE", "DROP", "UPDATE", "DELETE", "INSERT")):
            continue
        values = []
        for v in line.split("\x1f"):
            if v == "\x1e":
                values.append(None)
            elif v.lstrip("-").isdigit():
                values.append(int(v))
            elif v in ("t", "f"):  # a boolean, as SQLite's 1 and 0
                values.append(1 if v == "t" else 0)
            else:
                values.append(v)
        rows.append(tuple(values))
    return rows


class Workspace:
    def __init__(self, smtp_url="smtp://127.0.0.1:9", extra_config="", connections=2, **config):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="mailer-it-"))
        self.config_path = self.root / "mailer.toml"
        self.db_path = self.root / "mailer.db"
        self.env = {
            "HOME": str(self.root),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_STATE_HOME": str(self.root / "state"),
            "XDG_DATA_HOME": str(self.root / "data"),
            "MAILER_CONFIG": str(self.config_path),
            "MAILER_DB": None,
            "MAILER_TOKEN": None,
            "MAILER_NOW": None,
            "TZ": "Europe/Moscow",
            "NO_COLOR": "1",
        }
        self.pg_database = None
        database = 'path = "mailer.db"'
        if BACKEND == "postgres":
            _counter[0] += 1
            self.pg_database = "it_{}_{}".format(os.getpid(), _counter[0])
            pg_psql("postgres", "CREATE DATABASE {} TEMPLATE mailer_template".format(self.pg_database))
            database = "url = {}".format(json.dumps(pg_server_url(self.pg_database)))
        lines = ["[database]", database, "[smtp]", 'url = "{}"'.format(smtp_url),
                 'from = "Магазин <news@shop.example>"', "connections = {}".format(connections),
                 "timeout_s = {}".format(config.pop("timeout_s", 10))]
        for key, value in config.items():
            lines.append("{} = {}".format(key, json.dumps(value)))
        self.config_path.write_text("\n".join(lines) + "\n" + extra_config, encoding="utf-8")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not os.environ.get("MAILTEST_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)
            if self.pg_database:
                pg_psql("postgres", "DROP DATABASE IF EXISTS {} WITH (FORCE)".format(self.pg_database))

    def run(self, *args, input=None, env=None, timeout=60):
        merged = dict(self.env)
        merged.update(env or {})
        return run_mailer(list(args), env=merged, input=input, timeout=timeout)

    def ok(self, *args, **kwargs):
        """Runs and asserts exit 0; returns the CompletedProcess."""
        proc = self.run(*args, **kwargs)
        if proc.returncode != 0:
            raise AssertionError("mailer {} exited {}: {}{}".format(
                " ".join(map(str, args)), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def json(self, *args, **kwargs):
        return json.loads(self.ok("--json", *args, **kwargs).stdout)

    def superuser(self, email="owner@example.com", password=PASSWORD):
        self.ok("user", "create-superuser", email, "--password-stdin", input=password + "\n")
        self.login(email, password)

    def login(self, email, password=PASSWORD):
        self.ok("login", email, "--password-stdin", input=password + "\n")

    def sql(self, query):
        """Reads the database directly (sqlite3 module, or psql) to check what was or was not written."""
        if self.pg_database:
            return pg_psql(self.pg_database, query)
        import sqlite3
        con = sqlite3.connect(str(self.db_path))
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()

"""A throwaway mailer installation for integration tests: its own HOME/XDG folders, config,
database and session, so tests never touch the user's files or each other's.

    from workspace import Workspace
    with smtp_server() as smtp, Workspace(smtp_url=smtp.url) as ws:
        ws.superuser("owner@example.com")          # created and logged in
        ws.ok("client", "add", "ivan@example.com", "--name", "Иван")
        proc = ws.run("client", "show", "99")      # CompletedProcess
        data = ws.json("client", "list")           # parsed --json output
"""

import json
import os
import pathlib
import shutil
import tempfile

from mailtest import run_mailer

PASSWORD = "correct horse battery"


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
        lines = ["[database]", 'path = "mailer.db"', "[smtp]", 'url = "{}"'.format(smtp_url),
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
        """Reads the database directly (sqlite3 module) to check what was or was not written."""
        import sqlite3
        con = sqlite3.connect(str(self.db_path))
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()

#!/usr/bin/python3
"""A real PostgreSQL server for mailer's integration tests: Debian's postgresql 15, a cluster of
its own in a temporary directory, reachable only over a Unix socket in that directory (no TCP).

    with PostgresServer() as pg:
        pg.create_database("t1")
        pg.url("t1")          # postgresql://postgres@/t1?host=/tmp/mailer-pg-XXXX/s&port=54321
        pg.psql("SELECT 1", "t1")                     # psql's stdout
        pg.drop_database("t1")

As a ctest fixture (the server outlives the script; its data, socket and log live under DIR):

    postgres.py start DIR     # writes DIR/url (database `postgres`) and prints it
    postgres.py stop DIR      # stops it, removes DIR/url; exits 0 when none runs

MAILER_TEST_PG=off makes `start` write nothing (and remove a stale DIR/url): tests that find no
url skip PostgreSQL. Durability is off (-F, fsync, synchronous_commit, full_page_writes): a
test's cluster is thrown away, and the machine's two cores are better spent elsewhere.

initdb and pg_ctl refuse to run as root, and CI runs as root: then they run as the Debian
package's user `postgres` (or a system user `mailer-pg`, made when that is absent) through
`runuser`, in a directory chowned to it; root still reaches the socket. The superuser is always
`postgres` (initdb -U postgres), with trust authentication. Each server has its own socket
directory, so servers of parallel tests cannot collide even on one port; ports are still
picked distinct (54320 and up, skipping those of running postmasters and of TCP listeners) so
that logs and URLs tell them apart. Every wait is bounded.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path


def _pg_bin():
    env = os.environ.get("MAILER_PG_BIN")
    if env:
        return Path(env)
    # The newest installed major version (Debian installs each under its number).
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    found.sort(key=lambda b: int(b.parent.name) if b.parent.name.isdigit() else 0)
    return found[-1] if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
PSQL = shutil.which("psql") or str(PG_BIN / "psql")
SUPERUSER = "postgres"
FALLBACK_USER = "mailer-pg"
FIRST_PORT = 54320
# sun_path is 108 bytes with its NUL; the socket's name is "/.s.PGSQL.NNNNN".
MAX_SOCKET_DIR = 107 - len("/.s.PGSQL.65535")

_ports_given = set()  # ports handed out by this process, not yet known to the lock files


def available():
    """True when the server's tools are installed (package postgresql) and psql is found."""
    return all(os.access(PG_BIN / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")) and \
        os.access(PSQL, os.X_OK)


def enabled():
    """False when MAILER_TEST_PG=off asks the tests to leave PostgreSQL out."""
    return os.environ.get("MAILER_TEST_PG", "").lower() != "off"


def _clean_env():
    # PGDATA, PGPORT, PGHOST... of the caller must not redirect the tools to another cluster.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _server_user():
    """The user initdb and pg_ctl run as: None for the caller itself, else a name for runuser."""
    if os.geteuid() != 0:
        return None
    for name in (SUPERUSER, FALLBACK_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    # Another test may create it at the same moment: its failure is fine if the user is there.
    subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                    "--shell", "/usr/sbin/nologin", FALLBACK_USER],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
    pwd.getpwnam(FALLBACK_USER)  # KeyError here: useradd failed and nobody else made it
    return FALLBACK_USER


def _postmaster_ports():
    """The ports of the postmasters running on this machine (any user's), from their argv."""
    ports = set()
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            argv = Path(cmdline).read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith((b"/postgres", b"/postmaster")):
            for flag, value in zip(argv, argv[1:]):
                if flag == b"-p" and value.isdigit():
                    ports.add(int(value))
    return ports


def _port_taken(port, running):
    if port in _ports_given or port in running or os.path.exists("/tmp/.s.PGSQL.{}.lock".format(port)):
        return True
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _free_port():
    # The socket's directory alone keeps servers apart (two tests starting at the same moment may
    # still pick one port, harmlessly); distinct ports tell their logs and URLs apart, and keep
    # them apart should one ever listen on TCP.
    running = _postmaster_ports()
    for port in range(FIRST_PORT, FIRST_PORT + 1000):
        if not _port_taken(port, running):
            _ports_given.add(port)
            return port
    raise RuntimeError("no free port in {}..{}".format(FIRST_PORT, FIRST_PORT + 999))


def _tail(path, limit=6000):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as e:
        return "({}: {})".format(path, e)
    return text if len(text) <= limit else "...\n" + text[-limit:]


def _quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


class PostgresServer:
    """One cluster. root: its directory (made, and removed at exit, when not given)."""

    def __init__(self, root=None, port=None):
        self._own_root = root is None
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="mailer-pg-"))
        self.root = self.root.resolve()
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = port
        self.socket_dir = self.root / "s"
        self._short_socket_dir = None  # made in /tmp when root is too deep for a socket's path
        self.user = None

    # Running the tools.
    def _run(self, cmd, timeout, check=True):
        if self.user:
            cmd = ["runuser", "-u", self.user, "--"] + cmd
        # cwd: the tools chdir back and forth, and the caller's may be closed to the server's user.
        proc = subprocess.run(cmd, cwd=self.root, env=_clean_env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        if check and proc.returncode != 0:
            raise RuntimeError("{} exited with {}:\n{}\nlog {}:\n{}".format(
                " ".join(cmd), proc.returncode, proc.stdout.decode(errors="replace"), self.log,
                _tail(self.log)))
        return proc

    def _prepare(self):
        self.user = _server_user()
        self.root.mkdir(parents=True, exist_ok=True)
        if len(str(self.socket_dir)) > MAX_SOCKET_DIR:
            self._short_socket_dir = Path(tempfile.mkdtemp(prefix="mailer-pgs-"))
            self.socket_dir = self._short_socket_dir
        self.socket_dir.mkdir(exist_ok=True)
        dirs = [self.root, self.socket_dir]
        for d in dirs:
            os.chmod(d, 0o755)  # the socket's directory: others may enter (the data stays 0700)
        if self.user:
            owner = pwd.getpwnam(self.user)
            for d in dirs:
                os.chown(d, owner.pw_uid, owner.pw_gid)
            if self.log.exists():
                os.chown(self.log, owner.pw_uid, owner.pw_gid)
            probe = subprocess.run(["runuser", "-u", self.user, "--", "test", "-w", str(self.root)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
            if probe.returncode != 0:
                raise RuntimeError("user {} cannot write to {}: a directory above it is closed to others "
                                   "(give a directory under /tmp, or chmod o+x its parents)".format(
                                       self.user, self.root))

    def start(self, timeout=30):
        """initdb, then pg_ctl start; returns self once the server accepts connections."""
        if not available():
            raise RuntimeError("PostgreSQL server tools not found in {} (package postgresql), or no psql"
                               .format(PG_BIN))
        self._prepare()
        if self.port is None:
            self.port = _free_port()
        self._run([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                   "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"], timeout=180)
        options = ("-F -k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -p {}").format(self.socket_dir, self.port)
        try:
            # -w -t: pg_ctl waits until the server accepts connections, at most timeout seconds.
            self._run([str(PG_BIN / "pg_ctl"), "start", "-D", str(self.data), "-l", str(self.log), "-w",
                       "-t", str(timeout), "-o", options], timeout=timeout + 15)
        except RuntimeError as e:
            self.stop()
            raise RuntimeError("PostgreSQL did not start on {}: {}".format(self.socket_dir, e)) from None
        except subprocess.TimeoutExpired:
            self.stop()
            raise RuntimeError("PostgreSQL did not start within {} s on {}; log {}:\n{}".format(
                timeout, self.socket_dir, self.log, _tail(self.log))) from None
        return self

    @classmethod
    def attach(cls, root):
        """The server started earlier under root (by `postgres.py start`), or None if none runs."""
        server = cls(root)
        pid_file = server.data / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid, port, socket_dir = int(lines[0]), int(lines[3]), lines[4]
        except (OSError, IndexError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, another user's
        server.port, server.socket_dir = port, Path(socket_dir)
        if server.socket_dir.parent == Path(tempfile.gettempdir()) and \
                server.socket_dir.name.startswith("mailer-pgs-"):
            server._short_socket_dir = server.socket_dir
        server.user = _server_user()
        return server

    def stop(self):
        """pg_ctl stop -m immediate (a test's cluster needs no clean shutdown); kills it if that fails."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            try:
                proc = self._run([str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate",
                                  "-w", "-t", "30"], timeout=45, check=False)
                failed = proc.returncode != 0 and pid_file.exists()
            except subprocess.TimeoutExpired:
                failed = True
            if failed:
                try:
                    os.kill(int(pid_file.read_text().split()[0]), 9)
                except (OSError, ValueError, IndexError):
                    pass
        if self._short_socket_dir:
            shutil.rmtree(self._short_socket_dir, ignore_errors=True)
        _ports_given.discard(self.port)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.__exit__()  # __exit__ is not called when __enter__ raises
            raise

    def __exit__(self, *exc):
        self.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    # Using it.
    def url(self, dbname="postgres"):
        """A libpq URL of the database dbname over the socket, as superuser `postgres`."""
        return "postgresql://{}@/{}?host={}&port={}".format(
            SUPERUSER, urllib.parse.quote(dbname, safe=""),
            urllib.parse.quote(str(self.socket_dir), safe="/"), self.port)

    def psql(self, sql, db="postgres", timeout=60):
        """Runs sql (any number of statements) in db, stopping at the first error; returns stdout
        (unaligned, tuples only: `SELECT 1` gives "1\\n")."""
        cmd = [PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.url(db), "-f", "-"]
        proc = subprocess.run(cmd, input=sql.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=_clean_env(), timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError("psql {} failed ({}): {}".format(db, proc.returncode,
                                                                 proc.stderr.decode(errors="replace")))
        return proc.stdout.decode()

    def create_database(self, name):
        self.psql("CREATE DATABASE {}".format(_quote_ident(name)))

    def drop_database(self, name):
        """Drops name if it is there, closing its connections first."""
        self.psql("DROP DATABASE IF EXISTS {} WITH (FORCE)".format(_quote_ident(name)))


# Script mode, for a ctest fixture.
def _start(root, template_with=None):
    url_file = root / "url"
    if not enabled():
        url_file.unlink(missing_ok=True)
        print("MAILER_TEST_PG=off: no PostgreSQL server", file=sys.stderr)
        return 0
    running = PostgresServer.attach(root)
    if running:
        url = running.url()
        try:
            running.psql("SELECT 1")
        except (RuntimeError, subprocess.TimeoutExpired):
            running.stop()  # there, but not answering: start afresh
            running = None
    if not running:
        url_file.unlink(missing_ok=True)
        shutil.rmtree(root / "data", ignore_errors=True)
        server = PostgresServer(root).start()
        url = server.url()
    if template_with:
        make_template(running or server, template_with)
    url_file.write_text(url + "\n")
    print(url)
    return 0


def make_template(server, mailer_bin, name="mailer_template"):
    """A database migrated by `mailer init` and marked a template, which tests copy (CREATE
    DATABASE ... TEMPLATE) instead of migrating a database each."""
    server.psql("UPDATE pg_database SET datistemplate = false WHERE datname = '{}'".format(name))
    server.drop_database(name)
    server.create_database(name)
    with tempfile.TemporaryDirectory(prefix="mailer-pg-template-") as home:
        env = dict(_clean_env(), HOME=home, XDG_CONFIG_HOME=home, XDG_DATA_HOME=home, XDG_STATE_HOME=home)
        proc = subprocess.run([mailer_bin, "init", "--db", server.url(name)], env=env, timeout=60,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise RuntimeError("mailer init on {} failed ({}): {}".format(
                name, proc.returncode, proc.stderr.decode(errors="replace")))
    # Migrated and empty, as a new SQLite database is: init's tracking key goes.
    server.psql("DELETE FROM setting", db=name)
    server.psql("UPDATE pg_database SET datistemplate = true WHERE datname = '{}'".format(name))


def _stop(root):
    server = PostgresServer.attach(root)
    if server:
        server.stop()
    (root / "url").unlink(missing_ok=True)
    shutil.rmtree(root / "data", ignore_errors=True)
    return 0


def main(argv):
    template_with = None
    if len(argv) == 5 and argv[1] == "start" and argv[3] == "--template-with":
        template_with = argv[4]
        argv = argv[:3]
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print("usage: postgres.py start DIR [--template-with MAILER_BIN] | stop DIR", file=sys.stderr)
        return 2
    root = Path(argv[2])
    if argv[1] == "start":
        root.mkdir(parents=True, exist_ok=True)
        return _start(root.resolve(), template_with)
    return _stop(root.resolve()) if root.exists() else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print("postgres.py: {}".format(e), file=sys.stderr)
        sys.exit(1)

"""`cmake --install` and `cpack -G DEB` put mailer where a Debian system looks for it.

Run by ctest with MAILER_BUILD_DIR (a configured and built tree), CMAKE_COMMAND and
CPACK_COMMAND in the environment.
"""

import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import unittest

BUILD = pathlib.Path(os.environ.get("MAILER_BUILD_DIR", "build")).resolve()
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
CPACK = os.environ.get("CPACK_COMMAND", "cpack")

# Every file the package must hold, relative to the prefix (/usr).
INSTALLED = [
    "bin/mailer",
    "lib/mailer/mailer-serve.so",
    "lib/mailer/mailer-bounces.so",
    "share/man/man1/mailer.1",
    "share/bash-completion/completions/mailer",
    "share/zsh/vendor-completions/_mailer",
    "share/fish/vendor_completions.d/mailer.fish",
    "share/doc/mailer/mailer.toml.sample",
    "share/doc/mailer/README.md",
    "share/doc/mailer/examples/clients.csv",
    "share/doc/mailer/examples/crontab",
    "share/doc/mailer/examples/import-and-mail.sh",
    "share/doc/mailer/examples/blog.sh",
    "share/doc/mailer/examples/throwaway-home.sh",
    "share/doc/mailer/examples/mailer-send.service",
    "share/doc/mailer/examples/mailer-send.timer",
    "share/doc/mailer/examples/move-to-postgresql.sh",
]


def run(*args, **kwargs):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    if proc.returncode != 0:
        raise AssertionError("{} exited {}:\n{}{}".format(" ".join(map(str, args)), proc.returncode,
                                                          proc.stdout, proc.stderr))
    return proc.stdout


class Install(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="mailer-install-"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_cmake_install_into_a_destdir_puts_each_file_where_debian_looks(self):
        dest = self.tmp / "root"
        run(CMAKE, "--install", BUILD, "--prefix", "/usr", env=dict(os.environ, DESTDIR=str(dest)))
        for rel in INSTALLED:
            with self.subTest(file=rel):
                self.assertTrue((dest / "usr" / rel).is_file(), "missing: /usr/" + rel)
        self.assertTrue(os.access(dest / "usr/bin/mailer", os.X_OK))
        self.assertTrue(os.access(dest / "usr/share/doc/mailer/examples/import-and-mail.sh", os.X_OK),
                        "the example script keeps its executable bit")
        # The installed man page is the source's, and the installed binary runs.
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.tmp), "XDG_CONFIG_HOME": str(self.tmp / "c"),
               "XDG_STATE_HOME": str(self.tmp / "s"), "XDG_DATA_HOME": str(self.tmp / "d")}
        self.assertRegex(run(dest / "usr/bin/mailer", "--version", env=env), r"^mailer \d+\.\d+\.\d+")
        self.assertIn("Subcommands:", run(dest / "usr/bin/mailer", "--help", env=env))
        # `serve` finds its module in lib/mailer: the module's server reports a taken port.
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            served = subprocess.run([dest / "usr/bin/mailer", "--db", str(self.tmp / "t.db"), "serve",
                                     "--listen", f"127.0.0.1:{port}"], env=env, capture_output=True,
                                    text=True, timeout=30)
        self.assertEqual(served.returncode, 69, served.stderr)
        self.assertIn("the address is in use", served.stderr)

    def test_cpack_builds_a_deb_whose_depends_name_the_runtime_libraries(self):
        if shutil.which("dpkg-shlibdeps") is None:
            self.skipTest("dpkg-shlibdeps not found (Debian package dpkg-dev): the .deb is not built")
        out = self.tmp / "deb"
        run(CPACK, "-G", "DEB", "--config", BUILD / "CPackConfig.cmake", "-B", out)
        debs = sorted(out.glob("*.deb"))
        self.assertEqual(len(debs), 1, debs)
        deb = debs[0]
        fields = {f: run("dpkg-deb", "-f", deb, f).strip() for f in
                  ("Package", "Version", "Maintainer", "Section", "Description", "Depends", "Suggests")}
        self.assertEqual(fields["Package"], "mailer")
        self.assertTrue(fields["Maintainer"])
        self.assertEqual(fields["Section"], "mail")
        self.assertIn("SQLite", fields["Description"])
        depends = {d.strip().split(" ")[0] for d in fields["Depends"].split(",")}
        # From dpkg-shlibdeps (linked) and by name (dlopen'd: libcurl, libidn2).
        for package in ("libc6", "libstdc++6", "libsqlite3-0", "libsodium23", "libcurl4", "libidn2-0",
                        "libcpp-httplib0.11", "libcmark0.30.2", "libgmime-3.0-0"):
            with self.subTest(depends=package):
                self.assertIn(package, depends, fields["Depends"])
        # libpq is loaded only for a postgresql:// database: suggested, not required.
        self.assertNotIn("libpq5", depends)
        self.assertIn("libpq5", fields["Suggests"])
        contents = run("dpkg-deb", "-c", deb)
        for rel in INSTALLED:
            with self.subTest(packaged=rel):
                self.assertIn("./usr/" + rel, contents)


if __name__ == "__main__":
    unittest.main()

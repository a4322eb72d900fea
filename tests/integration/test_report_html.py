"""`mailer report --html FILE` in a real browser (issue 10 point 4): a mailing sent through a
real SMTP server, opens and clicks recorded as `mailer serve` records them, the page written by
the real binary, then opened by Debian's headless Chromium, which must load it with no console
message (a script error, a parse error, or a fetch the page's Content-Security-Policy blocked)
and draw a screenshot that is not blank: the delivery chart's colours are on it.

Chromium runs with a private profile and every request it makes goes to a proxy on 127.0.0.1
that this test runs and that answers nothing, so nothing leaves the machine; the test checks
that no request named a host of the report's data.

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_report_html.py -v
MAILTEST_KEEP=1 keeps the workspace (report.html, shot.png) and prints where it is.
"""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import unittest
import zlib

from mailtest import smtp_server
from sendkit import add_clients, add_message, write_sql
from workspace import Workspace

CHROMIUM = shutil.which("chromium")
CHROMIUM_TIMEOUT_S = 60
HOSTILE = "<script>alert(1)</script>"
# Colours of the delivery chart (src/cli/report_svg.cpp): sent and bounced bars. Chromium fills
# them exactly (no colour management in headless mode).
SENT_RGB = (0x00, 0x9E, 0x73)
BOUNCED_RGB = (0xD5, 0x5E, 0x00)
# A console message as Chromium's --enable-logging prints it ("INFO:CONSOLE:3]" in 156,
# "INFO:CONSOLE(3)]" before).
CONSOLE = re.compile(r"CONSOLE[:(]\d+")


class SinkProxy:
    """A proxy on 127.0.0.1 that reads each request's first line and closes: Chromium's only
    way out. Chromium's own background calls (update and time checks) arrive here too."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.requests.append(conn.recv(1024).split(b"\r\n", 1)[0].decode("latin-1"))
                except OSError:
                    pass

    def close(self):
        self.sock.close()
        self.thread.join(timeout=5)


def read_png(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB or RGBA PNG, with zlib alone."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError("{} is not a PNG".format(path))
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace:
        raise AssertionError("unexpected PNG format {}".format(header))
    bpp = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 2:  # Up: a byte-wise sum without carries, over the whole row at once
            a = int.from_bytes(line, "big")
            b = int.from_bytes(prev, "big")
            low = int.from_bytes(b"\x7f" * stride, "big")
            line = bytearray((((a & low) + (b & low)) ^ ((a ^ b) & ~low)).to_bytes(stride, "big"))
        elif kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + (left + prev[i]) // 2) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        elif kind != 0:
            raise AssertionError("PNG filter {} on row {}".format(kind, y))
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def colours_of(path):
    """What a screenshot holds: its distinct colours, the share of its pixels that are not
    white, and a function counting the pixels of one exact colour."""
    width, height, bpp, rows = read_png(path)
    colours = set()
    for row in rows:
        colours.update(row[i:i + 3] for i in range(0, width * bpp, bpp))
    # Counts every white pixel, and maybe a few more: the share of the rest is never overstated.
    white = sum(row.count(b"\xff" * bpp) for row in rows)

    def pixels(rgb):
        return sum(row.count(bytes(rgb)) for row in rows) if bpp == 3 else sum(
            row.count(bytes(rgb) + b"\xff") for row in rows)

    return colours, 1 - white / (width * height), pixels


class ChromiumPage:
    """One headless Chromium run on a local file: the DOM it built, its console, and its
    screenshot, in a single launch with a private profile."""

    @staticmethod
    def private_env(workdir):
        """Chromium's environment: its home and caches in the test's folder, not the user's."""
        env = dict(os.environ)
        for key, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "home/.config"),
                         ("XDG_CACHE_HOME", "home/.cache"), ("XDG_DATA_HOME", "home/.local/share")):
            env[key] = str(workdir / sub)
        (workdir / "home").mkdir(exist_ok=True)
        env["TZ"] = "Europe/Moscow"
        return env

    def __init__(self, html_path, workdir):
        self.shot = workdir / "shot.png"
        proxy = SinkProxy()
        try:
            proc = subprocess.Popen(
                [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update",
                 "--user-data-dir={}".format(workdir / "chromium-profile"),
                 "--proxy-server=127.0.0.1:{}".format(proxy.port), "--proxy-bypass-list=<-loopback>",
                 "--enable-logging=stderr", "--v=0", "--window-size=1200,1600",
                 "--screenshot={}".format(self.shot), "--dump-dom", html_path.as_uri()],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                start_new_session=True, env=self.private_env(workdir))
            try:
                stdout, stderr = proc.communicate(timeout=CHROMIUM_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                # The renderer and GPU processes are in the browser's session: stop them all.
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise AssertionError("chromium took over {} s".format(CHROMIUM_TIMEOUT_S))
        finally:
            proxy.close()
        self.returncode = proc.returncode
        self.dom = stdout.decode("utf-8", "replace")
        self.stderr = stderr.decode("utf-8", "replace")
        self.console = [line for line in self.stderr.splitlines() if CONSOLE.search(line)]
        self.requests = proxy.requests


@unittest.skipUnless(CHROMIUM, "Debian's chromium is not installed (apt-get install chromium)")
class ChromiumCheckTest(unittest.TestCase):
    def test_the_console_check_sees_a_script_error_and_a_blocked_fetch(self):
        """The detector itself: a page whose script and image its CSP blocks."""
        with Workspace() as ws:
            page = ws.root / "bad.html"
            page.write_text(
                "<!DOCTYPE html><meta charset=utf-8><meta http-equiv=Content-Security-Policy "
                "content=\"default-src 'none'\"><title>bad</title><img src=http://shop.example/x.png>"
                "<script>undefinedFn()</script>"
                "<p>Привет</p>", encoding="utf-8")
            bad = ChromiumPage(page, ws.root)
            self.assertEqual(bad.returncode, 0, bad.stderr[-2000:])
            self.assertTrue(any("Content Security Policy" in line for line in bad.console), bad.stderr)
            self.assertIn("Привет", bad.dom)


@unittest.skipUnless(CHROMIUM, "Debian's chromium is not installed (apt-get install chromium)")
class ReportHtmlTest(unittest.TestCase):
    PEOPLE = [("ivan@example.com", "Иван Петров"), ("anna@example.com", "Анна " + HOSTILE),
              ("boris@example.com", "Борис"), ("reject.pavel@example.com", "Павел")]

    def setUp(self):
        self.smtp = self.enterContext(smtp_server())
        self.ws = self.enterContext(Workspace(smtp_url=self.smtp.url))
        self.ws.superuser()
        help_text = self.ws.ok("report", "--help").stdout
        if "--html" not in help_text:
            self.skipTest("`mailer report --html` is not in this build yet (report --help has no --html)")

    def send_and_track(self):
        ids = add_clients(self.ws, self.PEOPLE, group="vip")
        message = add_message(self.ws, "{{name}}, зимняя распродажа & подарки",
                              "Здравствуйте, {{name}}!", html="<p>Здравствуйте, {{name}}!</p>")
        mailing = self.ws.json("mailing", "add", "--message", str(message), "--group", "vip",
                               "--name", "Зимняя распродажа " + HOSTILE)
        self.ws.ok("send", str(mailing["id"]))
        sent = self.ws.sql("SELECT id, run, client, at FROM attempt WHERE status = 'sent' ORDER BY id")
        self.assertEqual(len(sent), 3)
        by_client = {client: (attempt, run, at) for attempt, run, client, at in sent}
        # As `mailer serve` records them: Ivan opens twice and clicks, Anna opens, Boris clicks
        # a URL with markup in it without opening.
        events = [(ids["ivan@example.com"], "open", 600, ""), (ids["ivan@example.com"], "open", 4000, ""),
                  (ids["ivan@example.com"], "click", 4100, "https://shop.example/sale?a=1&b=2"),
                  (ids["anna@example.com"], "open", 90000, ""),
                  (ids["boris@example.com"], "click", 90500, "https://shop.example/\"><script>x</script>")]
        for client, kind, after, detail in events:
            attempt, run, at = by_client[client]
            write_sql(self.ws, "INSERT INTO event (attempt, kind, at, detail, run, client, user_agent, counted) "
                      "VALUES (?, ?, ?, ?, ?, ?, 'Mozilla/5.0', TRUE)",
                      (attempt, kind, at + after, detail, run, client))

    def test_the_report_page_loads_in_chromium_with_no_console_message_and_draws_its_charts(self):
        self.send_and_track()
        out = self.ws.root / "report.html"
        self.ws.ok("report", "--html", str(out))
        html = out.read_text(encoding="utf-8")
        self.assertNotIn("<script", html.lower())
        self.assertIn("Зимняя распродажа &lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertIn("shop.example/&quot;&gt;&lt;script&gt;x&lt;/script&gt;", html)
        self.assertIn("550", html)  # Pavel's bounce reason

        page = ChromiumPage(out, self.ws.root)
        self.assertEqual(page.returncode, 0, page.stderr[-2000:])
        self.assertEqual(page.console, [], "console messages while loading the report")
        self.assertEqual([r for r in page.requests if "shop.example" in r], [])
        # The DOM Chromium built: the text came through as text, both charts are there.
        self.assertIn("Зимняя распродажа &lt;script&gt;alert(1)&lt;/script&gt;", page.dom)
        self.assertNotIn("<script", page.dom.lower())
        self.assertEqual(page.dom.count("<svg"), 2)
        self.assertIn("https://shop.example/sale?a=1&amp;b=2", page.dom)

        self.assertTrue(page.shot.is_file(), page.stderr[-2000:])
        colours, inked, pixels = colours_of(page.shot)
        self.assertGreater(len(colours), 50, "too few colours: a blank screenshot?")
        self.assertGreater(inked, 0.03, "the screenshot is almost all white")
        # The bars of the day of the send, well beyond the rate cards' 6-pixel borders.
        self.assertGreater(pixels(SENT_RGB), 5000, "no green sent bar on the screenshot")
        self.assertGreater(pixels(BOUNCED_RGB), 1500, "no bounced part of the bar on the screenshot")
        if os.environ.get("MAILTEST_KEEP"):
            print("\nreport: {}\nscreenshot: {}".format(out, page.shot))


if __name__ == "__main__":
    unittest.main()

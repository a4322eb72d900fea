"""`mailer serve`: the open pixel, click redirect and unsubscribe URLs of a real mailing sent
through a real SMTP server on 127.0.0.1, their event rows, and what they refuse (SPEC §3;
issue 10 point 6). Tokens are computed here as src/core/tracking.cpp makes them.

Run: MAILER_BIN=build/mailer MAILER_SOURCE_DIR=$PWD /usr/bin/python3 tests/integration/test_serve.py -v
"""

import contextlib
import hashlib
import hmac
import http.client
import signal
import threading
import time
import unittest
import urllib.parse

from mailtest import smtp_server
from sendkit import T0, add_clients, add_mailing, add_message, at, copies, spawn, unused_port
from workspace import Workspace

LATER = "2027-03-01T11:00:00"  # an hour after the send: opens count
EARLY = "2027-03-01T10:00:01"  # a second after it: too early to be a reader's
READER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.0"
GMAIL_PROXY = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
SCANNER = "Mozilla/5.0 (compatible; Barracuda Sentinel)"
URL = "https://shop.example/sale?item=42&ref=письмо"


def mac(key, message):
    """The first 16 bytes, in hex, of HMAC-SHA256 keyed by the key's hex text."""
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def token(key, run, client):
    return "{}.{}.{}".format(run, client, mac(key, "{}.{}".format(run, client)))


def click_path(key, tok, url):
    return "/c/{}/{}?u={}".format(tok, mac(key, "click\n{}\n{}".format(tok, url)),
                                  urllib.parse.quote(url, safe=""))


class Serve:
    """A running `mailer serve` on a free port of 127.0.0.1."""

    def __init__(self, ws, now, verbose=False):
        self.port = unused_port()
        args = ["serve", "--listen", "127.0.0.1:{}".format(self.port)]
        if verbose:
            args.insert(0, "-v")
        self.proc = spawn(ws, *args, env=at(now))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.request("GET", "/")
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError("serve exited: " + self.proc.stderr.read())
                time.sleep(0.05)
        raise AssertionError("serve did not start")

    def request(self, method, path, body=None, headers=None, agent=READER):
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            con.request(method, path, body=body, headers={"User-Agent": agent, **(headers or {})})
            res = con.getresponse()
            return res.status, dict(res.getheaders()), res.read()
        finally:
            con.close()

    def stop(self):
        """SIGTERM; the exit status and stderr."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=10)
        except Exception:
            self.proc.kill()
            raise
        return self.proc.returncode, err


@contextlib.contextmanager
def serving(ws, now=LATER, verbose=False):
    server = Serve(ws, now, verbose)
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            server.stop()


class ServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.smtp_cm = smtp_server()
        cls.smtp = cls.smtp_cm.__enter__()
        cls.ws = Workspace(smtp_url=cls.smtp.url,
                           extra_config='[tracking]\nbase_url = "http://127.0.0.1:9/t"\n')
        ws = cls.ws
        ws.superuser()
        cls.ids = add_clients(ws, [("anna@example.com", "Анна"), ("boris@example.com", "Борис"),
                                   ("vera@example.com", "Вера")])
        msg = add_message(ws, "Привет", "Текст", html="<p>Привет, {{name}}</p>")
        anna, boris = cls.ids["anna@example.com"], cls.ids["boris@example.com"]
        m = add_mailing(ws, msg, clients=[anna, boris], now=T0)
        ws.ok("send", str(m["id"]), env=at(T0))
        cls.run_id = ws.sql("SELECT run FROM attempt WHERE mailing = {}".format(m["id"]))[0][0]
        cls.key = ws.sql("SELECT value FROM setting WHERE key = 'tracking_key'")[0][0]
        cls.anna = token(cls.key, cls.run_id, anna)
        cls.boris = token(cls.key, cls.run_id, boris)
        cls.msg = msg

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)
        cls.smtp_cm.__exit__(None, None, None)

    def events(self, where="1 = 1"):
        return self.ws.sql("SELECT kind, detail, user_agent, counted, client FROM event WHERE " + where +
                           " ORDER BY id")

    def count(self):
        return self.ws.sql("SELECT COUNT(*) FROM event")[0][0]

    def test_the_token_in_the_mail_is_the_one_computed_here(self):
        raw = [r for r in self.smtp.raw_messages() if b"Delivered-To: anna@" in r][0]
        self.assertIn("/t/u/{}".format(self.anna).encode(), raw)

    def test_pixel_click_and_refusals(self):
        with serving(self.ws, verbose=True) as s:
            before = self.count()
            status, headers, body = s.request("GET", "/o/{}.gif".format(self.anna))
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Type"], "image/gif")
            self.assertEqual(len(body), 43)
            self.assertTrue(body.startswith(b"GIF89a"))
            self.assertEqual(headers["Cache-Control"], "no-store, no-cache, must-revalidate, private")
            self.assertEqual(headers["Pragma"], "no-cache")
            self.assertEqual(headers["Expires"], "0")
            status, _, _ = s.request("GET", "/o/{}.gif".format(self.anna), agent=GMAIL_PROXY)
            self.assertEqual(status, 200)

            status, headers, _ = s.request("GET", click_path(self.key, self.boris, URL))
            self.assertEqual(status, 302)
            self.assertEqual(headers["Location"], urllib.parse.quote(URL, safe=":/?&=%"))

            other_key = "0" * 64
            refused = [
                "/o/{}.gif".format(self.anna[:-1] + ("0" if self.anna[-1] != "0" else "1")),  # forged
                "/o/{}.gif".format(token(other_key, self.run_id, self.ids["anna@example.com"])),
                # another client's MAC on Anna's ids
                "/o/{}.{}.gif".format(self.anna.rsplit(".", 1)[0], self.boris.rsplit(".", 1)[1]),
                "/o/{}.gif".format(self.anna[:-4]),  # truncated
                "/o/{}.gif".format(token(self.key, self.run_id, self.ids["vera@example.com"])),  # not sent to
                "/o/{}.gif".format(token(self.key, self.run_id + 100, self.ids["anna@example.com"])),
                click_path(self.key, self.anna, URL).replace("?u=", "?u=x"),  # URL not signed
                click_path(other_key, self.anna, URL),  # signed with another key
                click_path(self.key, self.anna, "javascript:alert(1)"),  # not http(s)
                "/c/{}/{}".format(self.anna, "0" * 32),  # no URL
                "/o/{}.png".format(self.anna), "/x/{}".format(self.anna), "/", "/u/",
            ]
            for path in refused:
                with self.subTest(path=path):
                    self.assertEqual(s.request("GET", path)[0], 404)
            self.assertEqual(s.request("POST", "/o/{}.gif".format(self.anna))[0], 405)
            self.assertEqual(s.request("PUT", "/u/{}".format(self.anna))[0], 405)
            self.assertEqual(s.request("DELETE", "/nothing")[0], 404)
            code, err = s.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual(self.count() - before, 3)
        anna, boris = self.ids["anna@example.com"], self.ids["boris@example.com"]
        rows = self.events("client = {} AND kind = 'open'".format(anna))[-2:]
        self.assertEqual([(r[0], r[2], r[3]) for r in rows], [("open", READER, 1), ("open", GMAIL_PROXY, 1)])
        click = self.events("client = {} AND kind = 'click'".format(boris))[-1]
        self.assertEqual(click[:4], ("click", URL, READER, 1))
        # -v logs one line per request, and never a whole token or signature.
        self.assertIn("GET /o/", err)
        self.assertIn(" 200 ", err)
        self.assertNotIn(self.anna, err)
        self.assertNotIn(self.anna.rsplit(".", 1)[1], err)
        self.assertNotIn(click_path(self.key, self.boris, URL).split("/")[3].split("?")[0], err)

    def test_early_and_scanner_opens_are_kept_but_not_counted(self):
        anna = self.ids["anna@example.com"]
        with serving(self.ws, now=EARLY) as s:
            self.assertEqual(s.request("GET", "/o/{}.gif".format(self.anna))[0], 200)
        with serving(self.ws) as s:
            self.assertEqual(s.request("GET", "/o/{}.gif".format(self.anna), agent=SCANNER)[0], 200)
        rows = self.events("client = {} AND kind = 'open'".format(anna))[-2:]
        self.assertEqual([(r[2], r[3]) for r in rows], [(READER, 0), (SCANNER, 0)])

    def test_unsubscribe_get_never_post_does_and_the_next_mailing_leaves_them_out(self):
        vera = self.ids["vera@example.com"]
        anna, boris = self.ids["anna@example.com"], self.ids["boris@example.com"]
        with serving(self.ws) as s:
            for _ in range(2):
                status, headers, body = s.request("GET", "/u/{}".format(self.boris))
                self.assertEqual(status, 200)
                self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
                self.assertIn('method="post"', body.decode("utf-8"))
                self.assertNotIn(b"http", body.split(b"<body>")[1])  # nothing from outside
            self.assertEqual(self.ws.sql("SELECT unsubscribed_at FROM client WHERE id = {}".format(boris)),
                             [(None,)])
            status, _, body = s.request("POST", "/u/{}".format(self.boris), body="confirm=yes",
                                        headers={"Content-Type": "application/x-www-form-urlencoded"})
            self.assertEqual(status, 200)
            self.assertIn("Вы отписаны", body.decode("utf-8"))
            status, _, _ = s.request("POST", "/u/{}".format(self.anna), body="List-Unsubscribe=One-Click",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
            self.assertEqual(status, 200)
            self.assertEqual(s.request("POST", "/u/{}".format(token(self.key, self.run_id, vera)))[0], 404)
        via = dict(self.ws.sql("SELECT id, unsubscribed_via FROM client WHERE unsubscribed_at IS NOT NULL"))
        self.assertEqual(via, {boris: "link", anna: "one-click"})
        self.assertEqual(len(self.events("kind = 'unsubscribe'")), 2)
        # Another mailing of the same owner to all three reaches only the one still subscribed.
        before = copies(self.smtp)
        m = add_mailing(self.ws, self.msg, clients=[anna, boris, vera], now=T0)
        self.ws.ok("send", str(m["id"]), env=at(LATER))
        arrived = copies(self.smtp) - before
        self.assertEqual(dict(arrived), {"vera@example.com": 1})

    def test_concurrent_hits_are_each_recorded_once(self):
        with serving(self.ws) as s:
            before = self.count()
            statuses = []
            lock = threading.Lock()

            def hit(i):
                path = "/o/{}.gif".format(self.anna) if i % 2 else click_path(self.key, self.boris, URL)
                status = s.request("GET", path)[0]
                with lock:
                    statuses.append(status)

            threads = [threading.Thread(target=hit, args=(i,)) for i in range(200)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(sorted(set(statuses)), [200, 302])
            self.assertEqual(len(statuses), 200)
        self.assertEqual(self.count() - before, 200)

    def test_sigterm_under_load_exits_0_and_loses_nothing_answered(self):
        s = Serve(self.ws, LATER)
        before = self.count()
        answered = []
        stop = threading.Event()

        def keep_hitting():
            con = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
            while not stop.is_set():
                try:
                    con.request("GET", "/o/{}.gif".format(self.anna), headers={"User-Agent": READER})
                    res = con.getresponse()
                    res.read()
                    if res.status == 200:
                        answered.append(1)
                except (OSError, http.client.HTTPException):
                    return
            con.close()

        threads = [threading.Thread(target=keep_hitting) for _ in range(20)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        started = time.monotonic()
        code, err = s.stop()
        elapsed = time.monotonic() - started
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(code, 0, err)
        self.assertLess(elapsed, 5)
        self.assertGreater(len(answered), 20)
        self.assertEqual(self.count() - before, len(answered))

    def test_bad_listen_and_port_in_use(self):
        proc = self.ws.run("serve", "--listen", "127.0.0.1")
        self.assertEqual(proc.returncode, 64, proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1)
        with serving(self.ws) as s:
            proc = self.ws.run("serve", "--listen", "127.0.0.1:{}".format(s.port), timeout=10)
            self.assertEqual(proc.returncode, 69, proc.stderr)
            self.assertIn("in use", proc.stderr)


if __name__ == "__main__":
    unittest.main()

"""`mailer blog export DIR [--base-url URL]` (issue 11 point 3) with the real binary: posts
written by a registered user and by a superuser, published by a content manager, one with a
Cyrillic title and a PNG image, one left unpublished; the site's files, its links, its Atom feed
(RFC 4287, parsed by xml.etree), five re-exports under a concurrent reader, the refusal to
replace a directory that is no earlier export, and the pages in headless Chromium.

Run: MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_blog_export.py -v
MAILTEST_KEEP=1 keeps the workspace (site/, shot.png) and prints where it is.
"""

import html.parser
import json
import os
import pathlib
import re
import struct
import threading
import unittest
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

from mailtest import smtp_server
from test_report_html import CHROMIUM, ChromiumPage, colours_of
from workspace import PASSWORD, Workspace

EX_USAGE, EX_IOERR = 64, 74  # SPEC §6
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
IMAGE_RGB = (0xC8, 0x1E, 0x5A)
HOSTILE_BODY = ("Добро пожаловать в **блог**!\n\n<script>alert(1)</script>\n\n"
                "<img src=x onerror=alert(1)>\n\n[нажми](javascript:alert(1))\n")
BASE = "https://blog.example.com/news"


def png(width, height, rgb):
    """A solid RGB PNG, written with zlib alone."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Person:
    """One account with its own session folder, so that several users are logged in at once."""

    def __init__(self, ws, email):
        self.ws, self.email = ws, email
        self.env = {"XDG_STATE_HOME": str(ws.root / ("state-" + email))}

    def run(self, *args, env=None, **kwargs):
        return self.ws.run(*args, env=dict(self.env, **(env or {})), **kwargs)

    def ok(self, *args, **kwargs):
        proc = self.run(*args, **kwargs)
        if proc.returncode != 0:
            raise AssertionError("{}: mailer {} exited {}: {}{}".format(
                self.email, " ".join(map(str, args)), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def json(self, *args, **kwargs):
        return json.loads(self.ok("--json", *args, **kwargs).stdout)

    def login(self):
        self.ok("login", self.email, "--password-stdin", input=PASSWORD + "\n")
        return self


def register(ws, smtp, email, name):
    """A plain user, registered and verified with the code the real SMTP server received."""
    before = len(smtp.message_files())
    ws.ok("user", "register", email, "--name", name, "--password-stdin", input=PASSWORD + "\n")
    for msg in reversed(smtp.wait_for_messages(before + 1)):
        if msg["Delivered-To"] == email:
            body = msg.get_body(preferencelist=("plain",)).get_content()
            ws.ok("user", "verify", email, re.search(r"mailer user verify \S+ (\S+)", body).group(1))
            return Person(ws, email).login()
    raise AssertionError("no verification email to " + email)


class Links(html.parser.HTMLParser):
    """Every href and src of a page, and every tag name."""

    def __init__(self):
        super().__init__()
        self.urls, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls.extend(v for k, v in attrs if k in ("href", "src") and v is not None)


def site_files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


class BlogExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.smtp_cm = smtp_server()
        cls.smtp = cls.smtp_cm.__enter__()
        cls.ws = Workspace(smtp_url=cls.smtp.url)
        ws = cls.ws
        ws.ok("user", "create-superuser", "root@example.com", "--password-stdin", input=PASSWORD + "\n")
        root = Person(ws, "root@example.com").login()
        author = register(ws, cls.smtp, "anna@example.com", "Анна <b>Авторова</b>")
        editor = register(ws, cls.smtp, "editor@example.com", "Редактор")
        root.ok("user", "grant", "editor@example.com", "content-manager")
        image = ws.root / "picture.png"
        cls.png = png(240, 160, IMAGE_RGB)
        image.write_bytes(cls.png)

        cls.ids = {}
        for key, person, when, title, body, extra in (
                ("hello", author, "2026-11-01 10:00", "Привет, мир!", HOSTILE_BODY, ("--image", str(image))),
                ("second", author, "2026-11-02 11:30", "Second & <em>post</em>", "Plain *text*.", ()),
                ("draft", author, "2026-11-03 12:00", "Черновик", "Not published yet.", ()),
                ("root", root, "2026-11-04 09:15", "Заметка root", "From the superuser.", ())):
            proc = person.run("--json", "blog", "add", "--title", title, "--body", body, *extra,
                              env={"MAILER_NOW": when})
            if proc.returncode != 0:
                raise AssertionError("blog add {}: {}{}".format(title, proc.stdout, proc.stderr))
            cls.ids[key] = json.loads(proc.stdout)["id"]
        for key in ("hello", "second", "root"):
            editor.ok("blog", "publish", str(cls.ids[key]))
        cls.site = ws.root / "site"
        # Logged out: export needs no session.
        proc = ws.run("--json", "blog", "export", str(cls.site), "--base-url", BASE + "/",
                      env={"MAILER_NOW": "2026-12-03 10:00"})
        if proc.returncode != 0:
            raise AssertionError("blog export: {}{}".format(proc.stdout, proc.stderr))
        cls.result = json.loads(proc.stdout)

    @classmethod
    def tearDownClass(cls):
        if os.environ.get("MAILTEST_KEEP"):
            print("\nworkspace: {}".format(cls.ws.root))
        cls.ws.__exit__(None, None, None)
        cls.smtp_cm.__exit__(None, None, None)

    def page(self, key):
        return "posts/{}-{}.html".format(self.ids[key], {"hello": "privet-mir", "second": "second-em-post-em",
                                                         "root": "zametka-root"}[key])

    def test_the_site_holds_the_published_posts_and_their_image_only(self):
        files = site_files(self.site)
        self.assertEqual(self.result, {"dir": str(self.site), "posts": 3, "files": len(files) - 1})
        expected = {"index.html", "style.css", "feed.xml", ".mailer-blog-export", self.page("hello"),
                    self.page("second"), self.page("root"), "images/{}-privet-mir.png".format(self.ids["hello"])}
        self.assertEqual(set(files), expected)
        self.assertEqual((self.site / "images/{}-privet-mir.png".format(self.ids["hello"])).read_bytes(), self.png)
        for name in files:
            data = (self.site / name).read_bytes()
            lower = data.lower()
            for bad in (b"<script", b"onerror", b"javascript:", "Черновик".encode(), b"chernovik"):
                self.assertNotIn(bad, lower, "{} holds {}".format(name, bad))
        index = (self.site / "index.html").read_text(encoding="utf-8")
        # Newest first, with the local date (TZ=Europe/Moscow), the author's escaped name, the excerpt.
        order = [index.find(t) for t in ("Заметка root", "Second &amp; &lt;em&gt;post&lt;/em&gt;", "Привет, мир!")]
        self.assertTrue(-1 not in order and order == sorted(order), order)
        self.assertIn("2026-11-01 10:00", index)
        self.assertIn("Анна &lt;b&gt;Авторова&lt;/b&gt;", index)
        self.assertIn("Добро пожаловать в блог!", index)
        post = (self.site / self.page("hello")).read_text(encoding="utf-8")
        self.assertIn("<strong>блог</strong>", post)
        self.assertIn('<img src="../images/{}-privet-mir.png"'.format(self.ids["hello"]), post)

    def test_every_link_and_image_of_every_page_resolves_to_a_file_of_the_site(self):
        pages = [p for p in site_files(self.site) if p.endswith(".html")]
        self.assertEqual(len(pages), 4)
        for name in pages:
            parser = Links()
            parser.feed((self.site / name).read_text(encoding="utf-8"))
            self.assertNotIn("script", parser.tags)
            self.assertIn("link", parser.tags)
            local = [u for u in parser.urls if not urllib.parse.urlsplit(u).scheme]
            self.assertGreaterEqual(len(local), 3, name)
            for url in local:
                self.assertFalse(url.startswith("/"), "{}: {} is not relative".format(name, url))
                path = urllib.parse.unquote(urllib.parse.urldefrag(url).url)
                # "" is the page itself (cmark empties a javascript: link's URL).
                target = (self.site / name) if not path else (self.site / name).parent / path
                self.assertTrue(target.resolve().is_file(), "{}: {} resolves to nothing".format(name, url))
                self.assertTrue(target.resolve().is_relative_to(self.site.resolve()))
        index = Links()
        index.feed((self.site / "index.html").read_text(encoding="utf-8"))
        for key in ("hello", "second", "root"):
            self.assertIn(self.page(key), index.urls)

    def test_the_feed_is_atom_with_the_elements_rfc_4287_requires(self):
        feed = ET.parse(self.site / "feed.xml").getroot()
        self.assertEqual(feed.tag, ATOM + "feed")
        for name in ("id", "title", "updated"):
            self.assertEqual(len(feed.findall(ATOM + name)), 1, name)
        self.assertEqual(feed.find(ATOM + "id").text, BASE + "/")
        self.assertRegex(feed.find(ATOM + "updated").text, RFC3339)
        self.assertEqual(feed.find(ATOM + "updated").text, "2026-12-03T10:00:00+03:00")
        self_links = [link.get("href") for link in feed.findall(ATOM + "link") if link.get("rel") == "self"]
        self.assertEqual(self_links, [BASE + "/feed.xml"])
        entries = feed.findall(ATOM + "entry")
        self.assertEqual(len(entries), 3)
        ids = []
        for entry in entries:
            for name in ("id", "title", "updated"):
                self.assertEqual(len(entry.findall(ATOM + name)), 1, name)
            self.assertRegex(entry.find(ATOM + "updated").text, RFC3339)
            self.assertRegex(entry.find(ATOM + "published").text, RFC3339)
            self.assertTrue(entry.find(ATOM + "author/" + ATOM + "name").text)  # no feed-level author
            alternate = [link for link in entry.findall(ATOM + "link") if link.get("rel", "alternate") == "alternate"]
            self.assertEqual(len(alternate), 1)
            self.assertTrue(alternate[0].get("href").startswith(BASE + "/posts/"))
            self.assertEqual(entry.find(ATOM + "content").get("type"), "html")
            ids.append(entry.find(ATOM + "id").text)
        self.assertEqual(len(set(ids)), 3)
        self.assertTrue(all(i.startswith("tag:blog.example.com,2026-11-0") for i in ids), ids)
        first = entries[-1]  # the oldest: the Cyrillic title, the hostile body
        self.assertEqual(first.find(ATOM + "title").text, "Привет, мир!")
        self.assertEqual(first.find(ATOM + "author/" + ATOM + "name").text, "Анна <b>Авторова</b>")
        content = first.find(ATOM + "content").text
        self.assertIn("<strong>блог</strong>", content)
        self.assertNotIn("<script", content)

    def test_five_re_exports_never_show_a_reader_a_missing_or_partial_file(self):
        site = self.ws.root / "live"
        self.ws.ok("blog", "export", str(site))
        seen, failures, stop = [0], [], threading.Event()
        names = {"index.html", "style.css", "feed.xml", "posts", "images", ".mailer-blog-export"}

        def reader():
            while not stop.is_set():
                try:
                    listed = set(os.listdir(site))
                    if not names <= listed:
                        failures.append("listing lacks {}".format(names - listed))
                    index = (site / "index.html").read_text(encoding="utf-8")
                    if not index.endswith("</html>\n") or "Заметка root" not in index:
                        failures.append("partial index.html ({} bytes)".format(len(index)))
                    ET.fromstring((site / "feed.xml").read_bytes())
                    seen[0] += 1
                except Exception as e:  # noqa: BLE001 - every way a read can fail is a failure
                    failures.append(repr(e))

        thread = threading.Thread(target=reader)
        thread.start()
        try:
            for i in range(5):
                out = self.ws.ok("blog", "export", str(site), env={"MAILER_NOW": "2026-12-0{} 10:00".format(i + 1)})
                self.assertEqual(out.stdout, "Exported 3 posts to {} (7 files)\n".format(site))
        finally:
            stop.set()
            thread.join()
        self.assertEqual(failures[:5], [])
        self.assertGreater(seen[0], 5)
        self.assertIn("2026-12-05", (site / "index.html").read_text(encoding="utf-8"))
        # Neither the temporary trees nor the replaced ones are left beside the site.
        self.assertEqual(sorted(p.name for p in self.ws.root.iterdir() if ".export-" in p.name or ".old-" in p.name),
                         [])

    def test_a_directory_that_is_no_earlier_export_is_refused_and_left_untouched(self):
        foreign = self.ws.root / "foreign"
        foreign.mkdir()
        (foreign / "keep.txt").write_text("mine\n")
        proc = self.ws.run("blog", "export", str(foreign))
        self.assertEqual(proc.returncode, EX_IOERR, proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertIn(str(foreign), proc.stderr)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(sorted(os.listdir(foreign)), ["keep.txt"])
        self.assertEqual((foreign / "keep.txt").read_text(), "mine\n")
        a_file = self.ws.root / "a-file"
        a_file.write_text("x")
        self.assertEqual(self.ws.run("blog", "export", str(a_file)).returncode, EX_IOERR)
        self.assertEqual(a_file.read_text(), "x")
        self.assertEqual([p.name for p in self.ws.root.iterdir() if ".export-" in p.name], [])
        # An empty directory is replaced.
        empty = self.ws.root / "empty"
        empty.mkdir()
        self.ws.ok("blog", "export", str(empty))
        self.assertTrue((empty / "index.html").is_file())

    def test_a_base_url_that_is_not_absolute_http_is_a_usage_error(self):
        for bad in ("blog.example.com", "ftp://blog.example.com", "https://user:pw@blog.example.com", "/news"):
            target = self.ws.root / "never"
            proc = self.ws.run("blog", "export", str(target), "--base-url", bad)
            self.assertEqual(proc.returncode, EX_USAGE, (bad, proc.stderr))
            self.assertFalse(target.exists())
            self.assertNotIn("pw@", proc.stderr)

    @unittest.skipUnless(CHROMIUM, "Debian's chromium is not installed (apt-get install chromium)")
    def test_the_index_and_a_post_render_in_chromium_with_no_console_message(self):
        for name in ("index.html", self.page("hello")):
            with self.subTest(page=name):
                workdir = self.ws.root / ("chromium-" + name.replace("/", "-"))
                workdir.mkdir()
                page = ChromiumPage(self.site / name, workdir)
                self.assertEqual(page.returncode, 0, page.stderr[-2000:])
                self.assertEqual(page.console, [], "console messages while loading " + name)
                self.assertEqual([r for r in page.requests if "example" in r], [])
                self.assertIn("Привет, мир!", page.dom)
                colours, inked, pixels = colours_of(page.shot)
                self.assertGreater(len(colours), 20, "too few colours: a blank screenshot?")
                self.assertGreater(inked, 0.005, "the screenshot is almost all white")
                if name != "index.html":  # the post's image, loaded under the page's CSP
                    self.assertGreater(pixels(IMAGE_RGB), 240 * 160 // 2, "the post's image is not drawn")


if __name__ == "__main__":
    unittest.main()

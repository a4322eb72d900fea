"""The blog end to end through the real binary (SPEC §1 post, §2 blog, §4 access): every
cell of the blog rows of the access matrix for each role, views, the author's edit that
unpublishes, images judged by their bytes, Cyrillic text, and `stats`' random posts.

    MAILER_BIN=build/mailer /usr/bin/python3 tests/integration/test_blog.py -v
"""

import json
import pathlib
import struct
import sys
import unittest
import zlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from workspace import PASSWORD, Workspace  # noqa: E402

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_NOPERM = 64, 65, 66, 77

ROLES = ("user", "manager", "content-manager", "superuser")


def png_bytes():
    """A real 1x1 PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


class BlogCase(unittest.TestCase):
    """One workspace with an account per role; each acts with its own session token."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace()
        cls.tokens = {}
        cls.ws.superuser("root@example.com")
        cls.tokens["superuser"] = cls.token()
        for role in ("user", "manager", "content-manager"):
            email = role + "@example.com"
            cls.ws.ok("user", "create-superuser", email, "--password-stdin", input=PASSWORD + "\n",
                      env={"MAILER_TOKEN": cls.tokens["superuser"]})
            if role != "user":
                cls.ws.ok("user", "grant", email, role, env={"MAILER_TOKEN": cls.tokens["superuser"]})
            cls.ws.ok("user", "revoke", email, "superuser", env={"MAILER_TOKEN": cls.tokens["superuser"]})
            cls.ws.login(email)
            cls.tokens[role] = cls.token()
        # Logged out from here on unless a token is given (logout would end the last session).
        for f in (cls.ws.root / "state" / "mailer").glob("session-*"):
            f.unlink()

    @classmethod
    def tearDownClass(cls):
        cls.ws.__exit__(None, None, None)

    @classmethod
    def token(cls):
        files = list((cls.ws.root / "state" / "mailer").glob("session-*"))
        assert len(files) == 1, files
        return files[0].read_text().strip()

    def as_(self, role, *args, **kwargs):
        """Runs as `role` (None: logged out)."""
        env = {"MAILER_TOKEN": self.tokens[role]} if role else {}
        return self.ws.run(*args, env=env, **kwargs)

    def ok_as(self, role, *args, **kwargs):
        proc = self.as_(role, *args, **kwargs)
        self.assertEqual(proc.returncode, 0, "{} as {}: {}".format(args, role, proc.stderr))
        return proc

    def json_as(self, role, *args, **kwargs):
        return json.loads(self.ok_as(role, "--json", *args, **kwargs).stdout)

    def fails_as(self, code, role, *args, **kwargs):
        proc = self.as_(role, *args, **kwargs)
        self.assertEqual(proc.returncode, code, "{} as {}: {}{}".format(args, role, proc.stdout, proc.stderr))
        self.assertEqual(proc.stdout, "")
        self.assertRegex(proc.stderr, r"^mailer: [^\n]+\n$")
        return proc

    def post(self, role, title="Заметка", body="Текст *поста*.", published=False):
        pid = self.json_as(role, "blog", "add", "--title", title, "--body", body)["id"]
        if published:
            self.ok_as("content-manager", "blog", "publish", str(pid))
        return pid

    def listed(self, role, *extra):
        return [p["id"] for p in self.json_as(role, "blog", "list", *extra)]


class AccessMatrix(BlogCase):
    def test_read_published_anyone_even_logged_out(self):
        pid = self.post("user", title="Опубликовано", published=True)
        for role in (None,) + ROLES:
            with self.subTest(role=role):
                self.assertIn(pid, self.listed(role))
                shown = self.json_as(role, "blog", "show", str(pid))
                self.assertEqual(shown["title"], "Опубликовано")
                self.assertTrue(shown["published"])

    def test_write_own_posts_every_role_and_never_logged_out(self):
        for role in ROLES:
            with self.subTest(role=role):
                pid = self.post(role, title="Пост " + role)
                self.ok_as(role, "blog", "edit", str(pid), "--title", "Пост " + role + " (правка)")
                self.assertEqual(self.json_as(role, "blog", "show", str(pid))["title"], "Пост " + role + " (правка)")
                self.ok_as(role, "blog", "rm", str(pid))
                self.fails_as(EX_NOINPUT, role, "blog", "show", str(pid))
        self.fails_as(EX_NOPERM, None, "blog", "add", "--title", "T", "--body", "B")

    def test_publish_unpublish_edit_any_post(self):
        for role in ROLES:
            with self.subTest(role=role):
                pid = self.post("user", title="Чужой пост")
                if role == "user":
                    # Another's draft is not there for a plain user; publishing is refused.
                    other = self.post("manager", title="Черновик менеджера")
                    self.fails_as(EX_NOINPUT, "user", "blog", "publish", str(other))
                    self.fails_as(EX_NOINPUT, "user", "blog", "edit", str(other), "--title", "x")
                    self.fails_as(EX_NOINPUT, "user", "blog", "show", str(other))
                    self.fails_as(EX_NOPERM, "user", "blog", "publish", str(pid))
                    self.ok_as("manager", "blog", "publish", str(other))
                    self.fails_as(EX_NOPERM, "user", "blog", "unpublish", str(other))
                    self.fails_as(EX_NOPERM, "user", "blog", "edit", str(other), "--title", "x")
                    self.fails_as(EX_NOPERM, "user", "blog", "rm", str(other))
                    self.assertEqual(self.json_as(None, "blog", "show", str(other))["title"], "Черновик менеджера")
                    continue
                self.assertNotIn(pid, self.listed(None))
                self.ok_as(role, "blog", "publish", str(pid))
                self.assertIn(pid, self.listed(None))
                edited = self.json_as(role, "blog", "edit", str(pid), "--body", "Правка редактора")
                self.assertTrue(edited["published"])
                self.assertFalse(edited["unpublished_by_edit"])
                self.ok_as(role, "blog", "unpublish", str(pid))
                self.assertNotIn(pid, self.listed(None))
                self.fails_as(EX_NOINPUT, None, "blog", "show", str(pid))
                self.ok_as(role, "blog", "rm", str(pid))
        self.fails_as(EX_NOPERM, None, "blog", "publish", "1")

    def test_list_all_shows_drafts_to_their_author_and_to_editors(self):
        draft = self.post("user", title="Мой черновик")
        other = self.post("manager", title="Черновик другого")
        self.assertNotIn(draft, self.listed("user"))
        mine = self.listed("user", "--all")
        self.assertIn(draft, mine)
        self.assertNotIn(other, mine)
        for role in ("manager", "content-manager", "superuser"):
            with self.subTest(role=role):
                self.assertTrue({draft, other} <= set(self.listed(role, "--all")))
        self.fails_as(EX_NOPERM, None, "blog", "list", "--all")

    def test_grant_and_revoke_content_manager_is_the_superusers(self):
        self.ok_as("superuser", "user", "create-superuser", "cm2@example.com", "--password-stdin",
                   input=PASSWORD + "\n")
        for role in ("user", "manager", "content-manager"):
            with self.subTest(role=role):
                self.fails_as(EX_NOPERM, role, "user", "grant", "user@example.com", "content-manager")
                self.fails_as(EX_NOPERM, role, "user", "revoke", "content-manager@example.com", "content-manager")
        self.ok_as("superuser", "user", "grant", "user@example.com", "content-manager")
        granted = self.post("manager")
        self.ok_as("user", "blog", "publish", str(granted))
        self.ok_as("user", "blog", "unpublish", str(granted))
        self.ok_as("superuser", "user", "revoke", "user@example.com", "content-manager")
        self.fails_as(EX_NOINPUT, "user", "blog", "show", str(granted))
        # Revoked: their own post is theirs to write, not to publish.
        pid = self.post("user")
        self.fails_as(EX_NOPERM, "user", "blog", "publish", str(pid))

    def test_content_manager_has_no_rights_over_others_records(self):
        self.fails_as(EX_NOPERM, "content-manager", "user", "list")
        self.fails_as(EX_NOPERM, "content-manager", "mailing", "list", "--all")
        self.fails_as(EX_NOPERM, "content-manager", "client", "list", "--all")
        cid = self.json_as("user", "client", "add", "anna@example.com")["id"]
        self.fails_as(EX_NOINPUT, "content-manager", "client", "show", str(cid))


class Posts(BlogCase):
    def test_views_are_counted_by_show_of_a_published_post(self):
        pid = self.post("user", published=True)
        for role in (None, "user", None):
            self.ok_as(role, "blog", "show", str(pid))
        self.ok_as(None, "blog", "show", "--raw", str(pid))
        self.assertEqual(self.json_as(None, "blog", "show", str(pid))["views"], 5)
        row = [p for p in self.json_as(None, "blog", "list") if p["id"] == pid][0]
        self.assertEqual(row["views"], 5)
        table = self.ok_as(None, "blog", "list").stdout
        self.assertRegex(table, r"(?m)^{} .* 5\s*$".format(pid))
        draft = self.post("user")
        self.ok_as("user", "blog", "show", str(draft))
        self.assertEqual(self.json_as("user", "blog", "show", str(draft))["views"], 0)

    def test_an_authors_edit_of_a_published_post_unpublishes_it_and_says_so(self):
        pid = self.post("user", title="Было", published=True)
        proc = self.ok_as("user", "blog", "edit", str(pid), "--title", "Стало")
        self.assertIn("unpublished until a manager or a content-manager publishes it again", proc.stderr)
        self.assertNotIn(pid, self.listed(None))
        self.fails_as(EX_NOINPUT, None, "blog", "show", str(pid))
        shown = self.json_as("user", "blog", "show", str(pid))
        self.assertEqual((shown["title"], shown["published"]), ("Стало", False))
        self.ok_as("content-manager", "blog", "publish", str(pid))
        self.assertIn(pid, self.listed(None))

    def test_show_renders_markdown_and_raw_prints_it(self):
        body = "# Заголовок\n\nАбзац с **жирным** и [ссылкой](https://shop.example/a).\n\n- один\n- два\n"
        pid = self.post("user", title="Разметка", body=body, published=True)
        raw = self.ok_as(None, "blog", "show", "--raw", str(pid)).stdout
        self.assertEqual(raw, body)
        shown = self.ok_as(None, "blog", "show", str(pid)).stdout
        self.assertIn("Разметка", shown)
        self.assertIn("Заголовок\n=========\n", shown)
        self.assertIn("Абзац с **жирным** и ссылкой <https://shop.example/a>.", shown)
        self.assertIn("• один\n• два\n", shown)
        self.assertNotIn("# Заголовок", shown)
        self.assertNotIn("\x1b", shown)  # NO_COLOR and no terminal

    def test_images_are_judged_by_their_bytes(self):
        png = self.ws.root / "photo.png"
        png.write_bytes(png_bytes())
        fake = self.ws.root / "fake.png"
        fake.write_bytes(b"<svg onload=alert(1)>")
        pid = self.json_as("user", "blog", "add", "--title", "С картинкой", "--body", "b", "--image", str(png))["id"]
        shown = self.json_as("user", "blog", "show", str(pid))
        self.assertEqual(shown["image"], {"type": "image/png", "size": len(png_bytes())})
        before = self.ws.sql("SELECT count(*) FROM post")[0][0]
        proc = self.fails_as(EX_DATAERR, "user", "blog", "add", "--title", "x", "--body", "b", "--image", str(fake))
        self.assertIn("image", proc.stderr)
        self.assertEqual(self.ws.sql("SELECT count(*) FROM post")[0][0], before)
        self.fails_as(EX_DATAERR, "user", "blog", "edit", str(pid), "--image", str(fake))
        self.fails_as(EX_NOINPUT, "user", "blog", "add", "--title", "x", "--body", "b", "--image",
                      str(self.ws.root / "missing.png"))
        self.assertEqual(self.json_as("user", "blog", "edit", str(pid), "--no-image")["image"], None)

    def test_bad_input_is_refused_and_changes_nothing(self):
        before = self.ws.sql("SELECT count(*) FROM post")[0][0]
        self.fails_as(EX_DATAERR, "user", "blog", "add", "--title", "две\nстроки", "--body", "b")
        self.fails_as(EX_DATAERR, "user", "blog", "add", "--title", "", "--body", "b")
        self.fails_as(EX_DATAERR, "user", "blog", "add", "--title", "x" * 301, "--body", "b")
        self.fails_as(EX_DATAERR, "user", "blog", "add", "--title", "t", "--body", "esc \x1b[31m")
        self.fails_as(EX_USAGE, "user", "blog", "add", "--title", "t")
        self.fails_as(EX_USAGE, "user", "blog", "add", "--title", "t", "--body", "b", "--body-file", "-")
        self.fails_as(EX_NOINPUT, None, "blog", "show", "999999")
        self.fails_as(EX_USAGE, "user", "blog", "edit", "1")
        self.assertEqual(self.ws.sql("SELECT count(*) FROM post")[0][0], before)

    def test_body_file_from_stdin_keeps_cyrillic(self):
        body = "Привет, мир!\n\nЁжик в тумане — «кавычки».\n"
        pid = self.json_as("user", "blog", "add", "--title", "Ёжик", "--body-file", "-", input=body)["id"]
        self.assertEqual(self.ok_as("user", "blog", "show", "--raw", str(pid)).stdout, body)

    def test_stats_counts_posts_and_shows_random_published_ones(self):
        titles = {"Для главной {}".format(i) for i in range(4)}
        for title in sorted(titles):
            self.post("manager", title=title, published=True)
        self.post("manager", title="Черновик для главной")
        self.assertGreaterEqual(self.json_as("manager", "stats")["posts"], 4)
        human = self.ok_as("manager", "stats").stdout
        self.assertIn("From the blog:", human)
        shown = human.split("From the blog:\n", 1)[1].splitlines()
        self.assertEqual(len(shown), 3, human)
        published = {p["title"] for p in self.json_as(None, "blog", "list")}
        for line in shown:
            self.assertRegex(line, r"^  \d{4}-\d\d-\d\d  .+ \(.+, mailer blog show \d+\)$")
            self.assertTrue(any(t in line for t in published), line)
            self.assertNotIn("Черновик", line)

if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Checks the man page and the three completion files against the CLI itself.

    check_cli_docs.py MAILER_BIN SOURCE_DIR

Walks `mailer --help` and every `mailer CMD [SUB] --help` (CLI11's format: "Options:",
"Subcommands:" sections) and requires that each command, subcommand and flag appears in
man/mailer.1 and in completions/mailer.bash, completions/_mailer and completions/mailer.fish,
each in the place of that file that belongs to the command (not merely somewhere in the file):

  man page  the .TP entries whose heading starts "mailer CMD [SUB]" (GLOBAL OPTIONS and SYNOPSIS
            for the global ones);
  bash      `commands`, `_mailer_subcommands`, the `_mailer_flags` case arm matching "CMD SUB",
            `globals`; an option that takes a value is also in `value_options` (the positional
            count skips its value);
  zsh       `commands`, the `subs` of _mailer_CMD, the case arm for SUB (or CMD) with the arrays
            it expands, `_mailer_globals`;
  fish      the `__mailer_needs_command`/`__mailer_needs_subcommand CMD` lines, the lines whose
            condition is `__mailer_using CMD [SUB]`, the global lines (no condition); an option
            that takes a value is also in `value_options` of `__mailer_words`.

-h/--help is listed by every command; it is checked once, with the global options, which each
completion offers at every level. Exits 1 listing every gap.
"""

import fnmatch
import os
import pathlib
import re
import subprocess
import sys
import tempfile

HELP_FLAGS = {"-h", "--help"}


# --- the CLI ---------------------------------------------------------------------------------

def help_text(binary, path, env):
    proc = subprocess.run([binary, *path, "--help"], env=env, capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        raise SystemExit("check_cli_docs: `mailer {} --help` exited {}: {}".format(
            " ".join(path), proc.returncode, proc.stderr.strip()))
    return proc.stdout


def parse_help(text):
    """Returns ({flag: takes_value}, [subcommand names]) from one CLI11 help screen."""
    flags, subs, section = {}, [], None
    for line in text.splitlines():
        if re.match(r"^\S.*:$", line):
            section = line[:-1]
            continue
        if section == "Options":
            m = re.match(r"^  (-[^\s,]+(?:,-[^\s,]+)*)(?: ([A-Z][A-Z0-9_]*)\b)?", line)
            if m:
                names = m.group(1).split(",")
                # A type word (TEXT, INT, ...) after the names: the option takes a value.
                takes_value = m.group(2) is not None
                for name in names:
                    flags[name] = takes_value
        elif section == "Subcommands":
            m = re.match(r"^  ([a-z][a-z0-9-]*)(?:\s|$)", line)
            if m:
                subs.append(m.group(1))
    return flags, subs


def walk_cli(binary):
    """Returns {(cmd, sub): {flag: takes_value}}; () is the program, (cmd,) a command."""
    with tempfile.TemporaryDirectory(prefix="mailer-docs-") as home:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LC_ALL": "C.UTF-8",
               "XDG_CONFIG_HOME": home + "/config", "XDG_STATE_HOME": home + "/state",
               "XDG_DATA_HOME": home + "/data", "NO_COLOR": "1"}
        tree, todo = {}, [()]
        while todo:
            path = todo.pop(0)
            flags, subs = parse_help(help_text(binary, list(path), env))
            tree[path] = flags
            todo.extend(path + (s,) for s in subs)
    return tree


# --- the man page ----------------------------------------------------------------------------

def roff_plain(line):
    line = re.sub(r"\\f(\[[^\]]*\]|.)", "", line)      # font changes
    line = line.replace("\\-", "-").replace("\\(em", "-").replace('"', " ")
    line = re.sub(r"^\.(B|I|BI|IB|BR|RB|IR|RI)\s", "", line)
    return re.sub(r"\s+", " ", line).strip()


class ManPage:
    def __init__(self, text):
        lines = text.splitlines()
        self.entries = []          # (heading, text) of each .TP item
        self.sections = {}         # .SH name -> text
        section, entry = None, None
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith(".SH"):
                section = roff_plain(line[3:])
                self.sections[section] = ""
                entry = None
            elif line.startswith(".TP") or line.startswith(".TQ"):
                heading = roff_plain(lines[i + 1]) if i + 1 < len(lines) else ""
                if line.startswith(".TQ") and entry is not None:
                    entry[0].append(heading)     # one description for several headings
                else:
                    entry = [[heading], []]
                    self.entries.append(entry)
                if section is not None:
                    self.sections[section] += heading + "\n"
                i += 2
                continue
            elif line.startswith(".SS"):
                entry = None
            if section is not None:
                self.sections[section] += roff_plain(line) + "\n"
            if entry is not None:
                entry[1].append(roff_plain(line))
            i += 1

    def region(self, path):
        if not path:
            return self.sections.get("SYNOPSIS", "") + self.sections.get("GLOBAL OPTIONS", "")
        prefix = "mailer " + " ".join(path)
        texts = [" ".join(h) + "\n" + "\n".join(body) for h, body in self.entries
                 if any(x == prefix or x.startswith(prefix + " ") for x in h)]
        return "\n".join(texts) if texts else None


# --- the completion files --------------------------------------------------------------------

def words_in(text):
    return set(re.findall(r"(?<![\w-])-{1,2}[A-Za-z][\w-]*", text))


def shell_string(text, name):
    """The value of `local NAME="..."` (possibly over several lines)."""
    m = re.search(r"\b" + name + r'="([^"]*)"', text)
    return m.group(1).split() if m else []


def shell_function(text, name):
    m = re.search(r"^" + re.escape(name) + r"\(\) \{\n(.*?)^\}", text, re.M | re.S)
    return m.group(1) if m else ""


def case_arms(text):
    """[(patterns, body)] of the case arms in `text` (a body runs to its `;;`)."""
    arms = []
    for m in re.finditer(r'^\s*((?:"[^"]*"\*?|[\w-]+)(?:\s*\|\s*(?:"[^"]*"\*?|[\w-]+))*)\)', text, re.M):
        end = text.find(";;", m.end())
        body = text[m.end():end if end >= 0 else len(text)]
        patterns = [p.strip() for p in m.group(1).split("|")]
        arms.append((patterns, body))
    return arms


class Bash:
    def __init__(self, text):
        self.commands = set(shell_string(text, "commands"))
        self.globals = set(shell_string(text, "globals"))
        self.value_options = set(shell_string(text, "value_options"))
        self.subs, self.flags = {}, []
        for patterns, body in case_arms(shell_function(text, "_mailer_subcommands")):
            m = re.search(r'echo "([^"]*)"', body)
            for p in patterns:
                self.subs[p] = set(m.group(1).split()) if m else set()
        for patterns, body in case_arms(shell_function(text, "_mailer_flags")):
            m = re.search(r'echo "([^"]*)"', body)
            # "a b" | "c d"*: glob patterns over "$1 $2".
            globs = [re.sub(r'"([^"]*)"', r"\1", p) for p in patterns]
            self.flags.append((globs, set(m.group(1).split()) if m else set()))

    def check(self, path, flags, gaps):
        if not path:
            missing = set(flags) - self.globals
        else:
            key = path[0] + " " + (path[1] if len(path) > 1 else "")
            if len(path) == 1 and path[0] not in self.commands:
                gaps.append("command `{}` is not in `commands`".format(path[0]))
            if len(path) == 2 and path[1] not in self.subs.get(path[0], set()):
                gaps.append("subcommand `{} {}` is not in _mailer_subcommands".format(*path))
            offered = set()
            for globs, names in self.flags:
                if any(fnmatch.fnmatchcase(key, g) for g in globs):
                    offered |= names
            missing = set(flags) - HELP_FLAGS - offered
        for f in sorted(missing):
            gaps.append("`{}` flag {} is not offered".format(" ".join(("mailer",) + path), f))
        for f, takes_value in sorted(flags.items()):
            if takes_value and f not in self.value_options:
                gaps.append("{} takes a value but is not in `value_options`".format(f))


class Zsh:
    def __init__(self, text):
        self.text = text
        m = re.search(r"^_mailer_globals=\((.*?)^\)", text, re.M | re.S)
        self.globals = words_in(m.group(1)) if m else set()

    def names(self, function, array):
        body = shell_function(self.text, function)
        m = re.search(r"^\s*" + array + r"=\((.*?)\)$", body, re.M | re.S)
        return set(re.findall(r"'([\w-]+):", m.group(1))) if m else set()

    def expand(self, function, body):
        local = shell_function(self.text, function)
        for name in set(re.findall(r"\$\{?(\w+)", body)) - {"_mailer_globals", "words", "state"}:
            m = re.search(r"^\s*" + name + r"=\((.*?)^\s*\)$", local, re.M | re.S)
            if m:
                body += m.group(1)
        return body

    def check(self, path, flags, gaps):
        if not path:
            missing = set(flags) - self.globals
        else:
            if len(path) == 1 and path[0] not in self.names("_mailer", "commands"):
                gaps.append("command `{}` is not in `commands`".format(path[0]))
            function, name = ("_mailer_" + path[0], path[1]) if len(path) == 2 else ("_mailer", path[0])
            if len(path) == 2 and name not in self.names(function, "subs"):
                gaps.append("subcommand `{} {}` is not in the `subs` of {}".format(*path, function))
            offered = set()
            for patterns, body in case_arms(shell_function(self.text, function)):
                if name in patterns:
                    offered |= words_in(self.expand(function, body))
            missing = set(flags) - HELP_FLAGS - offered
        for f in sorted(missing):
            gaps.append("`{}` flag {} is not offered".format(" ".join(("mailer",) + path), f))


def expand_fish_loops(text):
    """Unrolls `for VAR in A B ...` / `end` blocks at the top level, substituting $VAR."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = re.match(r"^for (\w+) in (.*)$", lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while lines[j] != "end":
            j += 1
        for value in m.group(2).split():
            out.extend(line.replace("$" + m.group(1), value) for line in lines[i + 1:j])
        i = j + 1
    return out


class Fish:
    def __init__(self, text):
        self.commands, self.subs, self.globals, self.flags = set(), {}, set(), {}
        words = shell_function_fish(text, "__mailer_words")
        m = re.search(r"set -l value_options (.*?)\n\s*set", words, re.S)
        self.value_options = set(m.group(1).replace("\\\n", " ").split()) if m else set()
        for line in expand_fish_loops(text):
            line = line.strip()
            if not line.startswith("complete -c mailer"):
                continue
            names = {"-" + s for s in re.findall(r"(?<!\S)-s (\S+)", line)}
            names |= {"--" + s for s in re.findall(r"(?<!\S)-l (\S+)", line)}
            arg = re.search(r"(?<!\S)-a (\S+)", line)
            if "-n" not in line.split():
                self.globals |= names
            elif "__mailer_needs_command" in line and arg:
                self.commands.add(arg.group(1))
            else:
                m = re.search(r"__mailer_needs_subcommand (\S+?)'", line)
                if m and arg:
                    self.subs.setdefault(m.group(1), set()).add(arg.group(1))
                for cmd, sub in re.findall(r"__mailer_using ([\w-]+)(?: ([a-z][\w-]*))?", line):
                    self.flags.setdefault((cmd, sub), set()).update(names)

    def check(self, path, flags, gaps):
        if not path:
            missing = set(flags) - self.globals
        else:
            if len(path) == 1 and path[0] not in self.commands:
                gaps.append("command `{}` has no __mailer_needs_command line".format(path[0]))
            if len(path) == 2 and path[1] not in self.subs.get(path[0], set()):
                gaps.append("subcommand `{} {}` has no __mailer_needs_subcommand line".format(*path))
            key = (path[0], path[1] if len(path) > 1 else "")
            missing = set(flags) - HELP_FLAGS - self.flags.get(key, set())
        for f in sorted(missing):
            gaps.append("`{}` flag {} is not offered".format(" ".join(("mailer",) + path), f))
        for f, takes_value in sorted(flags.items()):
            if takes_value and path and f not in self.value_options:
                gaps.append("{} takes a value but is not in `value_options` of __mailer_words".format(f))


def shell_function_fish(text, name):
    m = re.search(r"^function " + re.escape(name) + r"\b.*?\n(.*?)^end", text, re.M | re.S)
    return m.group(1) if m else ""


def check_man(man, path, flags, gaps):
    region = man.region(path)
    if region is None:
        gaps.append("no entry whose heading starts `mailer {}`".format(" ".join(path)))
        return
    present = words_in(region)
    for f in sorted(set(flags) - (HELP_FLAGS if path else set()) - present):
        gaps.append("`{}` flag {} is not documented there".format(" ".join(("mailer",) + path), f))


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    binary, source = sys.argv[1], pathlib.Path(sys.argv[2])
    tree = walk_cli(binary)
    read = lambda rel: (source / rel).read_text(encoding="utf-8")
    man = ManPage(read("man/mailer.1"))
    docs = {"man/mailer.1": None, "completions/mailer.bash": Bash(read("completions/mailer.bash")),
            "completions/_mailer": Zsh(read("completions/_mailer")),
            "completions/mailer.fish": Fish(read("completions/mailer.fish"))}
    failed = 0
    for name, doc in docs.items():
        gaps = []
        for path, flags in sorted(tree.items()):
            # A command with subcommands is reached only through them; its own help lists -h.
            if doc is None:
                check_man(man, path, flags, gaps)
            else:
                doc.check(path, flags, gaps)
        if gaps:
            failed += len(gaps)
            print("{}: {} gap(s) against `mailer --help`:".format(name, len(gaps)))
            for g in dict.fromkeys(gaps):
                print("  " + g)
    commands = sum(1 for p in tree if len(p) == 1)
    subs = sum(1 for p in tree if len(p) == 2)
    flags = sum(len(f) for f in tree.values())
    print("checked {} commands, {} subcommands, {} flags against 4 files: {}".format(
        commands, subs, flags, "{} gap(s)".format(failed) if failed else "no gaps"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

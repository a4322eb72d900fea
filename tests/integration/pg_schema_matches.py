#!/usr/bin/python3
"""Checks that PostgreSQL's schema (src/store/postgres/NNN_*.sql) is SQLite's: the store's SQL
is shared by both backends and `db copy` moves rows column by column, so a column added, moved
or renamed on one side only breaks one backend, or a copy, without a compile error.

    pg_schema_matches.py SQLITE_DB PG_URL
    pg_schema_matches.py --migrations src/store/migrations --load src/store/postgres/011_schema.sql \\
        --load src/store/postgres/012_fleet.sql /tmp/s.db auto

Compared per table: the column names in their order (what must match), then what the two can
express alike: NOT NULL outside primary keys, the type family (INTEGER: BIGINT or BOOLEAN, TEXT,
BLOB: BYTEA, REAL: DOUBLE PRECISION), foreign keys with their ON DELETE actions, the named
indexes (unique or not, partial or not, their columns) and the triggers' names. DEFAULTs and
CHECKs are not compared: the two spell them differently (0 and false).

--migrations DIR builds SQLITE_DB afresh from DIR's NNN_*.sql, with stand-ins for the SQL
functions mailer registers (mailer_fold, mailer_email_key: only the schema is wanted here).
PG_URL `auto` starts a throwaway server (postgres.py) with one fresh database; --load FILE runs
FILE into the database first (psql, ON_ERROR_STOP). Python 3 standard library and psql only.
Exits 0 when the schemas match, 1 with one line per difference, 2 on a usage error.
"""

import argparse
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SEP = "\x1f"
TYPE_FAMILIES = {
    "INTEGER": {"bigint", "boolean"},
    "BOOLEAN": {"boolean"},
    "TEXT": {"text"},
    "BLOB": {"bytea"},
    "REAL": {"double precision"},
}
PG_ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def build_sqlite(path, migrations):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.create_function("mailer_fold", 1, lambda s: None if s is None else s.lower(), deterministic=True)
    db.create_function("mailer_email_key", 1, lambda s: None if s is None else s.lower(), deterministic=True)
    files = sorted(Path(migrations).glob("[0-9][0-9][0-9]_*.sql"))
    if not files:
        raise SystemExit("no migrations NNN_*.sql in {}".format(migrations))
    for f in files:
        db.executescript(f.read_text())
    db.close()


def sqlite_schema(path):
    db = sqlite3.connect("file:{}?mode=ro".format(path), uri=True)
    tables = {}
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                              "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"):
        cols = []
        for _cid, col, typ, notnull, _default, pk in db.execute(
                "SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid",
                (name,)):
            cols.append({"name": col, "type": typ.upper(), "notnull": bool(notnull), "pk": pk > 0})
        fks = set()
        rows = db.execute("SELECT id, seq, \"table\", \"from\", \"to\", on_delete "
                          "FROM pragma_foreign_key_list(?) ORDER BY id, seq", (name,)).fetchall()
        by_id = {}
        for fid, _seq, target, frm, to, on_delete in rows:
            by_id.setdefault(fid, [target, [], [], on_delete])
            by_id[fid][1].append(frm)
            by_id[fid][2].append(to)
        for target, frm, to, on_delete in by_id.values():
            if None in to:  # REFERENCES t without columns: t's primary key
                to = [c for _, c in sorted((pk, c) for _, c, _, _, _, pk in
                                           db.execute("PRAGMA table_info({})".format(_qi(target))) if pk)]
            fks.add((tuple(frm), target, tuple(to), on_delete.upper()))
        tables[name] = {"columns": cols, "fks": fks}
    indexes = {}
    for name, table, sql in db.execute("SELECT name, tbl_name, sql FROM sqlite_master "
                                       "WHERE type = 'index' AND sql IS NOT NULL"):
        unique = bool(db.execute("SELECT \"unique\" FROM pragma_index_list(?) WHERE name = ?",
                                 (table, name)).fetchone()[0])
        partial = bool(db.execute("SELECT partial FROM pragma_index_list(?) WHERE name = ?",
                                  (table, name)).fetchone()[0])
        cols = [c if c is not None else "<expr>" for (c,) in
                db.execute("SELECT name FROM pragma_index_info(?) ORDER BY seqno", (name,))]
        indexes[name] = (table, unique, partial, tuple(cols))
    triggers = {name: table for name, table in
                db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")}
    db.close()
    return tables, indexes, triggers


def _qi(name):
    return '"' + name.replace('"', '""') + '"'


def psql_rows(url, sql):
    cmd = ["psql", "-X", "-q", "-A", "-t", "-F", SEP, "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if proc.returncode != 0:
        raise SystemExit("psql failed: {}".format(proc.stderr.decode(errors="replace")))
    return [line.split(SEP) for line in proc.stdout.decode().splitlines() if line]


def pg_schema(url):
    tables = {}
    for table, col, typ, nullable, pk in psql_rows(url, """
            SELECT c.table_name, c.column_name, c.data_type, c.is_nullable,
                   EXISTS (SELECT 1 FROM information_schema.table_constraints t
                           JOIN information_schema.key_column_usage k
                             USING (constraint_schema, constraint_name)
                           WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema
                             AND t.table_name = c.table_name AND k.column_name = c.column_name)
            FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name, c.ordinal_position"""):
        tables.setdefault(table, {"columns": [], "fks": set()})["columns"].append(
            {"name": col, "type": typ, "notnull": nullable == "NO", "pk": pk == "t"})
    for table, frm, target, to, on_delete in psql_rows(url, """
            SELECT t.relname,
                   (SELECT string_agg(a.attname, ',' ORDER BY k.n)
                    FROM unnest(c.conkey) WITH ORDINALITY k(att, n)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att),
                   f.relname,
                   (SELECT string_agg(a.attname, ',' ORDER BY k.n)
                    FROM unnest(c.confkey) WITH ORDINALITY k(att, n)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.att),
                   c.confdeltype
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class f ON f.oid = c.confrelid
            WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace"""):
        if table in tables:
            fk = (tuple(frm.split(",")), target, tuple(to.split(",")), PG_ON_DELETE[on_delete])
            tables[table]["fks"].add(fk)
    indexes = {}
    for name, table, unique, partial, cols in psql_rows(url, """
            SELECT ic.relname, tc.relname, i.indisunique, i.indpred IS NOT NULL,
                   (SELECT string_agg(CASE WHEN i.indkey[n - 1] = 0 THEN '<expr>'
                                      ELSE pg_get_indexdef(i.indexrelid, n::int, true) END, ',' ORDER BY n)
                    FROM generate_series(1, i.indnkeyatts) n)
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
            WHERE tc.relnamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"""):
        indexes[name] = (table, unique == "t", partial == "t", tuple(c.strip('"') for c in cols.split(",")))
    triggers = {name: table for name, table in psql_rows(url, """
            SELECT g.tgname, c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
            WHERE NOT g.tgisinternal AND c.relnamespace = current_schema()::regnamespace""")}
    return tables, indexes, triggers


def compare(lite, pg):
    (lt, li, ltr), (pt, pi, ptr) = lite, pg
    out = []
    for name in sorted(set(lt) - set(pt)):
        out.append("table {}: in SQLite only".format(name))
    for name in sorted(set(pt) - set(lt)):
        out.append("table {}: in PostgreSQL only".format(name))
    for name in sorted(set(lt) & set(pt)):
        lc, pc = lt[name]["columns"], pt[name]["columns"]
        ln, pn = [c["name"] for c in lc], [c["name"] for c in pc]
        if ln != pn:
            out.append("table {}: columns differ\n  SQLite:     {}\n  PostgreSQL: {}".format(
                name, ", ".join(ln), ", ".join(pn)))
            continue
        for a, b in zip(lc, pc):
            where = "table {} column {}".format(name, a["name"])
            allowed = TYPE_FAMILIES.get(a["type"])
            if allowed is None:
                out.append("{}: SQLite type {} has no rule here".format(where, a["type"] or "(none)"))
            elif b["type"] not in allowed:
                out.append("{}: SQLite {} but PostgreSQL {} (expected {})".format(
                    where, a["type"], b["type"], " or ".join(sorted(allowed))))
            if not a["pk"] and not b["pk"] and a["notnull"] != b["notnull"]:
                side = "SQLite" if a["notnull"] else "PostgreSQL"
                out.append("{}: NOT NULL in {} only".format(where, side))
        lf, pf = lt[name]["fks"], pt[name]["fks"]
        for fk in sorted(lf - pf):
            out.append("table {}: foreign key {} -> {}({}) ON DELETE {} in SQLite only".format(
                name, ",".join(fk[0]), fk[1], ",".join(fk[2]), fk[3]))
        for fk in sorted(pf - lf):
            out.append("table {}: foreign key {} -> {}({}) ON DELETE {} in PostgreSQL only".format(
                name, ",".join(fk[0]), fk[1], ",".join(fk[2]), fk[3]))
    for name in sorted(set(li) | set(pi)):
        a, b = li.get(name), pi.get(name)
        describe = lambda x: "on {}({}){}{}".format(x[0], ", ".join(x[3]), " unique" if x[1] else "",
                                                   " partial" if x[2] else "")
        if a is None:
            out.append("index {}: in PostgreSQL only ({})".format(name, describe(b)))
        elif b is None:
            out.append("index {}: in SQLite only ({})".format(name, describe(a)))
        elif a != b:
            out.append("index {}: SQLite {}, PostgreSQL {}".format(name, describe(a), describe(b)))
    for name in sorted(set(ltr) ^ set(ptr)):
        out.append("trigger {}: in {} only".format(name, "SQLite" if name in ltr else "PostgreSQL"))
    for name in sorted(set(ltr) & set(ptr)):
        if ltr[name] != ptr[name]:
            out.append("trigger {}: on {} in SQLite, on {} in PostgreSQL".format(name, ltr[name], ptr[name]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sqlite_db")
    ap.add_argument("pg_url", help="a libpq URL, or `auto` for a throwaway server")
    ap.add_argument("--migrations", help="build sqlite_db afresh from this folder's NNN_*.sql")
    ap.add_argument("--load", action="append", default=[],
                    help="run this SQL file into the PostgreSQL database first (repeatable, in order)")
    args = ap.parse_args()
    if args.migrations:
        build_sqlite(args.sqlite_db, args.migrations)
    if not os.path.exists(args.sqlite_db):
        ap.error("no SQLite database {}".format(args.sqlite_db))
    lite = sqlite_schema(args.sqlite_db)

    def check(url):
        for path in args.load:
            proc = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", path],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
            if proc.returncode != 0:
                raise SystemExit("loading {} failed: {}".format(path, proc.stderr.decode(errors="replace")))
        return compare(lite, pg_schema(url))

    if args.pg_url == "auto":
        import postgres
        with postgres.PostgresServer() as server:
            server.create_database("schema_check")
            diffs = check(server.url("schema_check"))
    else:
        diffs = check(args.pg_url)
    for line in diffs:
        print(line)
    if diffs:
        sys.stdout.flush()
        print("{} difference(s)".format(len(diffs)), file=sys.stderr)
        return 1
    tables, indexes, triggers = lite
    print("schemas match: {} tables, {} indexes, {} triggers".format(len(tables), len(indexes), len(triggers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

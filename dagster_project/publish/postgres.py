"""Publish the analysts' schemas into PostgreSQL, the shared warehouse (opt-in).

With `POET_POSTGRES_URL` set, the publish step loads `marts`, `reference` and `quality`
of the just-published analysts' file (so only what passed every gate, and never `raw`,
`staging` or `recoded`) into PostgreSQL:

1. every table is created and filled with COPY (psycopg 3) in a new schema
   `<schema>__next`, invisible to readers, with its grants and row-level security;
2. one short transaction locks the current tables and renames `<schema>` to
   `<schema>__prev` and `<schema>__next` to `<schema>` for all three schemas, so a
   reader's statement sees the old or the new complete warehouse, never a mix, and
   waits at most for that transaction;
3. the previous schemas are dropped.

Roles (docs/DECISIONS.md P4-P8): the role of `POET_POSTGRES_URL` is the loader and owns
everything; `poet_analyst` (national) reads every table; `poet_local_analyst` (every
organisation's role is a member) reads `marts` and `reference`, and in the
respondent-level tables of `RESPONDENT_TABLES` only the rows of the organisations whose
role `poet_org_<code>` the reader is a member of (`poet grant --org CODE --user NAME`).
Neither can write. Policies and grants are made on the new schemas before the swap, so
they hold from the first moment the new tables are visible.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMAS = ("marts", "reference", "quality")
NEXT, PREV = "__next", "__prev"
NATIONAL_ROLE = "poet_analyst"
LOCAL_ROLE = "poet_local_analyst"
ORG_ROLE_PREFIX = "poet_org_"
# Schemas each reader role may read (quality.validation_results holds respondent ids of
# failed checks from every organisation: national analysts only).
READABLE = {NATIONAL_ROLE: SCHEMAS, LOCAL_ROLE: ("marts", "reference")}
# Respondent-level tables: one row per respondent (or per respondent's answer), each
# with the column that names its organisation. A table absent from a publish is skipped.
RESPONDENT_TABLES = {
    "marts.holder_responses": "org_code",
    "marts.carer_responses": "org_code",
    "marts.comments": "org_code",
    "marts.comment_themes": "org_code",
    "marts.data_quality_issues": "org_code",
}
COPY_CHUNK = 1 << 20
# Below PostgreSQL's default deadlock_timeout (1 s): when a reader holding one table waits
# for another the swap already locked, the swap gives up first and retries, so the reader is
# never the one a deadlock check aborts. 120 attempts: about a minute of readers.
SWAP_LOCK_TIMEOUT = "500ms"
SWAP_ATTEMPTS = 120


class PostgresPublishError(RuntimeError):
    """The PostgreSQL warehouse was left as it was; the message says why."""


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class PostgresReport:
    tables: dict[str, int]  # schema.table -> rows loaded
    seconds_load: float
    seconds_swap: float


# --- types --------------------------------------------------------------------------

_SIMPLE_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20)",
    "HUGEINT": "numeric(39)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "jsonb",
}


def pg_type(duckdb_type: str) -> str:
    """The PostgreSQL type a DuckDB column is loaded as."""
    if duckdb_type in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[duckdb_type]
    if re.fullmatch(r"DECIMAL\(\d+,\d+\)", duckdb_type):
        return duckdb_type.replace("DECIMAL", "numeric")
    if duckdb_type == "VARCHAR[]":
        return "text[]"
    return "jsonb"  # lists of other types, structs, maps: as JSON


def export_expression(column: Column) -> str:
    """The DuckDB expression that writes the column as PostgreSQL's CSV COPY reads it."""
    ident = '"' + column.name.replace('"', '""') + '"'
    if column.duckdb_type == "VARCHAR[]":
        # A PostgreSQL array literal: every element double-quoted, \ and " escaped.
        element = (
            "CASE WHEN x IS NULL THEN 'NULL' ELSE "
            "'\"' || replace(replace(x, '\\', '\\\\'), '\"', '\\\"') || '\"' END"
        )
        return (
            f"CASE WHEN {ident} IS NULL THEN NULL ELSE "
            f"'{{' || array_to_string(list_transform({ident}, lambda x: {element}), ',') || '}}' END"
        )
    if pg_type(column.duckdb_type) == "jsonb" and column.duckdb_type != "JSON":
        return f"CAST(to_json({ident}) AS VARCHAR)"
    return ident


# --- reading the published file -----------------------------------------------------


def published_tables(con: duckdb.DuckDBPyConnection) -> list[Table]:
    """Every table of the analysts' schemas in the published file, with its columns."""
    placeholders = ", ".join("?" for _ in SCHEMAS)
    rows = con.execute(
        "SELECT table_schema, table_name, column_name, data_type "
        "FROM information_schema.columns "
        f"WHERE table_schema IN ({placeholders}) ORDER BY table_schema, table_name, ordinal_position",
        list(SCHEMAS),
    ).fetchall()
    tables: dict[tuple[str, str], list[Column]] = {}
    for schema, name, column, data_type in rows:
        tables.setdefault((schema, name), []).append(Column(column, data_type))
    return [Table(s, n, tuple(cols)) for (s, n), cols in tables.items()]


def export_csv(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> None:
    select = ", ".join(export_expression(c) for c in table.columns)
    con.execute(
        f'COPY (SELECT {select} FROM "{table.schema}"."{table.name}") '
        f"TO '{path}' (FORMAT csv, HEADER false)"
    )


# --- SQL for PostgreSQL (psycopg 3) ---------------------------------------------------


def _sql():
    from psycopg import sql

    return sql


def create_table_sql(table: Table, schema: str):
    sql = _sql()
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(pg_type(c.duckdb_type)))
        for c in table.columns
    )
    return sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(schema, table.name), columns)


def copy_sql(table: Table, schema: str):
    sql = _sql()
    columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns)
    return sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(schema, table.name), columns
    )


def copy_file(cursor, table: Table, schema: str, path: Path) -> None:
    with cursor.copy(copy_sql(table, schema)) as copy, open(path, "rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            copy.write(chunk)


def org_role(org_code: str) -> str:
    """The group role of one organisation: poet_org_<code in lower case>."""
    code = org_code.strip().lower()
    if not re.fullmatch(r"[a-z0-9_]{1,40}", code):
        raise ValueError(f"organisation code {org_code!r}: letters, digits and _ only (at most 40)")
    return f"{ORG_ROLE_PREFIX}{code}"


def _role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def ensure_group_role(cursor, role: str, member_of: str | None = None) -> None:
    """Create a NOLOGIN group role when missing (the loader needs CREATEROLE)."""
    sql = _sql()
    if not _role_exists(cursor, role):
        cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    if member_of:
        cursor.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(member_of), sql.Identifier(role))
        )


def grant_reads(cursor, schema: str, readers: list[str]) -> None:
    sql = _sql()
    for role in readers:
        cursor.execute(
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
                sql.Identifier(schema), sql.Identifier(role)
            )
        )
        cursor.execute(
            sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(
                sql.Identifier(schema), sql.Identifier(role)
            )
        )


def protect_rows(cursor, schema: str, table: str, org_column: str | None) -> None:
    """Row-level security: national analysts see every row, an organisation's analysts
    the rows of the organisations whose poet_org_<code> role they are members of (none
    when the table has no organisation column: denied by default)."""
    sql = _sql()
    target = sql.Identifier(schema, table)
    cursor.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(target))
    cursor.execute(
        sql.SQL("CREATE POLICY national_all_rows ON {} FOR SELECT TO {} USING (true)").format(
            target, sql.Identifier(NATIONAL_ROLE)
        )
    )
    if org_column is None:
        return
    cursor.execute(
        sql.SQL(
            "CREATE POLICY own_organisation_rows ON {} FOR SELECT TO {} USING ("
            "lower({}) IN (SELECT substr(r.rolname, {}) FROM pg_catalog.pg_roles AS r "
            "WHERE r.rolname LIKE {} AND pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')))"
        ).format(
            target,
            sql.Identifier(LOCAL_ROLE),
            sql.Identifier(org_column),
            sql.Literal(len(ORG_ROLE_PREFIX) + 1),
            sql.Literal(ORG_ROLE_PREFIX.replace("_", "\\_") + "%"),
        )
    )


def _existing_schemas(cursor) -> set[str]:
    cursor.execute("SELECT nspname FROM pg_namespace")
    return {name for (name,) in cursor.fetchall()}


def drop_schemas(cursor, suffix: str) -> None:
    sql = _sql()
    for schema in SCHEMAS:
        cursor.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema + suffix))
        )


def _giving_way(conn, work: Callable) -> bool:
    """Run `work(cursor)` in one transaction whose locks wait at most SWAP_LOCK_TIMEOUT,
    below PostgreSQL's deadlock_timeout: when a reader's statement holds one table while
    it waits for another that `work` already locked, `work` gives up first (the reader's
    statement ends) and is tried again, up to SWAP_ATTEMPTS times. False when readers
    held the tables through every attempt (nothing of `work` was done)."""
    import psycopg

    sql = _sql()
    for _attempt in range(SWAP_ATTEMPTS):
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(
                    sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(SWAP_LOCK_TIMEOUT))
                )
                work(cur)
            return True
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            continue
    return False


def _drop_previous(conn, required: bool, log: Callable[[str], None]) -> None:
    """Drop the schemas a swap replaced (`*__prev`), giving way to readers as the swap does
    (seen without it: PostgreSQL's deadlock check aborted a publish whose swap had
    committed). When readers hold them through every attempt, they are left for the next
    publish, which must drop them before its swap (`required`) and fails in one line if
    it cannot."""
    if _giving_way(conn, lambda cur: drop_schemas(cur, PREV)):
        return
    held = f"readers held the replaced tables (*{PREV}) through {SWAP_ATTEMPTS} attempts"
    if required:
        raise PostgresPublishError(f"{held}; nothing was loaded")
    log(f"postgres: {held}; the next publish drops them")


# --- the load and the swap ------------------------------------------------------------


@contextmanager
def _connect(url: str) -> Iterator:
    import psycopg

    try:
        conn = psycopg.connect(url, application_name="poet publish")
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PostgresPublishError(f"cannot connect to POET_POSTGRES_URL: {first}") from None
    try:
        yield conn
    finally:
        conn.close()


def load_next(conn, published: Path, log: Callable[[str], None]) -> dict[str, int]:
    """Fill `<schema>__next` from the published file, with grants and policies; commit."""
    sql = _sql()
    loaded: dict[str, int] = {}
    with conn.cursor() as cur:
        drop_schemas(cur, NEXT)  # left over by a killed publish
        ensure_group_role(cur, NATIONAL_ROLE)
        ensure_group_role(cur, LOCAL_ROLE)
        for schema in SCHEMAS:
            cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema + NEXT)))
        conn.commit()
        source = duckdb.connect(str(published), read_only=True)
        try:
            tables = published_tables(source)
            with tempfile.TemporaryDirectory(prefix="poet-pg-") as folder:
                for table in tables:
                    csv = Path(folder) / f"{table.schema}.{table.name}.csv"
                    export_csv(source, table, csv)
                    cur.execute(create_table_sql(table, table.schema + NEXT))
                    copy_file(cur, table, table.schema + NEXT, csv)
                    csv.unlink()
                    loaded[table.qualified] = source.execute(
                        f'SELECT count(*) FROM "{table.schema}"."{table.name}"'
                    ).fetchone()[0]
                    log(f"postgres: loaded {table.qualified} ({loaded[table.qualified]} rows)")
        finally:
            source.close()
        for schema in SCHEMAS:
            grant_reads(
                cur, schema + NEXT, [r for r, readable in READABLE.items() if schema in readable]
            )
        columns = {t.qualified: {c.name for c in t.columns} for t in tables}
        for qualified, org_column in RESPONDENT_TABLES.items():
            if qualified in loaded:
                schema, name = qualified.split(".")
                if org_column not in columns[qualified]:
                    log(f"postgres: {qualified} has no {org_column}: national analysts only")
                    org_column = None
                protect_rows(cur, schema + NEXT, name, org_column)
        for qualified in loaded:
            schema, name = qualified.split(".")
            cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema + NEXT, name)))
    conn.commit()
    return loaded


def _current_tables(cur) -> list[tuple[str, str]]:
    cur.execute(
        "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(%s)",
        [list(SCHEMAS)],
    )
    return cur.fetchall()


def swap(conn) -> None:
    """One short transaction: lock the current tables (waiting for statements that read
    them), then rename every schema; readers arriving meanwhile wait for the commit."""
    sql = _sql()

    def rename(cur) -> None:
        current = _current_tables(cur)
        if current:
            cur.execute(
                sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
                    sql.SQL(", ").join(sql.Identifier(s, t) for s, t in current)
                )
            )
        existing = _existing_schemas(cur)
        for schema in SCHEMAS:
            if schema in existing:
                cur.execute(
                    sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                        sql.Identifier(schema), sql.Identifier(schema + PREV)
                    )
                )
            cur.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(schema + NEXT), sql.Identifier(schema)
                )
            )

    if not _giving_way(conn, rename):
        raise PostgresPublishError(
            f"readers held the PostgreSQL tables through {SWAP_ATTEMPTS} attempts of "
            f"{SWAP_LOCK_TIMEOUT}; the old state was kept (the new one is in *{NEXT})"
        )


def publish_to_postgres(
    published: Path, url: str, log: Callable[[str], None] = print
) -> PostgresReport:
    """Load the published file's analysts' schemas into PostgreSQL and swap them in."""
    started = time.perf_counter()
    with _connect(url) as conn:
        # Left over by a publish killed after its swap, or whose readers kept them.
        _drop_previous(conn, required=True, log=log)
        loaded = load_next(conn, published, log)
        loaded_at = time.perf_counter()
        swap(conn)
        swapped_at = time.perf_counter()
        _drop_previous(conn, required=False, log=log)
    log(
        f"postgres: {len(loaded)} tables loaded in {loaded_at - started:.1f} s, "
        f"swapped in {1000 * (swapped_at - loaded_at):.0f} ms"
    )
    return PostgresReport(loaded, loaded_at - started, swapped_at - loaded_at)


# --- poet grant -------------------------------------------------------------------------


def _ensure_login(cur, user: str, password: str | None) -> None:
    sql = _sql()
    verb = "ALTER" if _role_exists(cur, user) else "CREATE"
    statement = sql.SQL(verb + " ROLE {} LOGIN").format(sql.Identifier(user))
    if password is not None:
        statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
    cur.execute(statement)


def grant(url: str, user: str, org: str | None, password: str | None) -> str:
    """Create (or update) the login role `user` and make it a reader: of one
    organisation's respondent rows (org given) or national (org None). Returns what
    was done, in one line."""
    sql = _sql()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", user):
        raise ValueError(f"user {user!r}: letters, digits and _ only, not starting with a digit")
    if user.lower().startswith("poet_"):
        raise ValueError(f"user {user!r}: names starting with poet_ are the warehouse's own roles")
    with _connect(url) as conn, conn.transaction(), conn.cursor() as cur:
        ensure_group_role(cur, NATIONAL_ROLE)
        ensure_group_role(cur, LOCAL_ROLE)
        _ensure_login(cur, user, password)
        if org is None:
            group = NATIONAL_ROLE
        else:
            group = org_role(org)
            ensure_group_role(cur, group, member_of=LOCAL_ROLE)
        cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(user)))
    scope = "every organisation" if org is None else f"organisation {org.strip().upper()}"
    return f"{user} may read the warehouse as {group} (respondent rows of {scope})"

"""`poet grant` and `poet docs`: serving analysts (registered by dagster_project/cli.py)."""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR, Settings

PASSWORD_ENV = "POET_USER_PASSWORD"
# The documentation is built in its own target folder, so it never rewrites the manifest
# the Dagster definitions load (dbt_project/target/manifest.json).
DOCS_TARGET = DBT_PROJECT_DIR / "target" / "docs"


def _fail(message: str, code: int = 1) -> int:
    print(f"poet: {message}", file=sys.stderr)
    return code


def _password(args: argparse.Namespace) -> str | None:
    if args.no_password:
        return None
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        return getpass.getpass(f"password for {args.user}: ")
    raise ValueError(
        f"no password: set {PASSWORD_ENV}, run interactively, or pass --no-password "
        "(for roles that authenticate otherwise, e.g. by certificate)"
    )


def cmd_grant(args: argparse.Namespace) -> int:
    from dagster_project.publish.postgres import PostgresPublishError, grant

    url = Settings.from_env().postgres_url
    if not url:
        return _fail("POET_POSTGRES_URL is not set: poet grant acts on the PostgreSQL warehouse", 2)
    if (args.org is None) == (not args.national):
        return _fail("give exactly one of --org CODE or --national", 2)
    try:
        print(f"poet: {grant(url, args.user, args.org, _password(args))}")
    except (ValueError, PostgresPublishError) as exc:
        return _fail(str(exc), 2)
    except Exception as exc:  # psycopg's errors: one line, no stack trace
        return _fail(f"grant failed: {str(exc).strip().splitlines()[0]}")
    return 0


def add_grant_parser(sub) -> None:
    grant = sub.add_parser(
        "grant",
        help="let a PostgreSQL login read the shared warehouse (one organisation's rows or all)",
        description="Create or update a PostgreSQL login role and make it a reader of the "
        "warehouse at POET_POSTGRES_URL: with --org, of every aggregate and that "
        "organisation's respondent-level rows; with --national, of everything. The password "
        f"comes from {PASSWORD_ENV} or a prompt.",
    )
    grant.add_argument("--user", required=True, help="login role name")
    grant.add_argument("--org", help="organisation code, e.g. LA01")
    grant.add_argument("--national", action="store_true", help="national analyst: every row")
    grant.add_argument("--no-password", action="store_true", help="set no password")
    grant.set_defaults(func=cmd_grant)


def _dbt() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def _run_dbt(argv: list[str], warehouse: Path) -> int:
    env = {**os.environ, "POET_WAREHOUSE": str(warehouse)}
    return subprocess.run(
        [
            _dbt(),
            *argv,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(DOCS_TARGET),
        ],
        env=env,
        check=False,
    ).returncode


def generate_docs(published: Path) -> int:
    """`dbt docs generate` against a copy of the analysts' file (no lock on it or on the
    working warehouse), or with an empty catalog when nothing is published yet."""
    with tempfile.TemporaryDirectory(prefix="poet-docs-") as folder:
        warehouse = Path(folder) / "catalog.duckdb"
        if published.exists():
            shutil.copyfile(published, warehouse)
            return _run_dbt(["docs", "generate"], warehouse)
        print(f"poet: {published} does not exist yet: documenting without a catalog")
        return _run_dbt(["docs", "generate", "--empty-catalog"], warehouse)


def cmd_docs(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    code = generate_docs(settings.published)
    if code != 0:
        return _fail(f"dbt docs generate failed (exit {code})")
    if args.no_serve:
        print(f"poet: documentation written to {DOCS_TARGET / 'index.html'}")
        return 0
    print(f"poet: serving the documentation on http://{args.host}:{args.port} (Ctrl-C stops)")
    argv = ["docs", "serve", "--host", args.host, "--port", str(args.port), "--no-browser"]
    return _run_dbt(argv, settings.warehouse)


def add_docs_parser(sub) -> None:
    docs = sub.add_parser(
        "docs", help="build the dbt documentation of every table and serve it on localhost"
    )
    docs.add_argument("--host", default="127.0.0.1")
    docs.add_argument("--port", type=int, default=8080)
    docs.add_argument("--no-serve", action="store_true", help="build only")
    docs.set_defaults(func=cmd_docs)

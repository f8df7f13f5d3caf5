"""Install the project and its locked dependencies into a virtual environment (`make setup`).

With uv when it can: it downloads and compiles in parallel (about 40 s here against
2 min 40 s for pip, docs/refresh-passes.md); with pip otherwise, and then Python compiles what
pip did not (`compile_bytecode`). uv does not read pip's configuration, so the indexes,
links, certificate and constraints pip is configured with (`pip config list`: its files
and PIP_* variables) become uv's arguments, and uv weighs every index as pip does
(`--index-strategy unsafe-best-match`). If uv cannot be
installed or cannot install, pip installs as before. Either way requirements.lock pins
every package, so both install the same versions.

Usage: python .ci/install.py VENV
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

LOCK = "requirements.lock"
TARGET = ".[dev]"
QUIET = ["--quiet", "--quiet", "--disable-pip-version-check"]


def pip_settings(pip: Path) -> dict[str, str]:
    listing = subprocess.run(
        [str(pip), "config", "list"], capture_output=True, text=True, check=True
    ).stdout
    return parse_config_list(listing)


def parse_config_list(listing: str) -> dict[str, str]:
    """pip's effective settings by name from `pip config list`: an environment variable
    over the files' value, a later file over an earlier one."""
    files: dict[str, str] = {}
    variables: dict[str, str] = {}
    for line in listing.splitlines():
        key, _, value = line.partition("=")
        scope, _, name = key.partition(".")
        value = ast.literal_eval(value) if value else ""
        if scope == ":env:":
            variables[name] = value
        elif scope in ("global", "install"):
            files[name] = value
    return {**files, **variables}


def uv_arguments(settings: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """uv's arguments and environment for pip's settings."""
    arguments = ["--index-strategy", "unsafe-best-match"]
    environment: dict[str, str] = {}
    if settings.get("index-url"):
        arguments += ["--index-url", settings["index-url"]]
    for option, name in (
        ("--extra-index-url", "extra-index-url"),
        ("--find-links", "find-links"),
        ("--constraint", "constraint"),
        ("--allow-insecure-host", "trusted-host"),
    ):
        for value in settings.get(name, "").split():
            arguments += [option, value]
    if settings.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        arguments.append("--no-index")
    if settings.get("cert") and "SSL_CERT_FILE" not in os.environ:
        environment["SSL_CERT_FILE"] = settings["cert"]
    if settings.get("proxy"):  # pip's --proxy wins over the environment's, as here
        environment["HTTPS_PROXY"] = environment["HTTP_PROXY"] = settings["proxy"]
    return arguments, environment


def install_with_uv(venv: Path) -> str | None:
    """Install with uv; None when done, else why not."""
    pip, python, uv = venv / "bin" / "pip", venv / "bin" / "python", venv / "bin" / "uv"
    got_uv = subprocess.run([str(pip), "install", *QUIET, "-c", LOCK, "uv"], check=False)
    if got_uv.returncode != 0 or not uv.exists():
        return "uv could not be installed"
    try:
        arguments, environment = uv_arguments(pip_settings(pip))
    except (subprocess.CalledProcessError, ValueError, SyntaxError) as exc:
        return f"pip's configuration could not be read ({exc})"
    command = [str(uv), "pip", "install", "--python", str(python), "--quiet",
               "--compile-bytecode", *arguments, "-c", LOCK, "-e", TARGET]  # fmt: skip
    done = subprocess.run(command, env={**os.environ, **environment}, check=False)
    return None if done.returncode == 0 else f"uv exited with status {done.returncode}"


# Every module of the environment, on every core; a file that does not compile (packages
# ship some for other Python versions) is skipped without a word, as pip skips it.
COMPILE = (
    "import compileall, sysconfig; "
    "compileall.compile_dir(sysconfig.get_path('purelib'), quiet=2, workers=0)"
)


def compile_bytecode(venv: Path) -> None:
    """Compile the installed modules, so that a process imports them instead of compiling
    them (every time, where PYTHONDONTWRITEBYTECODE is set, as on this project's
    machines). Needed after uv failed: its `--compile-bytecode` failed once under load
    without naming a cause, after installing every package, and pip then found them all
    installed and compiled none. 82 s here, where uv's own compiling took 40-45 s."""
    subprocess.run([str(venv / "bin" / "python"), "-c", COMPILE], check=False)


def main(argv: list[str]) -> int:
    venv = Path(argv[1])
    why_not = install_with_uv(venv)
    if why_not is None:
        return 0
    print(f"{why_not}: installing with pip instead", file=sys.stderr)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", *QUIET, "--upgrade", "pip"], check=False)
    installed = subprocess.run([str(pip), "install", *QUIET, "-c", LOCK, "-e", TARGET])
    compile_bytecode(venv)  # what uv installed before it failed, pip left as it found it
    return installed.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))

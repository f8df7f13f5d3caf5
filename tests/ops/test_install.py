""".ci/install.py (`make setup`): uv is given the indexes, links, certificate and
constraints pip is configured with, and pip installs when uv cannot."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

from dagster_project.settings import REPO_ROOT

_SPEC = importlib.util.spec_from_file_location("ci_install", REPO_ROOT / ".ci" / "install.py")
install = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(install)

# `pip config list` on a machine with a local mirror: files first, then PIP_* variables.
LISTING = """\
global.cert='/etc/ssl/certs/ca.crt'
global.constraint='/etc/xdg/pip/constraints.txt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/opt/wheels'
install.trusted-host='mirror.example'
:env:.default-timeout='180'
:env:.find-links='/srv/wheels'
:env:.index-url='https://mirror.example/simple'
"""


def test_a_variable_wins_over_the_files_and_every_setting_is_read():
    settings = install.parse_config_list(LISTING)
    assert settings == {
        "cert": "/etc/ssl/certs/ca.crt",
        "constraint": "/etc/xdg/pip/constraints.txt",
        "extra-index-url": "file:///opt/pypi/simple file:///opt/pypi-more/simple",
        "find-links": "/srv/wheels",  # PIP_FIND_LINKS over the file's /opt/wheels
        "trusted-host": "mirror.example",
        "default-timeout": "180",
        "index-url": "https://mirror.example/simple",
    }


def test_uv_gets_every_index_link_and_constraint_pip_has(monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    arguments, environment = install.uv_arguments(install.parse_config_list(LISTING))
    assert arguments == [
        "--index-strategy", "unsafe-best-match",  # every index weighed, as pip does
        "--index-url", "https://mirror.example/simple",
        "--extra-index-url", "file:///opt/pypi/simple",
        "--extra-index-url", "file:///opt/pypi-more/simple",
        "--find-links", "/srv/wheels",
        "--constraint", "/etc/xdg/pip/constraints.txt",
        "--allow-insecure-host", "mirror.example",
    ]  # fmt: skip
    assert environment == {"SSL_CERT_FILE": "/etc/ssl/certs/ca.crt"}


def test_a_proxy_reaches_uv_through_its_environment():
    _, environment = install.uv_arguments({"proxy": "http://proxy.example:8080"})
    assert environment == {
        "HTTPS_PROXY": "http://proxy.example:8080",
        "HTTP_PROXY": "http://proxy.example:8080",
    }


def test_no_configuration_gives_uv_its_defaults():
    assert install.uv_arguments({}) == (["--index-strategy", "unsafe-best-match"], {})


def _record_commands(monkeypatch, uv_installs: bool) -> list[list[str]]:
    """Replace subprocess.run: each command is recorded (program name first) and succeeds,
    but installing uv fails unless `uv_installs`."""
    calls: list[list[str]] = []

    def run(command, **_):
        calls.append([Path(command[0]).name, *command[1:]])
        return subprocess.CompletedProcess(
            command, 1 if "uv" in command and not uv_installs else 0, stdout=""
        )

    monkeypatch.setattr(install.subprocess, "run", run)
    return calls


def test_pip_installs_when_uv_cannot(tmp_path: Path, monkeypatch):
    calls = _record_commands(monkeypatch, uv_installs=False)
    assert install.main(["install.py", str(tmp_path / "venv")]) == 0
    assert calls[0][:2] == ["pip", "install"] and calls[0][-1] == "uv"
    assert calls[-2] == [
        "pip",
        "install",
        *install.QUIET,
        "-c",
        "requirements.lock",
        "-e",
        ".[dev]",
    ]
    assert calls[-1] == ["python", "-c", install.COMPILE]  # what uv left is compiled too


def test_uv_installs_and_compiles_alone(tmp_path: Path, monkeypatch):
    calls = _record_commands(monkeypatch, uv_installs=True)
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "uv").touch()
    assert install.main(["install.py", str(tmp_path / "venv")]) == 0
    assert calls[-1][0] == "uv" and "--compile-bytecode" in calls[-1]
    assert not any(call[:2] == ["pip", "install"] and "-e" in call for call in calls)

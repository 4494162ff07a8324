"""The files that run Rassegna as a service, checked without Docker or a systemd machine.

No Docker daemon here: the image is never built in tests. What can be checked offline is: the
files the Dockerfile copies exist and hold the package, the compose file parses and names only
settings the bot reads, and the systemd unit runs ``rassegna run`` and passes
``systemd-analyze verify`` (where that tool exists).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from bot.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO_ROOT / "Dockerfile"
COMPOSE = REPO_ROOT / "compose.yaml"
UNIT = REPO_ROOT / "deploy" / "rassegna.service"
SETTING_NAMES = {field.alias for field in Settings.model_fields.values()}


def _instructions(path: Path) -> list[tuple[str, str]]:
    """A Dockerfile's instructions, continuation lines joined, comments dropped."""
    joined = path.read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _unit_settings(path: Path) -> dict[str, list[str]]:
    """``Key=value`` lines of a systemd unit (a key may repeat), sections ignored."""
    settings: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_the_dockerfile_copies_what_exists_and_runs_the_bot_unprivileged() -> None:
    instructions = _instructions(DOCKERFILE)
    keywords = [keyword for keyword, _ in instructions]
    base = dict(instructions)["FROM"]
    assert base.startswith("python:")
    assert base.endswith("-slim")
    for keyword, arguments in instructions:
        if keyword == "COPY":
            *sources, _ = shlex.split(arguments)
            for source in sources:
                assert (REPO_ROOT / source).exists(), f"COPY {source}: no such file"
    packages = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    copied = {s for k, a in instructions if k == "COPY" for s in shlex.split(a)[:-1]}
    assert {"pyproject.toml", packages["project"]["readme"]} <= copied  # what pip builds from
    assert {"bot", "handlers"} <= copied
    assert "postgres" in packages["project"]["optional-dependencies"]  # pip install '.[postgres]'
    # The user switches away from root before the command, which is `rassegna run`.
    user = max(i for i, keyword in enumerate(keywords) if keyword == "USER")
    assert instructions[user][1] not in ("root", "0")
    assert user < keywords.index("CMD")
    assert shlex.split(dict(instructions)["CMD"].replace(",", " ").strip("[]")) == [
        "rassegna",
        "run",
    ]
    assert "/healthz" in dict(instructions)["HEALTHCHECK"]
    assert "/data" in dict(instructions)["VOLUME"]
    for keyword, arguments in instructions:
        if keyword == "ENV":
            named = {word.split("=", 1)[0] for word in shlex.split(arguments)}
            assert {n for n in named if n.startswith(("RASSEGNA_", "TELEGRAM_"))} <= SETTING_NAMES


def test_the_compose_file_builds_this_dockerfile_with_real_settings() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    assert (REPO_ROOT / bot["build"] / "Dockerfile").is_file()
    assert bot["env_file"] == ".env"
    assert (REPO_ROOT / ".env.example").is_file()  # what .env is copied from
    assert set(bot["environment"]) <= SETTING_NAMES
    assert bot["restart"] == "unless-stopped"
    assert bot["depends_on"]["postgres"]["required"] is False  # PostgreSQL is optional
    postgres = compose["services"]["postgres"]
    assert postgres["profiles"] == ["postgres"]
    assert postgres["image"].startswith("postgres:")
    volumes = {m.split(":", 1)[0] for s in compose["services"].values() for m in s["volumes"]}
    assert volumes == set(compose["volumes"])
    assert "rassegna-data:/data" in bot["volumes"]  # the Dockerfile's VOLUME


def test_the_systemd_unit_runs_the_bot_restarted_and_hardened() -> None:
    unit = _unit_settings(UNIT)
    (command,) = unit["ExecStart"]
    assert shlex.split(command)[0].endswith("/rassegna")
    assert shlex.split(command)[1:] == ["run"]
    assert unit["Restart"] == ["on-failure"]
    assert unit["User"] == ["rassegna"]
    assert unit["EnvironmentFile"] == ["/etc/rassegna/rassegna.env"]
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["NoNewPrivileges"] == ["yes"]
    assert unit["CapabilityBoundingSet"] == [""]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # The unit's command installed here: verify checks that ExecStart's program exists.
    installed = Path(sys.executable).parent / "rassegna"
    text = UNIT.read_text(encoding="utf-8")
    unit = tmp_path / "rassegna.service"
    unit.write_text(text.replace("/opt/rassegna/bin/rassegna", str(installed)), encoding="utf-8")
    verified = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False
    )
    assert (verified.returncode, verified.stderr) == (0, "")

"""No Docker engine runs here: check what the Dockerfile says, and run its install step for real."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.harness import ROOT

pytestmark = pytest.mark.slow  # runs the image's install step

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions() -> list[tuple[str, str]]:
    lines = [line.strip() for line in DOCKERFILE.splitlines() if line.strip() and not line.startswith("#")]
    joined: list[str] = []
    for line in lines:
        if joined and joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1] + " " + line
        else:
            joined.append(line)
    return [(line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1] if " " in line else "") for line in joined]


def test_slim_multi_stage_non_root_with_data_volume_health_check_and_command():
    steps = instructions()
    froms = [arg for op, arg in steps if op == "FROM"]
    assert len(froms) == 2 and all("-slim" in f for f in froms)
    assert ("USER", "studybot") in steps and "--uid 10001" in DOCKERFILE
    assert ("VOLUME", '["/data"]') in steps
    assert ("CMD", '["studybot", "run"]') in steps
    health = next(arg for op, arg in steps if op == "HEALTHCHECK")
    assert health.endswith('CMD ["studybot", "health"]')
    assert ("STOPSIGNAL", "SIGTERM") in steps
    env = " ".join(arg for op, arg in steps if op == "ENV")
    assert "DATABASE_URL=sqlite+aiosqlite:////data/studybot.db" in env and "HEARTBEAT_PATH=/data/heartbeat.json" in env
    # Pages are off unless WEB_PORT is given at `docker run` (with -p to publish it): the image sets no port and
    # exposes none, and listens on every interface of the container once a port is set.
    assert "WEB_HOST=0.0.0.0" in env and "WEB_PORT" not in env
    assert not [arg for op, arg in steps if op == "EXPOSE"]


def test_the_build_context_installs_and_its_commands_exist(tmp_path):
    """Copy exactly what the Dockerfile copies, install it with pip (no Docker), and run the image's
    commands from that install: the package must carry its migrations and work outside the checkout."""
    context = tmp_path / "context"
    context.mkdir()
    for op, arg in instructions():
        if op == "COPY" and not arg.startswith("--from"):
            *sources, _ = arg.split()
            for source in sources:
                src = ROOT / source
                (shutil.copytree if src.is_dir() else shutil.copy)(src, context / source)
    assert {p.name for p in context.iterdir()} == {
        "pyproject.toml",
        "README.md",
        "constraints.txt",
        "bot",
        "migrations",
        "roadmap.yaml",
    }
    # The image installs the versions the tests passed with.
    assert any(op == "RUN" and "-c constraints.txt" in arg and "pip install" in arg for op, arg in instructions())
    target = tmp_path / "site"
    pinned = ["-c", str(context / "constraints.txt")]
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", *pinned, "--target", str(target), str(context)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if pip.returncode != 0 and "No matching distribution" in pip.stderr:
        pytest.skip("the package index is not reachable for the build backend")
    assert pip.returncode == 0, pip.stderr
    assert (target / "migrations" / "versions").is_dir() and (target / "migrations" / "script.py.mako").exists()
    assert (target / "bot" / "locales" / "de.yaml").exists()  # the translations ship with the package
    # So do the web pages' templates and stylesheet: the installed copy renders a page.
    page = subprocess.run(
        [sys.executable, "-c", "from bot.web.server import templates; print(templates().list_templates())"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(target)},
        cwd=tmp_path,
    )
    assert "cohort.html" in page.stdout and "not_found.html" in page.stdout, page.stderr
    assert (target / "bot" / "web" / "static" / "page.css").exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "HEARTBEAT_"))}
    env |= {
        "PYTHONPATH": str(target),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'db.sqlite'}",
        "HEARTBEAT_PATH": str(tmp_path / "data" / "heartbeat.json"),
    }
    workdir = tmp_path / "app"  # like WORKDIR /app: not the checkout, so nothing comes from the source tree
    workdir.mkdir()
    shutil.copy(context / "roadmap.yaml", workdir)

    def studybot(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60, env=env, cwd=workdir
        )

    where = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.__file__)"], capture_output=True, text=True, env=env, cwd=workdir
    )
    assert where.stdout.startswith(str(target)), where.stdout  # the installed copy, not the checkout
    german = subprocess.run(
        [sys.executable, "-c", "from bot import i18n; i18n.use('de'); print(i18n.days(2))"],
        capture_output=True,
        text=True,
        env=env,
        cwd=workdir,
    )
    assert german.stdout.strip() == "2 Tage", german.stderr
    installed = studybot("--help")
    assert installed.returncode == 0 and re.search(r"\brun\b.*\bhealth\b", installed.stdout, re.S)
    assert studybot("check-roadmap").returncode == 0
    assert studybot("migrate").returncode == 0 and (tmp_path / "data" / "db.sqlite").exists()
    health = studybot("health")
    assert health.returncode == 1 and "no heartbeat" in health.stderr

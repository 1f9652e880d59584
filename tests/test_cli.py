"""The `studybot` command line, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.harness import ROOT, TEST_ROADMAP

pytestmark = pytest.mark.slow  # starts `studybot` processes


def studybot(*args: str, env: dict[str, str] | None = None, cwd=None) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "DATABASE_", "ROADMAP_", "ROADMAPS_", "WEB_", "PAGE_", "PUBLIC_URL"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean | (env or {}),
        cwd=cwd or ROOT,
    )


def test_run_without_a_token_says_to_copy_env_example(tmp_path):
    result = studybot("run", cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0  # one line
    assert "Copy .env.example to .env" in result.stderr


def test_an_invalid_roadmap_stops_the_bot_before_anything_is_written(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((TEST_ROADMAP).read_text().replace("id: http-https", "id: dns"))
    db = tmp_path / "data" / "bot.db"
    result = studybot(
        "run",
        env={
            "DISCORD_TOKEN": "secret-token-value",
            "ROADMAP_PATH": str(bad),
            "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
            "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",
        },
    )
    assert result.returncode == 2
    assert 'bad.yaml: stages[0].topics[1].id: duplicate id "dns"' in result.stderr
    assert not db.exists()
    assert "secret-token-value" not in result.stdout + result.stderr


def test_check_roadmap(tmp_path):
    ok = studybot("check-roadmap", env={"ROADMAP_PATH": str(TEST_ROADMAP)})  # no argument: ROADMAP_PATH
    assert ok.returncode == 0 and "8 stages, 31 topics, 17-28 weeks in total" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nstages: []\n")
    result = studybot("check-roadmap", str(bad))
    assert result.returncode == 1 and "bad.yaml: stages: List should have at least 1 item" in result.stderr


def test_migrate_creates_the_database_folder(tmp_path):
    db = tmp_path / "nested" / "bot.db"
    result = studybot("migrate", env={"DATABASE_URL": f"sqlite+aiosqlite:///{db}"})
    assert result.returncode == 0, result.stderr
    assert db.exists()


def test_env_example_as_env_is_valid(tmp_path, monkeypatch):
    """Copying .env.example to .env must give working settings (every documented variable parses)."""
    from bot.config import Settings

    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith(
            ("DISCORD_", "DATABASE_", "CLOCK_", "NUDGE_", "LEADERBOARD_", "FANOUT_", "SCHEDULER_", "ROADMAPS_")
        ):
            monkeypatch.delenv(key)
    settings = Settings()
    assert settings.discord_token is not None and settings.discord_token.get_secret_value() == ""
    assert settings.clock_start is None and settings.guild_ids == [] and settings.roadmaps_dir is None
    assert settings.nudge_grace_hours == 6 and settings.discord_requests_per_second == 50
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert documented == {name.upper() for name in Settings.model_fields}


def test_pages_without_a_real_secret_are_refused_in_one_line(tmp_path):
    """A page link signed with no secret, or a short one, could be forged: WEB_PORT needs PAGE_SECRET."""
    for secret in ("", "a-secret-too-short-to-sign-with"):
        env = {"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": "t", "WEB_PORT": "8080", "PAGE_SECRET": secret}
        result = studybot("run", cwd=tmp_path, env=env)
        assert result.returncode == 2, result.stderr
        assert "PAGE_SECRET must be set" in result.stderr and "Traceback" not in result.stderr
        assert result.stderr.strip().count("\n") == 0 and (not secret or secret not in result.stderr)  # never echoed
    proxies = {"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": "t", "WEB_TRUSTED_PROXIES": "127.0.0.1,localhost"}
    bad_proxy = studybot("run", cwd=tmp_path, env=proxies)
    assert bad_proxy.returncode == 2 and "WEB_TRUSTED_PROXIES: 'localhost' is not an address" in bad_proxy.stderr
    bad_url = studybot("run", cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": "t", "PUBLIC_URL": "x.org"})
    assert bad_url.returncode == 2 and "PUBLIC_URL must start with https://" in bad_url.stderr


def test_a_pages_port_in_use_is_one_line_before_anything_connects(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "DISCORD_TOKEN": "t",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "HEARTBEAT_PATH": str(tmp_path / "hb.json"),
            "WEB_PORT": str(port),
            "PAGE_SECRET": "s" * 32,
        }
        result = studybot("run", env=env)
    assert result.returncode == 2, result.stderr
    assert f"WEB_PORT: cannot serve pages on 127.0.0.1:{port} (Address already in use)" in result.stderr
    assert result.stderr.strip().count("\n") == 0 and not (tmp_path / "bot.db").exists()  # nothing started


def test_run_when_discord_cannot_be_reached_says_so_in_one_line(tmp_path):
    def unreachable(database: str) -> dict[str, str]:
        return {
            "DISCORD_TOKEN": "secret-token-value",
            "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / database}",
            "HEARTBEAT_PATH": str(tmp_path / "hb.json"),
        }

    result = studybot("run", env=unreachable("bot.db"))
    assert result.returncode == 1
    assert "cannot reach Discord at http://127.0.0.1:9/api/v10" in result.stderr
    assert "Traceback" not in result.stderr and "secret-token-value" not in result.stderr
    # The default log is what an operator needs: which migrations ran, not library set-up chatter.
    assert "Running upgrade 0006 -> 0007" in result.stderr and "database migrated" in result.stderr
    for noise in ("setup plugin", "Context impl", "Will assume", "voice will NOT be supported"):
        assert noise not in result.stderr
    debug = studybot("run", env=unreachable("fresh.db") | {"LOG_LEVEL": "DEBUG"})
    assert "Context impl" in debug.stderr  # all of it at DEBUG


def test_check_roadmap_checks_every_file_of_roadmaps_dir(tmp_path):
    ok = studybot("check-roadmap", env={"ROADMAPS_DIR": str(ROOT / "examples" / "roadmaps")})
    assert ok.returncode == 0
    assert "frontend: OK (key: frontend)\nFrontend developer: 3 stages, 7 topics" in ok.stdout
    (tmp_path / "broken.yaml").write_text("title: x\nstages: []\n")
    bad = studybot("check-roadmap", env={"ROADMAPS_DIR": str(tmp_path)})
    assert bad.returncode == 1 and "broken.yaml: stages: List should have at least 1 item" in bad.stderr


def test_run_refuses_when_a_cohorts_roadmap_is_gone(tmp_path):
    import sqlite3

    db = tmp_path / "bot.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    assert studybot("migrate", env=env).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO cohorts (guild_id, name, name_key, channel_id, start_date, timezone, nudge_time,"
            " leaderboard_weekday, leaderboard_time, pace, created_by, created_at, roadmap_id)"
            " VALUES (1, 'web', 'web', 1, '2026-01-01', 'UTC', '09:00', 0, '18:00', 'standard', 1,"
            " '2026-01-01 00:00:00', 'frontend')"
        )
    env |= {
        "DISCORD_TOKEN": "secret-token-value",
        "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",
        "HEARTBEAT_PATH": str(tmp_path / "hb.json"),
    }
    result = studybot("run", env=env)
    assert result.returncode == 1
    assert "roadmap 'frontend' (cohorts: web)" in result.stderr and "ROADMAPS_DIR" in result.stderr
    assert "Traceback" not in result.stderr
    started = studybot("run", env=env | {"ROADMAPS_DIR": str(ROOT / "examples" / "roadmaps")})
    assert "cannot reach Discord" in started.stderr  # with the file back, it gets as far as connecting


def test_a_database_or_heartbeat_that_cannot_be_written_is_one_line_naming_the_setting(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    unreachable = f"sqlite+aiosqlite:///{blocker}/sub/bot.db"  # its folder cannot be made under a file
    for args, env, expected in [
        (("migrate",), {"DATABASE_URL": unreachable}, "DATABASE_URL: cannot create the folder"),
        (("run",), {"DATABASE_URL": unreachable}, "DATABASE_URL: cannot create the folder"),
        (("run",), {"DATABASE_URL": f"sqlite+aiosqlite:///{blocker}/bot.db"}, "should be a folder for bot.db"),
        (
            ("run",),
            {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/ok/bot.db", "HEARTBEAT_PATH": f"{blocker}/x/hb.json"},
            "HEARTBEAT_PATH: cannot create the folder",
        ),
    ]:
        result = studybot(*args, env=env | {"DISCORD_TOKEN": "secret-token-value"})
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr, result.stderr
        assert expected in result.stderr and "secret-token-value" not in result.stderr
    assert not (tmp_path / "ok" / "bot.db").exists()  # nothing was started


def test_the_image_maps_the_env_examples_relative_data_folder_to_the_volume(tmp_path):
    """`docker run --env-file .env` with .env copied from .env.example: its relative paths resolve under
    /app, where the image links data/ to the /data volume, so they land where the defaults do."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    example = (ROOT / ".env.example").read_text()
    assert "ln -s /data /app/data" in dockerfile and "WORKDIR /app" in dockerfile
    assert "DATABASE_URL=sqlite+aiosqlite:///data/studybot.db" in example
    assert "HEARTBEAT_PATH=data/heartbeat.json" in example
    # The same layout here: /app is `app`, the volume is `volume`, and `studybot migrate` writes into it.
    (tmp_path / "volume").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "data").symlink_to(tmp_path / "volume")
    result = studybot(
        "migrate",
        env={"DATABASE_URL": "sqlite+aiosqlite:///data/studybot.db", "PYTHONPATH": str(ROOT)},
        cwd=tmp_path / "app",
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "volume" / "studybot.db").exists()

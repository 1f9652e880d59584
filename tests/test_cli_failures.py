"""Every failure at start is one clear line: the setting, what is wrong, what to do; status 2; no
traceback (unless LOG_LEVEL=DEBUG) and no password. Run as real processes."""

from __future__ import annotations

import sqlite3

import pytest

from tests.harness import TEST_ROADMAP
from tests.test_cli import studybot

pytestmark = pytest.mark.slow  # starts `studybot` processes

PASSWORD = "s3cret-pw"
TOKEN = {
    "DISCORD_TOKEN": "secret-token-value",
    "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",
    "ROADMAP_PATH": str(TEST_ROADMAP),
}


def one_line(result, *expected: str) -> None:
    err = result.stderr.strip()
    assert result.returncode == 2, (result.returncode, err)
    assert err.count("\n") == 0 and "Traceback" not in err, err
    for text in expected:
        assert text in err, err
    assert PASSWORD not in err + result.stdout and "secret-token-value" not in err + result.stdout


COMMANDS = [("run",), ("migrate",), ("export",), ("backup", "copy.db")]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("nonsense", "DATABASE_URL: 'nonsense' is not a database URL. Use sqlite+aiosqlite"),
        (f"mysql+aiomysql://bot:{PASSWORD}@db.example/bot", "DATABASE_URL: mysql+aiomysql is not a database studybot"),
        ("sqlite:///plain-driver.db", "DATABASE_URL: sqlite+pysqlite is not a database studybot runs on"),
    ],
)
def test_a_database_url_the_bot_cannot_use_is_one_line_for_every_command(tmp_path, url, expected):
    for args in COMMANDS:
        one_line(studybot(*args, env=TOKEN | {"DATABASE_URL": url}, cwd=tmp_path), expected)
    assert list(tmp_path.iterdir()) == []  # nothing was created


def test_a_postgresql_server_that_refuses_is_named_by_host_and_port(tmp_path):
    url = f"postgresql+asyncpg://studybot:{PASSWORD}@127.0.0.1:1/studybot"
    for args in [("run",), ("migrate",), ("export",)]:
        one_line(
            studybot(*args, env=TOKEN | {"DATABASE_URL": url, "HEARTBEAT_PATH": str(tmp_path / "hb.json")}),
            "DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:1 (connection refused)",
        )
    backup = studybot("backup", str(tmp_path / "copy.db"), env={"DATABASE_URL": url})
    one_line(backup, "backup copies a SQLite database; for PostgreSQL use pg_dump")


def test_at_debug_the_traceback_comes_with_the_line(tmp_path):
    url = f"postgresql+asyncpg://studybot:{PASSWORD}@127.0.0.1:1/studybot"
    result = studybot("migrate", env={"DATABASE_URL": url, "LOG_LEVEL": "DEBUG"})
    assert result.returncode == 2 and "Traceback" in result.stderr
    assert "cannot connect to PostgreSQL at 127.0.0.1:1" in result.stderr


def test_export_of_a_database_that_does_not_exist_creates_nothing(tmp_path):
    db = tmp_path / "data" / "missing.db"
    for args in [("export",), ("export", "--format", "csv"), ("backup", str(tmp_path / "copy.db"))]:
        one_line(studybot(*args, env={"DATABASE_URL": f"sqlite+aiosqlite:///{db}"}), f"no database at {db}")
    assert list(tmp_path.iterdir()) == []


def test_a_roadmap_that_is_not_utf8_is_one_line_from_run_and_check_roadmap(tmp_path):
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes((TEST_ROADMAP).read_text().replace("DNS", "DNS für Anfänger").encode("latin-1"))
    checked = studybot("check-roadmap", str(latin1))
    assert checked.returncode == 2 and "Traceback" not in checked.stderr
    assert "latin1.yaml: not UTF-8 text (byte 0xfc at position" in checked.stderr
    assert "save the file as UTF-8" in checked.stderr
    run = studybot(
        "run", env=TOKEN | {"ROADMAP_PATH": str(latin1), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr and "not UTF-8 text" in run.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.fixture
def live_db(tmp_path):
    db = tmp_path / "live.db"
    result = studybot("migrate", env={"DATABASE_URL": f"sqlite+aiosqlite:///{db}"})
    assert result.returncode == 0, result.stderr
    return db


def test_backup_refuses_the_live_database_a_folder_and_a_file_that_is_not_sqlite(tmp_path, live_db):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{live_db}"}
    before = live_db.read_bytes()
    one_line(studybot("backup", str(live_db), env=env), "is the live database itself")
    one_line(studybot("backup", str(tmp_path / "." / "live.db"), env=env), "is the live database itself")
    assert live_db.read_bytes() == before
    (tmp_path / "backups").mkdir()
    one_line(studybot("backup", str(tmp_path / "backups"), env=env), "is a folder; give a file path")
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database")
    one_line(studybot("backup", str(notes), env=env), "exists and is not an SQLite database; nothing was overwritten")
    assert notes.read_text() == "my notes, not a database"
    # An earlier backup is replaced: that is what a backup path is for.
    earlier = tmp_path / "backups" / "earlier.db"
    sqlite3.connect(earlier).close()
    sqlite3.connect(earlier).execute("CREATE TABLE t (x)").connection.commit()
    assert studybot("backup", str(earlier), env=env).returncode == 0
    with sqlite3.connect(earlier) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() is not None

"""Members' data: /cohort export (a CSV attachment), /forget-me, `studybot export` and `studybot backup`."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from bot.db.models import CheckIn, Membership, ProgressEvent
from tests.harness import ROOT, allow_command


async def populate(h):
    await h.create_cohort()
    await h.create_cohort("autumn")
    for user in (h.alice, h.bob):
        await h.run(user, "join", cohort="spring")
    await h.run(h.alice, "join", cohort="autumn")
    await h.run(h.alice, "done", cohort="spring", note="resolvers, finally")
    await h.run(h.alice, "skip", cohort="spring")
    await h.run(h.alice, "checkin", cohort="spring", minutes=25)
    await h.run(h.bob, "done")


async def counts(h, user) -> tuple[int, int, int]:
    async with h.bot.services.progress._sessions() as session:
        ids = list(await session.scalars(select(Membership.id).where(Membership.user_id == user.id)))
        events = await session.scalar(
            select(func.count()).select_from(ProgressEvent).where(ProgressEvent.membership_id.in_(ids))
        )
        checkins = await session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.membership_id.in_(ids)))
    return len(ids), events, checkins


async def test_cohort_export_is_a_csv_attachment(h):
    await populate(h)
    reply = await h.run(h.mod, "cohort export", cohort="spring")
    summary = reply.message.content
    assert (
        reply.message.ephemeral
        and "**spring**: 2 members, 3 done/skip records, 1 check-in and 0 project shares" in summary
    )
    assert "one row each" in summary and "one row per member" not in summary
    [attachment] = reply.message.attachments
    assert attachment["filename"] == "spring.csv"
    rows = list(csv.DictReader(io.StringIO(h.fake.files[int(attachment["id"])].decode())))
    assert len(rows) == 2 + 3 + 1
    # Ids are text a spreadsheet cannot round (an 18-digit number keeps 15 digits there): every digit stays.
    alice = [r for r in rows if r["user_id"] == f"<@{h.alice.id}>"]
    assert {r["guild_id"] for r in rows} == {f"https://discord.com/channels/{h.guild.id}"}
    for cell in (r[column] for r in rows for column in ("user_id", "guild_id")):
        with pytest.raises(ValueError):
            float(cell)
    assert {r["name"] for r in rows} == {"alice", "bob"}  # as the bot last saw them
    assert [r["record"] for r in alice] == ["member", "done", "skip", "checkin"]
    assert alice[1]["topic_id"] == "dns" and alice[1]["note"] == "resolvers, finally" and alice[3]["minutes"] == "25"
    assert {r["cohort"] for r in rows} == {"spring"}
    allow_command(h, "cohort", h.guild.id)  # an admin opened /cohort to all: the bot refuses
    refused = await h.run(h.alice, "cohort export", cohort="spring")
    assert refused.message.ephemeral and "Manage Server" in refused.message.content


async def test_forget_me_deletes_after_confirmation(h):
    await populate(h)
    ask = await h.run(h.alice, "forget-me")
    assert ask.message.ephemeral and "cannot be undone" in ask.message.content
    kept = await h.fake.click(h.alice, h.guild, ask.message, "Keep")
    assert "Nothing was deleted" in kept.message.content
    assert await counts(h, h.alice) == (2, 2, 1)

    ask = await h.run(h.alice, "forget-me", cohort="autumn")
    await h.fake.click(h.alice, h.guild, ask.message, "Delete my data")
    assert await counts(h, h.alice) == (1, 2, 1)  # only autumn went

    ask = await h.run(h.alice, "forget-me")
    stranger = await h.fake.click(h.bob, h.guild, ask.message, "Delete my data")
    assert "not for you" in stranger.message.content
    done = await h.fake.click(h.alice, h.guild, ask.message, "Delete my data")
    assert "Deleted" in done.message.content and "**spring**" in done.message.content
    assert await counts(h, h.alice) == (0, 0, 0)
    assert await counts(h, h.bob) == (1, 1, 0)  # nobody else is touched
    # Nothing left: said at once, with no confirmation to click first.
    again = await h.run(h.alice, "forget-me")
    assert again.message.ephemeral and not again.message.buttons
    assert "I keep no data about you in this server" in again.message.content


def studybot(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")} | {"DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
    )


async def test_export_command_json_and_csv(h, db_url):
    await populate(h)
    as_json = studybot("export", "--guild", str(h.guild.id), database_url=db_url)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert [c["name"] for c in data] == ["spring", "autumn"]
    alice = next(m for m in data[0]["members"] if m["user_id"] == str(h.alice.id))
    assert [e["kind"] for e in alice["history"]] == ["done", "skip"] and alice["checkins"][0]["minutes"] == 25
    as_csv = studybot("export", "--format", "csv", database_url=db_url)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len([r for r in rows if r["record"] == "member"]) == 3
    other = studybot("export", "--guild", "1", database_url=db_url)
    assert json.loads(other.stdout) == []


async def test_backup_is_a_consistent_copy(h, db_url, backend, tmp_path):
    if backend.name != "sqlite":
        refused = studybot("backup", str(tmp_path / "x.db"), database_url=db_url)
        assert refused.returncode == 2 and "pg_dump" in refused.stderr
        return
    await populate(h)
    result = studybot("backup", str(tmp_path / "copies" / "backup.db"), database_url=db_url)  # while the bot runs
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "copies" / "backup.db") as copy:
        assert copy.execute("SELECT count(*) FROM memberships").fetchone()[0] == 3
        assert copy.execute("SELECT count(*) FROM progress_events").fetchone()[0] == 3
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("args", [["backup"], ["export", "--format", "xml"]])
def test_data_commands_reject_bad_arguments(args, db_url):
    assert studybot(*args, database_url=db_url).returncode == 2


async def test_the_export_names_members_as_last_seen_and_a_refused_command_changes_no_name(h):
    await populate(h)
    h.alice.name = "=alice 🦊 <@everyone>"  # she renamed herself on Discord
    refused = await h.run(h.alice, "goto", cohort="spring", topic="no such topic")  # found her, then refused
    assert refused.message.ephemeral and "no such topic" in refused.message.content
    async with h.bot.services.progress._sessions() as session:
        assert set(await session.scalars(select(Membership.display_name))) == {"alice", "bob"}
    await h.run(h.alice, "progress", cohort="spring")  # a read that succeeds keeps the new name
    reply = await h.run(h.mod, "cohort export", cohort="spring")
    [attachment] = reply.message.attachments
    rows = list(csv.DictReader(io.StringIO(h.fake.files[int(attachment["id"])].decode())))
    assert {r["name"] for r in rows if r["user_id"] == f"<@{h.alice.id}>"} == {"'=alice 🦊 <@everyone>"}
    async with h.bot.services.progress._sessions() as session:
        # Only her spring membership saw the new name; autumn keeps the old one until she uses it.
        assert sorted(await session.scalars(select(Membership.display_name))) == sorted(
            ["=alice 🦊 <@everyone>", "alice", "bob"]
        )

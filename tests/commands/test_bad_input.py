"""Every bad input of the core issue: an ephemeral answer that says what is accepted, and no write."""

from __future__ import annotations

import discord
import pytest

from bot.sandbox.fake import ClientRefused
from tests.harness import database_dump, finish_roadmap


async def refused(h, user, path, expect: list[str], **options):
    before = await database_dump(h)
    reply = await h.run(user, path, **options)
    message = reply.message
    assert message.ephemeral, f"{path}: the error must be ephemeral"
    for fragment in expect:
        assert fragment in message.content, f"{path}: {fragment!r} not in {message.content!r}"
    assert await database_dump(h) == before, f"{path} changed the database"
    return message.content


@pytest.fixture
async def spring(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    return h


CREATE = {"name": "autumn", "start_date": "2026-12-01", "timezone": "Europe/Berlin"}


async def test_unknown_timezone(spring):
    h = spring
    await refused(
        h,
        h.mod,
        "cohort create",
        ["`Mars/Olympus` is not a timezone", "Europe/Berlin"],
        channel=h.hall,
        **(CREATE | {"timezone": "Mars/Olympus"}),
    )
    await refused(h, h.mod, "cohort edit", ["not a timezone", "Did you mean"], cohort="spring", timezone="Europe/Berln")


@pytest.mark.parametrize("value", ["25:00", "9", "noon", "09:60", "9.30", "18:00:00"])
async def test_time_not_24h(spring, value):
    h = spring
    if len(value) > 5:  # longer than HH:MM: Discord's client refuses it; sent anyway, the bot still says why
        with pytest.raises(ClientRefused):
            await h.run(h.mod, "cohort create", channel=h.hall, nudge_time=value, **CREATE)
        await refused(
            h, h.mod, "cohort create", ["at most 5"], channel=h.hall, nudge_time=value, unchecked=True, **CREATE
        )
        return
    await refused(
        h,
        h.mod,
        "cohort create",
        [f"`{value}` is not a valid nudge time", "24-hour HH:MM"],
        channel=h.hall,
        nudge_time=value,
        **CREATE,
    )
    await refused(
        h, h.mod, "cohort edit", ["not a valid leaderboard time", "HH:MM"], cohort="spring", leaderboard_time=value
    )


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("01/12/2026", "Use YYYY-MM-DD"),
        ("tomorrow", "Use YYYY-MM-DD"),
        ("2026-1-5", "Use YYYY-MM-DD"),
        # Written as asked, but no such day: say why rather than repeat the format.
        ("2026-13-01", "there is no month 13"),
        ("2026-11-31", "month 11 of 2026 has 30 days"),
        ("2026-02-30", "month 02 of 2026 has 28 days"),
        ("2028-02-30", "month 02 of 2028 has 29 days"),
    ],
)
async def test_date_not_iso(spring, value, why):
    h = spring
    await refused(
        h,
        h.mod,
        "cohort create",
        [f"`{value}` is not a valid start date", why],
        channel=h.hall,
        **(CREATE | {"start_date": value}),
    )


async def test_one_bad_option_changes_nothing_else(spring):
    h = spring
    await refused(
        h,
        h.mod,
        "cohort edit",
        ["not a valid nudge time"],
        cohort="spring",
        name="renamed",
        pace="intense",
        nudge_time="99:99",
    )


async def test_duplicate_cohort_name(spring):
    h = spring
    await refused(
        h,
        h.mod,
        "cohort create",
        ["A cohort named **SPRING** already exists"],
        channel=h.hall,
        **(CREATE | {"name": "SPRING"}),
    )
    await h.create_cohort("autumn")
    await refused(h, h.mod, "cohort edit", ["already exists"], cohort="autumn", name="Spring")


async def test_unknown_cohort_suggests_close_matches(spring):
    h = spring
    await refused(h, h.alice, "join", ["no cohort named **sprang**", "Did you mean **spring**"], cohort="sprang")
    await refused(h, h.mod, "cohort info", ["no cohort named", "Did you mean **spring**"], cohort="sprin")
    await refused(h, h.alice, "done", ["no cohort named **nope**"], cohort="nope")


async def test_unknown_topic_suggests_close_matches(spring):
    h = spring
    await refused(h, h.alice, "goto", ["no topic called **GrapQL**", "Did you mean **GraphQL**"], topic="GrapQL")
    await refused(
        h, h.mod, "cohort set-progress", ["no topic called"], cohort="spring", member=h.alice, topic="quantum"
    )
    reply = await h.run(h.alice, "topic", topic="quantum stuff")
    assert reply.message.ephemeral and "no topic called" in reply.message.content
    reply = await h.run(h.alice, "roadmap", stage="cooking")
    assert reply.message.ephemeral and "no stage called **cooking**" in reply.message.content


async def test_command_for_a_cohort_the_member_is_not_in(spring):
    h = spring
    await h.create_cohort("autumn")
    await refused(h, h.alice, "done", ["You are not in the cohort **autumn**", "/join cohort:autumn"], cohort="autumn")
    await refused(h, h.bob, "skip", ["You are not in any cohort in this server"])
    await refused(h, h.bob, "progress", ["not in any cohort"])
    await refused(h, h.alice, "progress", ["That member is not in any cohort"], member=h.bob)
    await refused(h, h.alice, "join", ["already in **spring**"], cohort="spring")


async def test_archived_cohort(spring):
    h = spring
    await h.archive("spring")
    await refused(h, h.alice, "done", ["**spring** is archived"])
    await refused(h, h.alice, "skip", ["archived"])
    await refused(h, h.alice, "goto", ["archived"], topic="grpc")
    await refused(h, h.bob, "join", ["archived and takes no new members"], cohort="spring")
    # Reading stays possible.
    assert not (await h.run(h.alice, "progress")).message.content


async def test_channel_the_bot_cannot_post_in(spring):
    h = spring
    locked = h.guild.add_channel("read-only")
    locked.deny_for(h.fake.world.bot_user.id, discord.Permissions(send_messages=True))
    h.bot.get_guild(h.guild.id)._add_channel(
        discord.TextChannel(  # the gateway's CHANNEL_CREATE
            state=h.bot._connection, guild=h.bot.get_guild(h.guild.id), data=locked.payload()
        )
    )
    await refused(h, h.mod, "cohort create", ["I can't post in <#", "**Send Messages**"], channel=locked, **CREATE)
    await refused(h, h.mod, "cohort edit", ["I can't post in"], cohort="spring", channel=locked)
    hidden = h.guild.add_channel("hidden")  # never reached the bot's cache: it cannot see it
    await refused(h, h.mod, "cohort create", ["I can't see that channel"], channel=hidden, **CREATE)


async def test_note_over_500_characters(spring):
    h = spring
    with pytest.raises(ClientRefused):  # the option declares max_length 500: Discord's client stops it
        await h.run(h.alice, "done", note="x" * 501)
    await refused(h, h.alice, "done", ["501 characters", "at most 500"], note="x" * 501, unchecked=True)
    ok = await h.run(h.alice, "done", note="y" * 500)
    assert "**DNS** done" in ok.message.content


async def test_done_past_the_last_topic(spring):
    h = spring
    await finish_roadmap(h.run, h.alice)
    await refused(h, h.alice, "done", ["finished every topic", "/goto"])
    await refused(h, h.alice, "skip", ["nothing left to skip"])


async def test_cohort_of_another_server(spring):
    h = spring
    other = h.fake.world.add_guild("Other Server", owner=h.mod)
    other_hall = other.add_channel("general")
    h.bot._connection._add_guild_from_data(other.payload(h.fake.world.users, h.fake.world.bot_user))
    other.add_member(h.alice)
    before = await database_dump(h)
    for path, options in [
        ("join", {"cohort": "spring"}),
        ("done", {"cohort": "spring"}),
        ("cohort info", {"cohort": "spring"}),
    ]:
        user = h.mod if path.startswith("cohort") else h.alice
        reply = await h.fake.invoke(user, other, other_hall, path, **options)
        assert reply.message.ephemeral and "no cohort named **spring** in this server" in reply.message.content
    assert await database_dump(h) == before


async def test_commands_in_direct_messages_are_refused(spring):
    h = spring
    reply = await h.fake.invoke(h.alice, None, None, "progress")
    assert reply.message.ephemeral and "only in a server" in reply.message.content


async def test_unexpected_error_gets_an_apology_with_an_id(spring, caplog, monkeypatch):
    h = spring

    async def broken(*_args, **_kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(h.bot.services.progress_views, "report", broken)
    reply = await h.run(h.alice, "progress")
    assert reply.message.ephemeral and "Sorry, something went wrong" in reply.message.content
    error_id = reply.message.content.split("`")[1]
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info and "database on fire" in str(logged[0].exc_info[1])

"""The /cohort group: settings, permissions on the server side, members, moves."""

from __future__ import annotations

import discord
import pytest
from sqlalchemy import select

from bot.db.models import Cohort, Membership
from tests.harness import allow_command
from tests.harness import database_dump as dump


async def cohorts(h) -> list[Cohort]:
    async with h.bot.services.progress._sessions() as session:
        return list(await session.scalars(select(Cohort)))


async def test_create_with_every_option_then_info_list_edit(h):
    lead = h.guild.add_role("Spring leads", discord.Permissions.none())
    reply = await h.run(
        h.mod,
        "cohort create",
        name="Spring 26",
        channel=h.hall,
        start_date="2026-12-01",
        timezone="america/new_york",
        nudge_time="7:30",
        leaderboard_day="friday",
        leaderboard_time="17:00",
        pace="relaxed",
        moderator_role=lead,
    )
    text = reply.message.text()
    assert reply.message.ephemeral and "Created cohort Spring 26" in text
    assert "Timezone: America/New_York" in text and "Daily nudge: 07:30" in text
    assert "Weekly leaderboard: Friday 17:00" in text and f"<@&{lead.id}>" in text
    # Relaxed: 28 weeks = 196 days; the first is 2026-12-01, the last 2027-06-14.
    assert "2026-12-01 → 2027-06-14 (relaxed)" in text

    info = await h.run(h.mod, "cohort info", cohort="spring 26")
    assert "Members: 0" in info.message.text()
    listing = await h.run(h.mod, "cohort list")
    assert "**Spring 26**" in listing.message.text()

    edited = await h.run(h.mod, "cohort edit", cohort="Spring 26", name="Spring", pace="intense", nudge_time="08:00")
    assert "Updated Spring" in edited.message.text() and "Daily nudge: 08:00" in edited.message.text()
    [stored] = await cohorts(h)
    assert (stored.name, stored.pace, stored.nudge_time, stored.timezone) == (
        "Spring",
        "intense",
        "08:00",
        "America/New_York",
    )


async def test_defaults_are_applied(h):
    await h.create_cohort()
    [stored] = await cohorts(h)
    assert (stored.nudge_time, stored.leaderboard_weekday, stored.leaderboard_time, stored.pace) == (
        "09:00",
        0,
        "18:00",
        "standard",
    )


def every_cohort_command(h) -> dict[str, dict[str, object]]:
    """Each /cohort subcommand with options that would work for a moderator of 'spring'; a subcommand
    added without an entry here fails the tests below, so a new command cannot skip the check."""
    locked = h.guild.add_channel("read-only")
    locked.deny_for(h.fake.world.bot_user.id, discord.Permissions(send_messages=True))
    h.bot.get_guild(h.guild.id)._add_channel(
        discord.TextChannel(state=h.bot._connection, guild=h.bot.get_guild(h.guild.id), data=locked.payload())
    )
    options: dict[str, dict[str, object]] = {
        # The channel is one the bot cannot post in: who may not create hears that first, not the channel's fault.
        "create": {"name": "x", "channel": locked, "start_date": "2026-12-01", "timezone": "UTC"},
        "edit": {"cohort": "spring", "pace": "intense", "channel": locked},
        "list": {},
        "info": {"cohort": "spring"},
        "archive": {"cohort": "spring"},
        "delete": {"cohort": "spring"},
        "members": {"cohort": "spring"},
        "report": {"cohort": "spring"},
        "pause": {"cohort": "spring", "from": "2026-12-01", "to": "2026-12-03"},
        "unpause": {"cohort": "spring", "break": "2026-12-01"},
        "export": {"cohort": "spring"},
        "calendar": {"cohort": "spring"},
        "stage-role": {"cohort": "spring", "stage": "databases", "role": h.guild.add_role("DB", discord.Permissions())},
        "set-progress": {"cohort": "spring", "member": h.bob, "topic": "grpc"},
        "remove": {"cohort": "spring", "member": h.bob},
        "page": {"cohort": "spring"},
    }
    group = h.bot.tree.get_command("cohort", guild=None) or h.bot.tree.get_command("cohort", guild=h.guild)
    assert isinstance(group, discord.app_commands.Group)
    assert {command.name for command in group.commands} == set(options)
    return options


async def test_members_without_manage_server_are_refused_on_the_server_side(h):
    # A server admin may re-enable the group for everyone; the bot checks every command on its side.
    allow_command(h, "cohort", h.guild.id)
    await h.create_cohort()
    await h.run(h.bob, "join", cohort="spring")
    before = await dump(h)
    for name, options in every_cohort_command(h).items():
        reply = await h.run(h.alice, f"cohort {name}", **options)
        assert reply.message.ephemeral, name
        assert "You need the **Manage Server** permission" in reply.message.content, (name, reply.message.content)
    assert await dump(h) == before


async def test_a_cohort_role_moderates_nothing_else(h):
    lead = h.guild.add_role("Autumn leads", discord.Permissions.none())
    h.guild.add_member(h.carol, lead)
    h.bot.get_guild(h.guild.id)._add_role(
        discord.Role(guild=h.bot.get_guild(h.guild.id), state=h.bot._connection, data=lead.payload())
    )
    await h.create_cohort("spring")
    await h.create_cohort("autumn", moderator_role=lead)
    allow_command(h, "cohort", lead.id)  # the admin let the moderator role use /cohort
    await h.run(h.bob, "join", cohort="spring")
    before = await dump(h)
    for name, options in every_cohort_command(h).items():
        if name == "list":
            continue  # a cohort's role may list the server's cohorts
        reply = await h.run(h.carol, f"cohort {name}", **options)
        assert reply.message.ephemeral and "**Manage Server**" in reply.message.content, (name, reply.message.content)
    assert await dump(h) == before


async def test_cohort_moderator_role_moderates_only_its_cohort(h):
    lead = h.guild.add_role("Spring leads", discord.Permissions.none())
    h.guild.add_member(h.carol, lead)
    h.bot._connection._get_guild(h.guild.id)._add_role(
        discord.Role(  # the gateway's GUILD_ROLE_CREATE
            guild=h.bot.get_guild(h.guild.id), state=h.bot._connection, data=lead.payload()
        )
    )
    await h.create_cohort("spring", moderator_role=lead)
    await h.create_cohort("autumn")
    await h.run(h.bob, "join", cohort="spring")
    allow_command(h, "cohort", lead.id)  # the admin let the moderator role use /cohort
    moved = await h.run(h.carol, "cohort set-progress", cohort="spring", member=h.bob, topic="schema-design")
    assert "Moved <@" in moved.message.content and "Schema design" in moved.message.content
    refused = await h.run(h.carol, "cohort info", cohort="autumn")
    assert "Manage Server" in refused.message.content
    listing = await h.run(h.carol, "cohort list")
    assert "**spring**" in listing.message.text()


async def test_members_list_pages_with_buttons(h):
    await h.create_cohort()
    users = [h.fake.world.add_user(f"member{i}") for i in range(45)]
    for user in users:
        h.guild.add_member(user)
        await h.run(user, "join", cohort="spring")
    page = await h.run(h.mod, "cohort members", cohort="spring")
    assert "Members of spring (45)" in page.message.text() and "Page 1/3" in page.message.text()
    assert [b["label"] for b in page.message.buttons] == ["◀", "▶"]
    assert page.message.buttons[0].get("disabled") is True
    nxt = await h.fake.click(h.mod, h.guild, page.message, "▶")
    assert "Page 2/3" in nxt.message.text() and f"<@{users[20].id}>" in nxt.message.text()
    other = await h.fake.click(h.alice, h.guild, page.message, "▶")
    assert "not for you" in other.message.content


async def test_remove_and_archive(h):
    await h.create_cohort()
    await h.run(h.bob, "join", cohort="spring")
    removed = await h.run(h.mod, "cohort remove", cohort="spring", member=h.bob)
    assert "Removed <@" in removed.message.content
    async with h.bot.services.progress._sessions() as session:
        assert (await session.scalar(select(Membership))).left_at is not None
    assert (
        "not in the cohort **spring**"
        in (await h.run(h.mod, "cohort remove", cohort="spring", member=h.bob)).message.content
    )
    archived = await h.archive("spring")
    assert "Archived **spring**" in archived.message.content
    again = await h.run(h.mod, "cohort archive", cohort="spring")
    assert "already archived" in again.message.content and not again.message.buttons
    assert "archived" in (await h.run(h.mod, "cohort list")).message.text()


async def test_commands_synced_to_configured_guilds(db_url, monkeypatch):
    from tests.harness import start_harness, stop_harness

    monkeypatch.setenv("COMMAND_GUILD_IDS", "123,456")
    h = await start_harness(db_url)
    try:
        assert set(h.fake.commands) == {123, 456}  # nothing global when syncing per guild
        assert {c["name"] for c in h.fake.commands[123]} >= {"join", "cohort"}
    finally:
        await stop_harness(h)


async def test_discord_offers_cohort_only_to_manage_server_unless_an_admin_allows_a_role(h):
    """Our fake does as Discord: /cohort declares default_member_permissions (Manage Server), so a
    member without it is not even offered the command until an admin allows them or a role of theirs
    (Server Settings -> Integrations); the owner and Administrator always are."""
    from bot.sandbox.fake.errors import CommandHidden

    [cohort] = [c for c in h.fake.commands[None] + h.fake.commands.get(h.guild.id, []) if c["name"] == "cohort"]
    assert int(cohort["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    await h.create_cohort()
    with pytest.raises(CommandHidden):
        await h.run(h.alice, "cohort list")
    with pytest.raises(CommandHidden):
        await h.fake.autocomplete(h.alice, h.guild, h.hall, "cohort info", focused="cohort")
    lead = h.guild.add_role("Spring leads", discord.Permissions.none())
    h.guild.add_member(h.carol, lead)
    allow_command(h, "cohort", lead.id)
    delivered = await h.run(h.carol, "cohort list")  # now offered: the bot's own check answers
    assert "You need the **Manage Server** permission or a cohort's moderator role" in delivered.message.text()
    admin = h.guild.add_role("Admins", discord.Permissions(administrator=True))
    h.guild.add_member(h.bob, admin)
    assert "spring" in (await h.run(h.bob, "cohort list")).message.text()

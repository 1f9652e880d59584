"""The bot posts for nobody where they may not post themselves (issue 26, part 3): whoever sets a cohort's
`channel` or `report_channel` must be able to view and write there, through the real bot."""

from __future__ import annotations

import discord
import pytest

from tests.commands.test_stage_roles import refresh
from tests.harness import allow_command
from tests.harness import database_dump as dump


def read_only(h, name: str, *, hidden: bool = False):
    """A channel where @everyone cannot write (and with `hidden`, cannot even look), and the bot can."""
    channel = h.guild.add_channel(name)
    denied = discord.Permissions(send_messages=True, view_channel=hidden)
    channel.overwrites.append({"id": str(h.guild.id), "type": 0, "allow": "0", "deny": str(denied.value)})
    bot = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
    channel.overwrites.append({"id": str(h.fake.world.bot_user.id), "type": 1, "allow": str(bot.value), "deny": "0"})
    refresh(h)
    return channel


@pytest.fixture
async def moderated(h):
    lead = h.guild.add_role("spring leads", discord.Permissions.none())
    h.guild.members[h.carol.id].append(lead.id)
    allow_command(h, "cohort", lead.id)  # the admin let the cohort's moderator role use /cohort
    refresh(h)
    await h.create_cohort("spring", moderator_role=lead)
    return h


@pytest.mark.parametrize("option", ["channel", "report_channel"])
async def test_a_moderator_cannot_point_the_bot_at_a_channel_they_cannot_write_in(moderated, option):
    h = moderated
    announcements = read_only(h, "announcements")
    private = read_only(h, "staff-only", hidden=True)
    before = await dump(h)
    for user in (h.carol, h.mod):  # the cohort's own moderator role; Manage Server without a say there
        refused = await h.run(user, "cohort edit", cohort="spring", showcase="on", **{option: announcements})
        assert refused.message.ephemeral
        assert f"You can't post in <#{announcements.id}> yourself (you lack **Send Messages** there)" in (
            refused.message.content
        )
    hidden = await h.run(h.mod, "cohort edit", cohort="spring", **{option: private})
    assert "you lack **View Channel**, **Send Messages** there" in hidden.message.content
    created = await h.run(
        h.mod, "cohort create", name="autumn", channel=announcements, start_date="2026-12-01", timezone="UTC"
    )
    assert "yourself" in created.message.content and "Created cohort" not in created.message.text()
    assert await dump(h) == before


async def test_the_owner_who_may_write_there_can_choose_it(moderated):
    h = moderated
    announcements = read_only(h, "announcements")
    owner = h.fake.world.users[h.guild.owner_id]
    chosen = await h.run(owner, "cohort edit", cohort="spring", channel=announcements)
    assert f"Channel: <#{announcements.id}>" in chosen.message.text()


async def test_the_report_goes_only_where_everyone_cannot_read_it(moderated):
    """The weekly report names quiet members: a channel everyone reads is refused, and one opened to
    everyone after it was chosen gets the report without the names, saying why."""
    h = moderated
    from datetime import UTC, datetime

    from tests.harness import staff_channel

    before = await dump(h)
    refused = await h.run(h.mod, "cohort edit", cohort="spring", report_channel=h.hall)
    assert refused.message.ephemeral and f"Everyone in the server can read <#{h.hall.id}>" in refused.message.content
    assert await dump(h) == before
    mods = staff_channel(h)
    await h.run(h.alice, "join", cohort="spring")
    chosen = await h.run(h.mod, "cohort edit", cohort="spring", report_channel=mods)
    assert f"Report channel: <#{mods.id}>" in chosen.message.text()

    for monday in (30, 7):  # Mondays 18:00 in Berlin; by the second, alice has been quiet a week
        h.clock.set(datetime(2026, 11 if monday == 30 else 12, monday, 17, 0, 5, tzinfo=UTC))
        await h.bot.scheduler.tick()
    named = [m for m in h.fake.channel_posts if m.payload["channel_id"] == str(mods.id)][-1]
    assert "No progress, check-in or study room for 7+ days (1)" in named.text() and f"<@{h.alice.id}>" in named.text()

    mods.overwrites = [o for o in mods.overwrites if o["id"] != str(h.guild.id)]  # someone opened it to all
    refresh(h)
    h.clock.set(datetime(2026, 12, 14, 17, 0, 5, tzinfo=UTC))
    await h.bot.scheduler.tick()
    unnamed = [m for m in h.fake.channel_posts if m.payload["channel_id"] == str(mods.id)][-1]
    assert "Weekly report · spring" in unnamed.text() and f"<@{h.alice.id}>" not in unnamed.text()
    assert "Names left out: everyone in the server can read this channel." in unnamed.text()


async def test_the_fake_checks_the_channels_overwrites_for_every_post(moderated):
    """Part 10: a channel that denies the bot Send Messages refuses its post as Discord does (403), and the
    member's /share says so instead of failing."""
    h = moderated
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    await h.run(h.alice, "join", cohort="spring")
    h.hall.overwrites.append(
        {
            "id": str(h.fake.world.bot_user.id),
            "type": 1,
            "allow": "0",
            "deny": str(discord.Permissions(send_messages=True).value),
        }
    )  # changed on Discord; the bot's cache has not heard of it yet
    before = await dump(h)
    shared = await h.run(h.alice, "share", url="https://example.org/x")
    assert shared.message.ephemeral and "I can't post in <#" in shared.message.content
    assert await dump(h) == before

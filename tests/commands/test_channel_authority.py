"""The bot posts for nobody where they may not post themselves (issue 26, part 3): whoever sets a cohort's
`channel` or `report_channel` must be able to view and write there, through the real bot."""

from __future__ import annotations

import discord
import pytest

from tests.commands.test_stage_roles import refresh
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

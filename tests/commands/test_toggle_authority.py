"""Turning a feature on has the bot act on Discord for the person who asked, so they must be able to do
it themselves (issue 26: "could the person asking do this themselves?"): open threads in the cohort's
channel, post there, create and hand out roles, create events. A cohort lead whose role grants nothing
is refused, privately, and nothing changes; the moderators' role, which has those permissions, is not."""

from __future__ import annotations

import discord
import pytest

from tests.commands.test_stage_roles import refresh
from tests.harness import allow_command
from tests.harness import database_dump as dump


@pytest.fixture
async def led(h):
    lead = h.guild.add_role("spring leads", discord.Permissions.none())
    h.guild.members[h.carol.id].append(lead.id)
    allow_command(h, "cohort", lead.id)
    refresh(h)
    await h.create_cohort("spring", moderator_role=lead)
    h.lead = lead  # type: ignore[attr-defined]
    return h


@pytest.mark.parametrize(
    ("toggle", "lacking", "where"),
    [
        ("threads", "**Create Public Threads**, **Send Messages in Threads**", "in <#"),
        ("stage_roles", "**Manage Roles**", "in this server"),
        ("events", "**Manage Events**", "in this server"),
    ],
)
async def test_a_lead_cannot_turn_on_what_they_could_not_do_themselves(led, toggle, lacking, where):
    h = led
    before = await dump(h)
    refused = await h.run(h.carol, "cohort edit", cohort="spring", **{toggle: "on"})
    assert refused.message.ephemeral
    assert f"With `{toggle}` on I would do for you what you cannot do yourself: you lack {lacking} {where}" in (
        refused.message.content
    )
    assert await dump(h) == before
    off = await h.run(h.carol, "cohort edit", cohort="spring", **{toggle: "off"})  # off is always allowed
    assert "Updated spring" in off.message.text()
    on = await h.run(h.mod, "cohort edit", cohort="spring", **{toggle: "on"})  # the moderators' role may
    assert "Updated spring" in on.message.text()


async def test_showcase_posts_only_where_the_person_turning_it_on_may_post(led):
    h = led
    news = h.guild.add_channel("news")
    news.overwrites.append(
        {"id": str(h.guild.id), "type": 0, "allow": "0", "deny": str(discord.Permissions(send_messages=True).value)}
    )
    moderators = next(r for r in h.guild.roles.values() if r.name == "Moderators")
    posting = str(discord.Permissions(view_channel=True, send_messages=True, embed_links=True).value)
    for target, kind in ((moderators.id, 0), (h.fake.world.bot_user.id, 1)):
        news.overwrites.append({"id": str(target), "type": kind, "allow": posting, "deny": "0"})
    refresh(h)
    await h.run(h.mod, "cohort edit", cohort="spring", channel=news)
    before = await dump(h)
    refused = await h.run(h.carol, "cohort edit", cohort="spring", showcase="on")
    assert f"you lack **Send Messages** in <#{news.id}>" in refused.message.content and await dump(h) == before
    buddies = await h.run(h.carol, "cohort edit", cohort="spring", buddies="on")  # DMs only: nothing of hers
    assert "Study buddies: on" in buddies.message.text()


async def test_a_german_lead_reads_the_permissions_as_their_client_names_them(led):
    h = led
    h.carol.locale = "de"
    refused = await h.run(h.carol, "cohort edit", cohort="spring", threads="on")
    assert refused.message.ephemeral
    assert "**Öffentliche Threads erstellen**, **Nachrichten in Threads senden**" in refused.message.content
    assert "Create Public Threads" not in refused.message.content

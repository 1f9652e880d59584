"""Issue 26 through the real `studybot run` process, on a server built as real ones are: an Administrator
role, the moderators' role with Manage Server and Manage Roles, a cohort's lead role with no permissions
(allowed to use /cohort in Server Settings -> Integrations), a cosmetic role a member held before, a
read-only #announcements and a moderators-only #mods; the bot's role on top, as the README asks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import discord
import pytest

from tests.e2e.live import Live, live_bot

STAGE_ONE = 4  # topics in the fixture roadmap's first stage


@pytest.fixture
async def server(tmp_path, db_url) -> AsyncIterator[Live]:
    live = await live_bot(tmp_path, db_url, clock_start=datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    guild, world = live.guild, live.fake.world
    bot_role = next(r for r in guild.roles.values() if r.name == "studybot")
    bot_role.position = 10
    moderators = next(r for r in guild.roles.values() if r.name == "Moderators")
    moderators.position = 8
    admin = guild.add_role("Admin", discord.Permissions(administrator=True))
    leads = guild.add_role("Leads", discord.Permissions.none())
    verified = guild.add_role("Verified", discord.Permissions.none())
    admin.position, leads.position, verified.position = 9, 3, 2
    lead, erin, _ = live.members
    guild.members[lead.id].append(leads.id)
    guild.members[erin.id].append(verified.id)  # hers before she ever joined
    guild.command_access["cohort"] = {leads.id}
    guild.add_channel("mods", only=(moderators.id, world.bot_user.id))
    news = guild.add_channel("news")  # read-only for members; the moderators and the bot post there
    news.overwrites.append(
        {"id": str(guild.id), "type": 0, "allow": "0", "deny": str(discord.Permissions(send_messages=True).value)}
    )
    posting = str(discord.Permissions(view_channel=True, send_messages=True, embed_links=True).value)
    for target, kind in ((moderators.id, 0), (world.bot_user.id, 1)):
        news.overwrites.append({"id": str(target), "type": kind, "allow": posting, "deny": "0"})
    live.roles = {"admin": admin, "leads": leads, "verified": verified}  # type: ignore[attr-defined]
    await live.start()
    try:
        yield live
    finally:
        await live.stop()
        await live.fake.stop()
        live.fake.assert_accepted_all()


def held(live: Live, user) -> set[str]:
    return {live.guild.roles[r].name for r in live.guild.members[user.id]}


async def test_nobody_gets_through_the_bot_what_they_could_not_do_themselves(server):
    live = server
    lead, erin, bob = live.members
    roles = live.roles  # type: ignore[attr-defined]
    mods = next(c for c in live.guild.channels.values() if c.name == "mods")
    news = next(c for c in live.guild.channels.values() if c.name == "news")
    created = await live.run(
        live.mod,
        "cohort create",
        name="spring",
        channel=live.hall,
        start_date="2026-12-07",
        timezone="Europe/Berlin",
        moderator_role=roles["leads"],
    )
    assert "Created cohort" in created.message.text()
    await live.run(live.mod, "cohort edit", cohort="spring", stage_roles="on", showcase="on")

    # The lead: no Manage Roles, so no stage role at all, least of all Administrator; no channel they cannot write in.
    admin = await live.run(lead, "cohort stage-role", cohort="spring", stage="how-the-web-works", role=roles["admin"])
    assert admin.message.ephemeral and "takes **Manage Roles**" in admin.message.content
    announce = await live.run(lead, "cohort edit", cohort="spring", channel=news, showcase="on")
    assert f"You can't post in <#{news.id}> yourself" in announce.message.content
    # The report names quiet members: only a channel @everyone cannot read takes it.
    public = await live.run(live.mod, "cohort edit", cohort="spring", report_channel=live.hall)
    assert "Everyone in the server can read" in public.message.content
    private = await live.run(live.mod, "cohort edit", cohort="spring", report_channel=mods)
    assert f"Report channel: <#{mods.id}>" in private.message.text()

    # Verified becomes the stage's badge; the bot takes back only what it gave.
    picked = await live.run(
        live.mod, "cohort stage-role", cohort="spring", stage="how-the-web-works", role=roles["verified"]
    )
    assert "from now on" in picked.message.content
    for user in (erin, bob):
        await live.run(user, "join", cohort="spring")
        for _ in range(STAGE_ONE):
            await live.run(user, "skip")
    assert "Verified" in held(live, erin) and "Verified" in held(live, bob)
    for user in (erin, bob):
        await live.run(live.mod, "cohort remove", cohort="spring", member=user)
    assert "Verified" in held(live, erin) and "Verified" not in held(live, bob)

    # A spoofed link never reaches the channel.
    await live.run(lead, "join", cohort="spring")
    spoofed = await live.run(lead, "share", url="https://discord.com@evil.example/nitro")
    assert spoofed.message.ephemeral and "before its host" in spoofed.message.content
    assert not [m for m in live.fake.channel_posts if "evil.example" in str(m.payload)]

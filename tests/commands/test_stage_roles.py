"""Stage roles (`/cohort edit stage_roles:on`): a member who finishes a stage (every topic done or
skipped) gets its role, the moderator's pick or one the bot creates once; /cohort remove and /forget-me
take them back; what Discord refuses is said, and costs the member nothing."""

from __future__ import annotations

import asyncio

import discord
from sqlalchemy import select

from bot.db.models import CohortLink, Membership
from tests.harness import allow_command
from tests.harness import database_dump as dump

STAGE_ONE = ("dns", "http-https", "client-server", "web-servers")  # the fixture roadmap's first stage
BOT_ROLE_POSITION = 10  # moved to the top of the list, as the README asks


def bot_role(h):
    return next(r for r in h.guild.roles.values() if r.name == "studybot")


def refresh(h) -> None:
    """What the gateway's GUILD_ROLE_UPDATE and GUILD_MEMBER_UPDATE would tell the bot."""
    world = h.fake.world
    h.bot._connection._add_guild_from_data(h.guild.payload(world.users, world.bot_user, voice=True))


def allow_roles(h, allowed: bool = True) -> None:
    role = bot_role(h)
    role.permissions = discord.Permissions(
        role.permissions.value | discord.Permissions(manage_roles=True).value
        if allowed
        else role.permissions.value & ~discord.Permissions(manage_roles=True).value
    )
    role.position = BOT_ROLE_POSITION
    refresh(h)


def moderators_hand_out_roles(h, position: int = BOT_ROLE_POSITION - 1) -> discord.Role:
    """The server's moderators' role with Manage Roles too, at `position` (as servers set them up)."""
    role = next(r for r in h.guild.roles.values() if r.name == "Moderators")
    role.permissions = discord.Permissions(role.permissions.value | discord.Permissions(manage_roles=True).value)
    role.position = position
    refresh(h)
    return role


def roles_of(h, user) -> set[str]:
    return {h.guild.roles[r].name for r in h.guild.members[user.id]}


async def finish_stage_one(h, user, command: str = "done"):
    replies = [await h.run(user, command) for _ in STAGE_ONE]
    return replies[-1]


async def test_turning_stage_roles_on_without_manage_roles_says_so_and_changes_nothing(spring):
    h = spring
    allow_roles(h, False)  # the README's invite asks for Manage Roles; this server left it out
    before = await dump(h)
    refused = await h.run(h.mod, "cohort edit", cohort="spring", stage_roles="on")
    assert refused.message.ephemeral and "I can't hand out stage roles: I need **Manage Roles**" in (
        refused.message.content
    )
    assert await dump(h) == before


async def test_finishing_a_stage_gives_its_role_created_once(spring):
    h = spring
    allow_roles(h)
    on = await h.run(h.mod, "cohort edit", cohort="spring", stage_roles="on")
    assert "Stage roles: on" in on.message.text()
    first = [await h.run(h.alice, "done") for _ in STAGE_ONE[:-1]]
    assert all("🏅" not in r.message.content for r in first)  # no role before the stage is finished
    last = await h.run(h.alice, "done")
    assert "🎉 You finished the stage **How the Web Works**" in last.message.content
    [role] = [r for r in h.guild.roles.values() if r.name == "spring · How the Web Works ✓"]
    assert f"🏅 Your new role: <@&{role.id}>" in last.message.content
    assert role.name in roles_of(h, h.alice)
    # Skipping counts: every topic covered. And the role is the same one, not a second.
    skipped = await finish_stage_one(h, h.bob, "skip")
    assert f"<@&{role.id}>" in skipped.message.content and role.name in roles_of(h, h.bob)
    assert [r.name for r in h.guild.roles.values()].count(role.name) == 1


async def test_a_moderators_pick_must_be_a_role_the_bot_can_hand_out(spring):
    h = spring
    allow_roles(h)
    moderators_hand_out_roles(h, BOT_ROLE_POSITION + 10)  # above the bot: what stops a pick here is the bot
    await h.run(h.mod, "cohort edit", cohort="spring", stage_roles="on")
    high = h.guild.add_role("Web wizards", discord.Permissions.none())
    high.position = BOT_ROLE_POSITION + 5
    low = h.guild.add_role("Web graduates", discord.Permissions.none())
    refresh(h)
    before = await dump(h)
    above = await h.run(h.mod, "cohort stage-role", cohort="spring", stage="how-the-web-works", role=high)
    assert "is at or above my highest role" in above.message.content and await dump(h) == before
    everyone = await h.run(
        h.mod, "cohort stage-role", cohort="spring", stage="how-the-web-works", role=h.guild.everyone
    )
    assert "@everyone cannot be a stage role" in everyone.message.content and await dump(h) == before
    allow_command(h, "cohort", h.guild.id)  # an admin opened /cohort to all: the bot refuses
    stranger = await h.run(h.alice, "cohort stage-role", cohort="spring", stage="how-the-web-works", role=low)
    assert "Manage Server" in stranger.message.content and await dump(h) == before

    chosen = await h.run(h.mod, "cohort stage-role", cohort="spring", stage="how-the-web-works", role=low)
    assert f"get <@&{low.id}> from now on" in chosen.message.content
    done = await finish_stage_one(h, h.alice)
    assert f"🏅 Your new role: <@&{low.id}>" in done.message.content and "Web graduates" in roles_of(h, h.alice)
    assert not [r for r in h.guild.roles.values() if r.name.endswith("✓")]  # the bot created none


async def test_remove_and_forget_me_take_the_roles_back(spring):
    h = spring
    allow_roles(h)
    await h.run(h.mod, "cohort edit", cohort="spring", stage_roles="on")
    await finish_stage_one(h, h.alice)
    await finish_stage_one(h, h.bob)
    [role] = [r for r in h.guild.roles.values() if r.name.endswith("✓")]
    await h.run(h.mod, "cohort remove", cohort="spring", member=h.alice)
    assert role.name not in roles_of(h, h.alice)
    await h.confirm(h.bob, "forget-me", "Delete my data")
    assert role.name not in roles_of(h, h.bob)


async def test_a_deleted_role_is_created_again_and_a_refusal_is_said(spring):
    h = spring
    allow_roles(h)
    await h.run(h.mod, "cohort edit", cohort="spring", stage_roles="on")
    await finish_stage_one(h, h.alice)
    [role] = [r for r in h.guild.roles.values() if r.name.endswith("✓")]
    del h.guild.roles[role.id]  # a moderator deleted it
    h.guild.members[h.alice.id].remove(role.id)
    refresh(h)
    done = await finish_stage_one(h, h.bob)
    [again] = [r for r in h.guild.roles.values() if r.name.endswith("✓")]
    assert again.id != role.id and f"<@&{again.id}>" in done.message.content

    allow_roles(h, False)  # an admin took Manage Roles away
    await h.run(h.carol, "join", cohort="spring")
    refused = await finish_stage_one(h, h.carol)
    assert "**Web servers** done!" in refused.message.content
    assert "No stage role: I need **Manage Roles** in this server" in refused.message.content
    async with h.bot.services.progress._sessions() as session:
        carol = await session.scalar(select(Membership).where(Membership.user_id == h.carol.id))
    assert carol.current_topic_id == "choose-language"


async def test_members_finishing_at_once_share_one_new_role(spring):
    h = spring
    allow_roles(h)
    await h.run(h.mod, "cohort edit", cohort="spring", stage_roles="on")
    await h.run(h.carol, "join", cohort="spring")
    for user in (h.alice, h.bob, h.carol):
        for _ in STAGE_ONE[:-1]:
            await h.run(user, "done")
    await asyncio.gather(*(h.fake.invoke(u, h.guild, h.hall, "done") for u in (h.alice, h.bob, h.carol)))
    assert len([r for r in h.guild.roles.values() if r.name.endswith("✓")]) == 1
    async with h.bot.services.progress._sessions() as session:
        assert len(list(await session.scalars(select(CohortLink)))) == 1


async def test_a_confirmation_whose_action_is_slow_is_acknowledged_then_answered(spring, monkeypatch):
    h = spring
    allow_roles(h)
    await h.run(h.mod, "cohort edit", cohort="spring", stage_roles="on")
    await finish_stage_one(h, h.alice)
    from bot.discord_side.roles import StageRoles
    from bot.ui import answers

    taking_back = StageRoles.take_back

    async def slow_take_back(self, *args):  # Discord slow to answer, e.g. behind a busy fan-out
        await asyncio.sleep(0.3)
        return await taking_back(self, *args)

    monkeypatch.setattr(answers, "DEFER_AFTER", 0.05)
    monkeypatch.setattr(StageRoles, "take_back", slow_take_back)
    answer = await h.confirm(h.alice, "forget-me", "Delete my data")
    assert "Deleted: your membership" in answer.message.text()
    callbacks = [r for r in h.fake.requests if r.path.endswith("/callback")]
    assert callbacks[-1].body["type"] == 6  # the click was acknowledged first (a deferred update)
    [role] = [r for r in h.guild.roles.values() if r.name.endswith("✓")]
    assert h.alice.id not in h.fake.roles.holders(h.guild, role.id)


async def test_deleting_the_cohort_deletes_the_roles_the_bot_made_and_keeps_a_moderators_pick(spring):
    h = spring
    allow_roles(h)
    await h.run(h.mod, "cohort edit", cohort="spring", stage_roles="on", threads="on")
    picked = h.guild.add_role("Data people", discord.Permissions.none())
    moderators_hand_out_roles(h)
    await h.run(h.mod, "cohort stage-role", cohort="spring", stage="databases", role=picked)
    await finish_stage_one(h, h.alice)
    [made] = [r for r in h.guild.roles.values() if r.name.endswith("✓")]
    question = await h.run(h.mod, "cohort delete", cohort="spring")
    assert "Deleted from the server with it: 1 stage role I created for it." in question.message.content
    assert "Its topic threads and project posts stay in its channel." in question.message.content
    await h.fake.click(h.mod, h.guild, question.message, "Delete for good")
    assert made.id not in h.guild.roles and picked.id in h.guild.roles
    assert made.name not in roles_of(h, h.alice)
    assert h.fake.threads.in_channel(h.hall.id)  # members' threads stay

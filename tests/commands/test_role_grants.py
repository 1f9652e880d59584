"""The bot takes back only what it gave (issue 26, parts 2, 4 and 5): a role a member held before a
moderator made it a stage role stays theirs; a re-picked stage role leaves nothing of the old one
behind; a member who hides their progress gets no public badge unless they ask for one. Through the
real bot against the loopback Discord."""

from __future__ import annotations

import discord
import pytest

from tests.commands.test_stage_roles import (
    allow_roles,
    finish_stage_one,
    moderators_hand_out_roles,
    refresh,
    roles_of,
)

STAGE = "how-the-web-works"


@pytest.fixture
async def server(spring):
    """spring with stage roles on, and Verified, a role Erin (carol here) held before she joined."""
    h = spring
    allow_roles(h)
    moderators_hand_out_roles(h)
    verified = h.guild.add_role("Verified", discord.Permissions.none())
    h.guild.members[h.carol.id].append(verified.id)
    refresh(h)
    await h.run(h.mod, "cohort edit", cohort="spring", stage_roles="on")
    await h.run(h.carol, "join", cohort="spring")
    return h, verified


async def pick(h, role, cohort="spring"):
    return await h.run(h.mod, "cohort stage-role", cohort=cohort, stage=STAGE, role=role)


async def test_a_role_held_before_is_never_taken_and_one_given_is(server):
    h, verified = server
    await pick(h, verified)
    await finish_stage_one(h, h.carol)
    await finish_stage_one(h, h.bob)
    assert "Verified" in roles_of(h, h.carol) and "Verified" in roles_of(h, h.bob)
    await h.run(h.mod, "cohort remove", cohort="spring", member=h.carol)
    await h.confirm(h.bob, "forget-me", "Delete my data")
    assert "Verified" in roles_of(h, h.carol)  # hers before the bot ever gave it
    assert "Verified" not in roles_of(h, h.bob)  # the bot gave it: the bot takes it back


async def test_a_repicked_role_replaces_the_old_one_everywhere(server):
    h, _ = server
    await finish_stage_one(h, h.alice)
    [made] = [r for r in h.guild.roles.values() if r.name.endswith("✓")]
    graduates = h.guild.add_role("Web graduates", discord.Permissions.none())
    refresh(h)
    answer = await pick(h, graduates)
    assert f"I deleted <@&{made.id}>" in answer.message.content
    assert "1 member who had finished the stage got the new role instead." in answer.message.content
    assert made.id not in h.guild.roles  # the bot's own role, no longer used, is gone
    assert roles_of(h, h.alice) >= {"Web graduates"}

    alumni = h.guild.add_role("Alumni", discord.Permissions.none())
    refresh(h)
    again = await pick(h, alumni)
    assert f"I took <@&{graduates.id}> back" in again.message.content
    assert "Web graduates" not in roles_of(h, h.alice) and "Alumni" in roles_of(h, h.alice)
    assert graduates.id in h.guild.roles  # a moderator's role is never deleted
    await h.confirm(h.alice, "forget-me", "Delete my data")
    assert "Alumni" not in roles_of(h, h.alice)


async def test_a_private_member_gets_a_badge_only_when_asking(server):
    h, _ = server
    await h.run(h.alice, "settings", show_on_leaderboard="off")
    done = await finish_stage_one(h, h.alice)
    assert "you keep your progress private" in done.message.content
    assert not [r for r in roles_of(h, h.alice) if r.endswith("✓")]

    asked = await h.run(h.alice, "settings", stage_roles="on")
    [made] = [r for r in h.guild.roles.values() if r.name.endswith("✓")]
    assert f"🏅 Your new role: <@&{made.id}>" in asked.message.text()
    assert made.name in roles_of(h, h.alice)
    await h.run(h.alice, "settings", stage_roles="off")
    assert made.name not in roles_of(h, h.alice)

    await finish_stage_one(h, h.bob)
    assert made.name in roles_of(h, h.bob)
    await h.run(h.bob, "settings", show_on_leaderboard="off")  # hiding now hides the badge too
    assert made.name not in roles_of(h, h.bob)


async def test_a_role_two_cohorts_give_stays_while_one_still_does(server):
    h, _ = server
    shared = h.guild.add_role("Web people", discord.Permissions.none())
    refresh(h)
    await pick(h, shared)
    await finish_stage_one(h, h.bob)
    await h.create_cohort("autumn")
    await h.run(h.mod, "cohort edit", cohort="autumn", stage_roles="on")
    await pick(h, shared, cohort="autumn")
    await h.run(h.bob, "join", cohort="autumn")
    for _ in range(4):
        await h.run(h.bob, "done", cohort="autumn")
    assert "Web people" in roles_of(h, h.bob)
    await h.run(h.mod, "cohort remove", cohort="spring", member=h.bob)
    assert "Web people" in roles_of(h, h.bob)  # autumn still gives it
    await h.run(h.mod, "cohort remove", cohort="autumn", member=h.bob)
    assert "Web people" not in roles_of(h, h.bob)


async def test_deleting_a_cohort_takes_back_the_picks_it_gave(server):
    h, _ = server
    graduates = h.guild.add_role("Web graduates", discord.Permissions.none())
    h.guild.members[h.alice.id].append(graduates.id)  # alice held it before
    refresh(h)
    await pick(h, graduates)
    await finish_stage_one(h, h.alice)
    await finish_stage_one(h, h.bob)
    question = await h.run(h.mod, "cohort delete", cohort="spring")
    await h.fake.click(h.mod, h.guild, question.message, "Delete for good")
    assert "Web graduates" in roles_of(h, h.alice) and "Web graduates" not in roles_of(h, h.bob)


async def test_what_discord_would_refuse_is_not_asked(server):
    """Issue 26, part 7: a role moved above the bot's, or Manage Roles taken away, is known from the
    bot's cache: the answer says so and Discord is not asked (each refusal counts toward a ban)."""
    h, _ = server
    graduates = h.guild.add_role("Web graduates", discord.Permissions.none())
    refresh(h)
    await pick(h, graduates)
    graduates.position = 50  # above the bot's role, after it was picked
    refresh(h)
    puts = lambda: len([r for r in h.fake.requests if r.method == "PUT" and "/roles/" in r.path])  # noqa: E731
    before = puts()
    done = await finish_stage_one(h, h.alice)
    assert f"<@&{graduates.id}> is at or above my highest role" in done.message.content
    allow_roles(h, False)
    bob = await finish_stage_one(h, h.bob)
    assert "I need **Manage Roles**" in bob.message.content
    assert puts() == before


async def test_a_server_with_250_roles_gets_a_clear_answer(server):
    """Discord's cap of 250 roles (30005): the member's progress stands and the answer says what to do."""
    from bot.sandbox.fake.roles import MAX_ROLES

    h, _ = server
    while len(h.guild.roles) < MAX_ROLES:
        h.guild.add_role(f"cosmetic {len(h.guild.roles)}", discord.Permissions.none())
    refresh(h)
    done = await finish_stage_one(h, h.alice)
    assert "🎉 You finished the stage **How the Web Works**" in done.message.content
    assert "this server has 250 roles, the most Discord allows" in done.message.content
    assert len(h.guild.roles) == MAX_ROLES


async def test_a_role_a_deletion_could_not_delete_is_deleted_once_the_bot_may(server):
    h, _ = server
    await finish_stage_one(h, h.alice)
    [made] = [r for r in h.guild.roles.values() if r.name.endswith("✓")]
    allow_roles(h, False)
    deleted = await h.confirm(h.mod, "cohort delete", "Delete for good", cohort="spring")
    assert "1 role I created is still on Discord" in deleted.message.text() and made.id in h.guild.roles
    await h.bot.scheduler.tick()
    assert made.id in h.guild.roles
    allow_roles(h)
    assert (await h.bot.scheduler.tick()).leftovers == 1 and made.id not in h.guild.roles

"""Stage roles never hand out what the person picking could not hand out themselves (issue 26, part 1),
through the real bot on a server built as real ones are: an Administrator role, the moderators' role
with Manage Server and Manage Roles, the cohort's own moderator role with no permissions, cosmetic roles,
and the bot's role on top."""

from __future__ import annotations

import discord
import pytest
from sqlalchemy import select

from bot.db.models import Membership
from tests.commands.test_stage_roles import (
    BOT_ROLE_POSITION,
    allow_roles,
    finish_stage_one,
    moderators_hand_out_roles,
    refresh,
    roles_of,
)
from tests.harness import allow_command
from tests.harness import database_dump as dump

STAGE = "how-the-web-works"


@pytest.fixture
async def server(h):
    """spring with stage roles on; carol moderates it through its own role (no permissions at all)."""
    allow_roles(h)
    moderators = moderators_hand_out_roles(h)
    admin = h.guild.add_role("Admin", discord.Permissions(administrator=True))
    lead = h.guild.add_role("spring leads", discord.Permissions.none())
    cosmetic = h.guild.add_role("Web graduates", discord.Permissions.none())
    above_mods = h.guild.add_role("Veterans", discord.Permissions.none())
    admin.position, lead.position, cosmetic.position = 2, 3, 4
    above_mods.position = moderators.position + 0  # level with the moderators' highest role
    h.guild.members[h.carol.id].append(lead.id)
    allow_command(h, "cohort", lead.id)  # the admin let the cohort's moderator role use /cohort
    refresh(h)
    await h.create_cohort("spring", moderator_role=lead)
    await h.run(h.mod, "cohort edit", cohort="spring", stage_roles="on")
    for user in (h.alice, h.bob):
        await h.run(user, "join", cohort="spring")
    h.roles = {"admin": admin, "lead": lead, "cosmetic": cosmetic, "veterans": above_mods}  # type: ignore[attr-defined]
    return h


async def pick(h, user, role):
    return await h.run(user, "cohort stage-role", cohort="spring", stage=STAGE, role=role)


async def test_a_cohort_moderator_without_manage_roles_cannot_pick_any_role(server):
    h = server
    before = await dump(h)
    for role in h.roles.values():
        refused = await pick(h, h.carol, role)
        assert refused.message.ephemeral and "takes **Manage Roles**" in refused.message.content
    assert await dump(h) == before


async def test_no_pick_of_a_role_that_grants_anything_or_sits_above_the_picker(server):
    h = server
    before = await dump(h)
    admin = await pick(h, h.mod, h.roles["admin"])
    assert "grants permissions @everyone does not have" in admin.message.content
    lead = await pick(h, h.mod, h.roles["lead"])
    assert "is a cohort's moderator role" in lead.message.content
    level = await pick(h, h.mod, h.roles["veterans"])
    assert "is at or above your highest role" in level.message.content
    assert all(r.message.ephemeral for r in (admin, lead, level))
    assert await dump(h) == before
    # Finishing the stage then gives the bot's own role, with no permissions at all.
    done = await finish_stage_one(h, h.alice)
    [made] = [r for r in h.guild.roles.values() if r.name.endswith("✓")]
    assert f"<@&{made.id}>" in done.message.content and made.permissions.value == 0
    assert "Admin" not in roles_of(h, h.alice)


async def test_a_pick_given_permissions_later_is_no_longer_handed_out(server):
    h = server
    cosmetic = h.roles["cosmetic"]
    chosen = await pick(h, h.mod, cosmetic)
    assert f"get <@&{cosmetic.id}> from now on" in chosen.message.content
    await finish_stage_one(h, h.alice)
    assert "Web graduates" in roles_of(h, h.alice)
    cosmetic.permissions = discord.Permissions(kick_members=True)  # an admin changed the role since
    refresh(h)
    done = await finish_stage_one(h, h.bob)
    assert "**Web servers** done!" in done.message.content
    assert "No stage role:" in done.message.content and "grants permissions @everyone does not have" in (
        done.message.content
    )
    assert "Web graduates" not in roles_of(h, h.bob)
    async with h.bot.services.progress._sessions() as session:
        bob = await session.scalar(select(Membership).where(Membership.user_id == h.bob.id))
    assert bob.current_topic_id == "choose-language"  # the progress stands


async def test_the_servers_owner_is_limited_by_no_role(server):
    h = server
    owner = next(u for u in h.fake.world.users.values() if u.id == h.guild.owner_id)
    veterans = h.roles["veterans"]
    veterans.position = BOT_ROLE_POSITION - 1
    refresh(h)
    chosen = await pick(h, owner, veterans)
    assert f"get <@&{veterans.id}> from now on" in chosen.message.content
    # Not even the owner makes a bot's own role a badge: Discord made it, and nobody hands it out.
    bot_role = next(r for r in h.guild.roles.values() if r.name == "studybot")
    assert h.bot.get_guild(h.guild.id).get_role(bot_role.id).managed  # as Discord marks it
    managed = await pick(h, owner, bot_role)
    assert "belongs to a bot or an integration" in managed.message.content

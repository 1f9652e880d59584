"""Stage roles on Discord: when a member finishes a stage (every topic of it done or skipped), they get
its role: a moderator's pick (`/cohort stage-role`), or one the bot creates on first use, named
`<cohort> · <stage> ✓`. `/forget-me` and `/cohort remove` take back what the bot gave, and only that
(bot.services.cohorts.role_grants); a role the bot created and no longer uses is deleted.

The records are bot.services.cohorts.links; a role that cannot be given costs the member nothing: their
progress is recorded, and the answer says what the bot lacks so a moderator can fix it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection, Iterable

import discord

from bot.db.models import Cohort
from bot.discord_side.deleting import deleted
from bot.roadmap import Stage
from bot.services.cohorts.leftovers import ROLE, Leftovers
from bot.services.cohorts.links import STAGE_ROLE, CohortLinkService, Replaced
from bot.services.cohorts.registry import CohortService
from bot.services.cohorts.role_grants import GivenRoles
from bot.services.cohorts.settings import RoleFacts
from bot.services.cohorts.stage_roles import NO_ROLES, RoleGrant, badge_problem
from bot.usertext import clip

log = logging.getLogger(__name__)

ROLE_NAME_MAX = 100  # Discord's limit for a role name
REASON = "studybot: stage roles"
UNKNOWN_ROLE = 10011  # Discord's code for a role that does not exist (deleted)
ROLES_CAP = 30005  # Discord's code: the server has its maximum of 250 roles


def role_name(cohort: Cohort, stage: Stage) -> str:
    """`spring · Databases ✓`, cut to Discord's 100 characters (the cohort's name shortened first)."""
    suffix = f" · {stage.title} ✓"
    return clip(cohort.name, max(ROLE_NAME_MAX - len(suffix), 10)) + clip(suffix, ROLE_NAME_MAX - 10)


def role_facts(guild: discord.Guild, role_id: int) -> RoleFacts | None:
    """What the bot's cache says about a role of `guild`, for the stage-role rules (None: unknown)."""
    role = guild.get_role(role_id)
    if role is None:
        return None
    beyond = discord.Permissions(role.permissions.value & ~guild.default_role.permissions.value)
    extra = tuple(name for name, granted in beyond if granted)
    if role.permissions.administrator and not role.is_default():
        extra = extra or ("administrator",)
    return RoleFacts(role.id, role.position, role.is_default(), role.managed, extra)


def role_problem(guild: discord.Guild, role_id: int) -> str | None:
    """Why the bot cannot hand out a role of `guild` (see ServerAccess.role_problem), from its cache."""
    role = guild.get_role(role_id)
    if role is None:
        return "unknown"
    if role.is_default():
        return "everyone"
    if role.managed:
        return "managed"
    if role >= guild.me.top_role:
        return "above"
    return None


class StageRoles:
    """Gives and takes back stage roles for the commands of one bot."""

    def __init__(
        self,
        client: discord.Client,
        records: CohortLinkService,
        cohorts: CohortService,
        given: GivenRoles,
        leftovers: Leftovers,
    ) -> None:
        self._client = client
        self._records = records
        self._cohorts = cohorts
        self._given = given
        self._leftovers = leftovers

    async def grant(
        self,
        cohort: Cohort,
        member: discord.User | discord.Member,
        stages: Iterable[Stage],
        *,
        wanted: bool = True,
    ) -> RoleGrant:
        """Give the member the role of each stage they just finished (none when the cohort has no stage
        roles, and none unless they want them: `role_grants.wants_stage_roles`). The roles they hold now
        come with a command in the server; a button in DMs carries none, so Discord is asked once."""
        guild = self._client.get_guild(cohort.guild_id)
        stages = list(stages)
        if not cohort.stage_roles or guild is None or not stages:
            return NO_ROLES
        if not wanted:
            return RoleGrant(problem="private")
        if not guild.me.guild_permissions.manage_roles:
            return RoleGrant(problem="manage")  # the cache knows Discord would refuse: not asked
        member_id = member.id
        held = frozenset(r.id for r in member.roles) if isinstance(member, discord.Member) else None
        given: list[int] = []
        for stage in stages:
            role_id = None
            try:
                refused = await self._refused_pick(guild, cohort, stage)
                if refused is not None:
                    return RoleGrant(tuple(given), *refused)
                if held is None:
                    held = await self._held(guild.id, member_id)
                role_id = await self._give(guild, cohort, stage, member_id, held)
            except discord.Forbidden as exc:
                log.warning("could not give the role of %s in cohort %s: %s", stage.id, cohort.id, exc)
                if not guild.me.guild_permissions.manage_roles:
                    return RoleGrant(tuple(given), "manage")
                known = await self._records.known([cohort.id], STAGE_ROLE)
                return RoleGrant(tuple(given), "above", known.get((cohort.id, stage.id)))
            except discord.HTTPException as exc:
                log.warning("could not give the role of %s in cohort %s: %s", stage.id, cohort.id, exc)
                if exc.code == ROLES_CAP:
                    return RoleGrant(tuple(given), "full")
            if role_id is not None:
                given.append(role_id)
        return RoleGrant(tuple(given))

    async def _refused_pick(self, guild: discord.Guild, cohort: Cohort, stage: Stage) -> tuple[str, int] | None:
        """The stage's recorded role when it is not to be given: no longer a plain badge (someone gave it
        permissions, or made it a cohort's moderator role, after it was picked), or moved to or above the
        bot's highest role (Discord would refuse: not asked). (the problem, the role), else None."""
        known = await self._records.known([cohort.id], STAGE_ROLE)
        role_id = known.get((cohort.id, stage.id))
        facts = role_facts(guild, role_id) if role_id is not None else None
        if facts is None:
            return None  # none picked or made yet, or deleted: _give makes one of the bot's own
        problem = badge_problem(facts, await self._cohorts.moderator_role_ids(guild.id)) or role_problem(
            guild, facts.role_id
        )  # at or above the bot's highest role: Discord would refuse, so it is not asked
        if problem is None:
            return None
        log.warning("stage role %s of cohort %s is not given: %s", role_id, cohort.id, problem)
        return problem, facts.role_id

    async def _held(self, guild_id: int, member_id: int) -> frozenset[int]:
        """The roles the member holds now, as Discord says (a nudge's button carries none)."""
        data = await self._client.http.get_member(guild_id, member_id)
        return frozenset(int(r) for r in data.get("roles", []))

    async def _hand_over(
        self, guild_id: int, cohort_id: int, member_id: int, role_id: int, held: Collection[int]
    ) -> bool:
        """Give a role and record it, unless the member held it before: then it was never the bot's, and
        nothing is new to them (False)."""
        if not await self._given.should_give(guild_id, cohort_id, member_id, role_id, held):
            return False
        await self._client.http.add_role(guild_id, member_id, role_id, reason=REASON)
        await self._given.record(guild_id, cohort_id, member_id, role_id)
        return True

    async def _give(
        self, guild: discord.Guild, cohort: Cohort, stage: Stage, member_id: int, held: Collection[int]
    ) -> int | None:
        """Give the stage's role: the recorded one, or one created now; a recorded role deleted on Discord
        is created again. None while another member is creating it (theirs comes with the role), or when
        the member held the role already (nothing new to announce)."""
        claim = await self._records.claim(cohort.id, STAGE_ROLE, stage.id)
        if claim.discord_id is not None:
            try:
                given = await self._hand_over(guild.id, cohort.id, member_id, claim.discord_id, held)
                return claim.discord_id if given else None
            except discord.NotFound as exc:
                if exc.code != UNKNOWN_ROLE:
                    raise
            claim = await self._records.gone(cohort.id, STAGE_ROLE, stage.id, claim.discord_id)
        if not claim.mine:
            return None
        try:
            # A badge: no permissions at all (Discord would otherwise give it @everyone's).
            role = await guild.create_role(
                name=role_name(cohort, stage), permissions=discord.Permissions.none(), reason=REASON
            )
        except BaseException:
            await self._records.release(cohort.id, STAGE_ROLE, stage.id)
            raise
        role_id = role.id
        if not await self._records.made(cohort.id, STAGE_ROLE, stage.id, role.id):
            # A moderator picked the stage's role while this one was being created: theirs stands.
            role_id = (await self._records.known([cohort.id], STAGE_ROLE)).get((cohort.id, stage.id))
            if role_id is None:
                return None
        return role_id if await self._hand_over(guild.id, cohort.id, member_id, role_id, held) else None

    async def take_back(self, guild_id: int, cohort_ids: Iterable[int], member_id: int) -> None:
        """Take from the member the stage roles the bot gave them for these cohorts, and only those
        (the member left, asked to be forgotten or to hide their progress). Refusals are logged, never raised."""
        for role_id in await self._given.take(guild_id, cohort_ids, member_id):
            await self._remove(guild_id, member_id, role_id)

    async def take_given(self, guild_id: int, given: Iterable[tuple[int, int]]) -> None:
        """Take back (member, role) pairs the bot gave for a cohort that is gone."""
        for member_id, role_id in given:
            await self._remove(guild_id, member_id, role_id)

    async def replaced(self, guild_id: int, cohort_id: int, old: Replaced | None, new_role_id: int) -> int:
        """A moderator picked another role for a stage: the bot's own old role is deleted, an earlier
        pick is taken back from those the bot gave it to, and they get the new role in its place.
        Returns how many members got the new one."""
        if old is None:
            return 0
        members = await self._given.take_role(cohort_id, old.discord_id)
        if old.made_by_bot:
            await self.delete_made(guild_id, [old.discord_id])
        moved = 0
        for member_id in members:
            if not old.made_by_bot:
                await self._remove(guild_id, member_id, old.discord_id)
            try:
                await self._hand_over(
                    guild_id, cohort_id, member_id, new_role_id, await self._held(guild_id, member_id)
                )
                moved += 1
            except discord.HTTPException as exc:  # the member left the server, or the role moved above the bot
                log.warning("could not give a member the new stage role %s: %s", new_role_id, exc)
        return moved

    async def _remove(self, guild_id: int, member_id: int, role_id: int) -> None:
        with contextlib.suppress(discord.NotFound):
            try:
                await self._client.http.remove_role(guild_id, member_id, role_id, reason=REASON)
            except discord.Forbidden as exc:
                log.warning("could not take role %s back from a member: %s", role_id, exc)

    async def delete_made(self, guild_id: int, role_ids: Iterable[int]) -> list[int]:
        """Delete roles the bot created and no longer uses; returns those left on Discord (a refusal is
        logged, never raised: what asked for it stands), kept for bot.discord_side.leftovers to delete later."""
        left: list[int] = []
        guild = self._client.get_guild(guild_id)
        for role_id in role_ids:
            if guild is None or role_problem(guild, role_id) == "above" or not guild.me.guild_permissions.manage_roles:
                left.append(role_id)  # Discord would refuse: not asked
                continue
            if not await deleted(self._client.http.delete_role(guild_id, role_id, reason=REASON), f"role {role_id}"):
                left.append(role_id)
        await self._leftovers.keep(guild_id, ROLE, left)
        return left

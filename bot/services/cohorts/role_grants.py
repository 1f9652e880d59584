"""Which stage roles the bot gave whom: it takes back only those. A role the member held before (a
moderator made Verified a stage role) was never the bot's to give, so it is never recorded and never
taken; a role given for two cohorts stays until neither hands it out. No Discord here (bot.discord_side.roles
asks Discord)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import GivenRole, Membership
from bot.db.upsert import insert_unless_taken
from bot.services.clock import Clock
from bot.services.cohorts.links import made_roles_statement


def wants_stage_roles(membership: Membership) -> bool:
    """The one rule for whether finishing a stage gives a member its role: their own `/settings
    stage_roles` when they set it, otherwise only when they show their progress (a public badge would
    tell everyone how far a member got who asked to keep that private)."""
    if membership.wants_stage_roles is not None:
        return membership.wants_stage_roles
    return membership.show_on_leaderboard


class GivenRoles:
    """The record of stage roles the bot gave."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def should_give(
        self, guild_id: int, cohort_id: int, user_id: int, role_id: int, held: Collection[int]
    ) -> bool:
        """Whether the bot gives (and records) `role_id`: not when the member already holds it, unless
        the bot gave it to them for another cohort (then this cohort shares it)."""
        if role_id not in held:
            return True
        async with self._sessions() as session:
            ours = await session.scalar(
                select(GivenRole.cohort_id).where(
                    GivenRole.guild_id == guild_id, GivenRole.user_id == user_id, GivenRole.role_id == role_id
                )
            )
        return ours is not None

    async def record(self, guild_id: int, cohort_id: int, user_id: int, role_id: int) -> None:
        """The bot gave `role_id` to the member for the cohort (once; a second record is a no-op)."""
        async with self._sessions() as session:
            await session.execute(
                insert_unless_taken(session, GivenRole, ["cohort_id", "user_id", "role_id"]).values(
                    cohort_id=cohort_id,
                    user_id=user_id,
                    role_id=role_id,
                    guild_id=guild_id,
                    granted_at=self._clock.now(),
                )
            )
            await session.commit()

    async def take(self, guild_id: int, cohort_ids: Iterable[int], user_id: int) -> list[int]:
        """Forget what the bot gave the member for these cohorts and return the roles to take from them:
        those recorded, plus the roles the bot created for these cohorts (given before records were
        kept; nobody else hands them out), minus any role the bot still gives them for another cohort."""
        ids = set(cohort_ids)
        if not ids:
            return []
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(GivenRole.cohort_id, GivenRole.role_id).where(
                        GivenRole.guild_id == guild_id, GivenRole.user_id == user_id
                    )
                )
            ).all()
            made = await session.scalars(made_roles_statement(ids))
            kept = {role_id for cohort_id, role_id in rows if cohort_id not in ids}
            taken = {role_id for cohort_id, role_id in rows if cohort_id in ids} | {r for r in made if r is not None}
            await session.execute(delete(GivenRole).where(GivenRole.user_id == user_id, GivenRole.cohort_id.in_(ids)))
            await session.commit()
        return sorted(taken - kept)

    async def take_role(self, cohort_id: int, role_id: int) -> list[int]:
        """The cohort stops handing out `role_id` (a moderator picked another): forget its grants and
        return the members to take it from (not those the bot still gives it to for another cohort)."""
        async with self._sessions() as session:
            pairs = await given_in_cohort(session, cohort_id, role_id)
            await session.execute(
                delete(GivenRole).where(GivenRole.cohort_id == cohort_id, GivenRole.role_id == role_id)
            )
            await session.commit()
        return [user_id for user_id, _ in pairs]


async def given_in_cohort(session: AsyncSession, cohort_id: int, role_id: int | None = None) -> list[tuple[int, int]]:
    """(member, role) the bot gave for the cohort (of `role_id` only, when given) and gives that member
    for no other cohort: what taking the cohort's roles back takes from Discord."""
    query = select(GivenRole.user_id, GivenRole.role_id).where(GivenRole.cohort_id == cohort_id)
    if role_id is not None:
        query = query.where(GivenRole.role_id == role_id)
    pairs = [(user_id, role) for user_id, role in await session.execute(query)]
    users = {user_id for user_id, _ in pairs}
    if not users:
        return []
    others = await session.execute(
        select(GivenRole.user_id, GivenRole.role_id).where(
            GivenRole.cohort_id != cohort_id, GivenRole.user_id.in_(users)
        )
    )
    elsewhere = {(user_id, role) for user_id, role in others}
    return sorted(pair for pair in pairs if pair not in elsewhere)


def forget_cohort_statement(cohort_id: int):  # noqa: ANN201 - a Delete
    """Delete a cohort's grant records (with the cohort: its roles were taken or deleted first)."""
    return delete(GivenRole).where(GivenRole.cohort_id == cohort_id)

"""Deleting a cohort created by mistake: what would be lost is said first, and checked again on delete."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    CheckIn,
    Cohort,
    CohortLink,
    CohortPause,
    Delivery,
    FocusTimer,
    Membership,
    ProgressEvent,
    ProjectShare,
)
from bot.i18n import Text
from bot.services.authority import Authority
from bot.services.cohorts.links import THREAD, forget_statement, made_roles_statement
from bot.services.cohorts.registry import CohortService
from bot.services.cohorts.role_grants import forget_cohort_statement, given_in_cohort
from bot.services.delivery.claims import COHORT_KINDS
from bot.services.errors import Conflict, NotAllowed
from bot.services.member_data.tables import forget_memberships
from bot.usertext import md


@dataclass(frozen=True, slots=True)
class LeftOnDiscord:
    """What a deleted cohort leaves for the caller to undo on Discord: the roles the bot created for it
    (deleted), and the moderators' picks the bot gave, as (member, role) (taken back)."""

    made_roles: list[int]
    given: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class DeletionScope:
    """Everything a cohort's deletion removes, counted."""

    cohort_id: int
    cohort_name: str
    memberships: int  # active or not
    progress_events: int
    checkins: int
    pauses: int
    shares: int = 0  # project shares recorded (their posts stay in the channel)
    threads: int = 0  # topic threads the cohort opened (they stay on Discord)
    made_roles: int = 0  # stage roles the bot created for it (deleted with it)

    @property
    def has_progress(self) -> bool:
        """Any done, skip or check-in recorded: the cohort is in real use, not a mistake."""
        return self.progress_events > 0 or self.checkins > 0


class CohortDeletion:
    """`/cohort delete`: only while a cohort has no recorded progress, unless the caller may do anything."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cohorts: CohortService) -> None:
        self._sessions = sessions
        self._cohorts = cohorts

    async def scope(self, guild_id: int, name: str, by: Authority) -> DeletionScope:
        """What deleting the cohort would remove; NotAllowed unless `by` moderates it, and when it has
        progress and `by` lacks Manage Server (moderator-role holders can archive instead)."""
        async with self._sessions() as session:
            cohort = await self._cohorts.find_moderated(session, guild_id, name, by)
            found = await _count(session, cohort)
        _check_allowed(found, by.manage_guild)
        return found

    async def delete(self, guild_id: int, expected: DeletionScope, by: Authority) -> LeftOnDiscord:
        """Delete the cohort `expected` describes and everything in it, in one transaction; Conflict if
        anything changed since the caller was shown `expected` (so nobody deletes more than they read).
        Returns what the caller undoes on Discord."""
        async with self._sessions() as session:
            cohort = await session.get(Cohort, expected.cohort_id)
            if cohort is None or cohort.guild_id != guild_id:
                raise Conflict(
                    Text("**{cohort}** no longer exists: nothing to delete.", cohort=md(expected.cohort_name))
                )
            by.require(cohort)  # its moderator role may have changed since
            now = await _count(session, cohort)
            if now != expected:
                raise Conflict(
                    Text(
                        "**{cohort}** changed since you asked (new members, progress or a new name), so "
                        "nothing was deleted. Run `/cohort delete` again to see what it holds now.",
                        cohort=md(expected.cohort_name),
                    )
                )
            _check_allowed(now, by.manage_guild)
            member_ids = select(Membership.id).where(Membership.cohort_id == cohort.id).scalar_subquery()
            await forget_memberships(session, member_ids)
            # The cohort's own rows (explicit deletes: SQLite only cascades with foreign keys on).
            await session.execute(
                delete(Delivery).where(Delivery.kind.in_(COHORT_KINDS), Delivery.target_id == cohort.id)
            )
            await session.execute(delete(CohortPause).where(CohortPause.cohort_id == cohort.id))
            await session.execute(delete(FocusTimer).where(FocusTimer.cohort_id == cohort.id))  # who was in: above
            made_roles = list(await session.scalars(made_roles_statement([cohort.id])))
            # Deleting a role the bot made takes it from everyone; a moderator's pick is taken back member by member.
            given = [
                (user_id, role) for user_id, role in await given_in_cohort(session, cohort.id) if role not in made_roles
            ]
            await session.execute(forget_cohort_statement(cohort.id))
            # Its threads and the roles a moderator picked stay on Discord: nothing else keeps their ids.
            await session.execute(forget_statement(cohort.id))
            await session.delete(cohort)
            await session.commit()
        return LeftOnDiscord(made_roles, given)


def _check_allowed(found: DeletionScope, with_progress_allowed: bool) -> None:
    if found.has_progress and not with_progress_allowed:
        raise NotAllowed(
            Text(
                "**{cohort}** already has recorded progress, so only someone with **Manage Server** can "
                "delete it. `/cohort archive` keeps its history and stops it instead.",
                cohort=md(found.cohort_name),
            )
        )


async def _count(session: AsyncSession, cohort: Cohort) -> DeletionScope:
    member_ids = select(Membership.id).where(Membership.cohort_id == cohort.id).scalar_subquery()
    counts = (
        await session.execute(
            select(
                select(func.count()).where(Membership.cohort_id == cohort.id).scalar_subquery(),
                select(func.count()).where(ProgressEvent.cohort_id == cohort.id).scalar_subquery(),
                select(func.count()).where(CheckIn.membership_id.in_(member_ids)).scalar_subquery(),
                select(func.count()).where(CohortPause.cohort_id == cohort.id).scalar_subquery(),
                select(func.count()).where(ProjectShare.cohort_id == cohort.id).scalar_subquery(),
                select(func.count())
                .where(CohortLink.cohort_id == cohort.id, CohortLink.kind == THREAD, CohortLink.discord_id.is_not(None))
                .scalar_subquery(),
                select(func.count()).select_from(made_roles_statement([cohort.id]).subquery()).scalar_subquery(),
            )
        )
    ).one()
    return DeletionScope(cohort.id, cohort.name, *(int(n) for n in counts))

"""Finding a member's cohort and membership: the read-only look-ups that member actions, progress views,
leaderboards and member settings build on. A look-up never writes."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import logs
from bot.db.models import Cohort, Membership
from bot.i18n import Text
from bot.roadmap import Roadmap, RoadmapCatalog, TopicRef
from bot.services.cohorts.registry import CohortService
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.progress.advance import topic_or_first
from bot.services.topics import cohort_roadmap
from bot.usertext import md

# Built once: constructing a statement costs more than running it on an indexed table.
MEMBER_COHORTS = (
    select(Cohort, Membership)
    .join(Membership, Membership.cohort_id == Cohort.id)
    .where(
        Cohort.guild_id == bindparam("guild_id"),
        Membership.user_id == bindparam("user_id"),
        Membership.left_at.is_(None),
    )
    .order_by(Cohort.archived_at.is_not(None), Cohort.name)
)


def live_rows(rows: list) -> list:
    """The (cohort, membership) rows a member can mean without naming a cohort: archived cohorts only
    count when there is nothing else to pick."""
    return [row for row in rows if not row[0].archived] or rows


class Memberships:
    """Look-ups of a member's cohorts in a guild; every call is scoped to one."""

    def __init__(self, roadmaps: RoadmapCatalog, cohorts: CohortService) -> None:
        self._roadmaps = roadmaps
        self._cohorts = cohorts

    def roadmap_of(self, cohort: Cohort) -> Roadmap:
        """The roadmap `cohort` follows."""
        return cohort_roadmap(self._roadmaps, cohort)

    def topic_or_first(self, cohort: Cohort, topic_id: str | None) -> TopicRef | None:
        """The topic with this id on the cohort's roadmap (the first if the roadmap lost it; None: finished)."""
        return topic_or_first(self.roadmap_of(cohort), topic_id)

    async def active_in(
        self, session: AsyncSession, cohort: Cohort, user_id: int, *, self_view: bool = True
    ) -> Membership:
        """The member's active membership in a cohort the caller loaded; NotFound worded as in `membership_in`."""
        membership = await session.scalar(
            select(Membership).where(
                Membership.cohort_id == cohort.id, Membership.user_id == user_id, Membership.left_at.is_(None)
            )
        )
        logs.bind(cohort=cohort.name)
        if membership is not None:
            return membership
        if self_view:
            raise NotFound(
                Text(
                    "You are not in the cohort **{cohort}**. Join it with `/join cohort:{cohort}`.",
                    cohort=md(cohort.name),
                )
            )
        raise NotFound(Text("That member is not in the cohort **{cohort}**.", cohort=md(cohort.name)))

    async def membership_in(
        self, session: AsyncSession, guild_id: int, user_id: int, cohort_name: str | None, *, self_view: bool = True
    ) -> tuple[Cohort, Membership]:
        """The member's active membership: in the named cohort, or their only one in the guild. Reads only:
        a command that should remember the member's language and name says so (`caller.remember`).
        `self_view` words a refusal for the member themselves, else for a moderator asking about them."""
        if cohort_name:
            cohort = await self._cohorts.find_in(session, guild_id, cohort_name)
            return cohort, await self.active_in(session, cohort, user_id, self_view=self_view)
        rows = (await session.execute(MEMBER_COHORTS, {"guild_id": guild_id, "user_id": user_id})).all()
        live = live_rows(rows)
        if not live:
            if self_view:
                raise NotFound(
                    Text(
                        "You are not in any cohort in this server. Use `/join`: its `cohort` option lists the "
                        "cohorts you can join."
                    )
                )
            raise NotFound(Text("That member is not in any cohort in this server."))
        if len(live) > 1:
            names = ", ".join(f"**{md(c.name)}**" for c, _ in live)
            raise Conflict(
                Text(
                    "You are in several cohorts ({names}). Add the `cohort` option to say which one you mean."
                    if self_view
                    else "That member is in several cohorts ({names}). Add the `cohort` option to say which one "
                    "they mean.",
                    names=names,
                )
            )
        cohort, membership = live[0]
        logs.bind(cohort=cohort.name)
        return cohort, membership

    async def membership_for_button(
        self, session: AsyncSession, membership_id: int, user_id: int
    ) -> tuple[Cohort, Membership]:
        """The membership a nudge button names, refused to anyone but its member or after they left."""
        row = (
            await session.execute(
                select(Cohort, Membership)
                .join(Membership, Membership.cohort_id == Cohort.id)
                .where(Membership.id == membership_id)
            )
        ).first()
        if row is None or row[1].user_id != user_id:
            raise NotAllowed(Text("These buttons belong to someone else's nudge."))
        cohort, membership = row
        if membership.left_at is not None:
            raise Conflict(
                Text(
                    "You left **{cohort}**, so this nudge no longer applies. `/join` brings you back.",
                    cohort=md(cohort.name),
                )
            )
        return cohort, membership

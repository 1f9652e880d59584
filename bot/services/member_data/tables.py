"""Every table that holds a member's data, named once: `/forget-me` and `/cohort delete` remove a
member's rows through this list, so a table added here is forgotten everywhere, and
tests/services/member_data/test_tables.py fails for a table with a member column this list leaves out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Delete, delete, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import (
    BuddyMatch,
    CheckIn,
    Cohort,
    CohortPause,
    Delivery,
    FocusParticipant,
    GivenRole,
    Membership,
    ProgressEvent,
    ProjectShare,
    StudySession,
    WeeklyGoal,
    WeeklyTally,
)
from bot.services.delivery.claims import MEMBER_KINDS


@dataclass(frozen=True, slots=True)
class MemberRows:
    """Rows of one table that belong to a membership: `column` holds its id (`only`: which rows of a
    table shared with other owners, as deliveries are); `exported`: the key of a member's export that
    holds them (None: derived from other rows, or the bot's own bookkeeping)."""

    column: InstrumentedAttribute[Any]
    exported: str | None
    only: ColumnElement[bool] | None = None

    def forget(self, membership_ids: Any) -> Delete:
        """Delete these memberships' rows (`membership_ids`: a list or a subquery)."""
        where = self.column.in_(membership_ids)
        return delete(self.column.class_).where(where, self.only if self.only is not None else true())


# Rows that are a membership's, deleted before the membership itself (explicitly: SQLite only cascades
# with foreign keys on, and deliveries have no foreign key). Membership last.
BY_MEMBERSHIP: tuple[MemberRows, ...] = (
    MemberRows(ProgressEvent.membership_id, "history"),
    MemberRows(WeeklyTally.membership_id, None),  # counted from the history
    MemberRows(CheckIn.membership_id, "checkins"),
    MemberRows(StudySession.membership_id, "study_sessions"),  # room stays and focus rounds
    MemberRows(FocusParticipant.membership_id, None),  # which timer they are in: their rounds are above
    MemberRows(WeeklyGoal.membership_id, "goals"),
    MemberRows(Delivery.target_id, None, Delivery.kind.in_(MEMBER_KINDS)),  # what was sent when
    MemberRows(BuddyMatch.membership_id, None),  # this week's pairing, replaced every week
    MemberRows(ProjectShare.membership_id, "shares"),
    MemberRows(Membership.id, "user_id"),
)

# Rows keyed by the member's Discord id: the roles the bot gave them, forgotten as they are taken back
# on Discord (bot.services.cohorts.role_grants.GivenRoles.take, which forget-me and delete call).
BY_USER: tuple[InstrumentedAttribute[Any], ...] = (GivenRole.user_id,)

# Who created a cohort or a break, with the column naming its cohort: kept as nobody (FORGOTTEN) when
# they are forgotten, since the cohort and its calendar stay for everyone else.
AUTHORED: tuple[tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any]], ...] = (
    (Cohort.created_by, Cohort.id),
    (CohortPause.created_by, CohortPause.cohort_id),
)

FORGOTTEN = 0  # the user id left where a forgotten member created something


async def forget_memberships(session: AsyncSession, membership_ids: Any) -> None:
    """Delete every row of these memberships, the memberships last (`membership_ids`: a list or a subquery)."""
    for rows in BY_MEMBERSHIP:
        await session.execute(rows.forget(membership_ids))


async def forget_author(session: AsyncSession, cohort_ids: list[int], user_id: int) -> set[int]:
    """Clear `user_id` as the author of anything in these cohorts; the cohorts where they were one."""
    touched: set[int] = set()
    for author, cohort in AUTHORED:
        changed = update(author.class_).where(cohort.in_(cohort_ids), author == user_id).values({author.key: FORGOTTEN})
        touched.update(await session.scalars(changed.returning(cohort)))
    return touched


def tables_named() -> Iterable[str]:
    """The tables this list names, for the test that no table with member data is missing."""
    for column in (*(rows.column for rows in BY_MEMBERSHIP), *BY_USER, *(author for author, _ in AUTHORED)):
        yield column.class_.__tablename__

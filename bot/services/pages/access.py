"""Who gets which page link, and which links still open a page.

A cohort's page is on once a moderator asks for its link; revoking moves its version on (every older
link stops working), and taking it down keeps the last version, negated, so that when it goes back up its
new link is one no one had before. A member's own page link is theirs to ask for (or a moderator's of their
cohort, to look); revoking moves its version on too. A member who leaves has no page; one who rejoins (the
same membership) has the link they had."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, Membership
from bot.services import caller
from bot.services.authority import Authority
from bot.services.cohorts.registry import CohortService
from bot.services.pages.links import PageKey
from bot.services.progress.memberships import Memberships


@dataclass(frozen=True, slots=True)
class CohortLink:
    cohort: Cohort
    key: PageKey | None  # None: the page is off
    revoked: bool = False  # an older link stopped working just now


@dataclass(frozen=True, slots=True)
class MemberLink:
    cohort: Cohort
    membership: Membership
    key: PageKey
    revoked: bool = False


def page_on(cohort: Cohort) -> bool:
    """Whether the cohort's page is up (a moderator asked for its link and did not take it down)."""
    return cohort.page_version is not None and cohort.page_version > 0


def cohort_key(cohort: Cohort) -> PageKey | None:
    """The key of the cohort's current page link, None while its page is off."""
    return PageKey("c", cohort.id, cohort.page_version) if page_on(cohort) else None  # type: ignore[arg-type]


class PageAccess:
    """Hands out page links (moderators for cohorts, members for themselves) and checks the ones that come back."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], cohorts: CohortService, memberships: Memberships
    ) -> None:
        self._sessions = sessions
        self._cohorts = cohorts
        self._memberships = memberships

    async def cohort_link(self, guild_id: int, name: str, by: Authority, *, revoke: bool, off: bool) -> CohortLink:
        """`/cohort page`: the cohort's link (turning the page on), a new one (`revoke`), or the page off (`off`)."""
        async with self._sessions() as session:
            cohort = await self._cohorts.find_moderated(session, guild_id, name, by)
            was = cohort.page_version
            last = abs(was or 0)  # off keeps the last version, negated, so no older link ever opens again
            if off:
                cohort.page_version = -last if last else None
            elif was is None or was < 0 or revoke:
                cohort.page_version = last + 1
            if cohort.page_version != was:
                await session.commit()
            return CohortLink(cohort, cohort_key(cohort), revoked=revoke and was is not None and was > 0)

    async def member_link(
        self,
        guild_id: int,
        user_id: int,
        cohort_name: str | None,
        *,
        revoke: bool,
        by: Authority | None = None,
    ) -> MemberLink:
        """`/mypage`: the member's own page link, or a new one (`revoke`). Asked `by` someone else, only a
        moderator of the member's cohort gets it, and only to look (never to revoke)."""
        self_view = by is None or by.user_id == user_id
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(
                session, guild_id, user_id, cohort_name, self_view=self_view
            )
            if self_view:
                caller.remember(session, membership)
            else:
                by.require(cohort)  # type: ignore[union-attr]
            if revoke and self_view:
                membership.page_version += 1
                await session.commit()
            else:
                await caller.commit_noted(session)
            key = PageKey("m", membership.id, membership.page_version)
            return MemberLink(cohort, membership, key, revoked=revoke and self_view)

    async def open_cohort(self, key: PageKey) -> Cohort | None:
        """The cohort a signed key opens, None when its page is off or the key is an older version."""
        async with self._sessions() as session:
            cohort = await session.get(Cohort, key.id)
        if cohort is None or not page_on(cohort) or cohort.page_version != key.version:
            return None
        return cohort

    async def open_member(self, key: PageKey) -> tuple[Cohort, Membership] | None:
        """The member a signed key opens while they are in the cohort and the key is their current one."""
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(Cohort, Membership)
                    .join(Membership, Membership.cohort_id == Cohort.id)
                    .where(Membership.id == key.id, Membership.left_at.is_(None))
                )
            ).first()
        if row is None or row[1].page_version != key.version:
            return None
        return row[0], row[1]

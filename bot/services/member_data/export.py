"""Members' data out of the bot (export) and gone from it (forget-me)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    CheckIn,
    Cohort,
    CohortPause,
    Membership,
    ProgressEvent,
    ProjectShare,
    StudySession,
    WeeklyGoal,
)
from bot.i18n import Text
from bot.roadmap import Roadmap, RoadmapCatalog, TopicRef
from bot.services.cohorts.registry import CohortService
from bot.services.errors import NotFound
from bot.services.member_data.tables import forget_author, forget_memberships
from bot.usertext import QUOTE_MAX, md


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _ref(roadmap: Roadmap | None, topic_id: str | None) -> TopicRef | None:
    return roadmap.topic(topic_id) if roadmap is not None and topic_id else None


def _title(roadmap: Roadmap | None, topic_id: str | None) -> str | None:
    ref = _ref(roadmap, topic_id)
    return ref.topic.title if ref else None


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What /forget-me deleted: the names of the cohorts that held anything about the member, the ids of
    the cohorts in its scope, and the member's project posts."""

    names: list[str]
    cohort_ids: list[int]
    posts: list[tuple[int, int]]  # the member's project posts (channel id, message id), to delete on Discord


class ExportService:
    """Everything the bot keeps about members, per guild or per cohort."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], cohorts: CohortService, roadmaps: RoadmapCatalog | None = None
    ) -> None:
        self._sessions = sessions
        self._cohorts = cohorts
        self._roadmaps = roadmaps  # for topic titles beside their ids; None: ids alone

    async def export(self, *, guild_id: int | None = None, cohort: Cohort | None = None) -> list[dict[str, Any]]:
        """Cohorts with their members, each member's done/skip history and check-ins (JSON-ready): every
        cohort, a guild's, or one `cohort` the caller loaded (for a moderator, with `find_moderated`)."""
        async with self._sessions() as session:
            query = select(Cohort).order_by(Cohort.guild_id, Cohort.id)
            if cohort is not None:
                query = query.where(Cohort.id == cohort.id)
            elif guild_id is not None:
                query = query.where(Cohort.guild_id == guild_id)
            cohorts = list(await session.scalars(query))
            ids = [c.id for c in cohorts]
            members = list(
                await session.scalars(
                    select(Membership)
                    .where(Membership.cohort_id.in_(ids))
                    .order_by(Membership.cohort_id, Membership.id)
                )
            )
            member_ids = [m.id for m in members]
            events = list(
                await session.scalars(
                    select(ProgressEvent).where(ProgressEvent.membership_id.in_(member_ids)).order_by(ProgressEvent.at)
                )
            )
            checkins = list(
                await session.scalars(select(CheckIn).where(CheckIn.membership_id.in_(member_ids)).order_by(CheckIn.at))
            )
            stays = list(
                await session.scalars(
                    select(StudySession)
                    .where(StudySession.membership_id.in_(member_ids))
                    .order_by(StudySession.started_at)
                )
            )
            goals = list(
                await session.scalars(
                    select(WeeklyGoal).where(WeeklyGoal.membership_id.in_(member_ids)).order_by(WeeklyGoal.week_start)
                )
            )
            shares = list(
                await session.scalars(
                    select(ProjectShare)
                    .where(ProjectShare.membership_id.in_(member_ids))
                    .order_by(ProjectShare.shared_at)
                )
            )
        catalog = self._roadmaps.by_key if self._roadmaps is not None else {}
        roadmaps = {c.id: catalog.get(c.roadmap_id) for c in cohorts}
        history: dict[int, list[dict]] = {}
        for e in events:
            ref = _ref(roadmaps[e.cohort_id], e.topic_id)
            history.setdefault(e.membership_id, []).append(
                {
                    "kind": e.kind,
                    # A topic counts once (bot.services.progress.advance.counts_once): a later done is a review.
                    "counted": e.first_done,
                    "topic_id": e.topic_id,
                    "topic_title": ref.topic.title if ref else None,
                    "at": _iso(e.at),
                    "note": e.note,
                }
            )
        studied: dict[int, list[dict]] = {}
        for c in checkins:
            studied.setdefault(c.membership_id, []).append({"at": _iso(c.at), "minutes": c.minutes, "note": c.note})
        in_rooms: dict[int, list[dict]] = {}
        for r in stays:
            # As recorded: what of it counts is bot.services.study.rules' to say (/progress shows it).
            in_rooms.setdefault(r.membership_id, []).append(
                {
                    "topic_id": r.topic_id,
                    "topic_title": _title(roadmaps[r.cohort_id], r.topic_id),
                    "stay_started_at": _iso(r.stay_started_at),
                    "started_at": _iso(r.started_at),
                    "ended_at": _iso(r.ended_at),
                    "source": r.source,
                }
            )
        aimed: dict[int, list[dict]] = {}
        for g in goals:
            aimed.setdefault(g.membership_id, []).append(
                {"week_start": _iso(g.week_start), "topics": g.topics, "minutes": g.minutes, "set_at": _iso(g.set_at)}
            )
        shared: dict[int, list[dict]] = {}
        for p in shares:
            shared.setdefault(p.membership_id, []).append(
                {"stage_id": p.stage_id, "url": p.url, "note": p.note, "at": _iso(p.shared_at)}
            )
        by_cohort: dict[int, list[dict]] = {}
        for m in members:
            by_cohort.setdefault(m.cohort_id, []).append(
                {
                    "user_id": str(m.user_id),
                    "name": m.display_name,
                    "current_topic_id": m.current_topic_id,
                    "current_topic_title": _title(roadmaps[m.cohort_id], m.current_topic_id),
                    "joined_at": _iso(m.joined_at),
                    "left_at": _iso(m.left_at),
                    "finished_at": _iso(m.finished_at),
                    "buddy_opt_in": m.buddy_opt_in,
                    "history": history.get(m.id, []),
                    "checkins": studied.get(m.id, []),
                    "study_sessions": in_rooms.get(m.id, []),
                    "goals": aimed.get(m.id, []),
                    "shares": shared.get(m.id, []),
                }
            )
        return [
            {
                "guild_id": str(c.guild_id),
                "name": c.name,
                "start_date": c.start_date.isoformat(),
                "timezone": c.timezone,
                "pace": c.pace,
                "archived": c.archived,
                "members": by_cohort.get(c.id, []),
            }
            for c in cohorts
        ]

    async def _scope(
        self, session: AsyncSession, guild_id: int, user_id: int, cohort_name: str | None
    ) -> tuple[list[tuple[Membership, str]], list[int]]:
        """The member's memberships (with cohort names) and the ids of the cohorts in scope; NotFound
        when the cohort does not exist or the bot keeps nothing about the member there."""
        cohorts = select(Cohort.id).where(Cohort.guild_id == guild_id)
        if cohort_name:
            cohorts = cohorts.where(Cohort.id == (await self._cohorts.find_in(session, guild_id, cohort_name)).id)
        cohort_ids = list(await session.scalars(cohorts))
        rows = [
            (m, name)
            for m, name in await session.execute(
                select(Membership, Cohort.name)
                .join(Cohort, Cohort.id == Membership.cohort_id)
                .where(Cohort.id.in_(cohort_ids), Membership.user_id == user_id)
            )
        ]
        authored = await session.scalar(
            select(Cohort.id).where(Cohort.id.in_(cohort_ids), Cohort.created_by == user_id).limit(1)
        ) or await session.scalar(
            select(CohortPause.id)
            .where(CohortPause.cohort_id.in_(cohort_ids), CohortPause.created_by == user_id)
            .limit(1)
        )
        if not rows and authored is None:
            if cohort_name:
                raise NotFound(Text("I keep no data about you in **{cohort}**.", cohort=md(cohort_name, QUOTE_MAX)))
            raise NotFound(Text("I keep no data about you in this server."))
        return rows, cohort_ids

    async def check_forgettable(self, guild_id: int, user_id: int, cohort_name: str | None) -> None:
        """Refuse at once (NotFound) what `forget` would refuse, before anyone is asked to confirm."""
        async with self._sessions() as session:
            await self._scope(session, guild_id, user_id, cohort_name)

    async def forget(self, guild_id: int, user_id: int, cohort_name: str | None) -> Forgotten:
        """Delete the member's memberships (and with them history, check-ins, deliveries) in this guild,
        or in one cohort, and clear their id where they created a cohort or a break. Says which cohorts
        held anything about them, and which were in scope (whose stage roles go too)."""
        async with self._sessions() as session:
            rows, cohort_ids = await self._scope(session, guild_id, user_id, cohort_name)
            ids = [m.id for m, _ in rows]
            posts = list(
                await session.execute(
                    select(ProjectShare.channel_id, ProjectShare.message_id).where(ProjectShare.membership_id.in_(ids))
                )
            )
            await forget_memberships(session, ids)
            authored = await forget_author(session, cohort_ids, user_id)
            await session.commit()
            if session.bind.dialect.name == "sqlite":
                # WAL frames still hold the deleted rows until a checkpoint copies them over.
                await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            also = await session.scalars(select(Cohort.name).where(Cohort.id.in_(authored)).order_by(Cohort.name))
            names = list(dict.fromkeys([name for _, name in rows] + list(also)))
            return Forgotten(names, cohort_ids, [(channel_id, message_id) for channel_id, message_id in posts])

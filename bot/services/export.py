"""Members' data out of the bot (export) and gone from it (forget-me)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CheckIn, Cohort, Delivery, Membership, ProgressEvent
from bot.i18n import t
from bot.services.cohorts import CohortService
from bot.services.errors import NotFound

CSV_COLUMNS = (
    "record",
    "guild_id",
    "cohort",
    "user_id",
    "topic_id",
    "at",
    "note",
    "minutes",
    "current_topic_id",
    "joined_at",
    "left_at",
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class ExportService:
    """Everything the bot keeps about members, per guild or per cohort."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cohorts: CohortService) -> None:
        self._sessions = sessions
        self._cohorts = cohorts

    async def export(self, *, guild_id: int | None = None, cohort_name: str | None = None) -> list[dict[str, Any]]:
        """Cohorts with their members, each member's done/skip history and check-ins (JSON-ready)."""
        async with self._sessions() as session:
            query = select(Cohort).order_by(Cohort.guild_id, Cohort.id)
            if cohort_name is not None:
                assert guild_id is not None
                query = query.where(Cohort.id == (await self._cohorts.find_in(session, guild_id, cohort_name)).id)
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
        history: dict[int, list[dict]] = {}
        for e in events:
            history.setdefault(e.membership_id, []).append(
                {"kind": e.kind, "topic_id": e.topic_id, "at": _iso(e.at), "note": e.note}
            )
        studied: dict[int, list[dict]] = {}
        for c in checkins:
            studied.setdefault(c.membership_id, []).append({"at": _iso(c.at), "minutes": c.minutes, "note": c.note})
        by_cohort: dict[int, list[dict]] = {}
        for m in members:
            by_cohort.setdefault(m.cohort_id, []).append(
                {
                    "user_id": str(m.user_id),
                    "current_topic_id": m.current_topic_id,
                    "joined_at": _iso(m.joined_at),
                    "left_at": _iso(m.left_at),
                    "finished_at": _iso(m.finished_at),
                    "history": history.get(m.id, []),
                    "checkins": studied.get(m.id, []),
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

    async def forget(self, guild_id: int, user_id: int, cohort_name: str | None) -> list[str]:
        """Delete the member's memberships (and with them history, check-ins, deliveries) in this guild,
        or in one cohort. Returns the cohort names."""
        async with self._sessions() as session:
            query = (
                select(Membership, Cohort.name)
                .join(Cohort, Cohort.id == Membership.cohort_id)
                .where(Cohort.guild_id == guild_id, Membership.user_id == user_id)
            )
            if cohort_name:
                cohort = await self._cohorts.find_in(session, guild_id, cohort_name)
                query = query.where(Cohort.id == cohort.id)
            rows = (await session.execute(query)).all()
            if not rows:
                if cohort_name:
                    raise NotFound(t("I keep no data about you in **{cohort}**.", cohort=cohort_name))
                raise NotFound(t("I keep no data about you in this server."))
            ids = [m.id for m, _ in rows]
            # Explicit deletes: SQLite only cascades with foreign keys on, and deliveries have no foreign key.
            await session.execute(delete(ProgressEvent).where(ProgressEvent.membership_id.in_(ids)))
            await session.execute(delete(CheckIn).where(CheckIn.membership_id.in_(ids)))
            await session.execute(delete(Delivery).where(Delivery.kind == "nudge", Delivery.target_id.in_(ids)))
            await session.execute(delete(Membership).where(Membership.id.in_(ids)))
            await session.commit()
            return [name for _, name in rows]


def to_csv(cohorts: list[dict[str, Any]]) -> str:
    """One flat table: a row per member, per done/skip and per check-in (`record` says which)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for c in cohorts:
        for m in c["members"]:
            base = {"guild_id": c["guild_id"], "cohort": c["name"], "user_id": m["user_id"]}
            writer.writerow(
                base
                | {
                    "record": "member",
                    "current_topic_id": m["current_topic_id"],
                    "joined_at": m["joined_at"],
                    "left_at": m["left_at"],
                }
            )
            for e in m["history"]:
                writer.writerow(
                    base | {"record": e["kind"], "topic_id": e["topic_id"], "at": e["at"], "note": e["note"]}
                )
            for k in m["checkins"]:
                writer.writerow(base | {"record": "checkin", "at": k["at"], "minutes": k["minutes"], "note": k["note"]})
    return out.getvalue()

"""Applying an edited roadmap to stored progress without losing any of it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, Membership, RoadmapTopic
from bot.roadmap import DEFAULT_ROADMAP, Roadmap, RoadmapCatalog

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopicMove:
    membership_id: int
    user_id: int
    removed_topic_id: str
    new_topic_id: str | None  # None: nothing after it exists, so the member has finished


def successor(removed_id: str, old_order: list[str], roadmap: Roadmap) -> str | None:
    """The first topic after `removed_id` in the old order that the new roadmap still has.

    None means nothing after it survives: the member has finished. A topic missing from the
    stored order has no known position, so the member restarts at the first topic instead.
    """
    if removed_id not in old_order:
        return roadmap.first_topic.id
    current_ids = roadmap.topic_ids
    return next((t for t in old_order[old_order.index(removed_id) + 1 :] if t in current_ids), None)


class UnknownRoadmaps(Exception):
    """Cohorts follow roadmaps the catalog no longer has; starting would strand their members."""

    def __init__(self, missing: dict[str, list[str]]) -> None:
        self.missing = missing
        lines = [f"roadmap '{key}' (cohorts: {', '.join(names)})" for key, names in sorted(missing.items())]
        super().__init__(
            "cohorts follow roadmaps that are not loaded: "
            + "; ".join(lines)
            + ". Put those files back in ROADMAPS_DIR (the key is the file name without .yaml)."
        )


async def sync_roadmaps(sessions: async_sessionmaker[AsyncSession], catalog: RoadmapCatalog) -> list[TopicMove]:
    """Check every cohort's roadmap is loaded, then apply each roadmap's edits (see `sync_roadmap`)."""
    async with sessions() as session:
        rows = await session.execute(
            select(Cohort.roadmap_id, Cohort.name).where(Cohort.roadmap_id.not_in(catalog.keys()))
        )
        missing: dict[str, list[str]] = {}
        for key, name in rows:
            missing.setdefault(key, []).append(name)
    if missing:
        raise UnknownRoadmaps(missing)
    moves: list[TopicMove] = []
    for key, roadmap in catalog.items():
        moves += await sync_roadmap(sessions, roadmap, key)
    return moves


async def sync_roadmap(
    sessions: async_sessionmaker[AsyncSession], roadmap: Roadmap, key: str = DEFAULT_ROADMAP
) -> list[TopicMove]:
    """Move members of cohorts on roadmap `key` off removed topics and store its new order; one transaction.

    Completions of removed topics stay in `progress_events`; they simply stop counting,
    because percentages only count ids the roadmap still has.
    """
    current_ids = roadmap.topic_ids
    moves: list[TopicMove] = []
    async with sessions() as session, session.begin():
        old_order = list(
            await session.scalars(
                select(RoadmapTopic.topic_id).where(RoadmapTopic.roadmap_id == key).order_by(RoadmapTopic.position)
            )
        )
        stranded = await session.scalars(
            select(Membership).where(
                Membership.cohort_id.in_(select(Cohort.id).where(Cohort.roadmap_id == key)),
                Membership.current_topic_id.is_not(None),
                Membership.current_topic_id.not_in(current_ids),
            )
        )
        for membership in stranded:
            removed = membership.current_topic_id
            assert removed is not None
            target = successor(removed, old_order, roadmap)
            membership.current_topic_id = target
            if target is None and membership.finished_at is None:
                membership.finished_at = membership.topic_started_at
            moves.append(TopicMove(membership.id, membership.user_id, removed, target))
            log.warning(
                "roadmap %s: topic %r no longer exists; membership %s (user %s) moved to %s",
                key,
                removed,
                membership.id,
                membership.user_id,
                repr(target) if target else "finished",
            )
        new_order = [ref.id for ref in roadmap.topics]
        if new_order != old_order:
            await session.execute(delete(RoadmapTopic).where(RoadmapTopic.roadmap_id == key))
            session.add_all(RoadmapTopic(roadmap_id=key, topic_id=t, position=i) for i, t in enumerate(new_order))
    return moves

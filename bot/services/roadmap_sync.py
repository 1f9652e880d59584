"""Applying an edited roadmap to stored progress without losing any of it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Membership, RoadmapTopic
from bot.roadmap import Roadmap

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


async def sync_roadmap(sessions: async_sessionmaker[AsyncSession], roadmap: Roadmap) -> list[TopicMove]:
    """Move members off removed topics and store the new topic order; one transaction.

    Completions of removed topics stay in `progress_events`; they simply stop counting,
    because percentages only count ids the roadmap still has.
    """
    current_ids = roadmap.topic_ids
    moves: list[TopicMove] = []
    async with sessions() as session, session.begin():
        old_order = list(await session.scalars(select(RoadmapTopic.topic_id).order_by(RoadmapTopic.position)))
        stranded = await session.scalars(
            select(Membership).where(
                Membership.current_topic_id.is_not(None), Membership.current_topic_id.not_in(current_ids)
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
                "roadmap: topic %r no longer exists; membership %s (user %s) moved to %s",
                removed,
                membership.id,
                membership.user_id,
                repr(target) if target else "finished",
            )
        new_order = [ref.id for ref in roadmap.topics]
        if new_order != old_order:
            await session.execute(delete(RoadmapTopic))
            session.add_all(RoadmapTopic(topic_id=t, position=i) for i, t in enumerate(new_order))
    return moves

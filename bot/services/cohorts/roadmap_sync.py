"""Applying an edited roadmap to stored progress without losing any of it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, Membership, ProgressEvent, RoadmapTopic
from bot.roadmap import DEFAULT_ROADMAP, Roadmap, RoadmapCatalog
from bot.services.delivery.timers import sync_nudge_timer
from bot.services.progress.journey import next_open

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopicMove:
    membership_id: int
    user_id: int
    # The topic that is gone; None: the member was marked finished with topics still open.
    removed_topic_id: str | None
    new_topic_id: str | None  # None: every topic is covered, so the member has finished


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


async def sync_roadmaps(
    sessions: async_sessionmaker[AsyncSession], catalog: RoadmapCatalog, now: datetime | None = None
) -> list[TopicMove]:
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
        moves += await sync_roadmap(sessions, roadmap, key, now)
    return moves


async def sync_roadmap(
    sessions: async_sessionmaker[AsyncSession],
    roadmap: Roadmap,
    key: str = DEFAULT_ROADMAP,
    now: datetime | None = None,
) -> list[TopicMove]:
    """Move members of cohorts on roadmap `key` off removed topics, reopen "finished" members with
    topics still open, and store the roadmap's new order; one transaction.

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
        moves = _merge(moves, await _reopen_unfinished(session, roadmap, key, now or datetime.now(UTC)))
        new_order = [ref.id for ref in roadmap.topics]
        if new_order != old_order:
            await session.execute(delete(RoadmapTopic).where(RoadmapTopic.roadmap_id == key))
            session.add_all(RoadmapTopic(roadmap_id=key, topic_id=t, position=i) for i, t in enumerate(new_order))
    return moves


async def _reopen_unfinished(session: AsyncSession, roadmap: Roadmap, key: str, now: datetime) -> list[TopicMove]:
    """Members marked finished (no current topic) while some topic is neither done nor skipped go to
    the first open one: the roadmap grew, its last topic was removed under a member who had jumped
    there, or stored rows finished members who skipped ahead (against bot.services.progress.journey's rule).
    """
    finished = (
        await session.execute(
            select(Membership, Cohort)
            .join(Cohort, Cohort.id == Membership.cohort_id)
            .where(Cohort.roadmap_id == key, Membership.current_topic_id.is_(None))
        )
    ).all()
    if not finished:
        return []
    covered: dict[int, set[str]] = {}
    for membership_id, topic_id in await session.execute(
        select(ProgressEvent.membership_id, ProgressEvent.topic_id)
        .where(ProgressEvent.membership_id.in_([m.id for m, _ in finished]))
        .distinct()
    ):
        covered.setdefault(membership_id, set()).add(topic_id)
    moves: list[TopicMove] = []
    for membership, cohort in finished:
        target = next_open(roadmap, covered.get(membership.id, set()), "")
        if target is None:
            continue
        membership.current_topic_id = target.id
        membership.topic_started_at = now
        membership.finished_at = None
        sync_nudge_timer(membership, cohort, now)
        moves.append(TopicMove(membership.id, membership.user_id, None, target.id))
        log.warning(
            "roadmap %s: membership %s (user %s) was marked finished with topics open; moved to %r",
            key,
            membership.id,
            membership.user_id,
            target.id,
        )
    return moves


def _merge(moved: list[TopicMove], reopened: list[TopicMove]) -> list[TopicMove]:
    """One move per member: a member moved off a removed last topic and then reopened keeps the removed id."""
    by_member = {move.membership_id: move for move in moved}
    for move in reopened:
        earlier = by_member.get(move.membership_id)
        removed = earlier.removed_topic_id if earlier else None
        by_member[move.membership_id] = TopicMove(move.membership_id, move.user_id, removed, move.new_topic_id)
    return list(by_member.values())

"""Moving a member on: the unit of work behind /done, /skip and a nudge's Done button.

`advance` is synchronous on purpose: the same function runs inside an async session
(`AsyncSession.run_sync`, PostgreSQL and the less common paths) and inside SQLite's group commit
(bot.db.group_commit), where a burst of /done runs in one trip to the database's thread and one
transaction. It writes, and raises, but never commits: its caller does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from bot.db.models import Cohort, Membership, ProgressEvent
from bot.i18n import Text
from bot.roadmap import Roadmap, Stage, TopicRef
from bot.services.cohorts.role_grants import wants_stage_roles
from bot.services.errors import Conflict
from bot.services.progress import tallies
from bot.services.progress.journey import next_open, stages_completed_by
from bot.services.study.rooms import switch_topic
from bot.usertext import md

# What moves a member on: a topic done, or one skipped.
Step = Literal["done", "skip"]


@dataclass(frozen=True, slots=True)
class AdvanceResult:
    """What a /done or /skip changed."""

    cohort: Cohort
    kind: Step
    left: TopicRef
    now_on: TopicRef | None  # None: the roadmap is finished
    finished_stage: Stage | None  # the stage that /done just completed, if any
    private: bool = False  # the member hid from the leaderboard: their progress is not news for the channel
    back_to_open: bool = False  # past the end with topics left: `now_on` is the first one not done or skipped
    # Every stage this topic finished (done or skipped: each of its topics now covered), for stage roles.
    stages_completed: tuple[Stage, ...] = ()
    review: bool = False  # done again (after /goto back): it counted the first time, not now
    wants_stage_roles: bool = True  # bot.services.cohorts.role_grants.wants_stage_roles, as the member stood


class WeekMoved(Exception):
    """The cohort's leaderboard week is not the one `cohort` holds (bot.services.progress.tallies): roll back,
    count the tallies for the new week, and start over."""


# Core statements on the tables: the ORM's bulk update and insert paths (evaluating the WHERE against
# the session's objects, per statement) were a sixth of the bot's CPU in a burst.
_MEMBERSHIPS = Membership.__table__.c
_EVENTS = ProgressEvent.__table__
_ADVANCE_WHERE = (
    _MEMBERSHIPS.id == bindparam("membership_id"),
    _MEMBERSHIPS.current_topic_id == bindparam("current"),
    _MEMBERSHIPS.left_at.is_(None),
    _MEMBERSHIPS.topic_started_at < bindparam("as_of"),
)


def _moving_on(finishing: bool, counted: bool):  # noqa: ANN202 - an Update
    """The compare-and-set that moves a member on (or past the last topic: finished, nothing left to
    nudge about); a topic done for the first time also counts toward their all-time leaderboard in the
    same statement."""
    values: dict = {"current_topic_id": bindparam("next"), "topic_started_at": bindparam("now"), "finished_at": None}
    if finishing:
        values.update(current_topic_id=None, finished_at=bindparam("now"), next_nudge_at=None)
    if counted:
        values.update(done_count=_MEMBERSHIPS.done_count + 1, last_done_at=bindparam("now"))
    return update(Membership.__table__).where(*_ADVANCE_WHERE).values(**values)


_MOVE_ON = {
    (finishing, counted): _moving_on(finishing, counted) for finishing in (False, True) for counted in (False, True)
}
_RECORD = insert(_EVENTS)
_COVERED = select(_EVENTS.c.topic_id, _EVENTS.c.kind).where(_EVENTS.c.membership_id == bindparam("membership_id"))


def counts_once(kind: Step, topic_id: str, done_before: set[str]) -> bool:
    """The one rule for counting topics: a topic counts when it is first done, never when skipped or
    done again (a review after `/goto` back), so every board, tally, report and export counts it once."""
    return kind == "done" and topic_id not in done_before


_NO_LIMIT = datetime(9999, 1, 1, tzinfo=UTC)


def ensure_open(cohort: Cohort) -> None:
    """Refuse a change of progress in an archived cohort."""
    if cohort.archived:
        raise Conflict(
            Text("The cohort **{cohort}** is archived: its progress can no longer change.", cohort=md(cohort.name))
        )


def topic_or_first(roadmap: Roadmap, topic_id: str | None) -> TopicRef | None:
    """The topic with this id, the first one if the roadmap lost it, None for a finished member."""
    if topic_id is None:
        return None
    return roadmap.topic(topic_id) or roadmap.first_topic


def advance(
    session: Session,
    roadmap: Roadmap,
    cohort: Cohort,
    membership: Membership,
    kind: Step,
    note: str | None,
    as_of: datetime | None,
    now: datetime,
) -> AdvanceResult:
    """Mark the member's current topic done or skipped at `now` and move them to the next open one.

    `as_of` is when the member asked: a topic that became current after it is not the one they meant
    (a double-sent /done advances once). Raises Conflict for what the member can act on, WeekMoved
    when the tallies must be counted first; either way the caller rolls back."""
    ensure_open(cohort)
    if membership.current_topic_id is None:
        raise Conflict(
            Text(
                "You have finished every topic of the roadmap in **{cohort}**; there is "
                "nothing left to mark done. Use `/goto` to revisit a topic."
                if kind == "done"
                else "You have finished every topic of the roadmap in **{cohort}**; there is "
                "nothing left to skip. Use `/goto` to revisit a topic.",
                cohort=md(cohort.name),
            )
        )
    current = topic_or_first(roadmap, membership.current_topic_id)
    assert current is not None
    history = session.execute(_COVERED, {"membership_id": membership.id}).all()
    covered = {topic_id for topic_id, _ in history}
    counted = counts_once(kind, current.id, {topic_id for topic_id, was in history if was == "done"})
    # One rule (bot.services.progress.journey): finished means every topic done or skipped, however one jumped.
    completed = stages_completed_by(roadmap, covered, current.id)
    following = next_open(roadmap, covered | {current.id}, current.id)
    # Compare-and-set: the topic must still be the one read above (two requests racing)
    # and must have been current before the member asked (two requests in a row).
    moved = session.execute(
        _MOVE_ON[following is None, counted],
        {
            "membership_id": membership.id,
            "current": membership.current_topic_id,
            "as_of": as_of or _NO_LIMIT,
            "next": following.id if following else None,
            "now": now,
        },
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            Text(
                "Your topic changed after you sent this (a second /{kind}?), so nothing "
                "was marked. `/progress` shows where you are now.",
                kind=kind,
            )
        )
    session.execute(
        _RECORD,
        {
            "membership_id": membership.id,
            "cohort_id": cohort.id,
            "topic_id": current.id,
            "kind": kind,
            "note": note,
            "at": now,
            "completes_stage": completed[0].id if completed else None,
            "first_done": counted,
        },
    )
    if counted and not tallies.count_done(session, cohort, membership.id, now):
        raise WeekMoved
    if cohort.study_time:  # a stay is open only while study time is on (off, archive and leave end it)
        switch_topic(session, membership.id, following.id if following else None, now)
    return AdvanceResult(
        cohort,
        kind,
        current,
        following,
        completed[0] if kind == "done" and completed else None,
        private=not membership.show_on_leaderboard,
        back_to_open=following is not None and following.index < current.index,
        stages_completed=tuple(completed),
        review=kind == "done" and not counted,
        wants_stage_roles=wants_stage_roles(membership),
    )

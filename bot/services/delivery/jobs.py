"""What a scheduled send shows: the facts of each nudge, leaderboard post (with the week's buddy DMs) and
closed-DM notice, gathered when it is claimed (bot.render words them; bot.scheduled.fanout sends them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot import i18n
from bot.db.models import Cohort, Membership
from bot.roadmap import Roadmap
from bot.services.cohorts.insight import CohortReport
from bot.services.cohorts.schedule import local_date
from bot.services.delivery.timers import member_timezone, member_today
from bot.services.progress.leaderboard import Leaderboard
from bot.services.progress.pace import CohortCalendar, PaceStatus, member_pace
from bot.services.study.board import MinutesBoard
from bot.services.study.goals import GoalStatus
from bot.services.together.buddies import BuddyJob


@dataclass(frozen=True, slots=True)
class NudgeJob:
    """One DM to send, with the facts the message shows (bot.render.nudge_embed words them)."""

    delivery_id: int
    membership_id: int
    user_id: int
    guild_id: int
    scheduled_for: datetime
    cohort_name: str
    dm_channel_id: int | None
    topic_id: str
    topic_title: str
    stage_title: str
    stage_number: int
    stage_count: int
    days_on_topic: int
    budget_days: float
    pace: PaceStatus
    learn: tuple[str, ...]  # the topic's steps: the nudge shows one a day
    language: str = i18n.ENGLISH  # the member's, else the server's: the nudge is read in it
    thread_id: int | None = None  # the topic's thread, when the cohort has topic threads and it is open
    # The member's weekly goal, on the week's last nudge while it is still open (bot.services.study.goals).
    goal: GoalStatus | None = None
    week_ends_at: datetime | None = None  # when that week ends (the weekly leaderboard post)


@dataclass(frozen=True, slots=True)
class LeaderboardJob:
    delivery_id: int
    channel_id: int
    leaderboard: Leaderboard | MinutesBoard  # as the cohort's leaderboard_metric ranks
    # The moderators' weekly report, when the cohort has a report channel; claimed on its own.
    digest: CohortReport | None = None
    digest_delivery_id: int | None = None
    report_channel_id: int | None = None
    language: str = i18n.ENGLISH  # the server's
    # The week's study-buddy DMs, when the cohort has buddies on (claimed with the pairing).
    buddies: tuple[BuddyJob, ...] = ()
    goals: tuple[int, int] = (0, 0)  # members who met their weekly goal, members who set one


@dataclass(frozen=True, slots=True)
class DmNoticeJob:
    """One message in a cohort channel naming the members whose DMs are closed."""

    delivery_id: int
    channel_id: int
    cohort_name: str
    user_ids: list[int]
    membership_ids: list[int]
    language: str = i18n.ENGLISH  # the server's


def nudge_job(
    roadmap: Roadmap,
    delivery_id: int,
    membership: Membership,
    cohort: Cohort,
    slot: datetime,
    now: datetime,
    paused: frozenset[date],
) -> NudgeJob:
    """What the member's nudge shows today: their topic, its stage, days on it against its budget, their
    pace and the steps to learn, in the member's language (paused days are not study days)."""
    ref = roadmap.topic(membership.current_topic_id or "") or roadmap.first_topic
    timezone = member_timezone(membership, cohort)
    calendar = CohortCalendar.build(roadmap, cohort.start_date, cohort.pace, paused)
    today = member_today(membership, cohort, now)
    days_on_topic = calendar.counted_days(local_date(membership.topic_started_at, timezone), today)
    pace = member_pace(calendar, ref.id, today)
    return NudgeJob(
        delivery_id=delivery_id,
        scheduled_for=slot,
        membership_id=membership.id,
        user_id=membership.user_id,
        guild_id=cohort.guild_id,
        cohort_name=cohort.name,
        dm_channel_id=membership.dm_channel_id,
        topic_id=ref.id,
        topic_title=ref.topic.title,
        stage_title=ref.stage.title,
        stage_number=ref.stage_index + 1,
        stage_count=len(roadmap.stages),
        days_on_topic=days_on_topic,
        budget_days=calendar.windows[ref.id].length,
        pace=pace,
        learn=tuple(ref.topic.learn),
        language=i18n.language_for(membership.locale or cohort.locale),
    )

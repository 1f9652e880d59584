"""When the next nudge and the next leaderboard fall due: timers kept as columns, set at every change.

The scheduler only asks the database for timers that are due; these functions are the one place
that decides what a timer should say.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.db.models import Cohort, Membership
from bot.services.cohorts.schedule import local_date, local_instant, next_daily, next_weekly


def member_timezone(membership: Membership, cohort: Cohort) -> str:
    """The member's own timezone, or the cohort's."""
    return zone_for(membership.timezone, cohort)


def zone_for(own: str | None, cohort: Cohort) -> str:
    """A member's timezone from their own setting (`own`, None: none), for callers that read columns."""
    return own or cohort.timezone


def member_today(membership: Membership, cohort: Cohort, now: datetime) -> date:
    """The member's day: today's date where they live. The cohort's calendar (its start date and breaks)
    is a list of dates every member keeps in their own timezone, as people keep a holiday: the nudge,
    /progress, streaks and the report all ask this for a member's day."""
    return local_date(now, member_timezone(membership, cohort))


def member_nudge_time(membership: Membership, cohort: Cohort) -> str:
    """The member's own nudge time, or the cohort's."""
    return membership.nudge_time or cohort.nudge_time


def wants_nudges(membership: Membership, cohort: Cohort) -> bool:
    """Nudges go to active members of live cohorts who have a topic, want them and can receive DMs."""
    return (
        membership.left_at is None
        and cohort.archived_at is None
        and membership.nudges_enabled
        and membership.current_topic_id is not None
        and membership.dm_closed_at is None
    )


def sync_nudge_timer(membership: Membership, cohort: Cohort, now: datetime, *, reschedule: bool = False) -> None:
    """Set or clear `next_nudge_at`.

    A timer that is already set is kept (it may be due right now, waiting for the next tick) unless
    `reschedule` says the member's time or timezone changed.
    """
    if not wants_nudges(membership, cohort):
        membership.next_nudge_at = None
    elif reschedule or membership.next_nudge_at is None:
        membership.next_nudge_at = next_daily(
            now,
            member_nudge_time(membership, cohort),
            member_timezone(membership, cohort),
            not_before=cohort.start_date,
        )


def sync_leaderboard_timer(cohort: Cohort, now: datetime) -> None:
    """Set `next_leaderboard_at` to the next weekly post (none before the cohort starts, none when archived)."""
    if cohort.archived_at is not None:
        cohort.next_leaderboard_at = None
        return
    start = local_instant(cohort.start_date, "00:00", cohort.timezone)
    cohort.next_leaderboard_at = next_weekly(
        max(now, start), cohort.leaderboard_weekday, cohort.leaderboard_time, cohort.timezone
    )

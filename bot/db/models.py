"""The tables. Times are UTC (`UTCDateTime`); roadmap topics are referenced by their stable id."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import UTCDateTime

# Named constraints so batch migrations on SQLite can alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TOPIC_ID_LENGTH = 64
NOTE_MAX_LENGTH = 500
PROJECT_URL_MAX = 512


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Cohort(Base):
    """A study group in one Discord server, with its calendar and schedule settings."""

    __tablename__ = "cohorts"
    __table_args__ = (UniqueConstraint("guild_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(50))
    # Case-folded name: "Spring" and "spring" are the same cohort to a person.
    name_key: Mapped[str] = mapped_column(String(50))
    channel_id: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    nudge_time: Mapped[str] = mapped_column(String(5), default="09:00")
    leaderboard_weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday
    leaderboard_time: Mapped[str] = mapped_column(String(5), default="18:00")
    pace: Mapped[str] = mapped_column(String(16), default="standard")
    # Which roadmap of the catalog the cohort follows (`default` = ROADMAP_PATH); fixed at creation.
    roadmap_id: Mapped[str] = mapped_column(String(64), default="default", server_default="default")
    # The server's language (bot.i18n code, from its Discord locale) at the last /cohort create or edit:
    # the language of posts to the cohort's channels. None: English.
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    moderator_role_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Where the weekly moderator digest goes (next to the leaderboard); None: no digest.
    report_channel_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # When the next weekly leaderboard falls due (UTC); None while archived. The scheduler's timer.
    next_leaderboard_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # The leaderboard week (bot.services.progress.tallies.week_key) that `weekly_tallies` are counted in; None
    # or another key: they are recounted from the history at start-up.
    tallied_week: Mapped[str | None] = mapped_column(String(80), nullable=True)
    # Topic threads (`/cohort edit threads:on`): one public thread per topic in the cohort channel.
    threads: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Stage roles (`/cohort edit stage_roles:on`): a role for each stage a member finishes.
    stage_roles: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Project showcase (`/cohort edit showcase:on`): members post their projects with /share.
    showcase: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Stage events (`/cohort edit events:on`): a Discord scheduled event at the start of each stage.
    events: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Study buddies (`/cohort edit buddies:on`): members who opt in are paired each week (`/buddy on`).
    buddies: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Study time (`/cohort edit study_room:`): minutes in this voice channel count as study on the
    # member's current topic while `study_time` is on. The room is kept when it is turned off.
    study_room_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    study_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What the weekly leaderboard post ranks by: "topics" done, or "minutes" studied.
    leaderboard_metric: Mapped[str] = mapped_column(String(8), default="topics", server_default="topics")
    # Focus timers (`/cohort edit focus:on`): members run pomodoro cycles with /focus start; a finished
    # focus round counts as study time (bot.services.study.focus).
    focus: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The cohort's web page (`/cohort page`): the version its link is signed with; None: never on; negative:
    # taken down (the last version, kept so that no older link opens again when it goes back up). Revoking
    # moves the version on, so every older link stops working at once (bot.services.pages.access).
    page_version: Mapped[int | None] = mapped_column(Integer, nullable=True)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Membership(Base):
    """A member's place in one cohort. `current_topic_id` is None once they finished."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"), Index("ix_memberships_user_id", "user_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    current_topic_id: Mapped[str | None] = mapped_column(String(TOPIC_ID_LENGTH), nullable=True)
    topic_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The member's own preferences; None means "as the cohort".
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    nudge_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    show_on_leaderboard: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Delivery state: the DM channel (so a nudge costs one request) and closed DMs (error 50007).
    dm_channel_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    dm_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dm_notice_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The member's language (bot.i18n code, from their Discord locale) at their last command: the
    # language of their nudges. None: the cohort's.
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The member's display name at their last command, for moderators' exports; None: not seen since 0007.
    display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # When the next daily nudge falls due (UTC); None when no nudge is wanted. The scheduler's timer.
    next_nudge_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # Topics done in this cohort, each once (first dones), and when the last was: the all-time
    # leaderboard, kept by /done.
    done_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # `/buddy on`: paired with a study buddy each week while the cohort has buddies on.
    buddy_opt_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # `/settings stage_roles`: whether finishing a stage gives its role. None: as their privacy (a member
    # who hides their progress gets no public badge unless they ask for it).
    wants_stage_roles: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # The version the member's own page link (`/mypage`) is signed with; `/mypage revoke:true` moves it on.
    page_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def active(self) -> bool:
        return self.left_at is None


def joining(cohort_id: int, user_id: int, topic_id: str, now: datetime) -> dict[str, Any]:
    """The columns of a member who joins now on `topic_id`, with the preferences every new member starts
    with: the one place they are written (the join, the benchmarks' and end-to-end tests' seeds).
    Column defaults only apply at INSERT, and the nudge timer reads these before that."""
    return {
        "cohort_id": cohort_id,
        "user_id": user_id,
        "current_topic_id": topic_id,
        "topic_started_at": now,
        "joined_at": now,
        "nudges_enabled": True,
        "show_on_leaderboard": True,
        "dm_notice_pending": False,
    }


class ProgressEvent(Base):
    """One done or skip, kept forever: leaderboards and streaks are computed from these."""

    __tablename__ = "progress_events"
    __table_args__ = (
        Index("ix_progress_events_membership_at", "membership_id", "at"),
        # Covers the weekly leaderboard's scan of one cohort's week: no table lookups.
        Index(
            "ix_progress_events_cohort_at", "cohort_id", "at", "kind", "membership_id", "topic_id", "completes_stage"
        ),
        # The leaderboard's "finished a stage": a few rows a week, however many events the week holds.
        # Migration 0008 makes it partial on PostgreSQL too; naming `postgresql_where` here would import
        # SQLAlchemy's whole PostgreSQL dialect at every start (3.6 MB resident) on SQLite.
        Index("ix_progress_events_stage_ends", "cohort_id", "at", sqlite_where=text("completes_stage IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    # Denormalised from the membership so a cohort's weekly leaderboard is one index range scan.
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    topic_id: Mapped[str] = mapped_column(String(TOPIC_ID_LENGTH))
    kind: Mapped[str] = mapped_column(String(8))  # "done" | "skip"
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The stage this event finished (its last open topic, done or skipped), else None (bot.services.progress.journey).
    completes_stage: Mapped[str | None] = mapped_column(String(TOPIC_ID_LENGTH), nullable=True)
    # The member's first `done` of this topic: the one event that counts it on leaderboards, tallies,
    # reports and exports. A topic done again after a /goto back is a review: kept, never counted twice.
    first_done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class WeeklyTally(Base):
    """Topics a member did in one leaderboard week of their cohort: the weekly leaderboard reads these
    (a row per member), never the history. Kept by /done; recounted when the cohort's week moves."""

    __tablename__ = "weekly_tallies"
    __table_args__ = (
        # Covers the board: one cohort's week, every column it ranks by, no table lookups.
        Index("ix_weekly_tallies_cohort_id", "cohort_id", "week_start", "done", "reached_at", "membership_id"),
    )

    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True)
    week_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    done: Mapped[int] = mapped_column(Integer)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last of them: the earlier wins a tie


class CohortPause(Base):
    """Planned break days (inclusive): the calendar stops and streaks do not break on them."""

    __tablename__ = "cohort_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CheckIn(Base):
    """ "I studied today": counts toward the streak like a done topic."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_membership_at", "membership_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class StudySession(Base):
    """A stretch of one member's time in their cohort's study room on one topic (bot.services.study.rules
    counts it). A stay in the room is split into rows when the member's topic changes; `stay_started_at`
    ties the rows of one stay together. `ended_at` None: still in the room, as last seen at `seen_at`
    (the bot's last moment alive while they were there, which a restart closes the row at)."""

    __tablename__ = "study_sessions"
    __table_args__ = (
        Index("ix_study_sessions_membership_started", "membership_id", "started_at"),
        Index("ix_study_sessions_cohort_started", "cohort_id", "started_at"),
        # One open row per membership: a second join cannot count the same minutes twice. Migration 0014
        # makes it partial on PostgreSQL too (see ProgressEvent for why not here).
        Index("ix_study_sessions_open", "membership_id", unique=True, sqlite_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    topic_id: Mapped[str | None] = mapped_column(String(TOPIC_ID_LENGTH), nullable=True)  # None: finished
    stay_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "room": time in the study room; "focus": a finished round of a focus timer, written when its bell
    # rang (bot.services.study.rules counts time both cover once).
    source: Mapped[str] = mapped_column(String(8), default="room", server_default="room")


class FocusTimer(Base):
    """A running or ended pomodoro cycle (bot.services.study.pomodoro has its timeline). The row is the
    truth: `bells_rung` says how many of its bells have rung, and ringing one is a compare-and-set on it,
    so each bell rings once, whichever process or restart gets there. `room_id`: a group timer in the
    cohort's study room (its bells go to the room's text chat); None: a private one (its bells by DM)."""

    __tablename__ = "focus_timers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    room_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    focus_minutes: Mapped[int] = mapped_column(Integer)
    break_minutes: Mapped[int] = mapped_column(Integer)
    rounds: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    bells_rung: Mapped[int] = mapped_column(Integer, default=0)
    # When the next bell is due; None once the timer ended (its last bell, or nobody left in it).
    next_bell_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class FocusParticipant(Base):
    """A member in a focus timer from `joined_at` until `left_at` (/focus stop, or the timer's end)."""

    __tablename__ = "focus_participants"
    __table_args__ = (
        # One running timer per membership: nobody focuses twice at once in one cohort.
        Index("ix_focus_participants_open", "membership_id", unique=True, sqlite_where=text("left_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timer_id: Mapped[int] = mapped_column(ForeignKey("focus_timers.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WeeklyGoal(Base):
    """A member's goal for one week of their cohort (`week_start`: the leaderboard week's start): topics
    to finish and minutes to study, either or both (bot.services.study.goals)."""

    __tablename__ = "weekly_goals"
    __table_args__ = (Index("ix_weekly_goals_cohort_week", "cohort_id", "week_start"),)

    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True)
    week_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    topics: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One scheduled message, claimed before it is sent: the unique key makes a second send impossible.

    kind/target/period: ("nudge", membership id, local date), ("leaderboard", cohort id, local date of
    the post), ("report", cohort id, the same), ("dm-notice", cohort id, local date), ("buddies", cohort
    id, the leaderboard's date: the week's pairing), ("buddy", membership id, the same: one member's DM).
    bot.services.delivery.claims names which kinds target a membership and which a cohort.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("kind", "target_id", "period"), Index("ix_deliveries_status", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(16))
    # claimed -> sent | failed; skipped (missed beyond the grace window); abandoned (claimed, then a crash)
    status: Mapped[str] = mapped_column(String(12))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class RoadmapTopic(Base):
    """The topic order of each roadmap last applied, so a removed topic's successor can be found."""

    __tablename__ = "roadmap_topics"

    roadmap_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(TOPIC_ID_LENGTH), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class SendBudget(Base):
    """When the bot's next request may go to Discord, for all its processes together (one row per
    limit; bot.services.delivery.send_budget). Seconds since the epoch, on the database's clock on PostgreSQL."""

    __tablename__ = "send_budget"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float(precision=53))


class CohortLink(Base):
    """A Discord object a cohort uses for one thing: the public thread of a topic (`kind` "thread", `key`
    the topic id) or the role of a finished stage ("stage-role", the stage id). `discord_id` None: a
    process claimed it at `claimed_at` and is creating it (nobody else creates a second one meanwhile).
    `chosen`: a moderator picked it (the bot never created it, and never deletes it)."""

    __tablename__ = "cohort_links"
    __table_args__ = (UniqueConstraint("cohort_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(TOPIC_ID_LENGTH))
    discord_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GivenRole(Base):
    """A role the bot gave a member for a cohort's stage (the member did not hold it before): the only
    roles it takes back. A role held already (given by someone else) is never recorded, never taken."""

    __tablename__ = "role_grants"
    __table_args__ = (Index("ix_role_grants_user", "guild_id", "user_id"),)

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    role_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DiscordLeftover(Base):
    """A Discord object of a deleted cohort the bot could not remove then (it lacked the permission):
    `kind` "event" (a scheduled event) or "role" (a role it created). Removed once it may again."""

    __tablename__ = "discord_leftovers"
    __table_args__ = (UniqueConstraint("kind", "discord_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    discord_id: Mapped[int] = mapped_column(BigInteger)
    left_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProjectShare(Base):
    """A member's project for a stage (`/share`): one per member and stage, a second replaces the first.
    `message_id`: its post in the cohort's channel (`channel_id`)."""

    __tablename__ = "project_shares"
    __table_args__ = (
        UniqueConstraint("membership_id", "stage_id"),
        Index("ix_project_shares_cohort", "cohort_id", "shared_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    stage_id: Mapped[str] = mapped_column(String(TOPIC_ID_LENGTH))
    url: Mapped[str] = mapped_column(String(PROJECT_URL_MAX))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BuddyMatch(Base):
    """A member's study-buddy group of one week: the members of a cohort with the same `period` (the
    local date of the pairing) and `group_no` were introduced to each other. Kept to avoid repeats."""

    __tablename__ = "buddy_matches"
    __table_args__ = (Index("ix_buddy_matches_cohort", "cohort_id", "period", "group_no"),)

    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    group_no: Mapped[int] = mapped_column(Integer)

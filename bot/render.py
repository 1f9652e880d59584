"""Embeds and message texts built from service results. No database access, no side effects."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.db.models import Cohort, Membership
from bot.roadmap import Roadmap, Stage, TopicRef
from bot.services.cohorts import CohortListing
from bot.services.deliveries import DmNoticeJob, NudgeJob
from bot.services.insight import QUIET_DAYS, CohortReport
from bot.services.leaderboard import Entry, Leaderboard
from bot.services.members import CheckInResult, SettingsView
from bot.services.pace import CohortCalendar
from bot.services.progress import AdvanceResult, JoinResult, ProgressReport
from bot.services.validation import WEEKDAYS

COLOUR = discord.Colour(0x5865F2)
DONE_MARK = "✅"
CURRENT_MARK = "➡️"
TODO_MARK = "▫️"
BAR_WIDTH = 10
MEMBERS_PER_PAGE = 20


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """A text progress bar such as ▰▰▰▱▱▱▱▱▱▱."""
    filled = round(width * done / total) if total else 0
    return "▰" * filled + "▱" * (width - filled)


def weeks_text(stage: Stage) -> str:
    w = stage.weeks
    span = f"{w.min:g} week" + ("" if w.min == 1 else "s") if w.min == w.max else f"{w.min:g}-{w.max:g} weeks"
    return span + (" (estimate)" if w.estimate else "")


def _days(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") + (" day" if value == 1 else " days")


def progress_embed(report: ProgressReport, member_name: str) -> discord.Embed:
    """The `/progress` card: where the member is, how much is done, pace and streak."""
    current = report.current
    if current is None:
        headline = "🏆 Finished the whole roadmap!"
    else:
        headline = (
            f"Stage {current.stage_index + 1}/{current.stage_count}: **{current.stage.title}**\n"
            f"Topic: **{current.topic.title}**"
        )
    embed = discord.Embed(title=f"{member_name} · {report.cohort.name}", description=headline, colour=COLOUR)
    embed.add_field(name="Done", value=f"{report.done_count}/{report.total_topics} topics ({report.percent}%)")
    if current is not None and report.topic_budget_days is not None:
        embed.add_field(
            name="On this topic",
            value=f"{_days(report.days_on_topic)} (calendar share {_days(report.topic_budget_days)})",
        )
    embed.add_field(name="Pace", value=report.pace.label)
    embed.add_field(name="Streak", value=_days(report.streak) if report.streak else "no streak yet")
    lines = [f"`{bar(s.done, s.total)}` {s.done}/{s.total} {s.stage.title}" for s in report.stages]
    embed.add_field(name="Stages", value="\n".join(lines), inline=False)
    started = "starts" if report.pace.kind == "not-started" else "started"
    embed.set_footer(text=f"Pace: {report.cohort.pace} · cohort {started} {report.cohort.start_date.isoformat()}")
    return embed


def roadmap_embed(roadmap: Roadmap, done_ids: set[str], current_ids: set[str]) -> discord.Embed:
    """All stages with their budgets and the caller's done count per stage."""
    embed = discord.Embed(title=f"Roadmap: {roadmap.title}", colour=COLOUR)
    lines = []
    for i, stage in enumerate(roadmap.stages, 1):
        done = sum(t.id in done_ids for t in stage.topics)
        mark = (
            DONE_MARK
            if done == len(stage.topics)
            else CURRENT_MARK
            if any(t.id in current_ids for t in stage.topics)
            else TODO_MARK
        )
        lines.append(f"{mark} **{i}. {stage.title}** · {weeks_text(stage)} · {done}/{len(stage.topics)} done")
    lo = sum(s.weeks.min for s in roadmap.stages)
    hi = sum(s.weeks.max for s in roadmap.stages)
    embed.description = "\n".join(lines)
    embed.set_footer(
        text=f"{len(roadmap.topics)} topics, {lo:g}-{hi:g} weeks in all · /roadmap stage:<name> for details"
    )
    return embed


def stage_embed(roadmap: Roadmap, stage: Stage, done_ids: set[str], current_ids: set[str]) -> discord.Embed:
    """One stage in detail: its topics with marks, and its project ideas."""
    number = roadmap.stages.index(stage) + 1
    embed = discord.Embed(title=f"{number}. {stage.title}", description=stage.summary, colour=COLOUR)
    embed.add_field(name="Time budget", value=weeks_text(stage), inline=False)
    topics = []
    for topic in stage.topics:
        mark = DONE_MARK if topic.id in done_ids else CURRENT_MARK if topic.id in current_ids else TODO_MARK
        topics.append(f"{mark} {topic.title}")
    embed.add_field(name="Topics", value="\n".join(topics), inline=False)
    embed.add_field(name="Project ideas", value="\n".join(f"• {p}" for p in stage.projects), inline=False)
    return embed


def topic_embed(ref: TopicRef) -> discord.Embed:
    """What to learn for a topic, and its stage's project ideas."""
    embed = discord.Embed(
        title=ref.topic.title,
        description="\n".join(f"• {item}" for item in ref.topic.learn),
        colour=COLOUR,
    )
    embed.add_field(
        name="Stage", value=f"{ref.stage_index + 1}/{ref.stage_count} {ref.stage.title} · {weeks_text(ref.stage)}"
    )
    embed.add_field(name="Project ideas", value="\n".join(f"• {p}" for p in ref.stage.projects), inline=False)
    embed.set_footer(text=f"topic id: {ref.id}")
    return embed


def schedule_text(cohort: Cohort) -> str:
    return f"{WEEKDAYS[cohort.leaderboard_weekday].capitalize()} {cohort.leaderboard_time}"


def cohort_embed(cohort: Cohort, roadmap: Roadmap, active_members: int, title: str | None = None) -> discord.Embed:
    """A cohort's settings and calendar."""
    calendar = CohortCalendar.build(roadmap, cohort.start_date, cohort.pace)
    ends = cohort.start_date + timedelta(days=round(calendar.total_days))
    embed = discord.Embed(title=title or f"Cohort {cohort.name}", colour=COLOUR)
    embed.add_field(name="Channel", value=f"<#{cohort.channel_id}>")
    embed.add_field(name="Members", value=str(active_members))
    embed.add_field(name="Status", value="archived" if cohort.archived else "active")
    embed.add_field(name="Roadmap", value=f"{roadmap.title} ({len(roadmap.topics)} topics)")
    embed.add_field(name="Calendar", value=f"{cohort.start_date.isoformat()} → {ends.isoformat()} ({cohort.pace})")
    embed.add_field(name="Timezone", value=cohort.timezone)
    embed.add_field(name="Daily nudge", value=cohort.nudge_time)
    embed.add_field(name="Weekly leaderboard", value=schedule_text(cohort))
    embed.add_field(
        name="Moderator role", value=f"<@&{cohort.moderator_role_id}>" if cohort.moderator_role_id else "none"
    )
    return embed


def cohort_list_embed(listings: list[CohortListing]) -> discord.Embed:
    """The server's cohorts, one line each."""
    embed = discord.Embed(title="Cohorts in this server", colour=COLOUR)
    if not listings:
        embed.description = "No cohorts yet. Create one with `/cohort create`."
        return embed
    lines = []
    for item in listings[:50]:
        c = item.cohort
        status = " · archived" if c.archived else ""
        lines.append(
            f"**{c.name}** · <#{c.channel_id}> · starts {c.start_date.isoformat()} · {item.active_members} "
            f"member{'s' if item.active_members != 1 else ''}{status}"
        )
    if len(listings) > 50:
        lines.append(f"…and {len(listings) - 50} more")
    embed.description = "\n".join(lines)
    return embed


def member_page_count(members: int) -> int:
    """How many pages `members_page` splits a list of this length into (at least one)."""
    return max(1, -(-members // MEMBERS_PER_PAGE))


def members_page(cohort: Cohort, roadmap: Roadmap, members: list[Membership], page: int) -> discord.Embed:
    """One page of a cohort's member list."""
    pages = member_page_count(len(members))
    page = min(max(page, 0), pages - 1)
    chunk = members[page * MEMBERS_PER_PAGE : (page + 1) * MEMBERS_PER_PAGE]
    lines = []
    for m in chunk:
        ref = roadmap.topic(m.current_topic_id) if m.current_topic_id else None
        where = f"{ref.stage_index + 1}. {ref.topic.title}" if ref else "🏆 finished"
        lines.append(f"<@{m.user_id}> · {where}")
    embed = discord.Embed(
        title=f"Members of {cohort.name} ({len(members)})",
        description="\n".join(lines) or "Nobody has joined yet. Members join with `/join`.",
        colour=COLOUR,
    )
    embed.set_footer(text=f"Page {page + 1}/{pages}")
    return embed


def joined_text(result: JoinResult) -> str:
    if result.topic is None:
        where = "You had already finished the roadmap here."
    else:
        where = f"Your topic: **{result.topic.topic.title}** (`/topic` says what to learn)."
    if result.rejoined:
        return f"👋 Welcome back to **{result.cohort.name}**! Your progress was kept. {where}"
    return f"🎉 You joined **{result.cohort.name}**. {where}"


def advance_text(result: AdvanceResult) -> str:
    """The reply to /done or /skip, with a celebration at a stage end and at the very end."""
    if result.kind == "done":
        text = f"{DONE_MARK} **{result.left.topic.title}** done!"
    else:
        text = f"⏭️ Skipped **{result.left.topic.title}** (a skip does not count as done)."
    if result.finished_stage is not None:
        text += f"\n🎉 You finished the stage **{result.finished_stage.title}**!"
    if result.now_on is None:
        text += (
            "\n🏆 That was the last topic of the roadmap. Congratulations on finishing it!"
            if result.kind == "done"
            else "\nThat was the last topic of the roadmap."
        )
    else:
        if result.now_on.stage_index != result.left.stage_index:
            text += f"\nNext stage: **{result.now_on.stage.title}**."
        text += f"\nNext topic: **{result.now_on.topic.title}**."
    return text


def nudge_embed(job: NudgeJob) -> discord.Embed:
    """The daily DM: where the member is, how long against the calendar, pace, one next step."""
    embed = discord.Embed(
        title=f"Today in {job.cohort_name}: {job.topic_title}",
        description=f"**Next step:** {job.next_step}",
        colour=COLOUR,
    )
    embed.add_field(name="Stage", value=f"{job.stage_number}/{job.stage_count} {job.stage_title}")
    embed.add_field(
        name="On this topic", value=f"{_days(job.days_on_topic)} of a {_days(job.budget_days)} calendar share"
    )
    embed.add_field(name="Pace", value=job.pace_label)
    embed.set_footer(text="Buttons work for you only · /settings changes the time or turns nudges off")
    return embed


MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def _entry_line(entry: Entry) -> str:
    streak = f" · 🔥 {_days(entry.streak)}" if entry.streak else ""
    topics = "topic" if entry.done == 1 else "topics"
    return f"{MEDALS.get(entry.rank, f'`#{entry.rank}`')} <@{entry.user_id}> · {entry.done} {topics}{streak}"


def leaderboard_embed(board: Leaderboard, *, caller_id: int | None = None, title: str | None = None) -> discord.Embed:
    """The top 10 with streaks, the stage finishers, and the caller's own rank when asked for."""
    heading = title or f"Leaderboard · {board.cohort.name}"
    embed = discord.Embed(title=heading, colour=COLOUR)
    lines = [_entry_line(e) for e in board.top]
    embed.description = "\n".join(lines) if lines else "Nobody has finished a topic in this period yet. Be the first!"
    if board.stage_finishers:
        names = [f"<@{uid}> ({', '.join(stages)})" for uid, stages in board.stage_finishers.items()]
        embed.add_field(name="🎉 Finished a stage", value=_fit(names, 1024), inline=False)
    if caller_id is not None:
        mine = board.entry_for(caller_id)
        value = (
            f"#{mine.rank} of {len(board.entries)} with {mine.done} topic{'s' if mine.done != 1 else ''}"
            if mine
            else "no topics done in this period yet"
        )
        embed.add_field(name="You", value=value, inline=False)
    if board.period != "all-time":
        start, end = board.start, board.end
        embed.set_footer(
            text=f"{_local(start, board.cohort.timezone)} → {_local(end, board.cohort.timezone)} "
            f"({board.cohort.timezone}) · ties go to whoever got there first"
        )
    return embed


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M")


def _fit(items: list[str], limit: int) -> str:
    """Join items with commas, ending in '…and N more' rather than going over `limit` characters."""
    out: list[str] = []
    for i, item in enumerate(items):
        rest = f" …and {len(items) - i} more"
        if len(", ".join([*out, item])) + len(rest) > limit:
            return ", ".join(out) + rest
        out.append(item)
    return ", ".join(out)


def dm_notice_text(job: DmNoticeJob) -> str:
    """The one channel message a day for members whose DMs are closed."""
    mentions = " ".join(f"<@{uid}>" for uid in job.user_ids)
    text = (
        f"{mentions} I could not send you your daily **{job.cohort_name}** nudge: your direct messages are closed. "
        "Turn on *Direct Messages* for this server (server name → Privacy Settings), then use any studybot "
        "command and the nudges start again."
    )
    return text[:2000]


def settings_embed(view: SettingsView) -> discord.Embed:
    """`/settings` without options, and the answer after a change."""
    embed = discord.Embed(title=f"Your settings · {view.cohort.name}", colour=COLOUR)
    nudges = "on" if view.nudges_enabled else "off"
    if view.dms_closed:
        nudges += " (paused: your DMs were closed; any command re-enables them)"
    embed.add_field(name="Daily nudges", value=nudges)
    embed.add_field(name="Nudge time", value=view.nudge_time + ("" if view.own_nudge_time else " (cohort's)"))
    embed.add_field(name="Timezone", value=view.timezone + ("" if view.own_timezone else " (cohort's)"))
    embed.add_field(name="On the leaderboard", value="shown" if view.show_on_leaderboard else "hidden")
    if view.next_nudge_at is not None:
        embed.add_field(name="Next nudge", value=f"<t:{int(view.next_nudge_at.timestamp())}:F>", inline=False)
    embed.set_footer(text="Type `default` as the time or timezone to follow the cohort again")
    return embed


def checkin_text(result: CheckInResult) -> str:
    minutes = f" ({result.minutes_today} minutes today)" if result.minutes_today else ""
    streak = f"🔥 Streak: {_days(result.streak)}." if result.streak else ""
    return f"📚 Checked in for today in **{result.cohort.name}**{minutes}. {streak}".strip()


def report_embed(report: CohortReport, title: str | None = None) -> discord.Embed:
    """`/cohort report` and the weekly digest: members per stage, stuck topics, quiet members."""
    embed = discord.Embed(title=title or f"Report · {report.cohort.name}", colour=COLOUR)
    total = max(report.members, 1)
    lines = [f"`{bar(n, total)}` {n} · {i}. {stage.title}" for i, (stage, n) in enumerate(report.per_stage, 1) if n]
    if report.finished:
        lines.append(f"🏆 {report.finished} finished the roadmap")
    embed.description = f"**{report.members} active member(s)**\n" + ("\n".join(lines) or "Nobody has joined yet.")
    if report.stuck:
        embed.add_field(
            name="Stuck longest (median days on the topic / calendar share)",
            value="\n".join(
                f"{s.topic.topic.title}: {s.median_days:g} / {s.budget_days:.1f} days · {s.members} member(s)"
                for s in report.stuck
            ),
            inline=False,
        )
    if report.quiet:
        embed.add_field(
            name=f"No progress or check-in for {QUIET_DAYS}+ days ({len(report.quiet)})",
            value=_fit([f"<@{uid}> ({days}d)" for uid, days in report.quiet], 1024),
            inline=False,
        )
    if report.pauses:
        embed.add_field(name="Planned breaks", value=_fit([f"{a} → {b}" for a, b in report.pauses], 1024), inline=False)
    return embed

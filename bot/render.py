"""Embeds and message texts built from service results. No database access, no side effects."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.db.models import Cohort, Membership
from bot.embed_limits import CONTENT_MAX, DESCRIPTION_MAX, FIELD_VALUE_MAX, MENTIONS_MAX, fitted
from bot.i18n import days, plural, t
from bot.roadmap import Roadmap, Stage, TopicRef
from bot.services.advance import AdvanceResult
from bot.services.cohort_deletion import DeletionScope
from bot.services.cohorts import CohortListing, CohortOverview
from bot.services.deliveries import DmNoticeJob, NudgeJob
from bot.services.insight import QUIET_DAYS, CohortReport
from bot.services.leaderboard import Entry, Leaderboard
from bot.services.members import CheckInResult, SettingsView
from bot.services.pace import CohortCalendar
from bot.services.progress import JoinResult
from bot.services.progress_views import ProgressReport
from bot.usertext import md

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
    """A stage's budget: '1 week', '4-6 weeks', '1-2 weeks (estimate)'."""
    w = stage.weeks
    if w.min == w.max:
        span = plural(w.min, "{n} week", "{n} weeks", n=f"{w.min:g}")
    else:
        span = t("{low}-{high} weeks", low=f"{w.min:g}", high=f"{w.max:g}")
    return t("{span} (estimate)", span=span) if w.estimate else span


def weekday_name(index: int) -> str:
    """Monday..Sunday in the current language (0 = Monday)."""
    return (t("Monday"), t("Tuesday"), t("Wednesday"), t("Thursday"), t("Friday"), t("Saturday"), t("Sunday"))[index]


@fitted
def progress_embed(report: ProgressReport, member_name: str) -> discord.Embed:
    """The `/progress` card: where the member is, how much is done, pace and streak."""
    current = report.current
    if current is None:
        headline = t("🏆 Finished the whole roadmap!")
    else:
        headline = t(
            "Stage {number}/{count}: **{stage}**\nTopic: **{topic}**",
            number=current.stage_index + 1,
            count=current.stage_count,
            stage=current.stage.title,
            topic=current.topic.title,
        )
    embed = discord.Embed(title=f"{md(member_name)} · {md(report.cohort.name)}", description=headline, colour=COLOUR)
    embed.add_field(
        name=t("Done"),
        value=t(
            "{done}/{total} topics ({percent}%)",
            done=report.done_count,
            total=report.total_topics,
            percent=report.percent,
        ),
    )
    if report.topic_budget_days is not None:
        embed.add_field(
            name=t("On this topic"),
            value=t(
                "{days} (calendar share {budget})",
                days=days(report.days_on_topic),
                budget=days(report.topic_budget_days),
            ),
        )
    embed.add_field(name=t("Pace"), value=report.pace.label)
    embed.add_field(name=t("Streak"), value=streak_text(report.streak, report.best_streak))
    lines = [f"`{bar(s.done, s.total)}` {s.done}/{s.total} {s.stage.title}" for s in report.stages]
    embed.add_field(name=t("Stages"), value="\n".join(lines), inline=False)
    start = report.cohort.start_date.isoformat()
    if report.pace.kind == "not-started":
        footer = t("Pace: {pace} · cohort starts {date}", pace=pace_name(report.cohort.pace), date=start)
    else:
        footer = t("Pace: {pace} · cohort started {date}", pace=pace_name(report.cohort.pace), date=start)
    embed.set_footer(text=footer)
    return embed


def streak_text(current: int, best: int) -> str:
    """The /progress streak: the current one with the best when that was longer; an ended one says so."""
    if current and best > current:
        return t("{days} (best: {best})", days=days(current), best=days(best))
    if current:
        return days(current)
    if best:
        return t("ended; your best: {best}", best=days(best))
    return t("no streak yet")


@fitted
def roadmap_embed(roadmap: Roadmap, done_ids: set[str], current_ids: set[str]) -> discord.Embed:
    """All stages with their budgets and the caller's done count per stage."""
    embed = discord.Embed(title=t("Roadmap: {title}", title=roadmap.title), colour=COLOUR)
    lines = []
    for i, stage in enumerate(roadmap.stages, 1):
        done = sum(topic.id in done_ids for topic in stage.topics)
        mark = (
            DONE_MARK
            if done == len(stage.topics)
            else CURRENT_MARK
            if any(topic.id in current_ids for topic in stage.topics)
            else TODO_MARK
        )
        count = t("{done}/{total} done", done=done, total=len(stage.topics))
        lines.append(f"{mark} **{i}. {stage.title}** · {weeks_text(stage)} · {count}")
    lo = sum(s.weeks.min for s in roadmap.stages)
    hi = sum(s.weeks.max for s in roadmap.stages)
    embed.description = "\n".join(lines)
    embed.set_footer(
        text=t(
            "{topics} topics, {low}-{high} weeks in all · /roadmap stage:<name> for details",
            topics=len(roadmap.topics),
            low=f"{lo:g}",
            high=f"{hi:g}",
        )
    )
    return embed


@fitted
def stage_embed(roadmap: Roadmap, stage: Stage, done_ids: set[str], current_ids: set[str]) -> discord.Embed:
    """One stage in detail: its topics with marks, and its project ideas."""
    number = roadmap.stages.index(stage) + 1
    embed = discord.Embed(title=f"{number}. {stage.title}", description=stage.summary, colour=COLOUR)
    embed.add_field(name=t("Time budget"), value=weeks_text(stage), inline=False)
    topics = []
    for topic in stage.topics:
        mark = DONE_MARK if topic.id in done_ids else CURRENT_MARK if topic.id in current_ids else TODO_MARK
        topics.append(f"{mark} {topic.title}")
    embed.add_field(name=t("Topics"), value="\n".join(topics), inline=False)
    embed.add_field(name=t("Project ideas"), value="\n".join(f"• {p}" for p in stage.projects), inline=False)
    return embed


@fitted
def topic_embed(ref: TopicRef) -> discord.Embed:
    """What to learn for a topic, and its stage's project ideas."""
    embed = discord.Embed(
        title=ref.topic.title,
        description="\n".join(f"• {item}" for item in ref.topic.learn),
        colour=COLOUR,
    )
    embed.add_field(
        name=t("Stage"), value=f"{ref.stage_index + 1}/{ref.stage_count} {ref.stage.title} · {weeks_text(ref.stage)}"
    )
    embed.add_field(name=t("Project ideas"), value="\n".join(f"• {p}" for p in ref.stage.projects), inline=False)
    embed.set_footer(text=t("topic id: {id}", id=ref.id))
    return embed


def pace_name(pace: str) -> str:
    """A cohort pace (`relaxed`, `standard`, `intense`: the stored values) in the reader's language."""
    return {"relaxed": t("relaxed"), "standard": t("standard"), "intense": t("intense")}.get(pace, pace)


def schedule_text(cohort: Cohort) -> str:
    return f"{weekday_name(cohort.leaderboard_weekday)} {cohort.leaderboard_time}"


@fitted
def cohort_embed(overview: CohortOverview, roadmap: Roadmap, title: str | None = None) -> discord.Embed:
    """Every setting of a cohort, its calendar's first and last day (pauses counted) and its pauses."""
    cohort = overview.cohort
    calendar = CohortCalendar.build(roadmap, cohort.start_date, cohort.pace, overview.paused)
    try:
        ends = calendar.last_day.isoformat()
    except OverflowError:  # a start date saved before dates were bounded (year 9999)
        ends = "…"
    embed = discord.Embed(title=title or t("Cohort {name}", name=md(cohort.name)), colour=COLOUR)
    embed.add_field(name=t("Channel"), value=f"<#{cohort.channel_id}>")
    embed.add_field(name=t("Members"), value=str(overview.active_members))
    embed.add_field(name=t("Status"), value=t("archived") if cohort.archived else t("active"))
    embed.add_field(
        name=t("Roadmap"), value=t("{title} ({count} topics)", title=roadmap.title, count=len(roadmap.topics))
    )
    embed.add_field(name=t("Calendar"), value=f"{cohort.start_date.isoformat()} → {ends} ({pace_name(cohort.pace)})")
    embed.add_field(name=t("Timezone"), value=cohort.timezone)
    embed.add_field(name=t("Daily nudge"), value=cohort.nudge_time)
    embed.add_field(name=t("Weekly leaderboard"), value=schedule_text(cohort))
    embed.add_field(
        name=t("Moderator role"), value=f"<@&{cohort.moderator_role_id}>" if cohort.moderator_role_id else t("none")
    )
    embed.add_field(
        name=t("Report channel"), value=f"<#{cohort.report_channel_id}>" if cohort.report_channel_id else t("none")
    )
    if overview.pauses:
        lines = [
            f"{start.isoformat()} → {end.isoformat()} ({days((end - start).days + 1)})"
            for start, end in overview.pauses
        ]
        embed.add_field(name=t("Pauses"), value=_fit(lines, FIELD_VALUE_MAX, "\n"), inline=False)
    return embed


def export_summary(cohort_name: str, members: list[dict]) -> str:
    """What /cohort export says about its file: what is in it, how its rows work, how ids are written."""
    return t(
        "**{cohort}**: {members}, {events} and {checkins}, one row each (the `record` column says which). "
        "Members are named as the bot last saw them; ids are written as `<@id>` so spreadsheets keep every digit.",
        cohort=md(cohort_name),
        members=plural(len(members), "{n} member", "{n} members"),
        events=plural(sum(len(m["history"]) for m in members), "{n} done/skip record", "{n} done/skip records"),
        checkins=plural(sum(len(m["checkins"]) for m in members), "{n} check-in", "{n} check-ins"),
    )


def deletion_question(scope: DeletionScope) -> str:
    """What /cohort delete asks, naming everything that would be lost."""
    lost = [
        plural(scope.memberships, "{n} membership", "{n} memberships"),
        plural(scope.progress_events, "{n} done or skipped topic", "{n} done or skipped topics"),
        plural(scope.checkins, "{n} check-in", "{n} check-ins"),
        plural(scope.pauses, "{n} planned break", "{n} planned breaks"),
    ]
    return t(
        "Delete **{cohort}** for good? This removes its settings and calendar with {lost}. It cannot be "
        "undone; `/cohort archive` keeps the history instead.",
        cohort=md(scope.cohort_name),
        lost=", ".join(lost),
    )


@fitted
def cohort_list_embed(listings: list[CohortListing]) -> discord.Embed:
    """The server's cohorts, one line each."""
    embed = discord.Embed(title=t("Cohorts in this server"), colour=COLOUR)
    if not listings:
        embed.description = t("No cohorts yet. Create one with `/cohort create`.")
        return embed
    lines = []
    for item in listings:
        c = item.cohort
        status = t(" · archived") if c.archived else ""
        members = plural(item.active_members, "{n} member", "{n} members")
        starts = t("starts {date}", date=c.start_date.isoformat())
        lines.append(f"**{md(c.name)}** · <#{c.channel_id}> · {starts} · {members}{status}")
    embed.description = _fit(lines, DESCRIPTION_MAX, "\n")
    return embed


def member_page_count(members: int) -> int:
    """How many pages `members_page` splits a list of this length into (at least one)."""
    return max(1, -(-members // MEMBERS_PER_PAGE))


@fitted
def members_page(cohort: Cohort, roadmap: Roadmap, members: list[Membership], page: int) -> discord.Embed:
    """One page of a cohort's member list."""
    pages = member_page_count(len(members))
    page = min(max(page, 0), pages - 1)
    chunk = members[page * MEMBERS_PER_PAGE : (page + 1) * MEMBERS_PER_PAGE]
    lines = []
    for m in chunk:
        ref = roadmap.topic(m.current_topic_id) if m.current_topic_id else None
        where = f"{ref.stage_index + 1}. {ref.topic.title}" if ref else t("🏆 finished")
        lines.append(f"<@{m.user_id}> · {where}")
    embed = discord.Embed(
        title=t("Members of {cohort} ({count})", cohort=md(cohort.name), count=len(members)),
        description="\n".join(lines) or t("Nobody has joined yet. Members join with `/join`."),
        colour=COLOUR,
    )
    embed.set_footer(text=t("Page {page}/{pages}", page=page + 1, pages=pages))
    return embed


def joined_text(result: JoinResult) -> str:
    """The reply to /join."""
    if result.topic is None:
        where = t("You had already finished the roadmap here.")
    else:
        where = t("Your topic: **{topic}** (`/topic` says what to learn).", topic=result.topic.topic.title)
    if result.rejoined:
        return t(
            "👋 Welcome back to **{cohort}**! Your progress was kept. {where}",
            cohort=md(result.cohort.name),
            where=where,
        )
    return t("🎉 You joined **{cohort}**. {where}", cohort=md(result.cohort.name), where=where)


def advance_text(result: AdvanceResult) -> str:
    """The reply to /done or /skip, with a celebration at a stage end and at the very end."""
    if result.kind == "done":
        text = DONE_MARK + " " + t("**{topic}** done!", topic=result.left.topic.title)
    else:
        text = t("⏭️ Skipped **{topic}** (a skip does not count as done).", topic=result.left.topic.title)
    if result.finished_stage is not None:
        text += "\n" + t("🎉 You finished the stage **{stage}**!", stage=result.finished_stage.title)
    if result.now_on is None:
        text += "\n" + (
            t("🏆 That was the last topic of the roadmap. Congratulations on finishing it!")
            if result.kind == "done"
            else t("That was the last topic of the roadmap.")
        )
    elif result.back_to_open:
        text += "\n" + t(
            "That was the last topic of the roadmap, but not every topic is done or skipped yet. "
            "Back to the first open one: **{topic}** ({stage}).",
            topic=result.now_on.topic.title,
            stage=result.now_on.stage.title,
        )
    else:
        if result.now_on.stage_index != result.left.stage_index:
            text += "\n" + t("Next stage: **{stage}**.", stage=result.now_on.stage.title)
        text += "\n" + t("Next topic: **{topic}**.", topic=result.now_on.topic.title)
    return text


@fitted
def nudge_embed(job: NudgeJob) -> discord.Embed:
    """The daily DM: where the member is, how long against the calendar, pace, one next step."""
    embed = discord.Embed(
        title=t("Today in {cohort}: {topic}", cohort=md(job.cohort_name), topic=job.topic_title),
        # A different step each day on the same topic.
        description=t("**Next step:** {step}", step=job.learn[job.days_on_topic % len(job.learn)]),
        colour=COLOUR,
    )
    embed.add_field(name=t("Stage"), value=f"{job.stage_number}/{job.stage_count} {job.stage_title}")
    embed.add_field(
        name=t("On this topic"),
        value=t("{days} of a {budget} calendar share", days=days(job.days_on_topic), budget=days(job.budget_days)),
    )
    embed.add_field(name=t("Pace"), value=job.pace.label)
    embed.set_footer(text=t("Buttons work for you only · /settings changes the time or turns nudges off"))
    return embed


MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def _entry_line(entry: Entry) -> str:
    streak = f" · 🔥 {days(entry.streak)}" if entry.streak else ""
    topics = plural(entry.done, "{n} topic", "{n} topics")
    return f"{MEDALS.get(entry.rank, f'`#{entry.rank}`')} <@{entry.user_id}> · {topics}{streak}"


@fitted
def leaderboard_embed(board: Leaderboard, *, caller_id: int | None = None, title: str | None = None) -> discord.Embed:
    """The top 10 with streaks, the stage finishers, and the caller's own rank when asked for."""
    heading = title or t("Leaderboard · {cohort}", cohort=md(board.cohort.name))
    embed = discord.Embed(title=heading, colour=COLOUR)
    lines = [_entry_line(e) for e in board.top]
    embed.description = (
        "\n".join(lines) if lines else t("Nobody has finished a topic in this period yet. Be the first!")
    )
    if board.stage_finishers:
        names = [f"<@{uid}> ({', '.join(stages)})" for uid, stages in board.stage_finishers.items()]
        embed.add_field(name=t("🎉 Finished a stage"), value=_fit(names, 1024), inline=False)
    if caller_id is not None:
        mine = board.entry_for(caller_id)
        value = (
            t(
                "#{rank} of {count} with {topics}",
                rank=mine.rank,
                count=board.ranked,
                topics=plural(mine.done, "{n} topic", "{n} topics"),
            )
            if mine
            else t(
                "{topics} in this period (you are hidden from the ranking)",
                topics=plural(board.own_hidden_done, "{n} topic", "{n} topics"),
            )
            if board.own_hidden_done
            else t("no topics done in this period yet")
        )
        embed.add_field(name=t("You"), value=value, inline=False)
    if board.period != "all-time":
        start, end = board.start, board.end
        embed.set_footer(
            text=t(
                "{start} → {end} ({timezone}) · ties go to whoever got there first",
                start=_local(start, board.cohort.timezone),
                end=_local(end, board.cohort.timezone),
                timezone=board.cohort.timezone,
            )
        )
    return embed


def _local(moment: datetime, timezone: str) -> str:
    # ISO-like on purpose: strftime's %a and %b would be English whatever the reader's language.
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def _fit(items: list[str], limit: int, separator: str = ", ") -> str:
    """Join items, ending in '…and N more' rather than going over `limit` characters."""
    out: list[str] = []
    length = 0
    for i, item in enumerate(items):
        rest = " " + t("…and {n} more", n=len(items) - i)
        if length + len(separator) + len(item) + len(rest) > limit:
            return separator.join(out) + rest
        out.append(item)
        length += len(separator) + len(item)
    return separator.join(out)


def dm_notice(job: DmNoticeJob) -> tuple[str, list[int]]:
    """The one channel message a day for members whose DMs are closed, and the members it pings. The
    job names at most NOTICE_MEMBERS_MAX (the others wait for the next day); this keeps to what fits."""
    body = t(
        "I could not send you your daily **{cohort}** nudge: your direct messages are closed. "
        "Turn on *Direct Messages* for this server (server name → Privacy Settings), then use any studybot "
        "command and the nudges start again.",
        cohort=md(job.cohort_name),
    )
    pinged: list[int] = []
    room = CONTENT_MAX - len(body)
    for uid in job.user_ids[:MENTIONS_MAX]:
        room -= len(f"<@{uid}> ")
        if room < 0:
            break
        pinged.append(uid)
    return " ".join(f"<@{uid}>" for uid in pinged) + " " + body, pinged


@fitted
def settings_embed(view: SettingsView) -> discord.Embed:
    """`/settings` without options, and the answer after a change."""
    embed = discord.Embed(title=t("Your settings · {cohort}", cohort=md(view.cohort.name)), colour=COLOUR)
    nudges = t("on") if view.nudges_enabled else t("off")
    if view.dms_closed:
        nudges += " " + t("(paused: your DMs were closed; any command re-enables them)")
    cohorts = " " + t("(cohort's)")
    embed.add_field(name=t("Daily nudges"), value=nudges)
    embed.add_field(name=t("Nudge time"), value=view.nudge_time + ("" if view.own_nudge_time else cohorts))
    embed.add_field(name=t("Timezone"), value=view.timezone + ("" if view.own_timezone else cohorts))
    embed.add_field(
        name=t("On the leaderboard"),
        value=t("shown")
        if view.show_on_leaderboard
        else t("hidden: your progress is private (moderators still see it)"),
    )
    if view.next_nudge_at is not None:
        embed.add_field(name=t("Next nudge"), value=f"<t:{int(view.next_nudge_at.timestamp())}:F>", inline=False)
    embed.set_footer(text=t("Type `default` as the time or timezone to follow the cohort again"))
    return embed


def checkin_text(result: CheckInResult) -> str:
    """The reply to /checkin and the nudge's Studied today button."""
    minutes = " " + t("({minutes} minutes today)", minutes=result.minutes_today) if result.minutes_today else ""
    streak = t("🔥 Streak: {days}.", days=days(result.streak)) if result.streak else ""
    checked = t("📚 Checked in for today in **{cohort}**{minutes}.", cohort=md(result.cohort.name), minutes=minutes)
    return f"{checked} {streak}".strip()


@fitted
def report_embed(report: CohortReport, title: str | None = None) -> discord.Embed:
    """`/cohort report` and the weekly digest: members per stage, stuck topics, quiet members."""
    embed = discord.Embed(title=title or t("Report · {cohort}", cohort=md(report.cohort.name)), colour=COLOUR)
    total = max(report.members, 1)
    lines = [f"`{bar(n, total)}` {n} · {i}. {stage.title}" for i, (stage, n) in enumerate(report.per_stage, 1) if n]
    if report.finished:
        lines.append(t("🏆 {n} finished the roadmap", n=report.finished))
    members = plural(report.members, "**{n} active member**", "**{n} active members**")
    embed.description = members + "\n" + ("\n".join(lines) or t("Nobody has joined yet."))
    if report.stuck:
        embed.add_field(
            name=t("Stuck longest (median days on the topic / calendar share)"),
            value="\n".join(
                f"{s.topic.topic.title}: {s.median_days:g} / {days(round(s.budget_days, 1))} · "
                + plural(s.members, "{n} member", "{n} members")
                for s in report.stuck
            ),
            inline=False,
        )
    if report.quiet:
        embed.add_field(
            name=t("No progress or check-in for {days}+ days ({count})", days=QUIET_DAYS, count=len(report.quiet)),
            value=_fit([f"<@{uid}> ({days(idle)})" for uid, idle in report.quiet], 1024),
            inline=False,
        )
    if report.pauses:
        embed.add_field(
            name=t("Planned breaks"), value=_fit([f"{a} → {b}" for a, b in report.pauses], 1024), inline=False
        )
    return embed

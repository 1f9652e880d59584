"""What moderators read about a cohort: its settings, list, members, report, export and deletion."""

from __future__ import annotations

import discord

from bot.db.models import Cohort, Membership
from bot.i18n import days, number, plural, t
from bot.render.common import COLOUR, bar, fit_items, pace_name, weekday_name
from bot.render.limits import DESCRIPTION_MAX, FIELD_VALUE_MAX, fitted
from bot.roadmap import Roadmap
from bot.services.cohorts.breaks import BreakChange
from bot.services.cohorts.deletion import DeletionScope
from bot.services.cohorts.insight import QUIET_DAYS, CohortReport
from bot.services.cohorts.registry import CohortListing, CohortOverview
from bot.services.pages.access import page_on
from bot.services.progress.pace import CohortCalendar
from bot.usertext import channel_mention, md, safe_link


def study_room_text(cohort: Cohort) -> str:
    """/cohort info's study time: on in which room, or off (naming the room kept for turning it on)."""
    if cohort.study_time and cohort.study_room_id:
        return t("on: time in {room} counts as study", room=channel_mention(cohort.study_room_id))
    if cohort.study_room_id:
        return t("off (room kept: {room})", room=channel_mention(cohort.study_room_id))
    return t("off")


def focus_text(cohort: Cohort) -> str:
    """/cohort info's focus timers: on (group timers where, when there is a room), or off."""
    if not cohort.focus:
        return t("off")
    if cohort.study_room_id:
        return t("on: /focus start (a group timer in {room})", room=channel_mention(cohort.study_room_id))
    return t("on: /focus start")


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
    ranks_by = t("by minutes studied") if cohort.leaderboard_metric == "minutes" else t("by topics done")
    embed.add_field(name=t("Weekly leaderboard"), value=f"{schedule_text(cohort)} · {ranks_by}")
    embed.add_field(
        name=t("Moderator role"), value=f"<@&{cohort.moderator_role_id}>" if cohort.moderator_role_id else t("none")
    )
    embed.add_field(
        name=t("Report channel"), value=f"<#{cohort.report_channel_id}>" if cohort.report_channel_id else t("none")
    )
    embed.add_field(
        name=t("Topic threads"),
        value=t("on: one per topic in <#{channel_id}>", channel_id=cohort.channel_id) if cohort.threads else t("off"),
    )
    embed.add_field(
        name=t("Stage roles"), value=t("on: a role for each finished stage") if cohort.stage_roles else t("off")
    )
    embed.add_field(
        name=t("Project showcase"), value=t("on: members /share their projects") if cohort.showcase else t("off")
    )
    embed.add_field(
        name=t("Stage events"), value=t("on: a scheduled event at each stage's start") if cohort.events else t("off")
    )
    embed.add_field(
        name=t("Study buddies"),
        value=t("on: {count} opted in, paired weekly", count=overview.buddies_opted_in) if cohort.buddies else t("off"),
    )
    embed.add_field(name=t("Study time"), value=study_room_text(cohort))
    embed.add_field(name=t("Focus timers"), value=focus_text(cohort))
    embed.add_field(
        name=t("Web page"),
        value=t("on: /cohort page gives its link") if page_on(cohort) else t("off: /cohort page puts it up"),
    )
    try:
        spans = [(stage, *calendar.stage_days(stage.id)) for stage in roadmap.stages]
    except OverflowError:
        spans = []
    if spans:
        lines = [
            f"{n}. {md(s.title)}: {first.isoformat()} → {last.isoformat()}"
            for n, (s, first, last) in enumerate(spans, 1)
        ]
        embed.add_field(name=t("Stages"), value=fit_items(lines, FIELD_VALUE_MAX, "\n"), inline=False)
    if overview.pauses:
        lines = [
            f"{start.isoformat()} → {end.isoformat()} ({days((end - start).days + 1)})"
            for start, end in overview.pauses
        ]
        embed.add_field(name=t("Pauses"), value=fit_items(lines, FIELD_VALUE_MAX, "\n"), inline=False)
    return embed


def export_summary(cohort_name: str, members: list[dict]) -> str:
    """What /cohort export says about its file: what is in it, how its rows work, how ids are written."""
    return t(
        "**{cohort}**: {members}, {events}, {checkins} and {shares}, one row each (the `record` column says "
        "which). "
        "Members are named as the bot last saw them; ids are written as `<@id>` so spreadsheets keep every digit.",
        cohort=md(cohort_name),
        members=plural(len(members), "{n} member", "{n} members"),
        events=plural(sum(len(m["history"]) for m in members), "{n} done/skip record", "{n} done/skip records"),
        checkins=plural(sum(len(m["checkins"]) for m in members), "{n} check-in", "{n} check-ins"),
        shares=plural(sum(len(m["shares"]) for m in members), "{n} project share", "{n} project shares"),
    )


def deletion_question(scope: DeletionScope) -> str:
    """What /cohort delete asks, naming everything that would be lost, and what stays on Discord."""
    lost = [
        plural(scope.memberships, "{n} membership", "{n} memberships"),
        plural(scope.progress_events, "{n} done or skipped topic", "{n} done or skipped topics"),
        plural(scope.checkins, "{n} check-in", "{n} check-ins"),
        plural(scope.pauses, "{n} planned break", "{n} planned breaks"),
    ]
    if scope.shares:
        lost.append(plural(scope.shares, "{n} project share", "{n} project shares"))
    question = t(
        "Delete **{cohort}** for good? This removes its settings and calendar with {lost}. It cannot be "
        "undone; `/cohort archive` keeps the history instead.",
        cohort=md(scope.cohort_name),
        lost=", ".join(lost),
    )
    if scope.made_roles:
        question += " " + t(
            "Deleted from the server with it: {roles} I created for it.",
            roles=plural(scope.made_roles, "{n} stage role", "{n} stage roles"),
        )
    if scope.threads or scope.shares:
        question += " " + t("Its topic threads and project posts stay in its channel.")
    return question


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
        if item.started:
            starts = t("started {date}", date=c.start_date.isoformat())
        else:
            starts = t("starts {date}", date=c.start_date.isoformat())
        lines.append(f"**{md(c.name)}** · <#{c.channel_id}> · {starts} · {members}{status}")
    embed.description = fit_items(lines, DESCRIPTION_MAX, "\n")
    return embed


MEMBERS_PER_PAGE = 20


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


@fitted
def report_embed(report: CohortReport, title: str | None = None, *, names: bool = True) -> discord.Embed:
    """`/cohort report` and the weekly digest: members per stage, stuck topics, quiet members. Without
    `names` (a report channel everyone can read) the quiet members are counted, not named, and it says why."""
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
                f"{s.topic.topic.title}: {number(s.median_days)} / {days(s.budget_days)} · "
                + plural(s.members, "{n} member", "{n} members")
                for s in report.stuck
            ),
            inline=False,
        )
    if report.study:
        embed.add_field(
            # Focus rounds are study rows too: a cohort that runs them reads whose time the hours are.
            name=t("Time in the study room and focus rounds (median hours on the topic / calendar share)")
            if report.cohort.focus
            else t("Time in the study room (median hours on the topic / calendar share)"),
            value="\n".join(
                f"{s.topic.topic.title}: {number(s.median_minutes / 60)} h / {days(s.budget_days)} · "
                + plural(s.members, "{n} member", "{n} members")
                for s in report.study
            ),
            inline=False,
        )
    if report.quiet:
        quiet = (
            fit_items([f"<@{uid}> ({days(idle)})" for uid, idle in report.quiet], 1024)
            if names
            else t(
                "Names left out: everyone in the server can read this channel. `/cohort report` shows them "
                "privately; `/cohort edit report_channel` takes a channel only moderators can read."
            )
        )
        embed.add_field(
            name=t(
                "No progress, check-in or study room for {days}+ days ({count})",
                days=QUIET_DAYS,
                count=len(report.quiet),
            ),
            value=quiet,
            inline=False,
        )
    if report.pauses:
        embed.add_field(
            name=t("Planned breaks"), value=fit_items([f"{a} → {b}" for a, b in report.pauses], 1024), inline=False
        )
    if report.shares:
        lines = [f"<@{s.user_id}> · {md(s.stage_title)}: <{safe_link(s.url)}>" for s in report.shares]
        embed.add_field(
            name=t("Projects shared this week ({count})", count=len(report.shares)),
            value=fit_items(lines, FIELD_VALUE_MAX, "\n"),
            inline=False,
        )
    return embed


def break_change_text(change: BreakChange) -> str:
    """The answer to /cohort pause and /cohort unpause: what happened to the break, and where the calendar
    now ends when that moved."""
    cohort = md(change.cohort.name)
    start, end = change.start.isoformat(), change.end.isoformat()
    if change.kind == "added":
        text = t(
            "**{cohort}** pauses {start} → {end}: pace ignores those days, streaks "
            "do not break on them, and no nudges go out.",
            cohort=cohort,
            start=start,
            end=end,
        )
    elif change.kind == "changed" and change.previous is not None:
        text = t(
            "The break {old_start} → {old_end} of **{cohort}** is now {start} → {end}.",
            old_start=change.previous[0].isoformat(),
            old_end=change.previous[1].isoformat(),
            cohort=cohort,
            start=start,
            end=end,
        )
    elif change.kind == "ended":
        text = t(
            "The break of **{cohort}** that began {start} ended yesterday ({end}): the days already past stay "
            "break days, and today is a study day again.",
            cohort=cohort,
            start=start,
            end=end,
        )
    else:
        text = t(
            "The break {start} → {end} of **{cohort}** is removed: those days are study days again, with nudges.",
            start=start,
            end=end,
            cohort=cohort,
        )
    before, after = change.last_day_before, change.last_day_after
    if before is not None and after is not None and before != after:
        text += "\n" + t(
            "📆 The calendar now ends on {after} instead of {before}.",
            after=after.isoformat(),
            before=before.isoformat(),
        )
    return text

"""A member's own answers: progress, the roadmap, a topic, joining, advancing, settings, check-ins."""

from __future__ import annotations

import discord

from bot.i18n import days, minutes, number, plural, t
from bot.render.common import (
    COLOUR,
    CURRENT_MARK,
    DONE_MARK,
    TODO_MARK,
    bar,
    pace_label,
    pace_name,
    thread_line,
    thread_problem,
    weeks_text,
)
from bot.render.limits import fitted
from bot.roadmap import Roadmap, Stage, TopicRef
from bot.services.cohorts.topic_threads import NO_THREAD, ThreadLink
from bot.services.progress.actions import JoinResult
from bot.services.progress.advance import AdvanceResult
from bot.services.progress.members import CheckInResult, SettingsView
from bot.services.progress.views import ProgressReport
from bot.services.study.goals import GoalStatus
from bot.usertext import md


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
    embed.add_field(name=t("Pace"), value=pace_label(report.pace))
    embed.add_field(name=t("Streak"), value=streak_text(report.streak, report.best_streak))
    if report.goal is not None:
        embed.add_field(name=t("Goal this week"), value=goal_text(report.goal))
    if report.minutes_today or report.room_minutes_on_topic or report.cohort.study_time or report.cohort.focus:
        embed.add_field(name=t("Studied today"), value=studied_text(report))
    lines = [f"`{bar(s.done, s.total)}` {s.done}/{s.total} {s.stage.title}" for s in report.stages]
    embed.add_field(name=t("Stages"), value="\n".join(lines), inline=False)
    start = report.cohort.start_date.isoformat()
    if report.pace.kind == "not-started":
        footer = t("Pace: {pace} · cohort starts {date}", pace=pace_name(report.cohort.pace), date=start)
    else:
        footer = t("Pace: {pace} · cohort started {date}", pace=pace_name(report.cohort.pace), date=start)
    embed.set_footer(text=footer)
    return embed


def goal_text(goal: GoalStatus) -> str:
    """'2 of 3 topics, 140 of 300 minutes', with a ✅ once every part is met."""
    parts = []
    if goal.topics_goal:
        parts.append(
            t("{done} of {topics}", done=goal.topics_done, topics=plural(goal.topics_goal, "{n} topic", "{n} topics"))
        )
    if goal.minutes_goal:
        parts.append(t("{done} of {minutes}", done=goal.minutes_done, minutes=minutes(goal.minutes_goal)))
    return ", ".join(parts) + (" ✅" if goal.met else "")


def goal_reply(goal: GoalStatus | None, *, changed: bool) -> str:
    """The answer to /goal: the goal and how far the member is, or how to set one."""
    if goal is None:
        if changed:
            return t("Your goal for this week is cleared.")
        return t(
            "You have no goal this week. `/goal topics:3 minutes:300` sets one; it lasts until the weekly leaderboard."
        )
    lead = t("🎯 Your goal this week in **{cohort}**:", cohort=md(goal.cohort.name))
    return f"{lead} {goal_text(goal)}"


def studied_text(report: ProgressReport) -> str:
    """/progress's study time: minutes today (check-ins and the study room), and the room's on this topic."""
    today = minutes(report.minutes_today)
    if not report.room_minutes_on_topic:
        return today
    if report.cohort.focus:
        return t(
            "{today} · {topic} on this topic in the study room and focus rounds",
            today=today,
            topic=minutes(report.room_minutes_on_topic),
        )
    return t(
        "{today} · {topic} in the study room on this topic", today=today, topic=minutes(report.room_minutes_on_topic)
    )


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
            low=number(lo),
            high=number(hi),
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
def topic_embed(ref: TopicRef, thread: ThreadLink | None = None) -> discord.Embed:
    """What to learn for a topic, its thread (when the cohort has topic threads), and its stage's project ideas."""
    embed = discord.Embed(
        title=ref.topic.title,
        description="\n".join(f"• {item}" for item in ref.topic.learn),
        colour=COLOUR,
    )
    embed.add_field(
        name=t("Stage"), value=f"{ref.stage_index + 1}/{ref.stage_count} {ref.stage.title} · {weeks_text(ref.stage)}"
    )
    if thread is not None and thread.thread_id:
        embed.add_field(name=t("Study thread"), value=f"<#{thread.thread_id}>", inline=False)
    elif thread is not None and thread.missing:
        embed.add_field(name=t("Study thread"), value=thread_problem(thread), inline=False)
    embed.add_field(name=t("Project ideas"), value="\n".join(f"• {p}" for p in ref.stage.projects), inline=False)
    embed.set_footer(text=t("topic id: {id}", id=ref.id))
    return embed


def joined_text(result: JoinResult, thread: ThreadLink = NO_THREAD) -> str:
    """The reply to /join, linking the first topic's thread when there is one."""
    if result.topic is None:
        where = t("You had already finished the roadmap here.")
    else:
        where = t("Your topic: **{topic}** (`/topic` says what to learn).", topic=result.topic.topic.title)
    if result.rejoined:
        return t(
            "👋 Welcome back to **{cohort}**! Your progress was kept. {where}",
            cohort=md(result.cohort.name),
            where=where,
        ) + thread_line(thread)
    return t("🎉 You joined **{cohort}**. {where}", cohort=md(result.cohort.name), where=where) + thread_line(thread)


def advance_text(result: AdvanceResult, thread: ThreadLink = NO_THREAD) -> str:
    """The reply to /done or /skip, with a celebration at a stage end and at the very end, and a link to
    the next topic's thread when there is one."""
    if result.review:
        text = (
            DONE_MARK
            + " "
            + t(
                "**{topic}** done again: a review keeps your streak; "
                "the topic counted on the leaderboard the first time.",
                topic=result.left.topic.title,
            )
        )
    elif result.kind == "done":
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
    return text + thread_line(thread)


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
    if view.cohort.stage_roles:
        badges = t("on") if view.stage_roles else t("off")
        follows = "" if view.own_stage_roles else " " + t("(as your leaderboard setting)")
        embed.add_field(name=t("Stage roles"), value=badges + follows)
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

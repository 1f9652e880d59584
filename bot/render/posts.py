"""What the scheduler posts: the daily nudge, the weekly leaderboard and the closed-DM notice."""

from __future__ import annotations

import discord

from bot.i18n import days, minutes, plural, t
from bot.render.common import COLOUR, fit_items, local_time, pace_label
from bot.render.journey import goal_text
from bot.render.limits import CONTENT_MAX, MENTIONS_MAX, fitted
from bot.services.delivery.jobs import DmNoticeJob, NudgeJob
from bot.services.progress.leaderboard import Entry, Leaderboard
from bot.services.study.board import MinutesBoard
from bot.services.together.showcase import ShareDraft
from bot.usertext import md, safe_link, user_mention


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
    embed.add_field(name=t("Pace"), value=pace_label(job.pace))
    if job.thread_id:
        embed.add_field(name=t("Study thread"), value=f"<#{job.thread_id}>", inline=False)
    if job.goal is not None and job.week_ends_at is not None:
        ends = f"<t:{int(job.week_ends_at.timestamp())}:R>"
        embed.add_field(
            name=t("🎯 Your goal this week"),
            value=t("{goal}; the week ends {ends}", goal=goal_text(job.goal), ends=ends),
            inline=False,
        )
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
        embed.add_field(name=t("🎉 Finished a stage"), value=fit_items(names, 1024), inline=False)
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
                start=local_time(start, board.cohort.timezone),
                end=local_time(end, board.cohort.timezone),
                timezone=board.cohort.timezone,
            )
        )
    return embed


def board_title(cohort_name: str, period: str, by: str = "") -> str:
    """`/leaderboard`'s title: the cohort, the period and, for another ranking than topics, what it ranks by."""
    names = {"this-week": t("this-week"), "last-week": t("last-week"), "all-time": t("all-time")}
    title = t("Leaderboard · {cohort}", cohort=md(cohort_name)) + " · " + names[period].replace("-", " ")
    return f"{title} · {by}" if by else title


@fitted
def minutes_board_embed(board: MinutesBoard, *, caller_id: int | None, title: str) -> discord.Embed:
    """The top 10 by minutes studied, and the caller's own place or minutes (asked by someone)."""
    embed = discord.Embed(title=title, colour=COLOUR)
    lines = [
        f"{MEDALS.get(e.rank, f'`#{e.rank}`')} {user_mention(e.user_id)} · {minutes(e.minutes)}" for e in board.top
    ]
    embed.description = "\n".join(lines) if lines else t("Nobody has studied in this period yet. Be the first!")
    mine = board.entry_for(caller_id)
    if mine is not None:
        value = t(
            "#{rank} of {count} with {minutes}", rank=mine.rank, count=board.ranked, minutes=minutes(mine.minutes)
        )
    elif board.own_hidden_minutes:
        value = t(
            "{minutes} in this period (you are hidden from the ranking)", minutes=minutes(board.own_hidden_minutes)
        )
    else:
        value = t("no minutes studied in this period yet")
    embed.add_field(name=t("You"), value=value, inline=False)
    if board.period != "all-time":
        embed.set_footer(
            text=t(
                "{start} → {end} ({timezone}) · check-ins, the study room and focus rounds; ties go to who joined "
                "first",
                start=local_time(board.start, board.cohort.timezone),
                end=local_time(board.end, board.cohort.timezone),
                timezone=board.cohort.timezone,
            )
        )
    return embed


def goals_line(met: int, set_: int) -> str:
    """The weekly post's '5 of 8 members met their goal'."""
    return plural(set_, "{met} of {n} member met their goal", "{met} of {n} members met their goal", met=met)


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
def share_embed(draft: ShareDraft, member_name: str) -> discord.Embed:
    """A member's project in the cohort's channel: the stage it belongs to, the link, their note."""
    embed = discord.Embed(
        title=t("🛠️ Project · stage {number}: {stage}", number=draft.stage_number, stage=draft.stage.title),
        url=draft.url,
        description=md(draft.note) if draft.note else None,
        colour=COLOUR,
    )
    embed.set_author(name=member_name)
    embed.add_field(name=t("Link"), value=safe_link(draft.url), inline=False)
    embed.set_footer(text=draft.cohort.name)
    return embed

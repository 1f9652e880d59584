"""/stats in text: a line per week (topics done, minutes studied) and the streak, the same facts the
picture (bot.render.cards.stats_card) draws, for screen readers and for anyone without images."""

from __future__ import annotations

import discord

from bot.i18n import minutes, plural, t
from bot.render.common import COLOUR
from bot.render.journey import streak_text
from bot.render.limits import fitted
from bot.services.cohorts.schedule import local_date
from bot.services.progress.history import WeeklyStats, WeekStat
from bot.usertext import md


def week_label(stats: WeeklyStats, week: WeekStat) -> str:
    """A week by the local date it began on in the cohort's timezone; the current one says so."""
    begun = local_date(week.start, stats.cohort.timezone).isoformat()
    return t("this week (since {date})", date=begun) if week is stats.weeks[-1] else t("week of {date}", date=begun)


@fitted
def stats_embed(stats: WeeklyStats, name: str) -> discord.Embed:
    """The weeks, newest first, with their totals and the streak."""
    embed = discord.Embed(
        title=t(
            "{member} · {cohort}: {weeks}",
            member=md(name),
            cohort=md(stats.cohort.name),
            # Two weeks or more: the count is never 1 here, and "this week" needs no number.
            weeks=t("this week") if len(stats.weeks) == 1 else t("the last {n} weeks", n=len(stats.weeks)),
        ),
        colour=COLOUR,
    )
    lines = [
        t(
            "{week}: {topics} · {minutes}",
            week=week_label(stats, week),
            topics=plural(week.topics, "{n} topic done", "{n} topics done"),
            minutes=minutes(week.minutes),
        )
        for week in reversed(stats.weeks)
    ]
    embed.description = "\n".join(lines)
    total_topics = sum(week.topics for week in stats.weeks)
    total_minutes = sum(week.minutes for week in stats.weeks)
    embed.add_field(name=t("Topics done"), value=str(total_topics))
    embed.add_field(name=t("Minutes studied"), value=str(total_minutes))
    embed.add_field(name=t("Streak"), value=streak_text(stats.streak, stats.best_streak))
    embed.set_footer(text=t("Weeks run from one weekly leaderboard post to the next, in the cohort's timezone."))
    return embed

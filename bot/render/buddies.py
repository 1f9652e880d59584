"""Study buddies: the weekly DM introducing a member's group, and the answers of /buddy on, off and show."""

from __future__ import annotations

import discord

from bot.i18n import t
from bot.render.cohort import schedule_text
from bot.render.common import COLOUR
from bot.render.limits import fitted
from bot.services.together.buddies import BuddyJob, BuddyStatus, Standing
from bot.usertext import md


def standing_text(where: Standing) -> str:
    """Where a member stands: their topic and stage, or finished; their topic's thread when there is one."""
    if where.private:
        text = t("keeps their progress private")
    elif where.stage_number is None:
        text = t("finished the roadmap 🏆")
    else:
        text = t(
            "**{topic}** (stage {number}: {stage})",
            topic=where.topic_title,
            number=where.stage_number,
            stage=where.stage_title,
        )
    if where.thread_id:
        text += " · " + t("💬 <#{thread_id}>", thread_id=where.thread_id)
    return text


def _mate_lines(mates: tuple[Standing, ...]) -> str:
    return "\n".join(f"<@{mate.user_id}>: {standing_text(mate)}" for mate in mates)


@fitted
def buddy_embed(job: BuddyJob) -> discord.Embed:
    """The weekly DM: who the member's buddies are and where each of them stands."""
    title = (
        t("🤝 Your study buddy this week · {cohort}", cohort=md(job.cohort_name))
        if len(job.mates) == 1
        else t("🤝 Your study buddies this week · {cohort}", cohort=md(job.cohort_name))
    )
    embed = discord.Embed(title=title, colour=COLOUR)
    embed.description = t(
        "{mates}\n\nYou: {me}\n\nSay hello, compare notes, study an hour together: it is up to you.",
        mates=_mate_lines(job.mates),
        me=standing_text(job.me),
    )
    embed.set_footer(text=t("A new pairing comes each week · /buddy off stops it · /buddy show shows this again"))
    return embed


@fitted
def buddy_status_embed(status: BuddyStatus) -> discord.Embed:
    """/buddy on, off and show: whether the member is paired, with whom this week, and when next."""
    cohort = status.cohort
    embed = discord.Embed(title=t("Study buddies · {cohort}", cohort=md(cohort.name)), colour=COLOUR)
    if not cohort.buddies:
        headline = t(
            "Study buddies are off in this cohort. A moderator can turn them on with `/cohort edit buddies:on`."
        )
    elif status.opted_in:
        headline = (
            t(
                "You're in. Each week at the leaderboard time I pair you with a member near you on the roadmap "
                "and introduce you to each other by DM."
            )
            if status.changed
            else t("You're in: each week at the leaderboard time I pair you with a member near you on the roadmap.")
        )
    else:
        headline = (
            t("You're out: from the next pairing on, you won't be paired. `/buddy on` brings you back.")
            if status.changed
            else t("You're not in the weekly pairing. `/buddy on` pairs you each week with a member near you.")
        )
    embed.description = headline
    if cohort.buddies and status.opted_in and status.next_pairing is not None:
        embed.add_field(
            name=t("Next pairing"),
            value=f"<t:{int(status.next_pairing.timestamp())}:F> · {schedule_text(cohort)} ({cohort.timezone})",
            inline=False,
        )
    if cohort.buddies:
        embed.add_field(name=t("Opted in"), value=str(status.opted_in_count), inline=False)
    embed.add_field(name=t("You"), value=standing_text(status.me), inline=False)
    if status.mates:
        embed.add_field(
            name=t("This week ({date})", date=status.paired_on), value=_mate_lines(status.mates), inline=False
        )
    return embed

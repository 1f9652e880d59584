"""What every rendering shares: the colour, the marks, the progress bar and small wordings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.i18n import days, number, permission_list, plural, t, weeks
from bot.roadmap import Stage
from bot.services.cohorts.links import Replaced
from bot.services.cohorts.stage_roles import RoleGrant, role_problem_text
from bot.services.cohorts.topic_threads import ThreadLink
from bot.services.progress.pace import PaceStatus

COLOUR = discord.Colour(0x5865F2)


DONE_MARK = "✅"


CURRENT_MARK = "➡️"


TODO_MARK = "▫️"


BAR_WIDTH = 10


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """A text progress bar such as ▰▰▰▱▱▱▱▱▱▱."""
    filled = round(width * done / total) if total else 0
    return "▰" * filled + "▱" * (width - filled)


def weeks_text(stage: Stage) -> str:
    """A stage's budget: '1 week', '4-6 weeks', '1-2 weeks (estimate)'."""
    w = stage.weeks
    span = weeks(w.min) if w.min == w.max else t("{low}-{high} weeks", low=number(w.min), high=number(w.max))
    return t("{span} (estimate)", span=span) if w.estimate else span


def weekday_name(index: int) -> str:
    """Monday..Sunday in the current language (0 = Monday)."""
    return (t("Monday"), t("Tuesday"), t("Wednesday"), t("Thursday"), t("Friday"), t("Saturday"), t("Sunday"))[index]


def pace_name(pace: str) -> str:
    """A cohort pace (`relaxed`, `standard`, `intense`: the stored values) in the reader's language."""
    return {"relaxed": t("relaxed"), "standard": t("standard"), "intense": t("intense")}.get(pace, pace)


def local_time(moment: datetime, timezone: str) -> str:
    # ISO-like on purpose: strftime's %a and %b would be English whatever the reader's language.
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def fit_items(items: list[str], limit: int, separator: str = ", ") -> str:
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


def thread_line(link: ThreadLink) -> str:
    """The line about a topic's thread: its link, or what keeps the bot from opening it ("" for neither)."""
    if link.thread_id:
        return "\n" + t("💬 Study thread: <#{thread_id}>", thread_id=link.thread_id)
    if link.missing:
        return "\n💬 " + thread_problem(link)
    return ""


def leftovers_line(events: int, roles: int) -> str:
    """What a deleted cohort left on Discord for now, and that the bot removes it later ("" for nothing)."""
    lines = []
    if events:
        lines.append(
            plural(
                events,
                "📅 {n} scheduled event is still on Discord: I need **Manage Events** to remove it, and I "
                "will as soon as I have it.",
                "📅 {n} scheduled events are still on Discord: I need **Manage Events** to remove them, and I "
                "will as soon as I have it.",
            )
        )
    if roles:
        lines.append(
            plural(
                roles,
                "🏅 {n} role I created is still on Discord: I need **Manage Roles** (and my role above it) to "
                "delete it, and I will as soon as I can.",
                "🏅 {n} roles I created are still on Discord: I need **Manage Roles** (and my role above them) "
                "to delete them, and I will as soon as I can.",
            )
        )
    return "".join("\n" + line for line in lines)


def events_problem(problem: str) -> str:
    """Why the cohort's scheduled events are not in step (the moderator's change is saved either way)."""
    if problem == "manage":
        return t("📅 Scheduled events not kept: I need **Manage Events** in this server.")
    if problem == "limit":
        return t(
            "📅 Scheduled events not kept: this server has 100 scheduled events, the most Discord allows. "
            "Your change is saved; delete events you no longer need, then `/cohort edit events:on` brings "
            "these in step."
        )
    return t(
        "📅 Scheduled events not kept: Discord refused them just now. Your change is saved; "
        "`/cohort edit events:on` tries again."
    )


def thread_problem(link: ThreadLink) -> str:
    """Why the topic has no thread, for the member to pass on to a moderator."""
    return t(
        "No study thread: I need {value} in <#{channel_id}> to open it. A moderator can give me that "
        "there, or turn `threads` off.",
        value=permission_list(link.missing),
        channel_id=link.channel_id,
    )


def replaced_role_line(replaced: Replaced | None, moved: int) -> str:
    """What happened to the role a moderator's pick replaced ("" when nothing was replaced)."""
    if replaced is None:
        return ""
    old = f"<@&{replaced.discord_id}>"
    if replaced.made_by_bot:
        text = t("I deleted {old}, the role I had created for it.", old=old)
    else:
        text = t("I took {old} back from the members I had given it to.", old=old)
    if moved:
        text += " " + plural(
            moved,
            "{n} member who had finished the stage got the new role instead.",
            "{n} members who had finished the stage got the new role instead.",
        )
    return "\n" + text


def role_line(grant: RoleGrant) -> str:
    """The line about stage roles: the roles just given, or why one could not be ("" for neither)."""
    if grant.problem:
        return "\n🏅 " + t("No stage role:") + " " + str(role_problem_text(grant.problem, grant.role_id))
    if grant.role_ids:
        return "\n" + t("🏅 Your new role: {roles}", roles=", ".join(f"<@&{r}>" for r in grant.role_ids))
    return ""


def pace_label(pace: PaceStatus) -> str:
    """Where a member is against the calendar, in words ("3 days ahead", "on track")."""
    if pace.kind == "not-started":
        return t("the cohort starts in {days}", days=days(pace.days))
    if pace.kind == "ahead":
        return t("{days} ahead", days=days(pace.days))
    if pace.kind == "behind":
        return t("{days} behind", days=days(-pace.days))
    if pace.kind == "finished":
        if pace.days > 0:
            return t("finished the roadmap, {days} ahead of the calendar", days=days(pace.days))
        return t("finished the roadmap")
    return t("on track")

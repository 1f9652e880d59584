"""The pages' contents in the reader's language: what the templates show, every word through t(), every
number from the services the commands use (bot.services.pages.content)."""

from __future__ import annotations

from typing import Any

from bot.i18n import days, minutes, number, plural, t
from bot.render.common import local_time, pace_label, pace_name
from bot.render.history import week_label
from bot.render.journey import streak_text
from bot.services.cohorts.schedule import local_date
from bot.services.pages.content import CohortPage, MemberPage
from bot.services.progress.leaderboard import Leaderboard
from bot.web import charts


def member_name(name: str | None) -> str:
    """A member as the page names them: their display name, never their Discord id."""
    return name or t("a member not seen since names were kept")


def _board(board: Leaderboard, names: dict[int, str | None]) -> dict[str, Any]:
    return {
        "rows": [
            {
                "rank": entry.rank,
                "name": member_name(names.get(entry.user_id)),
                "done": entry.done,
                "streak": days(entry.streak or 0),
            }
            for entry in board.top
        ],
        "more": max(0, board.ranked - len(board.top)),
    }


def cohort_context(page: CohortPage) -> dict[str, Any]:
    """The cohort page's template context."""
    cohort, standing = page.cohort, page.standing
    stage_counts = [(stage.title, count) for stage, count in standing.per_stage] + [(t("Finished"), standing.finished)]
    spans = [(span.stage.title, span.first, span.last) for span in page.stages]
    return {
        "title": cohort.name,
        "as_of": t("As of {time}", time=f"{local_time(page.now, cohort.timezone)} ({cohort.timezone})"),
        "roadmap": page.roadmap.title,
        "archived": cohort.archived,
        "members_text": plural(standing.members, "{n} member", "{n} members"),
        "calendar": {
            "start": page.calendar_start.isoformat(),
            "end": page.calendar_end.isoformat() if page.calendar_end else "…",
            "pace": pace_name(cohort.pace),
            "timezone": cohort.timezone,
            "today": page.today.isoformat(),
            "chart": charts.timeline(spans, page.pauses, page.today),
            "stages": [
                {"n": n, "title": span.stage.title, "first": span.first.isoformat(), "last": span.last.isoformat()}
                for n, span in enumerate(page.stages, 1)
            ],
            "pauses": [
                {"first": start.isoformat(), "last": end.isoformat(), "days": days((end - start).days + 1)}
                for start, end in page.pauses
            ],
        },
        "per_stage": charts.bars(stage_counts),
        "this_week": _board(page.this_week, page.names),
        "all_time": _board(page.all_time, page.names),
        "week_since": local_date(page.this_week.start, cohort.timezone).isoformat(),
        "shares": [
            {"name": member_name(page.names.get(s.user_id)), "stage": s.stage_title, "url": s.url} for s in page.shares
        ],
        "shares_unlisted": page.shares_unlisted,
        "showcase": cohort.showcase or bool(page.shares),
        "stuck": [
            {
                "topic": s.topic.topic.title,
                "stage": s.topic.stage.title,
                "members": s.members,
                "median": number(s.median_days),
                "budget": days(s.budget_days),
            }
            for s in standing.stuck
        ],
    }


def member_context(page: MemberPage) -> dict[str, Any]:
    """The member page's template context."""
    report = page.progress
    weeks = page.weeks
    return {
        "title": member_name(page.name),
        "as_of": t("As of {time}", time=f"{local_time(page.now, page.timezone)} ({page.timezone})"),
        "cohort": report.cohort.name,
        "roadmap": report.roadmap.title,
        "percent": report.percent,
        "done_text": t("{done} of {total} topics done", done=report.done_count, total=report.total_topics),
        "current": report.current.topic.title if report.current else t("finished the roadmap"),
        "current_stage": report.current.stage.title if report.current else "",
        "pace": pace_label(report.pace),
        "streak": streak_text(report.streak, report.best_streak),
        # A stage's bar is its share done, of its own topics; the text beside it says "done / total".
        "stages": [
            {
                "bar": charts.Bar(st.stage.title, st.done, round(100 * st.done / st.total, 2), f"s{n % 6}"),
                "total": st.total,
            }
            for n, st in enumerate(report.stages)
            if st.total
        ],
        "weeks": [
            {
                "bar": bar,
                "topics": plural(week.topics, "{n} topic done", "{n} topics done"),
                "minutes": minutes(week.minutes),
            }
            for week, bar in zip(
                weeks.weeks, charts.bars([(week_label(weeks, w), w.minutes) for w in weeks.weeks]), strict=True
            )
        ],
        "private": report.private,
    }


def labels() -> dict[str, str]:
    """Every heading and fixed text of the pages, in the current language."""
    return {
        "skip": t("Skip to the content"),
        "language": t("Language"),
        "roadmap": t("Roadmap"),
        "archived": t("This cohort is archived."),
        "calendar": t("Calendar"),
        "calendar_alt": t("The cohort's stages on a timeline, with planned breaks and today"),
        "today": t("Today"),
        "break": t("Break"),
        "stage": t("Stage"),
        "from": t("From"),
        "to": t("To"),
        "breaks": t("Planned breaks"),
        "pace": t("Pace"),
        "timezone": t("Timezone"),
        "per_stage": t("Members per stage"),
        "per_stage_alt": t("How many members are on each stage now, and how many finished"),
        "members": t("Members"),
        "this_week": t("This week"),
        "since": t("since"),
        "all_time": t("All time"),
        "rank": t("Rank"),
        "member": t("Member"),
        "done": t("Topics done"),
        "streak": t("Streak"),
        "nobody": t("Nobody has finished a topic in this period yet."),
        "and_more": t("more ranked"),
        "hidden_note": t("Members who hide their progress in Discord are counted here, never named."),
        "showcase": t("Project showcase"),
        "no_shares": t("No projects shared yet."),
        "unlisted": t("more shared, not listed here"),
        "stuck": t("Topics members are on longest"),
        "stuck_alt": t("Median days members have been on the topic, against the days the calendar gives it"),
        "topic": t("Topic"),
        "median": t("Median days on it"),
        "budget": t("Calendar gives it"),
        "nothing_stuck": t("No member has spent a whole day on their topic yet."),
        "made_by": t("A read-only page of studybot. Names are display names as the bot last saw them."),
        "progress": t("Progress"),
        "current": t("Current topic"),
        "stages": t("Stages"),
        "weeks": t("Last weeks"),
        "week": t("Week"),
        "topics_done": t("Topics done"),
        "minutes": t("Minutes studied"),
        "private_note": t(
            "You hide your progress from the leaderboard: this page is yours and your moderators' to open."
        ),
        "own_note": t("Your own page: anyone with this link can open it, so keep it to yourself."),
        "not_found": t("Page not found"),
        "not_found_text": t("This link does not open a page. It may have been replaced by a new one."),
    }

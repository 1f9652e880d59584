"""PNG cards for /progress, the weekly leaderboard and /cohort report (Pillow).

Pure functions from service results to PNG bytes: call them through `asyncio.to_thread` so drawing
never blocks the event loop. The embed keeps the same facts as text, for screen readers."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.i18n import t
from bot.render.common import pace_label
from bot.render.journey import streak_text
from bot.render.typesetting import DONE, FULL, MARK, MUTED, TEXT, Card
from bot.services.study.board import MinutesBoard

if TYPE_CHECKING:
    from bot.services.cohorts.insight import CohortReport
    from bot.services.progress.history import WeeklyStats
    from bot.services.progress.leaderboard import Leaderboard
    from bot.services.progress.views import ProgressReport


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def progress_card(report: ProgressReport, member_name: str) -> bytes:
    """A bar per stage, and the member's place against the cohort calendar."""
    titles = tuple(_short(stage.stage.title, 34) for stage in report.stages)
    card = Card.over(_progress_template(titles, t("roadmap")))
    card.text((32, 24), _short(f"{member_name} · {report.cohort.name}", 48), 28, TEXT, once=True)
    summary = t(
        "{done}/{total} topics ({percent}%)",
        done=report.done_count,
        total=report.total_topics,
        percent=report.percent,
    )
    card.text((32, 64), f"{summary} · {pace_label(report.pace)}", 18, MUTED, once=True)
    y = 110
    for stage in report.stages:
        share = stage.done / stage.total if stage.total else 0.0
        card.fill(360, y + 3, 330, 16, share, FULL if share >= 1 else DONE)
        card.text((704, y), f"{stage.done}/{stage.total}", 17, MUTED)
        y += 34
    # The calendar: where the member is (their topic's start) against where the calendar says (today).
    y += 30
    # The calendar's label above the line, the member's below, so they never collide.
    for share, colour, label, label_y in (
        (report.expected_share, MARK, t("calendar today"), y - 20),
        (report.position_share, DONE, t("you"), y + 22),
    ):
        x = 120 + round(640 * min(max(share, 0.0), 1.0))
        card.dot((x - 8, y + 1, x + 8, y + 17), colour)
        card.text((max(x - 20, 100), label_y), label, 14, colour)
    return card.png()


# Templates: ~0.4 MB each; one per roadmap and language in use.
@lru_cache(maxsize=8)
def _progress_template(titles: tuple[str, ...], roadmap_label: str) -> Any:
    """What every /progress card of a roadmap (in one language) shows: stage titles, empty bars."""
    card = Card.blank(120 + len(titles) * 34 + 110)
    y = 110
    for title in titles:
        card.text((32, y), title, 17, TEXT)
        card.track(360, y + 3, 330, 16)
        y += 34
    y += 30
    card.text((32, y), roadmap_label, 15, MUTED)
    card.track(120, y + 4, 640, 10)
    return card.image


def leaderboard_card(board: Leaderboard | MinutesBoard, names: dict[int, str], title: str) -> bytes:
    """The top 10 as bars of topics done, or of minutes studied."""
    by_minutes = isinstance(board, MinutesBoard)
    top = [(e.user_id, e.minutes if by_minutes else e.done) for e in board.top]  # type: ignore[union-attr]
    nobody = t("Nobody has studied in this period yet.") if by_minutes else t("Nobody has finished a topic yet.")
    # Ranks are the places 1..n (bot.services.progress.leaderboard): the template depends on how many.
    card = Card.over(_leaderboard_template(len(top), nobody))
    card.text((32, 24), _short(title, 50), 26, TEXT)
    best = max((value for _, value in top), default=1) or 1
    y = 84
    for user_id, value in top:
        card.text((84, y), _short(names.get(user_id, t("member")), 22), 18, TEXT, once=True)
        card.fill(330, y + 3, 360, 18, value / best, DONE)
        card.text((704, y), str(value), 18, TEXT)
        y += 40
    return card.png()


@lru_cache(maxsize=4)
def _leaderboard_template(places: int, nobody: str) -> Any:
    """Rank numbers #1..#places and empty bars."""
    card = Card.blank(90 + max(places, 1) * 40 + 20)
    y = 84
    for rank in range(1, places + 1):
        card.text((32, y), f"#{rank}", 18, MARK if rank <= 3 else MUTED)
        card.track(330, y + 3, 360, 18)
        y += 40
    if not places:
        card.text((32, y), nobody, 18, MUTED)
    return card.image


def stage_chart(report: CohortReport) -> bytes:
    """Members per stage, as horizontal bars."""
    rows = report.per_stage
    titles = tuple(_short(f"{i}. {stage.title}", 34) for i, (stage, _) in enumerate(rows, 1))
    finished = t("finished") if report.finished else None
    card = Card.over(_chart_template(titles, finished))
    card.text((32, 24), _short(t("{cohort}: members per stage", cohort=report.cohort.name), 50), 26, TEXT)
    most = max([n for _, n in rows] + [report.finished, 1])
    y = 80
    for _, count in rows:
        card.fill(360, y + 3, 330, 16, count / most, DONE)
        card.text((704, y), str(count), 17, MUTED)
        y += 36
    if report.finished:
        card.fill(360, y + 3, 330, 16, report.finished / most, FULL)
        card.text((704, y), str(report.finished), 17, MUTED)
    return card.png()


@lru_cache(maxsize=8)
def _chart_template(titles: tuple[str, ...], finished: str | None) -> Any:
    """Stage titles and empty bars of a report chart (and the finished row, labelled, when there is one)."""
    card = Card.blank(90 + len(titles) * 36 + (36 if finished else 0) + 20)
    y = 80
    for title in (*titles, *([finished] if finished else [])):
        card.text((32, y), title, 17, TEXT)
        card.track(360, y + 3, 330, 16)
        y += 36
    return card.image


def stats_card(stats: WeeklyStats, member_name: str, labels: list[str]) -> bytes:
    """A row per week (oldest at the top): a bar of topics done and one of minutes studied, each against
    the best week shown; `labels`: each week's name, as the text answer words it."""
    card = Card.blank(130 + len(stats.weeks) * 34 + 20)
    card.text((32, 24), _short(f"{member_name} · {stats.cohort.name}", 48), 26, TEXT, once=True)
    card.text((32, 64), _short(t("Streak") + ": " + streak_text(stats.streak, stats.best_streak), 60), 17, MUTED)
    card.text((260, 96), t("Topics done"), 15, DONE)
    card.text((530, 96), t("Minutes studied"), 15, MARK)
    most_topics = max((w.topics for w in stats.weeks), default=0) or 1
    most_minutes = max((w.minutes for w in stats.weeks), default=0) or 1
    y = 126
    for week, label in zip(stats.weeks, labels, strict=True):
        card.text((32, y), _short(label, 26), 15, TEXT)
        card.track(260, y + 3, 180, 14)
        card.fill(260, y + 3, 180, 14, week.topics / most_topics, DONE)
        card.text((450, y), str(week.topics), 15, MUTED)
        card.track(530, y + 3, 180, 14)
        card.fill(530, y + 3, 180, 14, week.minutes / most_minutes, MARK)
        card.text((720, y), str(week.minutes), 15, MUTED)
        y += 34
    return card.png()

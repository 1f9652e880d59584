"""PNG cards for /progress, the weekly leaderboard and /cohort report (Pillow).

Pure functions from service results to PNG bytes: call them through `asyncio.to_thread` so drawing
never blocks the event loop. The embed keeps the same facts as text, for screen readers."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.i18n import t

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

    from bot.services.insight import CohortReport
    from bot.services.leaderboard import Leaderboard
    from bot.services.progress import ProgressReport

WIDTH = 800
BACKGROUND = (43, 45, 49)
TEXT = (242, 243, 245)
MUTED = (148, 155, 164)
TRACK = (64, 66, 73)
DONE = (88, 101, 242)
FULL = (35, 165, 90)
MARK = (240, 178, 50)


# Pillow (~20 MB resident) is imported on the first card drawn, not when the bot starts.
def _canvas(height: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    return image, ImageDraw.Draw(image)


@lru_cache(maxsize=8)
def _font(size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=3)
    return out.getvalue()


def _bar(draw: ImageDraw.ImageDraw, x: int, y: int, width: int, height: int, share: float, colour: tuple) -> None:
    draw.rounded_rectangle((x, y, x + width, y + height), radius=height // 2, fill=TRACK)
    if share > 0:
        end = x + max(height, round(width * min(share, 1.0)))
        draw.rounded_rectangle((x, y, end, y + height), radius=height // 2, fill=colour)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def progress_card(report: ProgressReport, member_name: str) -> bytes:
    """A bar per stage, and the member's place against the cohort calendar."""
    rows = len(report.stages)
    height = 120 + rows * 34 + 110
    image, draw = _canvas(height)
    draw.text((32, 24), _short(f"{member_name} · {report.cohort.name}", 48), font=_font(28), fill=TEXT)
    draw.text(
        (32, 64),
        t(
            "{done}/{total} topics ({percent}%)",
            done=report.done_count,
            total=report.total_topics,
            percent=report.percent,
        )
        + f" · {report.pace.label}",
        font=_font(18),
        fill=MUTED,
    )
    y = 110
    for stage in report.stages:
        share = stage.done / stage.total if stage.total else 0.0
        draw.text((32, y), _short(stage.stage.title, 34), font=_font(17), fill=TEXT)
        _bar(draw, 360, y + 3, 330, 16, share, FULL if share >= 1 else DONE)
        draw.text((704, y), f"{stage.done}/{stage.total}", font=_font(17), fill=MUTED)
        y += 34
    # The calendar: where the member is (their topic's start) against where the calendar says (today).
    y += 30
    draw.text((32, y), t("roadmap"), font=_font(15), fill=MUTED)
    _bar(draw, 120, y + 4, 640, 10, 0.0, DONE)
    # The calendar's label above the line, the member's below, so they never collide.
    for share, colour, label, label_y in (
        (report.expected_share, MARK, t("calendar today"), y - 20),
        (report.position_share, DONE, t("you"), y + 22),
    ):
        x = 120 + round(640 * min(max(share, 0.0), 1.0))
        draw.ellipse((x - 8, y + 1, x + 8, y + 17), fill=colour)
        draw.text((max(x - 20, 100), label_y), label, font=_font(14), fill=colour)
    return _png(image)


def leaderboard_card(board: Leaderboard, names: dict[int, str], title: str) -> bytes:
    """The top 10 as bars of topics done."""
    top = board.top
    height = 90 + max(len(top), 1) * 40 + 20
    image, draw = _canvas(height)
    draw.text((32, 24), _short(title, 50), font=_font(26), fill=TEXT)
    best = max((e.done for e in top), default=1)
    y = 84
    for entry in top:
        draw.text((32, y), f"#{entry.rank}", font=_font(18), fill=MARK if entry.rank <= 3 else MUTED)
        draw.text((84, y), _short(names.get(entry.user_id, t("member")), 22), font=_font(18), fill=TEXT)
        _bar(draw, 330, y + 3, 360, 18, entry.done / best, DONE)
        draw.text((704, y), str(entry.done), font=_font(18), fill=TEXT)
        y += 40
    if not top:
        draw.text((32, y), t("Nobody has finished a topic yet."), font=_font(18), fill=MUTED)
    return _png(image)


def stage_chart(report: CohortReport) -> bytes:
    """Members per stage, as horizontal bars."""
    rows = report.per_stage
    height = 90 + len(rows) * 36 + (36 if report.finished else 0) + 20
    image, draw = _canvas(height)
    draw.text(
        (32, 24), _short(t("{cohort}: members per stage", cohort=report.cohort.name), 50), font=_font(26), fill=TEXT
    )
    most = max([n for _, n in rows] + [report.finished, 1])
    y = 80
    for i, (stage, count) in enumerate(rows, 1):
        draw.text((32, y), _short(f"{i}. {stage.title}", 34), font=_font(17), fill=TEXT)
        _bar(draw, 360, y + 3, 330, 16, count / most, DONE)
        draw.text((704, y), str(count), font=_font(17), fill=MUTED)
        y += 36
    if report.finished:
        draw.text((32, y), t("finished"), font=_font(17), fill=TEXT)
        _bar(draw, 360, y + 3, 330, 16, report.finished / most, FULL)
        draw.text((704, y), str(report.finished), font=_font(17), fill=MUTED)
    return _png(image)

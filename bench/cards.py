"""PNG card rendering time: `python bench/cards.py` (target: 3 ms per card, issue 14).

Every round draws for another member (another name, another cohort title on the boards), so a figure
never comes from text drawn for the previous round; what repeats on every real card (stage titles,
counts, labels) is drawn once, as in production after the first card."""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine
from bot.db.models import Cohort
from bot.render import cards
from bot.roadmap import load_roadmap
from bot.services.cohorts.insight import CohortReport, StuckTopic
from bot.services.progress.leaderboard import Entry, Leaderboard
from bot.services.progress.pace import PaceStatus
from bot.services.progress.views import ProgressReport, StageProgress

ROUNDS = 100


def timed(draw) -> tuple[float, float]:  # noqa: ANN001 - a drawing call taking the round number
    draw(-1)  # fonts load once, as at the bot's first card
    times = []
    for n in range(ROUNDS):
        started = time.perf_counter()
        draw(n)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times), 1000 * max(times)


def main() -> None:
    roadmap = load_roadmap(ROOT / "roadmap.yaml")
    now = datetime.now(UTC)

    def cohort_named(n: int | str) -> Cohort:
        return Cohort(
            id=1,
            guild_id=1,
            name=f"spring {n}",
            name_key=f"spring {n}",
            channel_id=1,
            start_date=date(2026, 11, 2),
            timezone="Europe/Berlin",
            pace="standard",
            created_by=1,
            created_at=now,
        )

    cohort = cohort_named(2026)
    stages = [StageProgress(s, i % (len(s.topics) + 1), len(s.topics)) for i, s in enumerate(roadmap.stages)]
    progress = ProgressReport(
        cohort, roadmap, 1, roadmap.topics[7], 7, 31, stages, 3, 4.2, PaceStatus("behind", -2), 5, 9, 0.3, 0.25
    )
    board = Leaderboard(cohort, "week", now, now, [Entry(i + 1, 1000 + i, i, 12 - i, now, i) for i in range(10)], 40)
    names = {1000 + i: f"a rather long display name {i}" for i in range(40)}
    report = CohortReport(
        cohort,
        10_090,
        [(s, 1000 + 37 * i) for i, s in enumerate(roadmap.stages)],
        210,
        [StuckTopic(roadmap.topics[3], 40, 9, 1.75)],
        [(1, 9)],
        [],
    )

    def board_names(n: int) -> dict[int, str]:
        return {user: f"{name} {n}" for user, name in names.items()}

    rows = [
        ("/progress card", timed(lambda n: cards.progress_card(progress, f"a rather long display name {n}"))),
        (
            "weekly leaderboard card (top 10)",
            timed(lambda n: cards.leaderboard_card(board, board_names(n), f"Weekly · spring {n}")),
        ),
        ("/cohort report chart", timed(lambda n: cards.stage_chart(replace(report, cohort=cohort_named(n))))),
    ]
    print(machine())
    print("| card | median | max | target |\n|---|---|---|---|")
    for name, (median, worst) in rows:
        print(f"| {name} | {median:.1f} ms | {worst:.1f} ms | median <= 3 ms {'✅' if median <= 3 else '❌'} |")


if __name__ == "__main__":
    main()

"""The weekly study-buddy pairing: `python bench/buddies.py [--members 100 1000 3000]`.

For each cohort size: five weeks in a row, each week's groups kept as the next weeks' history (so the
last weeks run with four weeks of pairs to avoid, as in production), members spread over the roadmap's
topics. Prints the median and the slowest week's pairing time, and what the groups are like: repeated
pairs, and the share of pairs on the same stage. The pairing runs outside any write transaction
(bot.services.together.buddies), once per cohort and week."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine
from bot.services.together.pairing import Candidate, pair_members

WEEKS = 5
TOPICS = 31  # the shipped roadmap's
STAGES = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[100, 1000, 3000])
    args = parser.parse_args()
    print(machine())
    for size in args.members:
        rng = random.Random(size)
        candidates = []
        for member in range(1, size + 1):
            topic = rng.randrange(TOPICS)
            candidates.append(Candidate(member, topic * STAGES // TOPICS, topic))
        weeks: list[list[tuple[int, int]]] = []
        times, repeats, same_stage, pairs_count = [], 0, 0, 0
        stage = {c.member: c.stage for c in candidates}
        for week in range(WEEKS):
            history = [pair for earlier in weeks[-4:] for pair in earlier]
            started = time.perf_counter()
            groups = pair_members(candidates, history, f"1:{week}")
            times.append(time.perf_counter() - started)
            pairs = [pair for group in groups for pair in combinations(group, 2)]
            met = {frozenset(p) for p in history}
            repeats += sum(frozenset(p) in met for p in pairs)
            same_stage += sum(stage[a] == stage[b] for a, b in pairs)
            pairs_count += len(pairs)
            assert sorted(m for g in groups for m in g) == sorted(c.member for c in candidates)
            weeks.append(pairs)  # type: ignore[arg-type]
        print(
            f"{size:>5} members: pairing median {1000 * statistics.median(times):.1f} ms, "
            f"slowest {1000 * max(times):.1f} ms; {repeats} repeated pairs in {WEEKS} weeks; "
            f"{100 * same_stage / pairs_count:.1f}% of pairs on one stage"
        )


if __name__ == "__main__":
    main()

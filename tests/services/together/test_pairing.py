"""The study-buddy pairing rule (bot.services.together.pairing), checked against every possible grouping of
small random cohorts: nobody who opted in is left out, one trio exactly when the count is odd, and a pair
from the last four weeks is repeated only as often as no grouping at all can avoid."""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import combinations

import pytest

from bot.services.together.pairing import Candidate, pair_members


def groupings(members: list[int], trio_left: bool) -> Iterator[list[tuple[int, ...]]]:
    """Every split of `members` into pairs (and one trio when `trio_left`)."""
    if not members:
        if not trio_left:
            yield []
        return
    first, rest = members[0], members[1:]
    for k, other in enumerate(rest):
        for tail in groupings(rest[:k] + rest[k + 1 :], trio_left):
            yield [(first, other), *tail]
    if trio_left:
        for a, b in combinations(range(len(rest)), 2):
            others = [m for i, m in enumerate(rest) if i not in (a, b)]
            for tail in groupings(others, False):
                yield [(first, rest[a], rest[b]), *tail]


def repeats(groups: list[tuple[int, ...]], met: set[frozenset[int]]) -> int:
    return sum(frozenset(pair) in met for group in groups for pair in combinations(group, 2))


def stage_distance(groups: list[tuple[int, ...]], stage: dict[int, int]) -> int:
    return sum(abs(stage[a] - stage[b]) for group in groups for a, b in combinations(group, 2))


def random_cohort(rng: random.Random, size: int) -> tuple[list[Candidate], list[tuple[int, int]]]:
    ids = rng.sample(range(1, 1000), size)
    candidates = []
    for member in ids:
        topic = rng.randint(0, 12)
        candidates.append(Candidate(member, topic // 4, topic))
    history = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, size * 2))]
    return candidates, history  # type: ignore[return-value]


@pytest.mark.parametrize("seed", range(6))
def test_nobody_left_out_and_no_repeat_that_any_grouping_could_avoid(seed):
    rng = random.Random(seed)
    for _ in range(120):
        candidates, history = random_cohort(rng, rng.randint(2, 9))
        ids = [c.member for c in candidates]
        met = {frozenset(p) for p in history}
        groups = pair_members(candidates, history, f"week-{seed}")
        assert sorted(m for g in groups for m in g) == sorted(ids)
        assert sorted(len(g) for g in groups) == [2] * (len(ids) // 2 - len(ids) % 2) + [3] * (len(ids) % 2)
        fewest = min(repeats(g, met) for g in groupings(ids, len(ids) % 2 == 1))
        assert repeats(groups, met) == fewest, (candidates, history, groups)


def test_without_history_partners_are_on_the_same_stage_when_they_can_be():
    stages = {1: 0, 2: 3, 3: 0, 4: 3, 5: 1, 6: 1, 7: 0}
    candidates = [Candidate(m, s, s * 4) for m, s in stages.items()]
    groups = pair_members(candidates, [], "w")
    assert stage_distance(groups, stages) == 0
    assert sorted(sorted(g) for g in groups) == [[1, 3, 7], [2, 4], [5, 6]]
    # The nearest stage when the same one has nobody left: 0 and 2 rather than 0 and 5.
    stages = {1: 0, 2: 2, 3: 5, 4: 5}
    groups = pair_members([Candidate(m, s, s) for m, s in stages.items()], [], "w")
    assert sorted(sorted(g) for g in groups) == [[1, 2], [3, 4]]


def test_a_repeat_is_avoided_even_at_the_price_of_a_further_stage():
    stages = {1: 0, 2: 0, 3: 4, 4: 4}
    groups = pair_members([Candidate(m, s, s) for m, s in stages.items()], [(1, 2), (3, 4)], "w")
    assert repeats(groups, {frozenset((1, 2)), frozenset((3, 4))}) == 0


def test_the_same_data_gives_the_same_groups_in_whatever_order_it_comes():
    rng = random.Random(7)
    candidates, history = random_cohort(rng, 40)
    first = pair_members(candidates, history, "c1:2026-11-30")
    for _ in range(5):
        rng.shuffle(candidates)
        rng.shuffle(history)
        assert pair_members(candidates, history, "c1:2026-11-30") == first
    assert pair_members(candidates, history, "c1:2026-12-07") != first  # another week, other ties


def test_weeks_in_a_row_rotate_partners_on_one_stage():
    """Eight members on one topic, four weeks in a row: 28 possible pairs, 16 used, none twice."""
    candidates = [Candidate(m, 0, 0) for m in range(1, 9)]
    history: list[tuple[int, int]] = []
    for n in range(4):
        groups = pair_members(candidates, history, f"c1:week{n}")
        pairs = [tuple(g) for g in groups]
        assert not {frozenset(p) for p in pairs} & {frozenset(p) for p in history}
        history += pairs  # type: ignore[arg-type]


def test_fewer_than_two_make_no_group_and_duplicates_count_once():
    assert pair_members([], [], "w") == []
    assert pair_members([Candidate(1, 0, 0)], [], "w") == []
    assert pair_members([Candidate(1, 0, 0), Candidate(1, 0, 0), Candidate(2, 1, 5)], [], "w") == [(1, 2)]

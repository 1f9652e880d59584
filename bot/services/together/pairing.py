"""Who studies with whom this week: the pairing of study buddies, as pure data in and out.

The rule, in order of weight: everybody who opted in is in a group (pairs, one trio when the count is
odd); as few groups as possible repeat a pair from the last four weeks; then partners are on the same or
the nearest stage; then on the nearest topic. Ties are broken by a hash of the week and the member, so
the same data always gives the same groups (whatever order it comes in) and a stage's members meet
different people from week to week.

How: members sorted by where they are, split into neighbouring pairs (one trio) the cheapest way; then
Edmonds' blossom algorithm grows that to a largest set of pairs that repeat nobody, so a repeat is left
only when none can be avoided (for an odd count up to EXACT_TRIO_LIMIT, every trio is tried); then
members move between two groups while that lowers the cost without adding a repeat.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

# Improvement passes over all pairs of groups; each pass only runs after a pass that improved something.
MAX_PASSES = 20
# Up to this many members, an odd count whose trio still repeats a pair tries every trio (a repeat forced
# that way needs a history as dense as a small group's: each week adds at most two partners a member).
EXACT_TRIO_LIMIT = 21
# How far along the roadmap order a group looks for members to swap with.
NEAR = 8


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member who opted in: their membership id and where they are (a finished member is past the
    last stage)."""

    member: int
    stage: int  # 0-based stage index
    topic: int  # 0-based position among all topics


Cost = tuple[int, int, int]  # repeated pairs, stage distance, topic distance


def pair_members(
    candidates: Iterable[Candidate], recent: Iterable[tuple[int, int]], seed: str
) -> list[tuple[int, ...]]:
    """Groups of membership ids (pairs, and one trio when the count is odd), each group and the list in
    the order members stand on the roadmap. Fewer than two candidates: no group. `recent`: pairs of
    members grouped together in the last four weeks. `seed` (cohort and week) breaks ties."""
    people = _ordered(list(candidates), seed)
    if len(people) < 2:
        return []
    met = {frozenset(p) for p in recent}
    board = _Board(people, met)
    groups = board.improve(board.pairs_and_trio())
    if board.n % 2 and board.n <= EXACT_TRIO_LIMIT and board.total(groups)[0] > 0:
        groups = board.improve(board.best_trio(groups))
    return sorted((tuple(people[i].member for i in sorted(g)) for g in groups), key=lambda g: board.rank[g[0]])


def _tiebreak(seed: str, member: int) -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}:{member}".encode(), digest_size=8).digest(), "big")


def _ordered(candidates: list[Candidate], seed: str) -> list[Candidate]:
    unique = {c.member: c for c in candidates}
    return sorted(unique.values(), key=lambda c: (c.stage, c.topic, _tiebreak(seed, c.member), c.member))


class _Board:
    """The candidates by index (0 = furthest behind) and the costs between them."""

    def __init__(self, people: list[Candidate], met: set[frozenset[int]]) -> None:
        self.people = people
        self.met = met
        self.n = len(people)
        self.rank = {c.member: i for i, c in enumerate(people)}
        self.stage = [c.stage for c in people]
        self.topic = [c.topic for c in people]
        # The pairs met lately, as (lower index, higher index) of this board.
        self.seen = {
            (min(self.rank[a], self.rank[b]), max(self.rank[a], self.rank[b]))
            for a, b in (tuple(pair) for pair in met if len(pair) == 2)
            if a in self.rank and b in self.rank
        }

    def repeat(self, i: int, j: int) -> bool:
        return ((i, j) if i < j else (j, i)) in self.seen

    def cost(self, i: int, j: int) -> Cost:
        return (
            ((i, j) if i < j else (j, i)) in self.seen,
            abs(self.stage[i] - self.stage[j]),
            abs(self.topic[i] - self.topic[j]),
        )

    def total(self, groups: Iterable[Sequence[int]]) -> Cost:
        cost = (0, 0, 0)
        for group in groups:
            cost = _add(cost, self.group_cost(group))
        return cost

    def pairs_and_trio(self) -> list[list[int]]:
        """Everyone grouped, with as few repeated pairs as pairs alone allow."""
        match = self.neighbours()
        self.nearest(match)
        self.grow(match)
        return self.groups(match)

    def best_trio(self, groups: list[list[int]]) -> list[list[int]]:
        """For an odd count: every possible trio with the fewest pairs for the others, when that repeats
        less than `groups` (which is returned otherwise)."""
        best, best_cost = groups, self.total(groups)
        everyone = range(self.n)
        for trio in combinations(everyone, 3):
            trio_cost = self.group_cost(trio)
            if trio_cost[0] >= best_cost[0]:
                continue
            rest = [i for i in everyone if i not in trio]
            others = _Board([self.people[i] for i in rest], self.met)
            candidate = [list(trio)] + [[rest[k] for k in g] for g in others.pairs_and_trio()]
            cost = self.total(candidate)
            if cost < best_cost:
                best, best_cost = candidate, cost
                if cost[0] == 0:
                    break
        return best

    def group_cost(self, group: Sequence[int]) -> Cost:
        total = (0, 0, 0)
        for i, j in combinations(group, 2):
            total = _add(total, self.cost(i, j))
        return total

    # --- 1. neighbours on the roadmap ---------------------------------------------------------

    def neighbours(self) -> list[int]:
        """A matching (match[i] = partner or -1) from the cheapest split of the roadmap order into runs of
        two (and one of three for an odd count): the best there is when nobody met lately. Its repeated
        pairs are left out, and a trio gives its cheapest unrepeated pair, for `grow` to mend."""
        n = self.n
        # best[i][t]: the cost of grouping the first i members, t = whether the trio is among them.
        best: list[list[Cost | None]] = [[None, None] for _ in range(n + 1)]
        step: list[list[int]] = [[0, 0] for _ in range(n + 1)]
        best[0][0] = (0, 0, 0)
        for i in range(2, n + 1):
            for trio in (0, 1):
                options = []
                if best[i - 2][trio] is not None:
                    options.append((_add(best[i - 2][trio], self.group_cost((i - 2, i - 1))), 2))
                if trio and i >= 3 and best[i - 3][0] is not None:
                    options.append((_add(best[i - 3][0], self.group_cost((i - 3, i - 2, i - 1))), 3))
                if options:
                    best[i][trio], step[i][trio] = min(options)
        match = [-1] * n
        i, trio = n, n % 2
        while i > 0:
            size = step[i][trio]
            group = range(i - size, i)
            free = [(self.cost(a, b), a, b) for a, b in combinations(group, 2) if not self.repeat(a, b)]
            if free:
                _, a, b = min(free)
                match[a], match[b] = b, a
            i -= size
            trio = 0 if size == 3 else trio
        return match

    def nearest(self, match: list[int]) -> None:
        """Pair, in place, each member still alone with the nearest one further on who is alone too and
        was not met lately (cheap, and it leaves `grow` little to do)."""
        alone = [i for i in range(self.n) if match[i] == -1]
        for k, i in enumerate(alone):
            if match[i] != -1:
                continue
            best, best_cost = -1, None
            for j in alone[k + 1 :]:
                if match[j] != -1 or self.repeat(i, j):
                    continue
                c = self.cost(i, j)
                if best_cost is None or c < best_cost:
                    best, best_cost = j, c
                elif c[1] > best_cost[1]:
                    break  # in roadmap order: everyone further on is further away
            if best != -1:
                match[i], match[best] = best, i

    # --- 2. as many unrepeated pairs as there can be (Edmonds' blossoms) ----------------------

    def grow(self, match: list[int]) -> None:
        """Augment `match` in place until no unrepeated pair can be added by any rearrangement."""
        for root in range(self.n):
            if match[root] == -1:
                end, parent = self._augmenting_path(root, match)
                while end != -1:
                    previous = parent[end]
                    after = match[previous]
                    match[end], match[previous] = previous, end
                    end = after

    def _augmenting_path(self, root: int, match: list[int]) -> tuple[int, list[int]]:
        n = self.n
        used = [False] * n
        parent = [-1] * n
        base = list(range(n))
        used[root] = True
        queue = deque([root])

        def common_base(a: int, b: int) -> int:
            seen = [False] * n
            while True:
                a = base[a]
                seen[a] = True
                if match[a] == -1:
                    break
                a = parent[match[a]]
            while True:
                b = base[b]
                if seen[b]:
                    return b
                b = parent[match[b]]

        def mark(v: int, b: int, child: int, blossom: list[bool]) -> None:
            while base[v] != b:
                blossom[base[v]] = blossom[base[match[v]]] = True
                parent[v] = child
                child = match[v]
                v = parent[match[v]]

        while queue:
            v = queue.popleft()
            for to in range(n):
                if to == v or self.repeat(v, to) or base[v] == base[to] or match[v] == to:
                    continue
                if to == root or (match[to] != -1 and parent[match[to]] != -1):
                    b = common_base(v, to)
                    blossom = [False] * n
                    mark(v, b, to, blossom)
                    mark(to, b, v, blossom)
                    for i in range(n):
                        if blossom[base[i]]:
                            base[i] = b
                            if not used[i]:
                                used[i] = True
                                queue.append(i)
                elif parent[to] == -1:
                    parent[to] = v
                    if match[to] == -1:
                        return to, parent
                    used[match[to]] = True
                    queue.append(match[to])
        return -1, parent

    # --- 3. everyone in a group ----------------------------------------------------------------

    def groups(self, match: list[int]) -> list[list[int]]:
        """The matched pairs, the unmatched paired among themselves in order (they have all met: the
        matching is maximum), and a last one left over joining the group where it costs least."""
        groups = [[i, match[i]] for i in range(self.n) if match[i] > i]
        left = [i for i in range(self.n) if match[i] == -1]
        groups += [left[k : k + 2] for k in range(0, len(left) - 1, 2)]
        if len(left) % 2:
            last = left[-1]
            best = min(range(len(groups)), key=lambda g: (self.group_cost([*groups[g], last]), g))
            groups[best].append(last)
        return groups

    # --- 4. swaps between two groups that lower their cost ---------------------------------------

    def improve(self, groups: list[list[int]]) -> list[list[int]]:
        """Move members between two groups while that lowers the two groups' cost (repeats first), so a
        trio never keeps a repeat another member could spare it, and nobody stays far when near is free.
        A group only looks at the groups of members near its own on the roadmap (NEAR either side)."""
        where = [0] * self.n
        for g, group in enumerate(groups):
            for i in group:
                where[i] = g
        for _ in range(MAX_PASSES):
            changed = False
            for x in range(len(groups)):
                if self.group_cost(groups[x]) == (0, 0, 0):
                    continue
                near = {where[j] for i in groups[x] for j in range(max(0, i - NEAR), min(self.n, i + NEAR + 1))}
                for y in sorted(near - {x}):
                    better = self._better_split(groups[x], groups[y])
                    if better is not None:
                        groups[x], groups[y] = better
                        for g in (x, y):
                            for i in groups[g]:
                                where[i] = g
                        changed = True
            if not changed:
                break
        return groups

    def _better_split(self, a: list[int], b: list[int]) -> tuple[list[int], list[int]] | None:
        """The cheapest re-split of the two groups' members into groups of the same sizes, if cheaper."""
        members = a + b
        best, best_cost = None, _add(self.group_cost(a), self.group_cost(b))
        for picked in combinations(range(len(members)), len(a)):
            new_a = [members[k] for k in picked]
            new_b = [m for k, m in enumerate(members) if k not in picked]
            c = _add(self.group_cost(new_a), self.group_cost(new_b))
            if c < best_cost:
                best, best_cost = (new_a, new_b), c
        return best


def _add(a: Cost, b: Cost) -> Cost:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])

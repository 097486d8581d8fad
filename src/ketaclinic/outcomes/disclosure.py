"""Small-cell suppression for figures tied together by published sums (the network reports).

The network pages publish counts that add up: each location's courses add up to the network's,
each group's courses at the locations add up to the group's network figure, and each
location's groups add up to that location's courses. A rule that only looks at one line at a
time can leave a hidden cell that the other lines give away, so `protect` works on every
published sum at once:

1. Primary suppression: a count of 1 to 10 is hidden (CMS cell size suppression policy), and so
   is every cell the caller hides for its own reason (a rate whose denominator is hidden...).
2. Complementary suppression, line by line: wherever a sum has exactly one hidden figure, the
   smallest other non-zero figure of that sum is hidden too.
3. The exact check: the hidden cells are the unknowns of the linear system the published sums
   make. A hidden cell can be worked out exactly when it takes the same value in every
   solution, that is when its component is zero in every vector of the system's null space.
   While one can, the smallest non-zero shown figure of a sum it is in is hidden, and the check
   runs again.

What it does not do: find the fewest cells to hide (an optimal suppression is an integer
programme), or protect against bounds. Counts are never negative, so a hidden cell can sometimes
be narrowed to a range; the CMS policy is about showing or deriving the count itself.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.linalg import null_space

from ketaclinic.outcomes.definitions import SMALL_CELL_MIN
from ketaclinic.outcomes.rules import (
    COMPLEMENT,
    DENOMINATOR,
    SMALL_COMPLEMENT,
    Cell,
    RateCell,
    is_small,
    suppress_count,
)

# A null-space component below this is zero (the system's coefficients are 0, 1 and -1).
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Sum:
    """A published relation: the figure `total` is the sum of the figures `parts`."""

    total: Hashable
    parts: tuple[Hashable, ...]

    @property
    def cells(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)


def determined(hidden: Iterable[Hashable], sums: Sequence[Sum]) -> list[Hashable]:
    """The hidden cells whose value the shown cells and the sums fix exactly."""
    unknown = list(hidden)
    if not unknown:
        return []
    index = {key: i for i, key in enumerate(unknown)}
    rows = []
    for relation in sums:
        row = np.zeros(len(unknown))
        for key in relation.parts:
            if key in index:
                row[index[key]] += 1
        if relation.total in index:
            row[index[relation.total]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return []
    basis = null_space(np.array(rows))
    if basis.size == 0:
        return unknown
    free = np.abs(basis).max(axis=1) > TOLERANCE
    return [key for key, is_free in zip(unknown, free, strict=True) if not is_free]


def _partner(
    counts: Mapping, cells: Mapping, keys: Iterable[Hashable], known: Collection = ()
) -> Hashable | None:
    """The cell to hide with a hidden one: the smallest non-zero shown cell, else a shown 0
    (never one the reader knows anyway)."""
    shown = sorted(
        {k for k in keys if not cells[k].suppressed and k not in known},
        key=lambda k: (counts[k] == 0, counts[k]),
    )
    return shown[0] if shown else None


def protect(
    counts: Mapping[Hashable, int],
    sums: Sequence[Sum],
    minimum: int = SMALL_CELL_MIN,
    *,
    hidden: Mapping[Hashable, str] | None = None,
    known: Collection = (),
) -> dict[Hashable, Cell]:
    """Every cell as it may be shown, so that no hidden cell can be worked out exactly.

    `known`: cells this reader knows whatever the page shows (a location whose records they
    may open). They are hidden as any other cell would be, but count as known in the sums."""
    cells = {k: suppress_count(v, minimum) for k, v in counts.items()}
    for key, reason in (hidden or {}).items():
        if not cells[key].suppressed:
            cells[key] = Cell(None, reason)
    order = {key: i for i, key in enumerate(counts)}
    while True:
        if _complement_lines(counts, cells, sums, known):
            continue
        unknown = [k for k in _hidden(cells) if k not in known]
        exposed = determined(sorted(unknown, key=order.__getitem__), sums)
        if not exposed:
            return cells
        key = exposed[0]
        near = [k for relation in sums if key in relation.cells for k in relation.cells]
        partner = _partner(counts, cells, near, known)
        if partner is None:
            partner = _partner(counts, cells, counts, known)
        if partner is None:  # nothing left to hide
            return cells
        cells[partner] = Cell(None, COMPLEMENT)


def _hidden(cells: Mapping[Hashable, Cell]) -> list[Hashable]:
    return [k for k, c in cells.items() if c.suppressed]


def _complement_lines(counts, cells, sums, known) -> bool:
    changed = False
    for relation in sums:
        line = relation.cells
        if sum(cells[k].suppressed and k not in known for k in line) == 1:
            partner = _partner(counts, cells, [k for k in line if counts[k] > 0], known)
            if partner is not None:
                cells[partner] = Cell(None, COMPLEMENT)
                changed = True
    return changed


def part_seeds(
    parts: Mapping[Hashable, int], wholes: Mapping[Hashable, int], whole_cells, minimum
) -> dict[Hashable, str]:
    """Cells of a count that is part of another shown beside it (responders of evaluable
    courses, evaluable courses of all courses) to hide before suppressing: where the whole is
    hidden, and where the rest of the whole (whole - part) is small."""
    seeds = {}
    for key, part in parts.items():
        whole = wholes[key]
        if part > whole:
            raise ValueError(f"{key}: {part} is more than its whole {whole}")
        if whole_cells[key].suppressed:
            seeds[key] = DENOMINATOR
        elif is_small(whole - part, minimum) and not is_small(part, minimum):
            seeds[key] = SMALL_COMPLEMENT
    return seeds


def protect_rates(
    rates: Mapping[Hashable, tuple[int, int]],
    sums: Sequence[Sum],
    minimum: int = SMALL_CELL_MIN,
    *,
    denominators_hidden: Mapping[Hashable, str] | None = None,
    known: Collection = (),
) -> dict[Hashable, RateCell]:
    """`protect` for rates {cell: (numerator, denominator)} whose numerators and denominators
    each add up along `sums`. A numerator is hidden with its denominator, and where the rest of
    its group (denominator - numerator) is small; `denominators_hidden` seeds the
    denominators the same way (evaluable courses as part of all courses)."""
    dens = {k: d for k, (_, d) in rates.items()}
    denominators = protect(dens, sums, minimum, hidden=denominators_hidden, known=known)
    nums = {k: n for k, (n, _) in rates.items()}
    seeds = part_seeds(nums, dens, denominators, minimum)
    numerators = protect(nums, sums, minimum, hidden=seeds, known=known)
    return {k: RateCell(numerators[k], denominators[k]) for k in rates}

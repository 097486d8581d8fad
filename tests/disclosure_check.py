"""An exact check of small-cell suppression, written apart from the code it checks: which
hidden figures a reader can compute from the figures shown and the published sums (rational
elimination; the product uses a floating-point null space)."""

from fractions import Fraction


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [list(r) for r in rows]
    rank, columns = 0, len(rows[0]) if rows else 0
    for col in range(columns):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def worked_out(cells, sums) -> list:
    """The hidden cells a reader can compute exactly: those whose unit vector lies in the row
    space of the sums restricted to the hidden cells."""
    hidden = [k for k, c in cells.items() if c.suppressed]
    if not hidden:
        return []
    index = {k: i for i, k in enumerate(hidden)}
    rows = []
    for relation in sums:
        row = [Fraction(0)] * len(hidden)
        for k in relation.parts:
            if k in index:
                row[index[k]] += 1
        if relation.total in index:
            row[index[relation.total]] -= 1
        if any(row):
            rows.append(row)
    base = _rank(rows) if rows else 0
    found = []
    for k, i in index.items():
        unit = [Fraction(int(j == i)) for j in range(len(hidden))]
        if _rank([*rows, unit]) == base:
            found.append(k)
    return found

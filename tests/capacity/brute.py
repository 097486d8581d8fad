"""Exhaustive search for the best plan of a tiny week, written apart from the planner.

It tries every start on the grid and every chair for every session (or leaves it out), keeps
what breaks no rule (a nurse on shift is found for each session by trying every hand-out),
and scores complete plans by the planner's documented objectives:
(1) due sessions placed, each worth 1 + the sum of all priorities, plus its own priority;
(2) waiting patients started, each worth 2^n + 2^(n-1-position in rank order);
(3) idle chair minutes: opening minutes of every chair-day in use minus the chair minutes of
the sessions placed. Nothing is pruned except by those rules and by swapping identical empty
chairs (which changes no objective).
"""

import datetime as dt

from ketaclinic.capacity.planner.inputs import NURSE, PRESCRIBER


def _at(day, clock):
    return dt.datetime.combine(day, clock)


def _inside(spans, a, b):
    spans = sorted(spans)
    joined = []
    for s, e in spans:
        if joined and s <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], e))
        else:
            joined.append((s, e))
    return any(s <= a and b <= e for s, e in joined)


class _Item:
    def __init__(self, key, demand, sequence, group, prev):
        self.key, self.demand, self.sequence, self.group, self.prev = (
            key,
            demand,
            sequence,
            group,
            prev,
        )
        self.options = []


def best_objective(data):
    """The best (sessions value, new-patients value, -idle minutes) over every plan."""
    minute = dt.timedelta(minutes=1)
    grid = dt.timedelta(minutes=data.grid_min)
    opening = {}
    for w in data.opening:
        opening.setdefault(w.day, []).append((_at(w.day, w.start), _at(w.day, w.end)))
    nurse_spans, doc_spans = {}, []
    for s in data.shifts:
        span = (_at(s.day, s.start), _at(s.day, s.end))
        if s.role == NURSE:
            nurse_spans.setdefault(s.staff_id, []).append(span)
        elif s.role == PRESCRIBER:
            doc_spans.append(span)
    nurses = list(nurse_spans)
    ratio = data.staffing.chairs_per_nurse

    items = []
    by_session = {}
    for demand in data.sessions:
        item = _Item(demand.id, demand, 1, None, None)
        items.append(item)
        by_session[demand.id] = item
    for item in items:
        if item.demand.previous_id:
            item.prev = by_session[item.demand.previous_id]
    # Earlier sessions of a course first, so a later one can look at where it went.
    ordered, seen = [], set()

    def visit(item):
        if item.key in seen:
            return
        if item.prev is not None:
            visit(item.prev)
        seen.add(item.key)
        ordered.append(item)

    for item in items:
        visit(item)
    ranked = sorted(data.new_patients, key=lambda p: (p.rank, p.id))
    for position, demand in enumerate(ranked):
        prev = None
        for sequence in range(1, demand.sessions_in_week + 1):
            item = _Item(f"{demand.id}#{sequence}", demand, sequence, position, prev)
            ordered.append(item)
            prev = item
    n_groups = len(ranked)
    base = 1 + sum(s.priority for s in data.sessions)

    for item in ordered:
        d, t = item.demand, item.demand.timing
        for offset in range(data.days):
            day = data.week_start + dt.timedelta(days=offset)
            if (d.earliest and day < d.earliest) or (d.latest and day > d.latest):
                continue
            last = getattr(d, "last_dosed_on", None)
            if last is not None and item.prev is None:
                gap = (day - last).days
                if gap < d.min_gap_days or (d.max_gap_days is not None and gap > d.max_gap_days):
                    continue
            moment = _at(day, dt.time())
            while moment.date() == day:
                start = moment
                moment += grid
                dose = start + t.arrival_min * minute
                end = start + t.patient_min * minute
                free = start + t.chair_min * minute
                if not any(a <= start and free <= b for a, b in opening.get(day, [])):
                    continue
                if d.availability and not any(
                    _at(w.day, w.start) <= start and end <= _at(w.day, w.end)
                    for w in d.availability
                ):
                    continue
                if d.kind in data.staffing.prescriber_on_site_for and not _inside(
                    doc_spans, dose, end
                ):
                    continue
                on_shift = tuple(
                    n for n in nurses if any(a <= start and end <= b for a, b in nurse_spans[n])
                )
                if not on_shift:
                    continue
                for chair in data.chairs:
                    if d.kind in chair.capabilities:
                        item.options.append((start, end, free, chair.id, on_shift))

    kinds_of = {c.id: c.capabilities for c in data.chairs}
    open_min = {day: sum((b - a) / minute for a, b in spans) for day, spans in opening.items()}
    best = [None]
    placed = {}

    def fits(option, item):
        start, _end, free, chair, _ = option
        if item.prev is not None:
            before = placed.get(item.prev.key)
            if before is None:
                return False
            gap = (start.date() - before[0].date()).days
            if gap < item.demand.min_gap_days:
                return False
            if item.demand.max_gap_days is not None and gap > item.demand.max_gap_days:
                return False
        for other in placed.values():
            if other[3] == chair and start < other[2] and other[0] < free:
                return False
        return nurses_suffice([*placed.values(), option])

    def nurses_suffice(sessions):
        # Some nurse on shift for each session, no nurse over the ratio at any moment: try
        # every way to hand the sessions to nurses (the nurse changes no objective).
        sessions = sorted(sessions)
        chosen = []

        def hand(k):
            if k == len(sessions):
                return True
            start = sessions[k][0]
            for n in sessions[k][4]:
                load = 1 + sum(1 for s, m in chosen if m == n and s[0] <= start < s[1])
                if load <= ratio:
                    chosen.append((sessions[k], n))
                    if hand(k + 1):
                        return True
                    chosen.pop()
            return False

        return hand(0)

    def score():
        due = [i for i in ordered if i.group is None and i.key in placed]
        groups = {}
        for i in ordered:
            if i.group is not None:
                groups.setdefault(i.group, []).append(i.key in placed)
        started = [g for g, flags in groups.items() if all(flags)]
        if any(any(flags) and not all(flags) for flags in groups.values()):
            return None
        used = {(o[3], o[0].date()) for o in placed.values()}
        busy = sum(i.demand.timing.chair_min for i in ordered if i.key in placed)
        idle = sum(open_min[day] for _, day in used) - busy
        return (
            sum(base + i.demand.priority for i in due),
            sum(2**n_groups + 2 ** (n_groups - 1 - g) for g in started),
            -int(idle),
        )

    def search(k):
        if k == len(ordered):
            value = score()
            if value is not None and (best[0] is None or value > best[0]):
                best[0] = value
            return
        item = ordered[k]
        search(k + 1)  # left out
        used_chairs = {o[3] for o in placed.values()}
        tried_empty = set()
        for option in item.options:
            chair = option[3]
            if chair not in used_chairs:
                # Identical empty chairs are interchangeable: try one of each kind.
                signature = (kinds_of[chair], option[:3], option[4])
                if signature in tried_empty:
                    continue
                tried_empty.add(signature)
            if fits(option, item):
                placed[item.key] = option
                search(k + 1)
                del placed[item.key]

    search(0)
    return best[0]

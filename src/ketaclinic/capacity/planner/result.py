"""What a plan answers: the sessions placed, what could not be placed and why, and the numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"


@dataclass(frozen=True)
class PlannedSession:
    """One placed session: who, which chair and nurse, and its times on the clinic's clock."""

    session_id: str | None
    new_patient_id: str | None
    sequence: int
    patient_id: str
    kind: str
    chair_id: str
    nurse_id: str
    start: dt.datetime  # arrival and pre-checks
    dose_start: dt.datetime
    dose_end: dt.datetime
    end: dt.datetime  # observation over: the patient may leave
    chair_free: dt.datetime  # after turnover

    @property
    def demand_id(self) -> str:
        return self.session_id or self.new_patient_id or ""

    def as_dict(self) -> dict:
        key = {"session_id": self.session_id} if self.session_id else {}
        if self.new_patient_id:
            key = {"new_patient_id": self.new_patient_id, "sequence": self.sequence}
        return key | {
            "patient_id": self.patient_id,
            "kind": self.kind,
            "chair": self.chair_id,
            "start": self.start.isoformat(),
            "dose_start": self.dose_start.isoformat(),
            "end": self.end.isoformat(),
            "chair_free": self.chair_free.isoformat(),
            "nurse_id": self.nurse_id,
        }


@dataclass(frozen=True)
class Unplaced:
    """A due session not placed, or a waiting patient who cannot start, and what blocked it."""

    session_id: str | None
    new_patient_id: str | None
    patient_id: str
    blocked_by: tuple[str, ...]
    detail: str

    def as_dict(self) -> dict:
        key = (
            {"session_id": self.session_id}
            if self.session_id
            else {"new_patient_id": self.new_patient_id}
        )
        return key | {
            "patient_id": self.patient_id,
            "blocked_by": list(self.blocked_by),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Level:
    """One objective in the lexicographic order: the value reached and CP-SAT's best bound."""

    name: str
    sense: str  # "max" or "min"
    value: int
    bound: int
    optimal: bool
    # The same in plain numbers: sessions placed, patients started, minutes (weights removed).
    count: int = 0
    count_bound: int = 0

    @property
    def gap(self) -> int:
        """How far the proven bound is from the value reached (0 when optimal)."""
        return abs(self.bound - self.value)

    def as_dict(self) -> dict:
        return asdict(self) | {"gap": self.gap}


@dataclass(frozen=True)
class ResourceUse:
    """Minutes in use against minutes available (chairs: open time; nurses: shift x ratio)."""

    used_min: int
    available_min: int

    @property
    def fraction(self) -> float:
        return self.used_min / self.available_min if self.available_min else 0.0

    def as_dict(self) -> dict:
        return asdict(self) | {"fraction": round(self.fraction, 3)}


@dataclass(frozen=True)
class PlanResult:
    method: str  # "cp-sat" or "greedy"
    status: str
    levels: tuple[Level, ...]
    sessions: tuple[PlannedSession, ...]
    unplaced: tuple[Unplaced, ...]
    not_started: tuple[Unplaced, ...]
    chairs: dict[str, ResourceUse]
    nurses: dict[str, ResourceUse]
    sessions_due: int
    sessions_placed: int
    new_patients_started: int
    idle_chair_min: int
    seconds: float
    notes: tuple[str, ...] = field(default=())

    @property
    def blocking_counts(self) -> dict[str, int]:
        """How often each constraint family blocked a session or a start."""
        counts: dict[str, int] = {}
        for item in (*self.unplaced, *self.not_started):
            for family in item.blocked_by:
                counts[family] = counts.get(family, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "status": self.status,
            "levels": [level.as_dict() for level in self.levels],
            "sessions": [s.as_dict() for s in self.sessions],
            "unplaced": [u.as_dict() for u in self.unplaced],
            "not_started": [u.as_dict() for u in self.not_started],
            "utilisation": {
                "chairs": {k: v.as_dict() for k, v in self.chairs.items()},
                "nurses": {k: v.as_dict() for k, v in self.nurses.items()},
            },
            "sessions_due": self.sessions_due,
            "sessions_placed": self.sessions_placed,
            "new_patients_started": self.new_patients_started,
            "idle_chair_min": self.idle_chair_min,
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
        }

"""Registries for navigation items, patient-chart tabs and trajectory-chart markers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from . import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: str
    order: int = 100


@dataclass(frozen=True)
class ChartTab:
    """A tab of the patient chart; its view takes `patient_id` and extends the chart layout."""

    key: str
    label: str
    url_name: str
    action: str
    order: int = 100


@dataclass(frozen=True)
class ChartMarker:
    at: datetime
    label: str
    kind: str


@dataclass(frozen=True)
class WorkSection:
    """A heading of the home work queue. Its count also shows beside `nav_url_name` in the
    navigation (when the user has that link)."""

    key: str
    title: str
    order: int = 100
    nav_url_name: str = ""
    urgent_word: str = "urgent"  # how the count of urgent items reads ("2 overdue")


@dataclass(frozen=True)
class WorkItem:
    """A line of a user's work queue on the home page: what is waiting, and where to do it.

    `action_url` (with `action_label`) is a one-click POST for the item (e.g. check in)."""

    label: str
    detail: str
    url: str
    urgent: bool = False
    section: str = "other"
    action_label: str = ""
    action_url: str = ""


@dataclass(frozen=True)
class WorkGroup:
    section: WorkSection
    items: list

    @property
    def urgent_count(self) -> int:
        return sum(1 for item in self.items if item.urgent)


_nav: dict[str, NavItem] = {}
_work_providers: list[Callable] = []
_sections: dict[str, WorkSection] = {
    "other": WorkSection("other", "Other work waiting for you", order=900)
}
_tabs: dict[str, ChartTab] = {}
_marker_providers: list[Callable] = []
_last_session_providers: list[Callable] = []


def register_nav_item(item: NavItem) -> None:
    _nav[item.url_name] = item


def register_chart_tab(tab: ChartTab) -> None:
    _tabs[tab.key] = tab


def register_trajectory_markers(provider: Callable) -> None:
    """`provider(patient) -> list[ChartMarker]`, drawn on the measures trajectory chart."""
    if provider not in _marker_providers:
        _marker_providers.append(provider)


def register_last_sessions(provider: Callable) -> None:
    """`provider(clinic_id, patient_ids, now) -> {patient_id: datetime}`: each patient's latest
    treatment session (dose start) up to `now`, for many patients in one read."""
    if provider not in _last_session_providers:
        _last_session_providers.append(provider)


def last_sessions(clinic_id, patient_ids, now) -> dict:
    """Each patient's latest session up to `now` across the registered providers."""
    latest: dict = {}
    for provider in _last_session_providers:
        for patient_id, at in provider(clinic_id, patient_ids, now).items():
            if at is not None and (patient_id not in latest or at > latest[patient_id]):
                latest[patient_id] = at
    return latest


def register(
    *,
    nav=(),
    chart_tabs=(),
    work_sections=(),
    work_items=(),
    trajectory_markers=(),
    last_sessions=(),
) -> None:
    """An app's additions to the shared screens, declared in one call from its ui.py: navigation
    items, patient-chart tabs, home work-queue sections and the providers of their items, and
    providers of markers for the measures trajectory chart."""
    for item in nav:
        register_nav_item(item)
    for tab in chart_tabs:
        register_chart_tab(tab)
    for section in work_sections:
        register_work_section(section)
    for provider in work_items:
        register_work_items(provider)
    for provider in trajectory_markers:
        register_trajectory_markers(provider)
    for provider in last_sessions:
        register_last_sessions(provider)


def nav_items_for(user) -> list[NavItem]:
    return sorted(
        (i for i in _nav.values() if permissions.can(user, i.action)), key=lambda i: i.order
    )


def chart_tabs_for(user) -> list[ChartTab]:
    return sorted(
        (t for t in _tabs.values() if permissions.can(user, t.action)), key=lambda t: t.order
    )


def trajectory_markers(patient) -> list[ChartMarker]:
    markers: list[ChartMarker] = []
    for provider in _marker_providers:
        markers.extend(provider(patient))
    return sorted(markers, key=lambda m: m.at)


def register_work_items(provider: Callable) -> None:
    """`provider(user) -> list[WorkItem]`: what waits for the user (shown on the home page)."""
    if provider not in _work_providers:
        _work_providers.append(provider)


def register_work_section(section: WorkSection) -> None:
    _sections[section.key] = section


def work_items_for(user) -> list[WorkItem]:
    items: list[WorkItem] = []
    for provider in _work_providers:
        items.extend(provider(user))
    return items


def work_groups_for(user) -> list[WorkGroup]:
    """The user's work queue by section, in the sections' order; empty sections left out."""
    grouped: dict[str, list[WorkItem]] = {}
    for item in work_items_for(user):
        key = item.section if item.section in _sections else "other"
        grouped.setdefault(key, []).append(item)
    sections = sorted((_sections[key] for key in grouped), key=lambda s: (s.order, s.title))
    return [WorkGroup(section, grouped[section.key]) for section in sections]


def nav_counts(groups: list[WorkGroup]) -> dict[str, int]:
    """How many items wait behind each navigation link, from the work queue's groups."""
    counts: dict[str, int] = {}
    for group in groups:
        if group.section.nav_url_name:
            name = group.section.nav_url_name
            counts[name] = counts.get(name, 0) + len(group.items)
    return counts

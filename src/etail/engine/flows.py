"""Flow definitions: export → filter → map → import steps, and the registry of flows.

A flow is Celigo's pipeline (celigo-jet.md §1.1): one page generator (the export) and a linear
list of page processors (the import steps), with an optional input filter and a mapping between.
The Jet–NetSuite flows are built from settings and connections by ``etail.bootstrap``; the engine
only needs this shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from etail.engine.ports import Export, Import
from etail.engine.records import Record
from etail.engine.schedules import Schedule
from etail.errors import FlowError, SettingsError

Filter = Callable[[Record, Mapping[str, Any]], bool]
"""``True`` keeps the record; ``False`` ends it as *ignored* (Celigo's input filter)."""

Mapper = Callable[[Record, Mapping[str, Any]], Record]
"""Turns the exported record into what the first import step expects; raise ``MappingError``
naming the field when the data cannot be mapped."""

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")


@dataclass(frozen=True, slots=True)
class FieldMap:
    """One row of a flow's mapping, as the Mapping page shows it."""

    source: str
    target: str
    note: str = ""


@dataclass(frozen=True)
class FlowSpec:
    """A flow. ``concurrency`` bounds the records in flight within a run, so one flow can use a
    NetSuite connection's concurrency budget (limit ÷ latency) without going over it."""

    id: str
    name: str
    export: Export
    imports: tuple[Import, ...]
    group: str = "General"
    description: str = ""
    filter: Filter | None = None
    map: Mapper | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    mapping: tuple[FieldMap, ...] = ()
    schedule: str | None = None
    delta: bool = True
    concurrency: int = 1
    secrets: Callable[[], Iterable[str]] | None = None
    integration: str = ""  # the integrator tile (integration id) the flow belongs to

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise FlowError(
                f"flow id {self.id!r} is not valid",
                hint="use 1-80 lowercase letters, digits, '_', '.', '-', starting with a letter",
            )
        if not self.imports:
            raise FlowError(f"flow {self.id} has no import step", hint="add at least one step")
        names = [step.name for step in self.imports]
        if len(set(names)) != len(names) or "map" in names:
            raise FlowError(
                f"flow {self.id} has duplicate or reserved step names: {names}",
                hint="give every import step a unique name other than 'map'",
            )
        if self.concurrency < 1:
            raise FlowError(f"flow {self.id}: concurrency must be at least 1")
        if self.schedule is not None:
            try:
                Schedule.parse(self.schedule)
            except SettingsError as exc:
                raise FlowError(f"flow {self.id}: {exc}") from exc

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.imports)

    def step_index(self, name: str) -> int:
        """Where a retry resumes: 0 for ``map`` (re-map, then every step)."""
        if name == "map":
            return 0
        try:
            return self.step_names.index(name)
        except ValueError as exc:
            raise FlowError(
                f"flow {self.id} has no step {name!r} (steps: {', '.join(self.step_names)})",
                hint="the flow changed since the error was recorded; resolve the error",
            ) from exc

    def secret_values(self) -> list[str]:
        return list(self.secrets()) if self.secrets else []


class FlowRegistry:
    """The flows of one process, in the order they were added."""

    def __init__(self, flows: Iterable[FlowSpec] = ()) -> None:
        self._flows: dict[str, FlowSpec] = {}
        for flow in flows:
            self.add(flow)

    def add(self, flow: FlowSpec) -> FlowSpec:
        if flow.id in self._flows:
            raise FlowError(f"flow {flow.id} is registered twice", hint="flow ids must be unique")
        self._flows[flow.id] = flow
        return flow

    def get(self, flow_id: str) -> FlowSpec:
        try:
            return self._flows[flow_id]
        except KeyError:
            known = ", ".join(self._flows) or "none"
            raise FlowError(f"no flow {flow_id!r}", hint=f"known flows: {known}") from None

    def __contains__(self, flow_id: object) -> bool:
        return flow_id in self._flows

    def __iter__(self) -> Iterator[FlowSpec]:
        return iter(self._flows.values())

    def __len__(self) -> int:
        return len(self._flows)

    def groups(self) -> dict[str, list[FlowSpec]]:
        out: dict[str, list[FlowSpec]] = {}
        for flow in self:
            out.setdefault(flow.group, []).append(flow)
        return out


__all__ = ["FieldMap", "Filter", "FlowRegistry", "FlowSpec", "Mapper"]

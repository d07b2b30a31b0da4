"""The engine: an I/O-free core of flows, jobs, per-record errors, retries and schedules.

Modules: ``records`` (Record, Page, Outcome, ErrorEntry), ``ports`` (Protocols), ``flows``
(FlowSpec, FlowRegistry), ``runner`` (Runner), ``jobs`` (Job state machine), ``retries``
(RetryPolicy), ``schedules`` (Schedule), ``service`` (FlowService: the one entry point),
``memory`` (in-memory adapters for every port), ``clocks`` (real clock and sleeper).
See ``docs/engine.md``.
"""

from etail.engine.flows import FieldMap, FlowRegistry, FlowSpec
from etail.engine.jobs import Counters, Job, JobKind, JobStatus
from etail.engine.ports import (
    Clock,
    ErrorStore,
    Export,
    ExportRequest,
    FlowConfig,
    FlowConfigStore,
    Import,
    JobQueue,
    JobStore,
    Progress,
    ProgressCallback,
    Sleeper,
    StateStore,
)
from etail.engine.records import (
    Classification,
    ErrorEntry,
    ErrorInfo,
    ErrorState,
    Outcome,
    Page,
    Record,
    Status,
)
from etail.engine.retries import RetryPolicy
from etail.engine.runner import CancelToken, Runner
from etail.engine.schedules import PRESETS, Schedule
from etail.engine.service import FlowService, FlowSummary, Stores

__all__ = [
    "PRESETS",
    "CancelToken",
    "Classification",
    "Clock",
    "Counters",
    "ErrorEntry",
    "ErrorInfo",
    "ErrorState",
    "ErrorStore",
    "Export",
    "ExportRequest",
    "FieldMap",
    "FlowConfig",
    "FlowConfigStore",
    "FlowRegistry",
    "FlowService",
    "FlowSpec",
    "FlowSummary",
    "Import",
    "Job",
    "JobKind",
    "JobQueue",
    "JobStatus",
    "JobStore",
    "Outcome",
    "Page",
    "Progress",
    "ProgressCallback",
    "Record",
    "RetryPolicy",
    "Runner",
    "Schedule",
    "Sleeper",
    "StateStore",
    "Status",
    "Stores",
]

"""Plain-JSON views of jobs, errors and flows, shared by the CLI's ``--json`` and the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from etail.engine.jobs import Job
from etail.engine.records import ErrorEntry
from etail.engine.service import FlowSummary


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def job_view(job: Job) -> dict[str, Any]:
    duration = job.duration
    return {
        "id": job.id,
        "flow_id": job.flow_id,
        "kind": job.kind.value,
        "status": job.status.value,
        "triggered_by": job.triggered_by,
        "created_at": _ts(job.created_at),
        "started_at": _ts(job.started_at),
        "ended_at": _ts(job.ended_at),
        "duration_s": round(duration.total_seconds(), 3) if duration is not None else None,
        "counters": job.counters.to_dict(),
        "message": job.message,
        "cancel_requested": job.cancel_requested,
    }


def error_view(entry: ErrorEntry, *, with_data: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": entry.id,
        "flow_id": entry.flow_id,
        "job_id": entry.job_id,
        "key": entry.key,
        "step": entry.step,
        "source": entry.source,
        "state": entry.state.value,
        "type": entry.error.type,
        "message": entry.error.message,
        "classification": entry.error.classification.value,
        "retryable": entry.error.retryable,
        "field": entry.error.field,
        "code": entry.error.code,
        "status": entry.error.status,
        "created_at": _ts(entry.created_at),
        "updated_at": _ts(entry.updated_at),
        "resolved_at": _ts(entry.resolved_at),
        "resolved_by": entry.resolved_by,
        "retry_count": entry.retry_count,
        "retry_at": _ts(entry.retry_at),
    }
    if with_data:
        view["data"] = entry.data
    return view


def flow_view(row: FlowSummary) -> dict[str, Any]:
    flow, cfg = row.flow, row.config
    return {
        "id": flow.id,
        "name": flow.name,
        "group": flow.group,
        "description": flow.description,
        "integration": flow.integration,
        "enabled": cfg.enabled,
        "schedule": cfg.schedule,
        "timezone": cfg.timezone,
        "schedule_label": row.schedule_label,
        "next_run_at": _ts(cfg.next_run_at) if cfg.enabled else None,
        "open_errors": row.open_errors,
        "running": row.running,
        "queued": row.queued,
        "paused": row.paused,
        "last_job": job_view(row.last_job) if row.last_job else None,
        "steps": list(flow.step_names),
        "mapping": [{"source": m.source, "target": m.target, "note": m.note} for m in flow.mapping],
        "settings": {**flow.settings, **cfg.settings},
    }


def chart_bars(
    jobs: list[Job], *, width: int = 600, height: int = 140, gap: int = 4
) -> list[dict[str, Any]]:
    """Stacked bars (success, ignored, errors) of records per run, oldest run on the left.

    Returns one dict per job with ``x``, ``w`` and a list of ``parts`` (``kind``, ``y``, ``h``)
    in SVG user units, scaled so the biggest run fills ``height``.
    """
    if not jobs:
        return []
    ordered = list(reversed(jobs))  # stores list newest first
    peak = max(max(_total(j), 1) for j in ordered)
    step = width / len(ordered)
    bars = []
    for i, job in enumerate(ordered):
        c = job.counters
        y = float(height)
        parts = []
        for kind, n in (("success", c.success), ("ignored", c.ignored), ("errors", c.errors)):
            h = height * n / peak
            y -= h
            if n:
                parts.append({"kind": kind, "y": round(y, 2), "h": round(h, 2), "n": n})
        bars.append(
            {
                "x": round(i * step + gap / 2, 2),
                "w": round(max(step - gap, 1.0), 2),
                "parts": parts,
                "job": job,
                "total": _total(job),
            }
        )
    return bars


def _total(job: Job) -> int:
    c = job.counters
    return c.success + c.ignored + c.errors


__all__ = ["chart_bars", "error_view", "flow_view", "job_view"]

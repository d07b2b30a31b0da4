"""Celery adapter for scale-out: the broker (Redis) moves job ids, the database keeps the state.

``CeleryQueue.submit(job_id)`` sends the task ``etail.run_job``; a worker runs
``FlowService.execute(job_id)``, which claims the job in the database (one job per flow at a
time, whatever the number of workers) and submits the flow's next queued job when it ends. Tasks
are acknowledged late, so a job id survives a worker that dies; the job itself is then failed by
the stale-job recovery of the next tick and the next run picks its records up again. The tick
(``etail.tick``: due schedules, automatic retries, stale jobs) runs from Celery beat every minute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from celery import Celery

from etail.errors import TransientError

TASK_RUN = "etail.run_job"
TASK_TICK = "etail.tick"
DEFAULT_QUEUE = "etail"


def make_celery(broker_url: str, *, queue: str = DEFAULT_QUEUE, tick_every: float = 60.0) -> Celery:
    """A Celery app for etail's two tasks (no result backend: results live in the database)."""
    app = Celery("etail", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule={"etail-tick": {"task": TASK_TICK, "schedule": tick_every}},
    )
    return app


class CeleryQueue:
    """The engine's ``JobQueue`` port over Celery."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def submit(self, job_id: str) -> None:
        try:
            # A short retry budget: a person pressed Run and is waiting for the answer.
            self.app.send_task(
                TASK_RUN,
                args=[job_id],
                retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
            )
        except Exception as exc:  # kombu's OperationalError and friends; the type says little
            raise TransientError(
                f"the job could not be handed to the Celery workers ({type(exc).__name__})",
                hint="start the broker named by ETAIL_BROKER_URL, or set ETAIL_QUEUE=inline",
            ) from exc


def register_tasks(
    app: Celery,
    execute: Callable[[str], Coroutine[Any, Any, Any]],
    tick: Callable[[], Any],
) -> None:
    """Register the worker side: ``execute`` and ``tick`` come from a ``FlowService``."""

    def run_job(job_id: str) -> None:
        asyncio.run(execute(job_id))

    def run_tick() -> None:
        tick()

    app.task(name=TASK_RUN)(run_job)
    app.task(name=TASK_TICK)(run_tick)


__all__ = ["DEFAULT_QUEUE", "TASK_RUN", "TASK_TICK", "CeleryQueue", "make_celery", "register_tasks"]

"""The job state machine: only the documented transitions, final states are final."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from etail.engine.jobs import FINAL_STATUSES, TRANSITIONS, Job, JobStatus, check_transition
from etail.errors import JobError

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_happy_path_sets_times_and_duration() -> None:
    job = Job(flow_id="f")
    job.transition(JobStatus.RUNNING, T0)
    job.transition(JobStatus.COMPLETED, T0 + timedelta(seconds=3), "ok")
    assert (job.started_at, job.ended_at, job.message) == (T0, T0 + timedelta(seconds=3), "ok")
    assert job.duration == timedelta(seconds=3)


@pytest.mark.parametrize("final", sorted(FINAL_STATUSES))
def test_final_states_accept_nothing(final: JobStatus) -> None:
    for target in JobStatus:
        with pytest.raises(JobError, match=f"from {final.value} to {target.value}"):
            check_transition(final, target)


def test_a_queued_job_cannot_complete_without_running() -> None:
    with pytest.raises(JobError) as info:
        Job(flow_id="f").transition(JobStatus.COMPLETED, T0)
    assert "allowed from queued: canceled, running" in str(info.value)


class JobMachine(RuleBasedStateMachine):
    """Random walks: a transition succeeds exactly when the table allows it."""

    def __init__(self) -> None:
        super().__init__()
        self.job = Job(flow_id="f")
        self.clock = T0
        self.history = [JobStatus.QUEUED]

    @rule(status=st.sampled_from(list(JobStatus)))
    def move(self, status: JobStatus) -> None:
        target = status
        self.clock += timedelta(seconds=1)
        before = self.job.status
        if target in TRANSITIONS[before]:
            self.job.transition(target, self.clock)
            self.history.append(target)
        else:
            with pytest.raises(JobError):
                self.job.transition(target, self.clock)
            assert self.job.status is before

    @invariant()
    def times_follow_status(self) -> None:
        job = self.job
        assert (job.started_at is not None) == (JobStatus.RUNNING in self.history)
        assert (job.ended_at is not None) == job.is_final
        if job.started_at and job.ended_at:
            assert job.ended_at >= job.started_at

    @invariant()
    def history_is_a_path_of_the_table(self) -> None:
        for a, b in zip(self.history, self.history[1:], strict=False):
            assert b in TRANSITIONS[a]


TestJobMachine = JobMachine.TestCase

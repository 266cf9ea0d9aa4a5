"""查重's scan of one form (runtime/records/duplicate_scan.py): the pairs of likely duplicates found over all
its records and stored with the job's completion; the scan's row records its progress and result."""

from __future__ import annotations

from datetime import UTC, datetime

from runtime.jobs.job_run import JobRun
from runtime.records import duplicate_scan


def handle(run: JobRun) -> None:
    payload = run.job.payload
    duplicate_scan.execute(run.db, run.job.id, payload["app"], payload["form"], run.complete,
                           lambda: datetime.now(UTC))

"""An import wizard's run (issue 26): the rows written in the background while the user may leave the page;
the import's own row records its progress and result, so the job itself always ends done."""

from __future__ import annotations

from runtime.io import import_wizard
from runtime.io.sheet_limits import SheetLimits
from runtime.jobs.job_run import JobRun
from runtime.records.context import Change


def handle(run: JobRun) -> None:
    actor = import_wizard.actor_from(run.job.payload["actor"])
    change = Change(actor, run.now, run.tz, limits=run.settings.limits())
    import_wizard.execute(run.db, run.settings.data_dir, SheetLimits.from_settings(run.settings),
                          int(run.job.payload["run"]), actor, change)

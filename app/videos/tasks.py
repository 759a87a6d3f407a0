"""Background jobs of the video area: the transcode, run by the task queue."""

from __future__ import annotations

from app.core.queue import app_task


@app_task()
def transcode(job_id: int) -> None:
    """Transcode and publish one ingest job (receives the job id, not the row)."""
    from app.videos import service

    service.run_job(job_id)

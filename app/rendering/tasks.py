"""Background rendering: the admin page's button queues this task."""

from app.core.queue import app_task


@app_task()
def render_job_task(job_id: int) -> None:
    from app.rendering import service

    service.run_job(job_id)

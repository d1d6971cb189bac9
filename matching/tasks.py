from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800)
def execute_match_run(run_id: int) -> str | None:
    """Claim the run and compute it; a duplicate delivery finds it claimed and does nothing."""
    from .services import match_run_execute  # services enqueue this module's tasks

    run = match_run_execute(run_id)
    return run.status if run else None


@shared_task
def sweep_stuck_match_runs() -> int:
    from .services import match_runs_sweep

    return match_runs_sweep()

from celery import shared_task


@shared_task(bind=True, acks_late=True, soft_time_limit=1500, time_limit=1800)
def execute_match_run(self, run_id: int) -> str | None:
    """Claim the run and compute it (services.match_run_start decides how); a duplicate
    delivery finds it claimed and does nothing."""
    from .services import match_run_start  # services enqueue these tasks

    return match_run_start(run_id, on_worker=not self.request.is_eager)


@shared_task(ignore_result=False, acks_late=True, soft_time_limit=1500, time_limit=1800)
def score_match_run_shard(run_id: int, start: int, stop: int) -> list:
    from .services import match_run_score_shard

    return match_run_score_shard(run_id, start, stop)


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800)
def reduce_match_run(shards: list, run_id: int) -> str:
    from .services import match_run_reduce

    return match_run_reduce(run_id, shards).status


@shared_task
def fail_match_run(request, exc, traceback, run_id: int) -> None:
    """The chord's error callback: a shard failed, so the run did."""
    from .services import match_run_fail

    match_run_fail(run_id, f"{type(exc).__name__}: {exc}")


@shared_task
def sweep_stuck_match_runs() -> int:
    from .services import match_runs_sweep

    return match_runs_sweep()


@shared_task
def expire_introductions() -> int:
    """Expire sent introductions left unanswered past the call's response window."""
    from .brokering.introductions import introductions_expire

    return introductions_expire()

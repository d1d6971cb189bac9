from celery import shared_task


@shared_task(bind=True, acks_late=True, soft_time_limit=1500, time_limit=1800)
def execute_match_run(self, run_id: int) -> str | None:
    """Claim the run and compute it; a duplicate delivery finds it claimed and does nothing.
    A run with several shards fans out over the workers when there are workers to fan out to."""
    from .models import MatchRun
    from .services import match_run_execute, match_run_fan_out  # services enqueue these tasks

    if not self.request.is_eager and MatchRun.objects.filter(pk=run_id, shards__gt=1).exists():
        return "fanned out" if match_run_fan_out(run_id, score_match_run_shard,
                                                 reduce_match_run, fail_match_run) else None
    run = match_run_execute(run_id)
    return run.status if run else None


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

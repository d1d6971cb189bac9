"""Run actions in threads released together, as two people clicking at once would."""

import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection

from accounts.errors import Conflict


def race(*attempts: Callable[[], Callable[[], object]]) -> list[str]:
    """Each attempt prepares in its thread (loading its own copies, as two open pages would) and
    returns the action; the actions start together. Each reports "ok", "conflict", "refused" or
    the unexpected exception, which then fails the test (a deadlock, a database error)."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [""] * len(attempts)

    def run(index: int, attempt: Callable) -> None:
        try:
            prepared = attempt()
            barrier.wait(timeout=10)
            prepared()
            outcomes[index] = "ok"
        except Conflict:
            outcomes[index] = "conflict"
        except ValidationError:
            outcomes[index] = "refused"
        except Exception as exc:
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes

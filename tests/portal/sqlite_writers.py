"""Run by test_resilience.py in a process of its own, on a fresh SQLite file (DATABASE_URL):
eight threads each write audit records (a read of the chain's last hash, then an insert, in one
transaction) as fast as they can. Prints the records written and every error met, as JSON."""

import json
import threading

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.audit_chain import first_broken  # noqa: E402
from accounts.models import AuditEvent, User  # noqa: E402
from accounts.services import audit_record  # noqa: E402

THREADS, WRITES = 8, 25

call_command("migrate", verbosity=0)
target = User.objects.create(username="writer")
errors: list[str] = []
start = threading.Barrier(THREADS)


def write() -> None:
    start.wait()
    try:
        for n in range(WRITES):
            with transaction.atomic():
                audit_record(actor=None, target=target, action="updated", comment=str(n))
    except Exception as error:  # every failure is the finding
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        connection.close()


threads = [threading.Thread(target=write) for _ in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
broken, _count = first_broken(AuditEvent.objects.order_by("pk"))
print(
    json.dumps(
        {
            "written": AuditEvent.objects.count(),
            "errors": errors,
            "journal": journal,
            "chain_holds": broken is None,
        }
    )
)

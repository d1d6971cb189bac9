"""The benchmarks' own databases: statements run on a PostgreSQL server outside a transaction."""


def run_admin(server_url: str, *statements: str) -> None:
    """Run statements (CREATE/DROP DATABASE) on the server's own database, in autocommit."""
    import psycopg2

    connection = psycopg2.connect(server_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def database_create(server_url: str, name: str) -> None:
    """A fresh, empty database of this name on the server (one left by an earlier run dropped)."""
    run_admin(
        server_url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'",
    )


def database_drop(server_url: str, name: str) -> None:
    run_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

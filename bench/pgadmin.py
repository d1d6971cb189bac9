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

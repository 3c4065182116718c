"""Reading several queries as of one moment."""

from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def one_snapshot(using: str = "default"):
    """A transaction whose queries all see the database as of its first one: REPEATABLE
    READ on PostgreSQL (its default, READ COMMITTED, takes a snapshot per statement);
    SQLite's transactions already read one state. Inside another transaction it opens a
    savepoint only: the outer one decided its isolation."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield

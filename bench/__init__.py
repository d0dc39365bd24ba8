def truncate(cursor, sql: str) -> None:
    """A benchmark's ``TRUNCATE …`` of a scratch database, as the tables' owner past the audit tables' refusal
    (``core/auditchain.py``: their TRUNCATE trigger lets the owner through while ``civil_affairs.flush`` is on,
    as ``manage.py flush`` does)."""
    cursor.execute("SET civil_affairs.flush = 'on'")
    try:
        cursor.execute(sql)
    finally:
        cursor.execute("RESET civil_affairs.flush")

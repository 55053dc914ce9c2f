"""Quoting for every identifier driftaudit writes into SQL (never trust a name)."""


def quote_identifier(name: str) -> str:
    """``name`` as a double-quoted SQLite identifier, embedded quotes doubled."""
    return '"' + str(name).replace('"', '""') + '"'

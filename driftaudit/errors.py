"""The one exception type that ends an audit with exit code 2.

Everything the user can get wrong (settings, database file, config) is turned into an
``AuditError`` carrying one line that says what, where and what to do; the CLI prints it
without a traceback.
"""


class AuditError(Exception):
    """The audit cannot run; ``str(self)`` is the one-line message for the user."""

    exit_code = 2

"""Many databases made by one code base, audited in one run: ``report --db 'PATTERN'``.

``select.py`` turns the ``--db`` values (files and globs) into the databases to audit and
keeps a stable share of them (``--shard K/N``); ``workers.py`` runs one task per database in
worker processes forked after the models and history were rendered once (in-process with
``--jobs 1``); ``run.py`` is the audit and the proposal of many databases, built on them;
``merge.py`` combines the JSON reports of several shards into one.
"""

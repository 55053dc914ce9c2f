"""The cure: plan the repair of a report, write it as migrations, try it on a copy.

:mod:`.plan` holds the plan's types; :mod:`.planner` decides per table (create, rename,
rebuild, index, drop) with :mod:`.row_facts` for the rows fix policies change;
:mod:`.history_steps` and :mod:`.state_ops` cover ``django_migrations`` and the migration
state; :mod:`.build` groups it all into one migration per app; :mod:`.rebuild_sql` writes the
SQL and :mod:`.writer` the migration file; :mod:`.propose` and :mod:`.verify` are the two
commands' logic. :mod:`.adopt` keeps the database's way instead (``driftaudit adopt``): the
model change (:mod:`.adopt_terms` writes it in Django's words, :mod:`.adopt_file` into
``models.py`` and a state-only migration), proven by :mod:`.adopt_check` before it is written.

Hands on: a ``Plan``, a ``Proposal`` (files to write), a ``Verification`` and an ``Adoption``.
"""

"""What each difference means: findings with their causes, data impact and history.

:mod:`.audit` runs the layer (``explain(AuditInput) -> Report``). The schema findings come from
:mod:`.explainer`, their causes from :mod:`.evidence` (weighing :mod:`.history_facts`: states,
ghosts, git, names) and
:mod:`.ddl_evidence` (DDL Django would not write); :mod:`.history_findings` and :mod:`.pending`
report the history itself; :mod:`.rows` counts rows and :mod:`.data_impact` turns them into
blocked deletes, orphans and duplicates; :mod:`.raw_objects` covers triggers, views and virtual
tables; :mod:`.configure` applies ``driftaudit.yaml``; :mod:`.delete` simulates one delete.

Hands on: a ``Report`` of ``Finding`` objects (the contract's FINDING).
"""

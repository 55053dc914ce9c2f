"""Beside the pipeline: the project's ``driftaudit.yaml`` (:mod:`.options`, read by
:mod:`.config_file`) and the rule catalog with every sentence the tool says (:mod:`.rules`,
reading ``rules/*.yaml``, or their compiled copy ``rules/compiled.json`` while it matches).

Every stage may read these; they import no stage.
"""

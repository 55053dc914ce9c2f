"""Beside the pipeline: the project's ``driftaudit.yaml`` (:mod:`.options`) and the rule
catalog with every sentence the tool says (:mod:`.rules`, reading ``rules/*.yaml``).

Every stage may read these; they import no stage.
"""

"""A seeded generator of Django projects and histories, and the invariants every case must keep.

``spec`` draws apps and models; ``edits`` changes them the way developers do; ``scenario``
turns one seed into a story (honest steps, then the drifts users cause); ``workspace`` writes
and runs it with real ``manage.py`` commands; ``invariants`` checks the four promises of
issue 13 on the result; ``fuzz`` runs many seeds (``make fuzz``) and prints a one-command
replay for every failure.
"""

"""Replaying a history without the work only rendered apps need.

Django's ``ProjectState.alter_field`` asks ``field_is_referenced`` (a scan of every field of every
model) only to decide whether ``reload_model`` may delay re-rendering the related models; and
``reload_model`` does nothing at all unless the state's ``apps`` were rendered. A replay from an
empty state never renders them, so on a history with many ``AlterField`` the scan is pure cost and
makes the replay quadratic: 58% of ``makemigrations --check``'s own replay of the synthetic
2000-migration project (benchmarks/NOTES.md). ``get_references`` (``RenameField``,
``RenameModel``) is needed, and is kept with the same results, only without a call per
non-relational field.

:func:`unrendered_replay` swaps the two names inside ``django.db.migrations.state`` for the
duration of a replay. Both replacements defer to Django's own functions whenever the state has
rendered apps, so a custom operation that renders them mid-replay gets Django's behaviour. The
names and their one use are the same in Django 4.2, 5.2 and 6.x (tests/sources/test_replay_speed.py
replays every sample project both ways and compares the states).
"""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def unrendered_replay():
    import django.db.migrations.state as state_module
    from django.db.migrations.utils import field_references

    django_is_referenced = state_module.field_is_referenced
    django_get_references = state_module.get_references

    def field_is_referenced(state, model_tuple, field_tuple):
        if "apps" in state.__dict__:  # rendered: the answer decides what is re-rendered
            return django_is_referenced(state, model_tuple, field_tuple)
        return False  # only feeds reload_model's `delay`, and reload_model does nothing unrendered

    def get_references(state, model_tuple, field_tuple=()):
        if "apps" in state.__dict__:
            yield from django_get_references(state, model_tuple, field_tuple)
            return
        for state_model_tuple, model_state in state.models.items():
            for name, field in model_state.fields.items():
                if field.remote_field:  # field_references is False for every other field
                    reference = field_references(state_model_tuple, field, model_tuple, *field_tuple)
                    if reference:
                        yield model_state, name, field, reference

    state_module.field_is_referenced = field_is_referenced
    state_module.get_references = get_references
    try:
        yield
    finally:
        state_module.field_is_referenced = django_is_referenced
        state_module.get_references = django_get_references

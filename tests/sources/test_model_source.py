"""Edits to a models file keep everything the author wrote and lay out only what they touch,
the way black would (driftaudit/sources/model_source.py, used by ``driftaudit adopt``)."""

import ast
import textwrap

import pytest

from driftaudit.sources.model_source import (
    NotEditable,
    SourceEdits,
    assignment_lines,
    fields_end,
    meta_assignment,
    preferred_quote,
    string_literal,
)


def edits_of(tmp_path, text: str) -> tuple[SourceEdits, ast.Module]:
    path = tmp_path / "models.py"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    edits = SourceEdits(path)
    return edits, ast.parse(edits.text)


def call_of(tree: ast.Module, name: str) -> ast.Call:
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    return next(s.value for s in cls.body if isinstance(s, ast.Assign) and s.targets[0].id == name)


def test_a_keyword_value_is_replaced_in_place(tmp_path):
    edits, tree = edits_of(tmp_path, """
        class Order(models.Model):
            note = models.CharField(max_length=100, blank=True)  # shown on the invoice
    """)
    edits.set_keywords(call_of(tree, "note"), {"max_length": "200"})
    assert edits.result() == ("class Order(models.Model):\n"
                              "    note = models.CharField(max_length=200, blank=True)  # shown on the invoice\n")


def test_keywords_added_and_removed_on_one_line(tmp_path):
    edits, tree = edits_of(tmp_path, """
        class Order(models.Model):
            note = models.CharField(null=True, max_length=100)
            done = models.BooleanField()
    """)
    edits.set_keywords(call_of(tree, "note"), {"null": None, "db_default": "'x'"})
    edits.set_keywords(call_of(tree, "done"), {"null": "True"})
    assert edits.result() == ("class Order(models.Model):\n"
                              "    note = models.CharField(max_length=100, db_default='x')\n"
                              "    done = models.BooleanField(null=True)\n")


def test_a_line_past_88_columns_is_split_as_black_splits_it(tmp_path):
    edits, tree = edits_of(tmp_path, """
        class Order(models.Model):
            customer_reference = models.CharField(max_length=100, blank=True, help_text="from the shop")
    """)
    edits.set_keywords(call_of(tree, "customer_reference"), {"null": "True"})
    assert edits.result() == ("class Order(models.Model):\n"
                              "    customer_reference = models.CharField(\n"
                              "        max_length=100, blank=True, help_text=\"from the shop\", null=True\n"
                              "    )\n")


def test_one_keyword_per_line_stays_so(tmp_path):
    edits, tree = edits_of(tmp_path, """
        class Order(models.Model):
            note = models.CharField(
                max_length=100,
                null=True,  # legacy rows
                blank=True
            )
    """)
    edits.set_keywords(call_of(tree, "note"), {"null": None, "db_default": '""'})
    assert edits.result() == ("class Order(models.Model):\n"
                              "    note = models.CharField(\n"
                              "        max_length=100,\n"
                              "        blank=True,\n"
                              "        db_default=\"\",\n"
                              "    )\n")


def test_a_keyword_hidden_in_kwargs_is_not_guessed(tmp_path):
    edits, tree = edits_of(tmp_path, """
        class Order(models.Model):
            note = models.CharField(**NOTE_OPTIONS)
    """)
    with pytest.raises(NotEditable, match="kwargs"):
        edits.set_keywords(call_of(tree, "note"), {"max_length": "200"})


def test_list_items_are_appended_in_the_lists_own_layout(tmp_path):
    edits, tree = edits_of(tmp_path, """
        class Order(models.Model):
            class Meta:
                ordering = ["-placed_at"]
                indexes = [
                    models.Index(fields=["number"], name="order_number_idx")  # by hand
                ]
                constraints = []
    """)
    meta = tree.body[0].body[0]
    for name, item in (("indexes", 'models.Index(fields=["placed_at"], name="order_placed_idx")'),
                       ("constraints", 'models.UniqueConstraint(fields=["number"], name="order_number_uniq")')):
        statement = meta_assignment(meta, name)
        edits.add_items(statement.value, [item], statement)
    assert edits.result() == textwrap.dedent("""\
        class Order(models.Model):
            class Meta:
                ordering = ["-placed_at"]
                indexes = [
                    models.Index(fields=["number"], name="order_number_idx"),  # by hand
                    models.Index(fields=["placed_at"], name="order_placed_idx"),
                ]
                constraints = [
                    models.UniqueConstraint(fields=["number"], name="order_number_uniq")
                ]
        """)


def test_a_new_statement_goes_after_the_fields_before_the_methods(tmp_path):
    edits, tree = edits_of(tmp_path, """
        class Order(models.Model):
            \"\"\"An order.\"\"\"
            note = models.CharField(max_length=100)

            def __str__(self):
                return self.note
    """)
    lines = ["    class Meta:", *assignment_lines("        ", "indexes", [
        'models.Index(fields=["note"], name="order_note_idx", condition=models.Q(note__isnull=False))'])]
    edits.add_statement(fields_end(tree.body[0]), lines, blank_before=True)
    assert edits.result() == textwrap.dedent("""\
        class Order(models.Model):
            \"\"\"An order.\"\"\"
            note = models.CharField(max_length=100)

            class Meta:
                indexes = [
                    models.Index(
                        fields=["note"],
                        name="order_note_idx",
                        condition=models.Q(note__isnull=False),
                    ),
                ]

            def __str__(self):
                return self.note
        """)


def test_quote_style_follows_the_file():
    assert preferred_quote("a = 'x'\nb = 'y'\nc = \"z\"\n") == "'"
    assert preferred_quote('"""doc"""\n') == '"'
    assert string_literal("open", '"') == '"open"'
    assert string_literal('say "hi"', '"') == "'say \"hi\"'"
    assert string_literal("it's", "'") == '"it\'s"'

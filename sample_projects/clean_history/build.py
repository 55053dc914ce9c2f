#!/usr/bin/env python
"""A clean project with a long history: every change went through a real migration.

AlterField (length, null, CharField -> IntegerField), AddField, AddIndex, RenameField,
RenameModel (its table renamed and the key pointing at it rebuilt), unique_together ->
UniqueConstraint, CheckConstraint, RemoveIndex/AddIndex, RemoveField, on_delete changes and a new
ManyToManyField. Each was made and applied
for real, so the database is what the models say: driftaudit must report nothing.
"""

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("journal")

story.step("Authors, entries (unique per author and title) and comments; some rows go in.")
story.use_models("journal", "models_v1.py")
story.manage("makemigrations", "journal")
story.manage("migrate")
story.shell("""
    from django.contrib.auth.models import User
    from journal.models import Author, Comment, Entry
    User.objects.create_user("ann")
    entry = Entry.objects.create(author=Author.objects.create(name="Ann"), title="Hi", body="...", score=3, code="7")
    Comment.objects.create(entry=entry, text="first!")
""")

story.step("Longer titles, optional scores, numeric codes, a slug and an index on title.")
story.use_models("journal", "models_v2.py")
story.manage("makemigrations", "journal", "--name", "tune_entries")
story.manage("migrate")

story.step("""Entry becomes Post and body becomes text: the developer writes the rename
              migration by hand (RenameField, RenameModel) and applies it.""")
story.use_models("journal", "models_v3.py")
shutil.copyfile(story.story_dir / "0003_rename_entry_to_post.py",
                story.root / "journal" / "migrations" / "0003_rename_entry_to_post.py")
story.manage("migrate")

story.step("""unique_together becomes a UniqueConstraint, scores get a CHECK and become
              positive, authors are PROTECTed, posts get tags, the index covers score and code
              goes.""")
story.use_models("journal", "models_v4.py")
story.manage("makemigrations", "journal", "--name", "constraints_and_tags", "--noinput")
story.manage("migrate")
story.manage("makemigrations", "--check", "--dry-run")
story.done()

#!/usr/bin/env python
"""A clean project whose migrations create raw SQL objects: an FTS5 table, a trigger, a view.

They live in the history (RunSQL), not in the models; driftaudit must not call them drift.
"""

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("blog")
story.use_models("blog", "models_v1.py") if (story.story_dir / "models_v1.py").exists() else None

story.step("The developer creates the Article model and migrates.")
story.manage("makemigrations", "blog")

story.step("""Full-text search is added by a hand-written RunSQL migration: an FTS5 virtual table,
              a trigger that fills it, and a view.""")
shutil.copyfile(story.story_dir / "0002_search.py", story.root / "blog" / "migrations" / "0002_search.py")

story.step("""The title grows to 250 characters: AlterField rebuilds the table, and the migration
              recreates the trigger that the rebuild drops.""")
story.use_models("blog", "models_v2.py")
shutil.copyfile(story.story_dir / "0003_longer_title.py",
                story.root / "blog" / "migrations" / "0003_longer_title.py")

story.step("""A search model over an FTS5 virtual table, the way Wagtail does it: CreateModel in the
              state, CREATE VIRTUAL TABLE in the database.""")
shutil.copyfile(story.story_dir / "0004_search_model.py", story.root / "blog" / "migrations" / "0004_search_model.py")
story.manage("migrate")

story.step("Articles are written; the trigger indexes them.")
story.shell("""
    from blog.models import Article
    Article.objects.create(title="Drift", body="how databases drift")
    Article.objects.create(title="Repair", body="rebuild migrations")
    from blog.models import ArticleSearch
    ArticleSearch.objects.create(rowid=1, title="Drift", body="how databases drift")
""")
story.done()

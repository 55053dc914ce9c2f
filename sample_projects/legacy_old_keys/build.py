#!/usr/bin/env python
"""Legacy class 6: keys pointing at "*__old" tables, left by Django 2.1.4 on SQLite >= 3.26.

Django before 2.0.10 / 2.1.5 rebuilt a table by renaming it to "<table>__old", creating the
new table and dropping the old one. SQLite 3.26 started rewriting every child's REFERENCES on
a rename, so the children ended up pointing at "<table>__old", which was then dropped. The
project is built with the real Django 2.1.4 on Python 3.7 (a cached virtualenv), then the user
upgrades to today's Django: the broken keys stay. Run it to (re)build db.sqlite3 here, or with
--into DIR to build a copy elsewhere.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _legacy import legacy_django  # noqa: E402
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("library")
current_python = story.python

story.step("""The project runs Django 2.1.4 (Python 3.7) on a system SQLite newer than 3.26. A
              library app has Author and Book (a ForeignKey to Author). A plain migrate already
              breaks keys: contrib's own AlterField migrations rebuild auth_user, auth_permission
              and django_content_type, so auth_user_groups, auth_user_user_permissions and
              django_admin_log now reference auth_user__old and friends.""")
story.python = legacy_django("2.1.4")
story.use_models("library", "models_v1.py")
story.manage("makemigrations", "library")
story.manage("migrate")

story.step("""The user creates data: an author with two books, a user and a group. Putting the
              user in the group already fails with "no such table: main.auth_user__old".""")
story.shell("""
    from django.contrib.auth.models import Group, User
    from library.models import Author, Book
    ann = Author.objects.create(name="Ann")
    Book.objects.create(title="First", author=ann)
    Book.objects.create(title="Second", author=ann)
    user, group = User.objects.create_user("editor"), Group.objects.create(name="editors")
    try:
        user.groups.add(group)
    except Exception as exc:
        print(f"adding the user to a group: {type(exc).__name__}: {exc}")
""")

story.step("""Author names get longer (max_length 50 -> 100): an AlterField, so Django 2.1.4
              rebuilds library_author through library_author__old, and SQLite repoints
              library_book.author_id at library_author__old before it is dropped.""")
story.use_models("library", "models_v2.py")
story.manage("makemigrations", "library", "--name", "longer_author_name")
story.manage("migrate")
story.shell("""
    from library.models import Author, Book
    try:
        Book.objects.create(title="Third", author=Author.objects.get(name="Ann"))
    except Exception as exc:
        print(f"adding a book: {type(exc).__name__}: {exc}")
""")

story.step("""The user upgrades to today's Django. Upgrading repairs nothing: the first migrate
              (contrib's new migrations) fails in its whole-database foreign key check, because
              the books reference library_author__old, and is rolled back.""")
story.python = current_python
upgrade = story.manage("migrate", check=False)
if upgrade.returncode == 0 or "library_author__old" not in upgrade.stderr:
    sys.exit("build failed: migrate after the upgrade was expected to fail on library_author__old")
story.done()

#!/usr/bin/env python
"""Drift class 12: an app removed from INSTALLED_APPS; its tables and records stay.

The blog app had posts by users. The developer drops it from INSTALLED_APPS (Django offers
no command that removes an app's tables), so blog_post and blog_comment stay, with their
django_migrations rows and content types - and blog_post's key to auth_user still blocks
deleting every user who ever wrote a post.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("core", "blog")
settings = story.root / "removedproject" / "settings.py"
# The committed settings are the story's end (blog removed): a build in place ends where it
# started, and leaves no tracked file changed.
if '"blog"' not in settings.read_text():
    settings.write_text(settings.read_text().replace('    "core",\n', '    "core",\n    "blog",\n'))

story.step("""The project has auth, contenttypes, a core app and a blog app whose posts have
              an author (a ForeignKey to auth.User).""")
story.use_models("core", "core_models.py")
story.use_models("blog", "blog_models.py")
story.manage("makemigrations", "core", "blog")
story.manage("migrate")
story.shell("""
    from django.contrib.auth.models import User
    from blog.models import Comment, Post
    from core.models import Note
    ann, bob = User.objects.create_user("ann"), User.objects.create_user("bob")
    User.objects.create_user("cid")
    post = Post.objects.create(title="Hello", author=ann)
    Post.objects.create(title="Again", author=bob)
    Comment.objects.create(post=post, body="Nice")
    Note.objects.create(text="keep me")
""")

story.step("""The blog is retired: the developer removes "blog" from INSTALLED_APPS and runs
              migrate, which has nothing to do. The tables stay.""")
settings.write_text(settings.read_text().replace('    "blog",\n', ""))
story.manage("migrate")

story.step("""The symptom: deleting user ann fails with FOREIGN KEY constraint failed, while
              cid, who never blogged, deletes fine.""")
story.shell("""
    from django.contrib.auth.models import User
    from django.db import IntegrityError
    for name in ("ann", "cid"):
        try:
            User.objects.get(username=name).delete()
            print(f"delete user {name}: ok")
        except IntegrityError as exc:
            print(f"delete user {name}: IntegrityError: {exc}")
""")
story.done()

"""Issue 6: repairs that touch rows (fix policies), a legacy database with pending migrations,
and a rebuilt table that carries a trigger and a view made by RunSQL."""

import sqlite3

from conftest import driftaudit, manage
from propose_helpers import query, repair, row_counts, same_rows, shell

POLICY = """\
fix:
  orphans: delete
  duplicates: keep-first
accept:
  - rule: DA203
    table: library_loan
    reason: the code deletes loans before it deletes a book (a DO_NOTHING key by design)
"""


def test_default_policy_quarantines_whole_rows_with_their_reason(sample_copy):
    """Issue 14: rows that block the repair are moved aside by default, never lost, never refused."""
    project = sample_copy("data_library")  # no driftaudit.yaml: the default policies
    before, after, files, _ = repair(project)
    text = files[0].read_text()
    assert "fix.orphans is `quarantine`" in text and "fix.duplicates is `quarantine`" in text
    same_rows(before, after, {"library_book": 3, "library_member": 3,
                              "driftaudit_quarantine_library_book": 2,
                              "driftaudit_quarantine_library_member": 3})
    rows = query(project, 'SELECT "driftaudit_reason", "driftaudit_table", "id", "author_id" '
                          'FROM "driftaudit_quarantine_library_book" ORDER BY "id"')
    assert rows == [("orphan: author_id -> library_author (row missing)", "library_book", 4, 40),
                    ("orphan: author_id -> library_author (row missing)", "library_book", 5, 41)]
    assert query(project, 'SELECT "id" FROM "library_member" ORDER BY "id"') == [(1,), (3,), (6,)]
    # reversing the repair puts the duplicates back; the orphans stay in quarantine
    migration = files[0].stem
    previous = sorted(p.stem for p in files[0].parent.glob("0*.py") if p.stem < migration)[-1]
    assert manage(project, "migrate", "library", previous).code == 0
    assert query(project, 'SELECT count(*) FROM "library_member"') == [(6,)]
    assert query(project, 'SELECT count(*) FROM "driftaudit_quarantine_library_book"') == [(2,)]


def test_fail_policy_refuses_and_lists_the_rows(sample_copy):
    project = sample_copy("data_library")
    (project / "driftaudit.yaml").write_text("fix:\n  orphans: fail\n  duplicates: fail\n")
    run = driftaudit("propose", cwd=project)
    assert run.code == 1
    text = " ".join(run.stderr.split())
    assert "library_book: 2 row(s) reference library_author rows that do not exist (author_id; rows 4, 5)" in text
    assert "library_member: 3 row(s) repeat values of (email)" in text and "rows 2, 4, 5" in text
    assert not list(project.glob("library/migrations/*driftaudit*"))


def test_data_library_repaired_exactly_per_policy(sample_copy):
    project = sample_copy("data_library")
    (project / "driftaudit.yaml").write_text(POLICY)
    before, after, files, _ = repair(project)
    text = files[0].read_text()
    assert "fix.orphans is `delete`" in text and "fix.duplicates is `keep-first`" in text
    same_rows(before, after, {"library_book": 3, "library_member": 3,
                              "driftaudit_backup_library_book__orphans": 2,
                              "driftaudit_backup_library_member__duplicates": 3})
    conn = sqlite3.connect(f"file:{project / 'db.sqlite3'}?mode=ro", uri=True)
    assert [r[0] for r in conn.execute('SELECT "id" FROM "library_member" ORDER BY "id"')] == [1, 3, 6]
    assert [r[0] for r in conn.execute('SELECT "id" FROM "driftaudit_backup_library_book__orphans"')] == [4, 5]
    conn.close()
    # the deletes that failed in the story: author 2 (stale key on editor_id) and shelf 1 (cycle
    # of immediate keys) now work; book 2 stays blocked by its DO_NOTHING loan, as the code says
    out = shell(project, """
        from django.db import IntegrityError, transaction
        from library.models import Author, Book, Shelf
        for model, pk in ((Author, 2), (Shelf, 1), (Book, 2)):
            try:
                with transaction.atomic():
                    model.objects.get(pk=pk).delete()
                print(f"delete {model.__name__} {pk}: ok")
            except IntegrityError as exc:
                print(f"delete {model.__name__} {pk}: {exc}")
    """)
    assert "delete Author 2: ok" in out and "delete Shelf 1: ok" in out
    assert "delete Book 2: FOREIGN KEY constraint failed" in out


def test_legacy_old_keys_repaired_before_pending_auth_migrations(sample_copy):
    project = sample_copy("legacy_old_keys")
    before, after, files, migrated = repair(project)
    text = files[0].read_text()
    assert "run_before = [" in text and "('auth', '0010_alter_group_name_max_length')" in text
    # one plain migrate: the repair first, then contrib's pending migrations
    order = [line.split()[1] for line in migrated.splitlines() if line.strip().startswith("Applying")]
    assert order[0].startswith("library.0003_driftaudit_rebuild")
    assert any(name.startswith("auth.0012") for name in order)
    same_rows(before, after, {})
    out = shell(project, """
        from django.contrib.auth.models import Group, User
        from library.models import Author, Book
        User.objects.get(username="editor").groups.add(Group.objects.get(name="editors"))
        Book.objects.create(title="Third", author=Author.objects.get(name="Ann"))
        print("groups", User.objects.get(username="editor").groups.count(), "books", Book.objects.count())
    """)
    assert "groups 1 books 3" in out


def test_trigger_and_view_survive_the_rebuild(sample_copy):
    project = sample_copy("clean_runsql")
    conn = sqlite3.connect(project / "db.sqlite3")
    conn.execute('ALTER TABLE "blog_article" ADD COLUMN "legacy" text')  # a hand drift
    conn.execute("""UPDATE "blog_article" SET "legacy" = 'kept' """)
    conn.commit()
    conn.close()
    before, after, files, _ = repair(project)
    text = files[0].read_text()
    assert 'DROP TRIGGER IF EXISTS "blog_article_ai"' in text and 'DROP VIEW IF EXISTS "blog_recent"' in text
    same_rows(before, after, {"driftaudit_backup_blog_article__columns": 2})
    out = shell(project, """
        from django.db import connection
        from blog.models import Article
        from django.utils import timezone
        Article.objects.create(title="Third", body="triggers survive", updated=timezone.now())
        with connection.cursor() as c:
            c.execute("SELECT title FROM blog_article_fts WHERE blog_article_fts MATCH %s", ["survive"])
            print("fts", c.fetchall())
            c.execute("SELECT title FROM blog_recent")
            print("view", c.fetchall())
    """)
    assert "fts [('Third',)]" in out and "view [('Third',)]" in out
    assert row_counts(project / "db.sqlite3")["blog_article"] == 3

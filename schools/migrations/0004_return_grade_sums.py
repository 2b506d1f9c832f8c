"""ReturnGradeSum: each return's class list summed by grade, kept by triggers on schools_returnclass.

Triggers, not Python: every path that writes class rows (the services, imports, exchange, API, bulk_create and
bulk_update with history, a queryset's update() or delete(), the cascade when a return is deleted, raw SQL) changes
the sums in the same statement and transaction, with nothing to remember at each call site. The existing class lists
are summed once here."""

from django.db import migrations, models

# Each class row counts +1 class and +its pupils when it appears (inserted, or the new side of an update) and -1 and
# -its pupils when it goes (deleted, or the old side of an update).
ADDED = "SELECT school_return_id AS r, grade AS g, students AS s, 1 AS c FROM {table}"
REMOVED = "SELECT school_return_id AS r, grade AS g, -students AS s, -1 AS c FROM {table}"

# PostgreSQL: one trigger per statement, over its transition tables (a bulk_create of 5,000 classes is one aggregate,
# not 5,000 upserts). The net change of each (return, grade) is added by an upsert (a concurrent writer waits on the
# row and adds to the latest value), in key order (two statements never lock rows in opposite orders).
PG_APPLY = """
CREATE FUNCTION schools_returngradesum_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO schools_returngradesum AS t (school_return_id, grade, students, classes)
    SELECT r, g, SUM(s), SUM(c) FROM ({rows}) AS changes GROUP BY r, g HAVING SUM(s) <> 0 OR SUM(c) <> 0
    ORDER BY r, g
    ON CONFLICT (school_return_id, grade) DO UPDATE
        SET students = t.students + EXCLUDED.students, classes = t.classes + EXCLUDED.classes;
    {cleanup}
    RETURN NULL;
END $$;
CREATE TRIGGER schools_returnclass_sums_{name} AFTER {event} ON schools_returnclass
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION schools_returngradesum_{name}();
"""
# A grade left without classes (only a deletion or an update can leave one) is removed.
PG_CLEANUP = """DELETE FROM schools_returngradesum AS t USING (SELECT DISTINCT r, g FROM ({rows}) AS changes) AS k
        WHERE t.school_return_id = k.r AND t.grade = k.g AND t.classes <= 0;"""
PG_TRIGGERS = [
    ("insert", "INSERT", "NEW TABLE AS new_rows", ADDED.format(table="new_rows")),
    ("delete", "DELETE", "OLD TABLE AS old_rows", REMOVED.format(table="old_rows")),
    (
        "update",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        f"{ADDED.format(table='new_rows')} UNION ALL {REMOVED.format(table='old_rows')}",
    ),
]

# SQLite (development and the tests): row triggers, the same arithmetic one row at a time.
SQLITE_ADD = """
    INSERT INTO schools_returngradesum (school_return_id, grade, students, classes)
    VALUES (NEW.school_return_id, NEW.grade, NEW.students, 1)
    ON CONFLICT (school_return_id, grade) DO UPDATE
        SET students = students + excluded.students, classes = classes + 1;
"""
SQLITE_REMOVE = """
    UPDATE schools_returngradesum SET students = students - OLD.students, classes = classes - 1
        WHERE school_return_id = OLD.school_return_id AND grade = OLD.grade;
    DELETE FROM schools_returngradesum
        WHERE school_return_id = OLD.school_return_id AND grade = OLD.grade AND classes <= 0;
"""
SQLITE_TRIGGERS = [
    ("insert", "INSERT", SQLITE_ADD),
    ("delete", "DELETE", SQLITE_REMOVE),
    ("update", "UPDATE OF school_return_id, grade, students", SQLITE_REMOVE + SQLITE_ADD),
]

FILL = """
INSERT INTO schools_returngradesum (school_return_id, grade, students, classes)
SELECT school_return_id, grade, SUM(students), COUNT(*) FROM schools_returnclass GROUP BY school_return_id, grade
"""


def create_triggers(apps, schema_editor):
    # The triggers first: on PostgreSQL creating them locks the class table against writers until this migration
    # commits, so the fill below sums every class row committed before and none is written in between.
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            for name, event, tables, rows in PG_TRIGGERS:
                cleanup = "" if name == "insert" else PG_CLEANUP.format(rows=rows)
                cursor.execute(PG_APPLY.format(name=name, event=event, tables=tables, rows=rows, cleanup=cleanup))
        elif schema_editor.connection.vendor == "sqlite":
            for name, event, body in SQLITE_TRIGGERS:
                cursor.execute(
                    f"CREATE TRIGGER schools_returnclass_sums_{name} AFTER {event} ON schools_returnclass "
                    f"FOR EACH ROW BEGIN {body} END"
                )
        else:
            raise NotImplementedError(f"schools_returngradesum has no triggers for {schema_editor.connection.vendor}")
        cursor.execute(FILL)


def drop_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in ("insert", "delete", "update"):
            cursor.execute(
                f"DROP TRIGGER IF EXISTS schools_returnclass_sums_{name}"
                + (" ON schools_returnclass" if schema_editor.connection.vendor == "postgresql" else "")
            )
            if schema_editor.connection.vendor == "postgresql":
                cursor.execute(f"DROP FUNCTION IF EXISTS schools_returngradesum_{name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0003_special_school_teachers"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReturnGradeSum",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("grade", models.PositiveSmallIntegerField()),
                ("students", models.IntegerField()),
                ("classes", models.IntegerField()),
                (
                    "school_return",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.DO_NOTHING,
                        related_name="+",
                        to="schools.schoolreturn",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("school_return", "grade"), name="one_sum_per_return_grade")
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

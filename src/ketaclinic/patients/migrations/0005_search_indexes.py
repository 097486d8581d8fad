"""Indexes for patient search: MRN in any case; names by trigrams (PostgreSQL) or FTS5 (SQLite).

The name indexes are outside Django's model state: a GIN index is PostgreSQL-only and an FTS5
table SQLite-only, and Django rebuilds SQLite tables with every index it knows about.
ketaclinic.patients.search builds the same expression for its queries (a test checks that
PostgreSQL's planner uses this index for them).
"""

import django.db.models.functions.text
from django.contrib.postgres.operations import (
    BtreeGinExtension,
    TrigramExtension,
    UnaccentExtension,
)
from django.db import migrations, models

# A name as search compares it: accents removed, lower case, and the marks inside names
# (hyphen, apostrophes, period) read as spaces, so that "jo" starts a word of "Mary-Jo" as it
# does on SQLite. IMMUTABLE so that an index may use it (unaccent() is only STABLE because it
# reads its dictionary by name); fully qualified, so that a restore (pg_restore runs with an
# empty search_path) builds the same index.
FOLD_FUNCTION = """
CREATE OR REPLACE FUNCTION ketaclinic_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.lower(pg_catalog.translate(
    {schema}.unaccent('{schema}.unaccent'::regdictionary, value), '-''’.', '    ')) $$
"""
POSTGRESQL_INDEX = (
    "CREATE INDEX patients_patient_name_trgm ON patients_patient USING gin "
    "(clinic_id, ketaclinic_fold(given_name || ' ' || family_name) gin_trgm_ops)"
)

SQLITE_SETUP = (
    "CREATE VIRTUAL TABLE patients_patient_search USING fts5(given_name, family_name, "
    "content='patients_patient', tokenize='unicode61 remove_diacritics 2')",
    """CREATE TRIGGER patients_patient_search_ai AFTER INSERT ON patients_patient
    BEGIN
        INSERT INTO patients_patient_search(rowid, given_name, family_name)
        VALUES (new.rowid, new.given_name, new.family_name);
    END""",
    """CREATE TRIGGER patients_patient_search_ad AFTER DELETE ON patients_patient
    BEGIN
        INSERT INTO patients_patient_search(patients_patient_search, rowid, given_name, family_name)
        VALUES ('delete', old.rowid, old.given_name, old.family_name);
    END""",
    """CREATE TRIGGER patients_patient_search_au
    AFTER UPDATE OF given_name, family_name ON patients_patient
    BEGIN
        INSERT INTO patients_patient_search(patients_patient_search, rowid, given_name, family_name)
        VALUES ('delete', old.rowid, old.given_name, old.family_name);
        INSERT INTO patients_patient_search(rowid, given_name, family_name)
        VALUES (new.rowid, new.given_name, new.family_name);
    END""",
    "INSERT INTO patients_patient_search(patients_patient_search) VALUES ('rebuild')",
)
SQLITE_TEARDOWN = (
    "DROP TRIGGER IF EXISTS patients_patient_search_ai",
    "DROP TRIGGER IF EXISTS patients_patient_search_ad",
    "DROP TRIGGER IF EXISTS patients_patient_search_au",
    "DROP TABLE IF EXISTS patients_patient_search",
)


class _OnPostgreSQLOnly:
    """Django's extension operations skip SQLite going forwards but not backwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Trigram(_OnPostgreSQLOnly, TrigramExtension):
    pass


class BtreeGin(_OnPostgreSQLOnly, BtreeGinExtension):
    pass


class Unaccent(_OnPostgreSQLOnly, UnaccentExtension):
    pass


def create_name_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT extnamespace::regnamespace::text FROM pg_extension "
                "WHERE extname = 'unaccent'"
            )
            (schema,) = cursor.fetchone()
        schema_editor.execute(FOLD_FUNCTION.format(schema=schema))
        schema_editor.execute(POSTGRESQL_INDEX)
    elif vendor == "sqlite":
        for statement in SQLITE_SETUP:
            schema_editor.execute(statement)


def drop_name_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS patients_patient_name_trgm")
        schema_editor.execute("DROP FUNCTION IF EXISTS ketaclinic_fold(text)")
    elif vendor == "sqlite":
        for statement in SQLITE_TEARDOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("patients", "0004_plausible_weight_range_moves_to_core"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                models.F("clinic"),
                django.db.models.functions.text.Upper("mrn"),
                name="patient_mrn_upper",
            ),
        ),
        # No-ops on SQLite. All three are trusted extensions (PostgreSQL 13+): the owner
        # of the database may create them without being a superuser.
        Trigram(),
        BtreeGin(),
        Unaccent(),
        migrations.RunPython(create_name_index, drop_name_index, elidable=False),
    ]

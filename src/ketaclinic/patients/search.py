"""Name search that an index serves: trigrams on PostgreSQL, FTS5 on SQLite.

Why each choice: docs/decisions/0015-patient-search-index.md.

PostgreSQL: a GIN index over the folded name with pg_trgm's `gin_trgm_ops` (migrations 0005
and 0007; the clinic is checked on the rows the index finds). The folded name is
`lower(unaccent(given || ' ' || family))`, with hyphens, apostrophes and periods read as
spaces. It is an expression index, so every writer (the services, the bulk loader of the
development registry, a restore) keeps it current. A query word of three letters or more must
occur anywhere in it (`LIKE '%word%'`), as the search has always matched, now also without
regard to accents; a shorter word must start a word of the name (no trigram index can find two
letters anywhere).

SQLite: an FTS5 table over given and family name (external content: it reads the patient
table, triggers keep it in step). Each query word matches the start of a word of the name
("riv" finds Rivera, "jo" finds Mary-Jo); case and accents are folded for every script.
"""

from django.db import connections
from django.db.models import BooleanField, F, Func, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Upper

# The order of a name search's matches. `family_name || ''` sorts exactly as family_name but
# is not what the (clinic, family, given) B-tree holds: without it PostgreSQL may walk that
# index in name order hoping to meet 25 matches early, and for a name late in the alphabet
# ("whi") read nearly the whole clinic (600 ms at 100k patients) instead of sorting the few
# hundred rows the trigram index found (3 ms).
SEARCH_ORDER = (Concat("family_name", Value("")), "given_name", "date_of_birth", "id")
# The shortest word a trigram index finds anywhere in a name.
TRIGRAM = 3
TRGM_INDEX = "patients_patient_name_trgm"
FTS_TABLE = "patients_patient_search"
SQLITE_MATCH = (
    '"patients_patient".rowid IN (SELECT rowid FROM patients_patient_search '
    "WHERE patients_patient_search MATCH %s)"
)
FTS_TRIGGERS = (
    "patients_patient_search_ai",
    "patients_patient_search_ad",
    "patients_patient_search_au",
)


class Folded(Func):
    """ketaclinic_fold(a || ' ' || b ...): a name as the trigram index holds it.

    ketaclinic_fold (migration 0004) removes accents, lower-cases, and reads hyphens,
    apostrophes and periods as spaces. The indexed name and each query word go through the
    same function, so they fold alike whatever the database's locale does with case.
    """

    function = "ketaclinic_fold"
    arg_joiner = " || ' ' || "
    template = "%(function)s(%(expressions)s)"
    output_field = TextField()


def folded_name():
    return Folded(F("given_name"), F("family_name"))


def _postgresql_names(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        if len(word) >= TRIGRAM:
            condition &= Q(name_key__contains=Folded(Value(word)))
        else:
            # A name word starting with it: at the start, or after a space.
            condition &= Q(name_key__startswith=Folded(Value(word))) | Q(
                name_key__contains=Folded(Value(f" {word}"))
            )
    return condition


def fts_query(words: list[str]) -> str:
    """An FTS5 query: every word as a quoted prefix phrase, so no word is read as syntax."""
    terms = ['"' + w.replace('"', '""') + '"*' for w in words if any(c.isalnum() for c in w)]
    return " ".join(terms)


def _sqlite_names(words: list[str]) -> Q:
    query = fts_query(words)
    # Fixed SQL; the user's words travel as a parameter, quoted by fts_query.
    return Q(RawSQL(SQLITE_MATCH, (query,), output_field=BooleanField()))  # noqa: S611


def _any_names(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    return condition


def _nothing() -> Q:
    return Q(pk__in=[])


def matching(patients, q: str, words: list[str]):
    """Patients whose MRN is `q` (any case) or whose name holds every word, in SEARCH_ORDER.

    Words without a letter or digit ("-", "'") are left out; with no other word, no name
    matches.
    """
    words = [w for w in words if any(c.isalnum() for c in w)]
    vendor = connections[patients.db].vendor
    patients = patients.alias(mrn_key=Upper("mrn"))
    if not words:
        names = _nothing()
    elif vendor == "postgresql":
        patients = patients.alias(name_key=folded_name())
        names = _postgresql_names(words)
    elif vendor == "sqlite":
        names = _sqlite_names(words)
    else:  # another database: the unindexed match
        names = _any_names(words)
    return patients.filter(Q(mrn_key=Upper(Value(q))) | names).order_by(*SEARCH_ORDER)


# SQLite: the FTS5 table and the triggers that keep it in step with the patient table.
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS patients_patient_search USING fts5("
    "given_name, family_name, content='patients_patient', "
    "tokenize='unicode61 remove_diacritics 2')"
)
SQLITE_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS patients_patient_search_ai AFTER INSERT ON patients_patient
    BEGIN
        INSERT INTO patients_patient_search(rowid, given_name, family_name)
        VALUES (new.rowid, new.given_name, new.family_name);
    END""",
    """CREATE TRIGGER IF NOT EXISTS patients_patient_search_ad AFTER DELETE ON patients_patient
    BEGIN
        INSERT INTO patients_patient_search(patients_patient_search, rowid, given_name, family_name)
        VALUES ('delete', old.rowid, old.given_name, old.family_name);
    END""",
    """CREATE TRIGGER IF NOT EXISTS patients_patient_search_au
    AFTER UPDATE OF given_name, family_name ON patients_patient
    BEGIN
        INSERT INTO patients_patient_search(patients_patient_search, rowid, given_name, family_name)
        VALUES ('delete', old.rowid, old.given_name, old.family_name);
        INSERT INTO patients_patient_search(rowid, given_name, family_name)
        VALUES (new.rowid, new.given_name, new.family_name);
    END""",
)
SQLITE_REBUILD = "INSERT INTO patients_patient_search(patients_patient_search) VALUES ('rebuild')"


def ensure_sqlite_index(connection) -> bool:
    """Put back the FTS triggers if a table rebuild dropped them, and reindex; True if it did.

    Django's SQLite migrations rebuild a table to alter it (copy, drop, rename), which drops
    its triggers and may renumber rowids, so after every `migrate` this checks and repairs.
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
            (FTS_TABLE, *FTS_TRIGGERS),
        )
        found = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE not in found or found >= {FTS_TABLE, *FTS_TRIGGERS}:
            return False
        for statement in SQLITE_TRIGGERS:
            cursor.execute(statement)
        cursor.execute(SQLITE_REBUILD)
    return True

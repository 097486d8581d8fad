"""How every table would be sharded by clinic, and the checker that keeps the schema ready for it.

The model is row-based sharding as Citus does it: a *distributed* table is split by one column
(here `clinic_id`), and every unique constraint of a distributed table must include that
column, because each shard can only check uniqueness among its own rows. A *reference* table
is copied whole to every node; it may be joined with any shard, but it must not depend on a
distributed table. Foreign keys between distributed tables only hold when both rows live on
the same shard, that is, when both belong to the same clinic.

Every model of the ketaclinic apps is classified here:

- clinic-scoped (distributed by `clinic_id`): a `clinic` foreign key to `core.Clinic`, or a
  plain `clinic_id` column (the outcome fact tables, which hold ids, not foreign keys);
- reference data (`REFERENCE`): installation-wide content every clinic reads, with no clinic;
- installation-wide (`INSTALLATION_WIDE`): the installation's own tables, each with its reason.

`violations()` returns what breaks the rules, as plain sentences naming the model and the
constraint; `tests/core/test_shard_readiness.py` fails on any, and `docs/scale.md` lists the
classification (`ketaclinic scale_doc`).

The primary key `id` is exempt from the unique rule: ids are random UUIDs (or, for a few
tables, bigint surrogates) that are never reused across clinics, and under Citus the primary
key of a distributed table becomes `(clinic_id, id)`.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models

from .models import Clinic

# Tables with no clinic that every clinic reads: under Citus, reference tables.
REFERENCE: dict[str, str] = {
    "measures.InstrumentText": (
        "Licensed item wording loaded for every clinic of the installation "
        "(`ketaclinic load_instrument_text FILE` without `--clinic`); a clinic's own wording "
        "is the clinic-scoped `measures.ClinicInstrumentText`."
    ),
}

# The installation's own tables, neither clinical rows nor reference content.
INSTALLATION_WIDE: dict[str, str] = {
    "core.Organization": (
        "A group of clinics (locations): each clinic points to its organization, and the "
        "network views read every clinic of one. Under Citus a reference table, like the "
        "clinics themselves."
    ),
    "core.Clinic": (
        "The tenants themselves: the row every distributed table points to. Under Citus a "
        "reference table, so that each shard can join and check its foreign keys to it."
    ),
    "accounts.User": (
        "The sign-in identity: a username and password are checked before any clinic is known, "
        "usernames are unique across the installation, and a person may belong to several "
        "clinics (`accounts.Membership`, clinic-scoped). `User.clinic` is their home clinic. "
        "Distributed tables "
        "point to users (who recorded, who signed), so under Citus this is a reference table."
    ),
}

DISTRIBUTION_COLUMN = "clinic_id"


@dataclass(frozen=True)
class Violation:
    model: str
    message: str

    def __str__(self) -> str:
        return f"{self.model}: {self.message}"


def ketaclinic_models(*, product_only: bool = False) -> list[type[models.Model]]:
    """Every concrete model of the ketaclinic apps, in a stable order: with the development
    tools when they are installed, unless `product_only`."""
    prefix = "ketaclinic." if product_only else "ketaclinic"
    found = [
        m
        for m in apps.get_models()
        if m._meta.app_config.name.startswith(prefix) and not m._meta.proxy
    ]
    return sorted(found, key=lambda m: m._meta.label)


def clinic_field(model) -> models.Field | None:
    """The field that holds the model's clinic (a foreign key to Clinic, or a plain
    `clinic_id` column), or None."""
    for field in model._meta.concrete_fields:
        if field.column != DISTRIBUTION_COLUMN:
            continue
        if field.is_relation and field.related_model is Clinic:
            return field
        if not field.is_relation:
            return field
    return None


def classify(model) -> str:
    """ "reference", "installation-wide", "clinic" or "unclassified"."""
    label = model._meta.label
    if label in REFERENCE:
        return "reference"
    if label in INSTALLATION_WIDE:
        return "installation-wide"
    if clinic_field(model) is not None:
        return "clinic"
    return "unclassified"


def _unique_sets(model):
    """(description, field names) of every unique field, unique_together and UniqueConstraint
    of the model, the primary key excepted."""
    opts = model._meta
    for field in opts.concrete_fields:
        if field.unique and not field.primary_key:
            yield f"unique field {field.name!r}", [field.name]
    for names in opts.unique_together:
        yield f"unique_together {tuple(names)!r}", list(names)
    for constraint in opts.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        names = list(constraint.fields)
        for expression in constraint.expressions:
            names += [ref.name for ref in _field_refs(expression)]
        kind = "conditional unique constraint" if constraint.condition else "unique constraint"
        yield f"{kind} {constraint.name!r} on {tuple(names)!r}", names


def _field_refs(expression):
    if isinstance(expression, models.F):
        yield expression
        return
    for source in getattr(expression, "get_source_expressions", list)():
        if source is not None:
            yield from _field_refs(source)


def _includes_clinic(model, names) -> bool:
    columns = set()
    for name in names:
        try:
            columns.add(model._meta.get_field(name).column)
        except Exception:
            columns.add(name)
    return DISTRIBUTION_COLUMN in columns


def model_violations(model, kind: str | None = None) -> list[Violation]:
    """What in one model breaks the sharding rules, given its classification."""
    kind = kind or classify(model)
    label = model._meta.label
    found = []
    if kind == "unclassified":
        found.append(
            Violation(
                label,
                "has no clinic and is not listed as reference data or installation-wide "
                "(ketaclinic.core.sharding)",
            )
        )
        return found
    if kind == "clinic":
        for description, names in _unique_sets(model):
            if not _includes_clinic(model, names):
                found.append(Violation(label, f"{description} does not include clinic"))
    if kind == "reference" and clinic_field(model) is not None:
        found.append(Violation(label, "is reference data but has a clinic column"))
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.related_model is None:
            continue
        target = field.related_model
        target_kind = classify(target) if _is_ketaclinic(target) else "outside"
        if kind == "reference" and target_kind not in ("reference", "installation-wide"):
            found.append(
                Violation(
                    label,
                    f"is reference data but {field.name!r} points to {target._meta.label} "
                    f"({target_kind})",
                )
            )
        if kind == "clinic" and target_kind not in ("clinic", "reference", "installation-wide"):
            found.append(
                Violation(
                    label,
                    f"foreign key {field.name!r} points to {target._meta.label}, which is "
                    f"neither clinic-scoped nor reference data nor installation-wide",
                )
            )
    return found


def _is_ketaclinic(model) -> bool:
    return model._meta.app_config.name.startswith("ketaclinic")


def violations(models_to_check=None) -> list[Violation]:
    """Every violation of the sharding rules among the given models (default: all of them)."""
    found = []
    for label in list(REFERENCE) + list(INSTALLATION_WIDE):
        try:
            apps.get_model(label)
        except LookupError:
            found.append(
                Violation(label, "is listed in ketaclinic.core.sharding but not installed")
            )
    for model in models_to_check if models_to_check is not None else ketaclinic_models():
        found += model_violations(model)
    return found


def clinic_foreign_keys() -> list[tuple[type[models.Model], models.Field]]:
    """Every foreign key from a clinic-scoped model to another clinic-scoped model (other than
    the clinic itself)."""
    out = []
    for model in ketaclinic_models():
        if classify(model) != "clinic":
            continue
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.related_model is Clinic:
                continue
            target = field.related_model
            if _is_ketaclinic(target) and classify(target) == "clinic":
                out.append((model, field))
    return out


def cross_clinic_sql(model, field) -> str:
    """SQL counting the rows of `model` whose clinic differs from the clinic of the row their
    foreign key `field` points to (0 on a database that keeps the rule)."""
    qn = connection.ops.quote_name
    target = field.related_model
    source_clinic = clinic_field(model).column
    target_clinic = clinic_field(target).column
    target_column = field.target_field.column
    # Only quoted table and column names from the models' _meta: no outside input.
    return (
        f"SELECT COUNT(*) FROM {qn(model._meta.db_table)} s "  # noqa: S608
        f"JOIN {qn(target._meta.db_table)} t ON s.{qn(field.column)} = t.{qn(target_column)} "
        f"WHERE s.{qn(source_clinic)} <> t.{qn(target_clinic)}"
    )


def cross_clinic_rows() -> dict[str, int]:
    """For every foreign key between clinic-scoped models, the rows that join two clinics
    (only the keys with such rows)."""
    out = {}
    with connection.cursor() as cursor:
        for model, field in clinic_foreign_keys():
            cursor.execute(cross_clinic_sql(model, field))
            (count,) = cursor.fetchone()
            if count:
                out[f"{model._meta.label}.{field.name}"] = count
    return out


def classification_markdown() -> str:
    """The tables by kind, for docs/scale.md."""
    by_kind: dict[str, list] = {"clinic": [], "reference": [], "installation-wide": []}
    for model in ketaclinic_models(product_only=True):
        kind = classify(model)
        if kind in by_kind:
            by_kind[kind].append(model)
    lines = [
        "### Distributed by `clinic_id`",
        "",
        "| model | table | clinic column | primary key under Citus |",
        "|---|---|---|---|",
    ]
    for model in by_kind["clinic"]:
        field = clinic_field(model)
        how = "foreign key" if field.is_relation else "plain id"
        if field.unique:
            how += ", one row per clinic"
        if field.null:
            how += ", may be empty"
        pk = model._meta.pk
        key = (
            f"`({DISTRIBUTION_COLUMN})`"
            if pk is field
            else f"`({DISTRIBUTION_COLUMN}, {pk.column})`"
        )
        row = f"| `{model._meta.label}` | `{model._meta.db_table}` | {how} | {key} |"
        lines.append(row)
    lines += ["", "### Reference tables", "", "| model | table | why |", "|---|---|---|"]
    for model in by_kind["reference"]:
        reason = REFERENCE[model._meta.label]
        lines.append(f"| `{model._meta.label}` | `{model._meta.db_table}` | {reason} |")
    lines += ["", "### Installation-wide", "", "| model | table | why |", "|---|---|---|"]
    for model in by_kind["installation-wide"]:
        reason = INSTALLATION_WIDE[model._meta.label]
        lines.append(f"| `{model._meta.label}` | `{model._meta.db_table}` | {reason} |")
    return "\n".join(lines)

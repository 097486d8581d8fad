"""Ledger pages: stock, sessions' drug, counts, reconciliation, reports, signals, verification."""

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ketaclinic.core.errors import DomainError, Forbidden, NotFound
from ketaclinic.core.pagination import paginate
from ketaclinic.core.permissions import can, require
from ketaclinic.core.views import clinic_view, run_service
from ketaclinic.inventory import diversion, forms, queries, reports, services
from ketaclinic.inventory.witness import WitnessCredentials


def _today(user) -> dt.date:
    return timezone.localdate(timezone.now(), user.clinic.tz)


def _form_page(request, form, title: str, *, intro: str = "", submit: str = "Record"):
    return render(
        request,
        "inventory/form.html",
        {"form": form, "title": title, "intro": intro, "submit": submit},
    )


def _movement_page(request, permission: str, form_class, call, message, title: str, **page):
    """A movement's form page: a valid POST runs `call(data)` (the service); when it records
    the entry, `message(entry, data)` is shown on the ledger's home page."""
    require(request.user, permission)
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entry = run_service(form, lambda: call(data))
        if entry is not None:
            level, text = message(entry, data)
            level(request, text)
            return redirect("inventory:home")
    return _form_page(request, form, title, **page)


@clinic_view
def ledger_home(request):
    user = request.user
    require(user, "ledger.view")
    context = {
        "balances": queries.balances(user),
        "discrepancies": queries.open_discrepancies(user),
        "head": queries.head_of(user.clinic_id),
        "today": _today(user),
    }
    return render(request, "inventory/home.html", context)


@clinic_view
def entry_list(request):
    user = request.user
    form = forms.EntryFilterForm(request.GET or None, user=user)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = queries.entries(
        user,
        lot=filters.get("lot"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    ).order_by("-sequence")
    entry_id = request.GET.get("entry")
    if entry_id:
        rows = rows.filter(pk=queries._uuid(entry_id, "ledger entry"))
    page = paginate(rows, request.GET.get("page"), per_page=50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inventory/entries.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@clinic_view
def receive(request):
    return _movement_page(
        request,
        "ledger.receive",
        forms.ReceiptForm,
        lambda data: services.receive_stock(actor=request.user, **data),
        lambda entry, data: (
            messages.success,
            f"Received {data['containers']} container(s) of {entry.lot.product.name}, "
            f"lot {entry.lot.lot_number} (entry #{entry.sequence}).",
        ),
        "Receive stock",
        intro="Record containers as they arrive.",
    )


@clinic_view
def draw_start(request):
    """Pick the session to draw for."""
    require(request.user, "ledger.draw")
    day = _today(request.user)
    return render(
        request,
        "inventory/draw_start.html",
        {"sessions": queries.sessions_to_draw_for(request.user, day), "today": day},
    )


def _draw_initial(session) -> dict:
    """The draw for the order: the lot of its second check and the ordered amount."""
    initial = {}
    if session.order_lot_id:
        initial["lot"] = session.order_lot_id
    if session.ordered_quantity is not None:
        initial["quantity"] = session.ordered_quantity.normalize()
    return initial


def _session_forms(request, session, record, data=None, which=None):
    user = request.user
    lots = [line.lot for line in record.lines if line.balance.in_hand > 0]
    bound = {k: (data if k == which else None) for k in ("draw", "give", "waste", "ret")}
    return {
        "draw_form": forms.DrawForm(
            bound["draw"], user=user, prefix="draw", initial=_draw_initial(session)
        ),
        "give_form": forms.AdministerForm(bound["give"], lots=lots),
        "waste_form": forms.WasteForm(bound["waste"], lots=lots),
        "return_form": forms.ReturnForm(bound["ret"], lots=lots, user=user),
    }


@clinic_view
def session_drug(request, session_id):
    """A session's drug record: draw, administer, waste with a witness, return, close."""
    user = request.user
    session = queries.access_session(user, session_id)
    record = queries.session_drug_balance(session)
    action = request.POST.get("action") if request.method == "POST" else None
    context_forms = _session_forms(request, session, record, request.POST, action)
    if action:
        done = _session_action(request, session, action, context_forms)
        if done:
            messages.success(request, done)
            return redirect("inventory:session", session_id=session.pk)
        record = queries.session_drug_balance(session)
    return render(
        request,
        "inventory/session.html",
        {
            "session": session,
            "record": record,
            "entries": queries.entries(user, session=session),
            "can_draw": can(user, "ledger.draw"),
            "can_close": can(user, "ledger.close_session"),
            **context_forms,
        },
    )


def _session_action(request, session, action: str, context_forms) -> str | None:
    user = request.user
    if action == "close":
        closure = _run_plain(
            request, lambda: services.close_session_drug_record(actor=user, session=session)
        )
        return "Drug record closed: it balances." if closure else None
    form = {
        "draw": context_forms["draw_form"],
        "give": context_forms["give_form"],
        "waste": context_forms["waste_form"],
        "ret": context_forms["return_form"],
    }.get(action)
    if form is None or not form.is_valid():
        return None
    data = form.cleaned_data
    lot = data.get("lot") or None
    given = {"actor": user, "session": session, "quantity": data["quantity"]}
    calls = {
        "draw": lambda: services.draw_for_session(
            **given, lot=data["lot"], location=data["location"], reason=data["reason"]
        ),
        "give": lambda: services.administer(**given, lot=lot),
        "waste": lambda: services.record_waste(
            **given,
            lot=lot,
            method=data["method"],
            witness=WitnessCredentials(
                username=data["witness_username"], password=data["witness_password"]
            ),
            request=request,
        ),
        "ret": lambda: services.return_to_stock(**given, lot=lot, location=data["location"]),
    }
    entry = run_service(form, calls[action])
    if entry is None:
        return None
    what = entry.get_entry_type_display().lower()
    return (
        f"Recorded {what} of {entry.quantity.normalize():f} {entry.unit} (entry #{entry.sequence})."
    )


def _run_plain(request, call):
    """Call a service from a form-less button; a refusal becomes an error message."""
    try:
        return call()
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return None


@clinic_view
def transfer(request):
    return _movement_page(
        request,
        "ledger.transfer",
        forms.TransferForm,
        lambda data: services.transfer_stock(actor=request.user, **data),
        lambda entry, data: (messages.success, f"Transfer recorded (entry #{entry.sequence})."),
        "Move stock between locations",
    )


def count_field(row) -> str:
    """The count form's field of one row: named by its lot and location, so that a value is
    booked against the row it was typed for even if the rows change meanwhile."""
    return f"counted-{row.lot.pk}-{row.location.pk}"


@clinic_view
def count(request):
    """The end-of-day count: one counted quantity per lot and location, expected not shown.

    Every row must be counted (an empty shelf is 0): a blank row is refused by name and nothing
    is written, so a forgotten row never reads as a count that matches the ledger. If the rows
    changed while the count was typed (a shelf emptied by a draw, a new lot), nothing is
    written and the page asks for the count again.
    """
    user = request.user
    require(user, "ledger.count")
    rows = queries.balances(user)
    keys = [count_field(row) for row in rows]
    values, field_errors, errors = {}, {}, []
    if request.method == "POST":
        posted = {k for k in request.POST if k.startswith("counted-")}
        for key, row in zip(keys, rows, strict=True):
            value = request.POST.get(key, "").strip()
            values[key] = value
            if value == "":
                field_errors[key] = (
                    f"Counted ({row.unit}) for lot {row.lot.lot_number} at {row.location.name}: "
                    "enter the quantity counted (0 if the shelf is empty)."
                )
        if posted - set(keys):
            errors.append(
                "The stock on the book changed while you were counting (a lot or location "
                "listed then is no longer on hand): nothing was recorded. Check the rows below "
                "and record the count again."
            )
        if not field_errors and not errors:
            found = 0
            with transaction.atomic():
                for key, row in zip(keys, rows, strict=True):
                    try:
                        outcome = services.count_stock(
                            actor=user, lot=row.lot, location=row.location, counted=values[key]
                        )
                    except DomainError as exc:
                        field_errors[key] = (
                            f"Counted for lot {row.lot.lot_number} at {row.location.name}: "
                            f"{exc.message}"
                        )
                        continue
                    found += outcome.discrepancy is not None
                if field_errors:
                    # All rows or none: a count half recorded would be read as the whole count.
                    transaction.set_rollback(True)
            if not field_errors:
                if found:
                    messages.warning(request, f"{found} discrepancy(ies) opened: see below.")
                else:
                    messages.success(request, "Count recorded: it matches the ledger.")
                return redirect("inventory:reconciliation")
    table = [
        {"row": row, "key": key, "value": values.get(key, ""), "error": field_errors.get(key, "")}
        for key, row in zip(keys, rows, strict=True)
    ]
    return render(
        request,
        "inventory/count.html",
        {"table": table, "errors": errors + [field_errors[k] for k in keys if k in field_errors]},
    )


@clinic_view
def reconciliation(request):
    user = request.user
    form = forms.RangeForm(request.GET or None)
    day = _today(user)
    if form.is_valid() and form.cleaned_data.get("date_from"):
        day = form.cleaned_data["date_from"]
    return render(
        request,
        "inventory/reconciliation.html",
        {
            "rec": queries.day_reconciliation(user, day),
            "left_open": queries.unreconciled_sessions(user, now=timezone.now()),
            "can_resolve": can(user, "ledger.resolve_discrepancy"),
        },
    )


@clinic_view
def resolve(request, entry_id):
    require(request.user, "ledger.resolve_discrepancy")
    found = queries.access_entry(request.user, entry_id)
    form = forms.ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = run_service(
            form,
            lambda: services.resolve_discrepancy(
                actor=request.user, discrepancy=found, reason=form.cleaned_data["reason"]
            ),
        )
        if entry is not None:
            messages.success(request, f"Discrepancy #{found.sequence} resolved.")
            return redirect("inventory:reconciliation")
    return _form_page(
        request,
        form,
        f"Resolve discrepancy #{found.sequence}",
        intro=f"{found.lot} at {found.location}: counted {found.data.get('counted')}, "
        f"expected {found.data.get('expected')} ({found.unit}).",
        submit="Resolve",
    )


def _witness_pair(data) -> list[WitnessCredentials]:
    return [
        WitnessCredentials(
            username=data[f"witness{i}_username"], password=data[f"witness{i}_password"]
        )
        for i in (1, 2)
    ]


@clinic_view
def destroy(request):
    return _movement_page(
        request,
        "ledger.destroy",
        forms.DestructionForm,
        lambda data: services.destroy_stock(
            actor=request.user,
            lot=data["lot"],
            location=data["location"],
            quantity=data["quantity"],
            method=data["method"],
            reason=data["reason"],
            witnesses=_witness_pair(data),
            request=request,
        ),
        lambda entry, data: (messages.success, f"Destruction recorded (entry #{entry.sequence})."),
        "Destroy stock (Form 41)",
        intro="Two witnesses sign with their password.",
    )


@clinic_view
def loss(request):
    return _movement_page(
        request,
        "ledger.loss",
        forms.LossForm,
        lambda data: services.record_loss(actor=request.user, **data),
        lambda entry, data: (
            messages.warning,
            f"Loss recorded. Written notice to DEA is due {entry.data['notice_due']}; "
            f"Form 106 by {entry.data['form_106_due']}.",
        ),
        "Report a theft or significant loss (Form 106)",
    )


@clinic_view
def distributions(request):
    """Stock sent to another registrant: the form (for those who may) and every distribution."""
    user = request.user
    require(user, "ledger.view")
    may_distribute = can(user, "ledger.distribute")
    form = forms.DistributionForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST":
        require(user, "ledger.distribute")
        if form.is_valid():
            entry = run_service(
                form, lambda: services.distribute_stock(actor=user, **form.cleaned_data)
            )
            if entry is not None:
                messages.success(
                    request,
                    f"Distribution of {entry.quantity.normalize():f} {entry.unit} of lot "
                    f"{entry.lot.lot_number} to {entry.data['recipient_name']} "
                    f"({entry.data['recipient_dea']}) recorded (entry #{entry.sequence}).",
                )
                return redirect("inventory:distributions")
    rows = queries.entries(user, entry_type="distribution").order_by("-sequence")
    page = paginate(rows, request.GET.get("page"), per_page=50)
    return render(
        request,
        "inventory/distributions.html",
        {"form": form, "page": page, "may_distribute": may_distribute},
    )


@clinic_view
def setup(request):
    user = request.user
    require(user, "ledger.view")
    manage = can(user, "ledger.manage_stock")
    product_form = forms.ProductCreateForm(
        request.POST if request.POST.get("action") == "product" else None
    )
    location_form = forms.LocationCreateForm(
        request.POST if request.POST.get("action") == "location" else None
    )
    if request.method == "POST" and manage:
        form, call = (
            (product_form, services.create_product)
            if request.POST.get("action") == "product"
            else (location_form, services.create_location)
        )
        if form.is_valid() and run_service(form, lambda: call(actor=user, **form.cleaned_data)):
            messages.success(request, "Saved.")
            return redirect("inventory:setup")
    return render(
        request,
        "inventory/setup.html",
        {
            "products": queries.products(user),
            "locations": queries.locations(user),
            "product_form": product_form,
            "location_form": location_form,
            "manage": manage,
        },
    )


def _range(user, form) -> tuple[dt.date, dt.date]:
    today = _today(user)
    data = form.cleaned_data if form.is_valid() else {}
    date_to = data.get("date_to") or today
    date_from = data.get("date_from") or date_to - dt.timedelta(days=29)
    return date_from, date_to


@clinic_view
def diversion_page(request):
    require(request.user, "ledger.diversion")
    form = forms.RangeForm(request.GET or None)
    date_from, date_to = _range(request.user, form)
    report = diversion.diversion_report(request.user, date_from=date_from, date_to=date_to)
    return render(request, "inventory/diversion.html", {"form": form, "report": report})


@clinic_view
def reports_page(request):
    user = request.user
    require(user, "ledger.report")
    form = forms.ReportForm(request.GET or None)
    if request.GET and form.is_valid():
        date_from, date_to = _range(user, form)
        fmt = form.cleaned_data["format"]
        built = reports.build_report(user, form.cleaned_data["report"], date_from, date_to)
        reports.audit_export(user, built, fmt)
        if fmt == "print":
            return HttpResponse(_report_print(request, built))
        if fmt == "pdf":
            response = HttpResponse(reports.to_pdf(built), content_type="application/pdf")
        else:
            response = HttpResponse(reports.to_csv(built), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{reports.filename(built, fmt)}"'
        return response
    return render(request, "inventory/reports.html", {"form": form})


def _report_print(request, built) -> str:
    """The report as a page to print: the PDF's own template, linking back and to the PDF."""
    query = request.GET.copy()
    query["format"] = "pdf"
    return reports.to_html(
        built,
        for_pdf=False,
        request=request,
        back_url=reverse("inventory:reports"),
        back_label="Back to DEA reports",
        pdf_url=reverse("inventory:reports") + "?" + query.urlencode(),
    )


@clinic_view
def verify(request):
    user = request.user
    head = (request.GET.get("head") or "").strip().lower() or None
    if head and (len(head) != 64 or any(c not in "0123456789abcdef" for c in head)):
        messages.error(request, "A head hash is 64 hexadecimal characters.")
        head = None
    verdict = queries.verify_ledger(user, saved_head=head)
    return render(request, "inventory/verify.html", {"verdict": verdict, "saved_head": head})

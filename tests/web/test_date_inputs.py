"""Every date, time and date-time field of every form is the browser's picker, fed ISO values.

A type="date" input shows nothing unless its value is YYYY-MM-DD, whatever the page's language;
so each widget names its format instead of borrowing the active locale's first input format.
"""

import datetime as dt
import importlib
import inspect
from pathlib import Path

from django import forms
from django.utils import translation

SRC = Path(__file__).resolve().parents[2] / "src" / "ketaclinic"
PICKERS = {
    forms.DateField: ("date", dt.date(2026, 3, 9), "2026-03-09"),
    forms.TimeField: ("time", dt.time(7, 5), "07:05"),
    forms.DateTimeField: ("datetime-local", dt.datetime(2026, 3, 9, 7, 5), "2026-03-09T07:05"),
}


def _form_fields():
    for path in sorted(SRC.glob("*/forms.py")):
        module = importlib.import_module(f"ketaclinic.{path.parent.name}.forms")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                for field_name, field in cls.base_fields.items():
                    yield f"{path.parent.name}.{name}.{field_name}", field


def test_date_and_time_fields_use_the_pickers_with_iso_values_in_any_language():
    wrong = []
    found = 0
    for where, field in _form_fields():
        kind = next((v for k, v in PICKERS.items() if type(field) is k), None)
        if kind is None:
            continue
        found += 1
        input_type, value, shown = kind
        if getattr(field.widget, "input_type", None) != input_type:
            wrong.append(f"{where}: type={getattr(field.widget, 'input_type', None)}")
            continue
        # a page in Spanish (day/month/year by default) still gets the ISO value
        with translation.override("es"):
            if field.widget.format_value(value) != shown:
                wrong.append(f"{where}: {field.widget.format_value(value)}")
    assert found > 20 and wrong == []

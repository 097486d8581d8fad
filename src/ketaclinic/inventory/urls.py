"""URLs of the ledger pages."""

from django.urls import path

from . import views

app_name = "inventory"
urlpatterns = [
    path("ledger/", views.ledger_home, name="home"),
    path("ledger/entries/", views.entry_list, name="entries"),
    path("ledger/receive/", views.receive, name="receive"),
    path("ledger/draw/", views.draw_start, name="draw"),
    path("ledger/sessions/<uuid:session_id>/", views.session_drug, name="session"),
    path("ledger/transfer/", views.transfer, name="transfer"),
    path("ledger/count/", views.count, name="count"),
    path("ledger/reconciliation/", views.reconciliation, name="reconciliation"),
    path("ledger/discrepancies/<uuid:entry_id>/resolve/", views.resolve, name="resolve"),
    path("ledger/destroy/", views.destroy, name="destroy"),
    path("ledger/loss/", views.loss, name="loss"),
    path("ledger/distributions/", views.distributions, name="distributions"),
    path("ledger/setup/", views.setup, name="setup"),
    path("ledger/diversion/", views.diversion_page, name="diversion"),
    path("ledger/reports/", views.reports_page, name="reports"),
    path("ledger/verify/", views.verify, name="verify"),
]

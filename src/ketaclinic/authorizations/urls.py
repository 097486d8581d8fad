"""URLs of the coverage and authorization pages."""

from django.urls import path

from . import views

app_name = "authorizations"
P = "patients/<uuid:patient_id>/coverage/"
A = P + "authorizations/<uuid:authorization_id>/"
CHECKLIST = "authorizations/checklists/<uuid:checklist_id>/"
# (route, view, name)
ROUTES = (
    (P, views.coverage_tab, "tab"),
    (P + "add/", views.add_coverage, "add_coverage"),
    (P + "<uuid:coverage_id>/end/", views.end_coverage, "end_coverage"),
    (P + "benefits-checks/", views.add_benefits_check, "benefits_check"),
    (P + "authorizations/", views.add_authorization, "add"),
    (A, views.authorization_page, "detail"),
    (A + "status/", views.change_status, "status"),
    (A + "details/", views.update_details, "details"),
    (A + "link-course/", views.link_course, "link_course"),
    (A + "packet/", views.packet_page, "packet"),
    (A + "packet.pdf", views.packet_pdf, "packet_pdf"),
    ("courses/<uuid:course_id>/authorizations/", views.course_page, "course"),
    ("authorizations/", views.work_queue, "work_queue"),
    ("authorizations/settings/", views.settings_page, "settings"),
    ("authorizations/settings/site/", views.save_settings, "save_settings"),
    ("authorizations/checklists/copy-example/", views.copy_example, "copy_example"),
    (CHECKLIST + "criteria/", views.add_criterion, "add_criterion"),
    (CHECKLIST + "criteria/<int:position>/remove/", views.remove_criterion, "remove_criterion"),
)
urlpatterns = [path(route, view, name=name) for route, view, name in ROUTES]

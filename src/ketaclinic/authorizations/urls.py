"""URLs of the coverage and authorization pages."""

from django.urls import path

from . import views

app_name = "authorizations"
P = "patients/<uuid:patient_id>/coverage/"
A = P + "authorizations/<uuid:authorization_id>/"
urlpatterns = [
    path(P, views.coverage_tab, name="tab"),
    path(P + "add/", views.add_coverage, name="add_coverage"),
    path(P + "<uuid:coverage_id>/end/", views.end_coverage, name="end_coverage"),
    path(P + "benefits-checks/", views.add_benefits_check, name="benefits_check"),
    path(P + "authorizations/", views.add_authorization, name="add"),
    path(A, views.authorization_page, name="detail"),
    path(A + "status/", views.change_status, name="status"),
    path(A + "details/", views.update_details, name="details"),
    path(A + "link-course/", views.link_course, name="link_course"),
    path(A + "packet/", views.packet_page, name="packet"),
    path(A + "packet.pdf", views.packet_pdf, name="packet_pdf"),
    path("courses/<uuid:course_id>/authorizations/", views.course_page, name="course"),
    path("authorizations/", views.work_queue, name="work_queue"),
    path("authorizations/settings/", views.settings_page, name="settings"),
    path("authorizations/settings/site/", views.save_settings, name="save_settings"),
    path("authorizations/checklists/copy-example/", views.copy_example, name="copy_example"),
    path(
        "authorizations/checklists/<uuid:checklist_id>/criteria/",
        views.add_criterion,
        name="add_criterion",
    ),
    path(
        "authorizations/checklists/<uuid:checklist_id>/criteria/<int:position>/remove/",
        views.remove_criterion,
        name="remove_criterion",
    ),
]

"""URLs of the accounts pages: sign-in, your account, API tokens, staff administration."""

from django.urls import path

from . import staff_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/two-factor/", views.two_factor, name="two-factor"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password"),
    path("account/clinic/", views.switch_clinic, name="switch-clinic"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", views.revoke_token, name="revoke-token"),
    path("staff/", staff_views.staff_list, name="staff"),
    path("staff/new/", staff_views.staff_add, name="staff-add"),
    path("staff/security/", staff_views.security_policy, name="security-policy"),
    path("staff/<uuid:user_id>/", staff_views.staff_member, name="staff-member"),
    path("staff/<uuid:user_id>/<slug:action>/", staff_views.staff_action, name="staff-action"),
]

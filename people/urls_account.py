from django.urls import path

from people import views_account as views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/choose/", views.account_chooser, name="account_chooser"),
    path("accounts/new/", views.CreateAccountView.as_view(), name="account_create"),
    path("settings/profile/", views.ProfileView.as_view(), name="profile"),
    path("a/<slug:slug>/", views.OverviewView.as_view(), name="overview"),
    path("a/<slug:slug>/login/", views.AccountLoginView.as_view(), name="account_specific_login"),
    path(
        "a/<slug:slug>/two-factor-required/",
        views.TwoFactorRequiredView.as_view(),
        name="two_factor_required",
    ),
]

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    # One message for unknown email, wrong password and a locked-out login.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The email address or password is not correct.",
        "too_many_login_attempts": "The email address or password is not correct.",
    }

    def get_login_redirect_url(self, request):
        return reverse("home")

    def get_signup_redirect_url(self, request):
        return reverse("home")

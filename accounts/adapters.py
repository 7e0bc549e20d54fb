from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.hashers import make_password
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

    def respond_email_verification_sent(self, request, user):
        if user is None:
            # A sign-up with an email that already has a login creates nobody (allauth emails
            # that person instead), so it would answer a password hash (~0.7 s) sooner than a
            # real sign-up and tell the two apart. Pay the same hash, as Django's ModelBackend
            # does for an unknown email at log-in.
            make_password("the same work as a new login")
        return super().respond_email_verification_sent(request, user)

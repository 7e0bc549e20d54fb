import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.apikeys.test_views import recently_authenticated

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.urls_webauthn")]


def test_last_security_key_cannot_be_removed_while_2fa_is_required(client_for, members, account):
    user = members["viewer"].user
    key = Authenticator.objects.create(user=user, type=Authenticator.Type.WEBAUTHN, data={})
    account.require_2fa = True
    account.save()
    client = recently_authenticated(client_for(user))
    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": key.pk}))
    assert response.status_code == 302
    assert b"requires it" in client.get(reverse("profile")).content  # the flash message
    assert Authenticator.objects.filter(pk=key.pk).exists()

    account.require_2fa = False
    account.save()
    client.post(reverse("mfa_remove_webauthn", kwargs={"pk": key.pk}))
    assert not Authenticator.objects.filter(pk=key.pk).exists()

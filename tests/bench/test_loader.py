"""The bulk loader on a small size: the rows the benchmark addresses exist and clean up."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Account, User
from audit.models import ActivityEvent
from bench import loader
from invitations.models import Invitation
from memberships.models import Membership

pytestmark = pytest.mark.django_db


def test_load_builds_accounts_of_each_size_with_pending_invitations_and_activity():
    info = loader.load(sizes=(10, 60), invite_accounts=3, events=40, batch=7)

    for size in (10, 60):
        account = Account.objects.get(slug=info["sizes"][size]["slug"])
        assert Membership.objects.filter(account=account).count() == size
        assert Membership.objects.filter(account=account, role="owner").count() == 1
        assert Membership.objects.get(account=account, user__email=loader.ADMIN_EMAIL).role == (
            "admin"
        )
        pending = Invitation.objects.pending().filter(account=account)
        assert pending.count() == size // 10
        hashes = pending.values_list("token_hash", flat=True)
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert info["sizes"][60]["last_page"] == 3
    assert ActivityEvent.objects.filter(account__slug=info["sizes"][60]["slug"]).count() == 40
    assert len(info["invite_accounts"]) == 3
    assert (
        Membership.objects.filter(
            account_id=info["invite_accounts"][0]["pk"],
            user_id=info["invite_accounts"][0]["user_id"],
        )
        .get()
        .role
        == "owner"
    )
    admin = User.objects.get(email=loader.ADMIN_EMAIL)
    assert admin.check_password(loader.PASSWORD)
    # One precomputed hash for everyone.
    assert (
        User.objects.filter(email__endswith=f"@{loader.EMAIL_DOMAIN}")
        .values("password")
        .distinct()
        .count()
        == 1
    )


def test_cleanup_removes_only_the_benchmark_rows(account):
    loader.load(sizes=(10,), invite_accounts=1, events=5)
    loader.cleanup()
    assert not Account.objects.filter(slug__startswith=loader.SLUG_PREFIX).exists()
    assert not User.objects.filter(email__endswith=f"@{loader.EMAIL_DOMAIN}").exists()
    assert Account.objects.filter(pk=account.pk).exists()


def test_minted_session_is_signed_in_for_the_bench_hello_view(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    info = loader.load(sizes=(10,), invite_accounts=1, events=1)
    keys = loader.mint_sessions([info["admin"]["id"]])
    client.cookies[settings.SESSION_COOKIE_NAME] = keys[info["admin"]["id"]]

    response = client.get("/bench/hello/")

    assert response.status_code == 200
    assert response.content == f"hello {info['admin']['id']}".encode()


def test_bench_hello_sends_anonymous_visitors_to_login(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    response = client.get("/bench/hello/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_cleanup_deletes_what_the_orm_would_cascade_to_and_nulls_what_it_would(account):
    from memberships.models import MemberCount

    info = loader.load(sizes=(10,), invite_accounts=1, events=5)
    bench_admin = User.objects.get(pk=info["admin"]["id"])
    outsider = User.objects.create(email="outsider@example.test")
    Membership.objects.create(user=bench_admin, account=account, role="viewer")
    Membership.objects.create(user=outsider, account=account, role="owner")
    invitation = Invitation.objects.create(
        account=account,
        email="new@example.test",
        role="viewer",
        invited_by=bench_admin,
        expires_at=timezone.now() + timedelta(days=7),
    )

    loader.cleanup()

    assert list(Membership.objects.filter(account=account)) == [
        Membership.objects.get(user=outsider)
    ]
    assert MemberCount.objects.get(account=account).members == 1  # the triggers saw it
    invitation.refresh_from_db()
    assert invitation.invited_by is None
    assert User.objects.filter(pk=outsider.pk).exists()


def test_delete_rows_refuses_an_on_delete_it_does_not_know(monkeypatch):
    from django.db import models

    field = Membership._meta.get_field("user")
    monkeypatch.setattr(field.remote_field, "on_delete", models.SET_DEFAULT)
    loader.load(sizes=(10,), invite_accounts=1, events=1)

    with pytest.raises(RuntimeError, match="on_delete"):
        loader.delete_rows(User.objects.filter(email__endswith=f"@{loader.EMAIL_DOMAIN}"))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="forked loaders need PostgreSQL: each opens its own connection to committed rows",
)
@pytest.mark.django_db(transaction=True)
def test_forked_loaders_build_the_same_data_set_as_one_process():
    info = loader.load(sizes=(10, 60), invite_accounts=2, events=30, batch=7, chunk=11, processes=2)

    for size in (10, 60):
        account = Account.objects.get(pk=info["sizes"][size]["pk"])
        members = Membership.objects.filter(account=account)
        assert members.count() == size
        assert members.filter(role="owner").count() == 1
        assert members.filter(status="suspended").count() == len(range(7, size - 1, 100))
        assert Invitation.objects.pending().filter(account=account).count() == size // 10
        assert not members.filter(user_email="").exists()  # the email-copy trigger ran
    assert ActivityEvent.objects.filter(account_id=info["sizes"][60]["pk"]).count() == 30
    loader.cleanup()
    assert not User.objects.filter(email__endswith=f"@{loader.EMAIL_DOMAIN}").exists()

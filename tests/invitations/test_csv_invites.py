"""CSV invites (issue 20, item 3): a file is read and every row checked and shown before
anything is sent; the confirmation sends exactly the rows shown as "will invite"."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import ActivityEvent
from invitations.csv_file import CsvFileError, read_csv
from invitations.models import Invitation
from tests.factories import AccountFactory, InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
HEADER = "email,first name,last name,level,access until\n"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _upload(client, account, content: bytes | str, name="people.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse("invitations:csv_preview", kwargs={"slug": account.slug}),
        {"csv_file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def _confirm(client, account, response, capture):
    token = response.context["token"]
    with capture(execute=True):
        return client.post(
            reverse("invitations:csv_confirm", kwargs={"slug": account.slug}), {"token": token}
        )


def _outcomes(response):
    return {
        result.row.email or result.row.line: result.outcome
        for result in response.context["results"]
    }


def _field_error(response) -> str:
    assert response.status_code == 200
    return " ".join(response.context["csv_form"].errors["csv_file"])


# --- Reading the file ---------------------------------------------------------------------


def test_bom_and_semicolons_are_read():
    data = (
        "\ufeffEmail;First name;Last name;Level;Access until\r\n"
        "a@example.test;Ana;Ruiz;Admin;2026-12-24\r\n"
    )
    rows = read_csv(data.encode())
    assert len(rows) == 1
    row = rows[0]
    assert (row.email, row.first_name, row.last_name, row.level) == (
        "a@example.test",
        "Ana",
        "Ruiz",
        "admin",
    )
    assert row.access_until_moment == datetime.datetime(
        2026, 12, 24, 23, 59, 59, tzinfo=datetime.UTC
    )
    assert row.error == ""


def test_quoted_commas_blank_lines_and_missing_optional_columns():
    rows = read_csv(b'email,last name\n\n"b@example.test","Smith, Jr"\n,\n')
    assert [(r.email, r.last_name, r.level, r.line) for r in rows] == [
        ("b@example.test", "Smith, Jr", "viewer", 3)
    ]


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        ("not-an-email,,,viewer,", "not a valid email address"),
        ("c@example.test,,,boss,", "unknown level"),
        ("c@example.test,,,viewer,24/12/2026", "YYYY-MM-DD"),
        ("c@example.test,,,viewer,2028-01-01", "at most one year ahead"),
        ("c@example.test,,,viewer,2026-11-01", "today or a later date"),
        ("c@example.test,A\x07,,viewer,", "control characters"),
        ("c@example.test,,,viewer,,extra", "more cells"),
    ],
)
def test_a_bad_row_is_kept_with_its_reason(cells, error):
    (row,) = read_csv((HEADER + cells + "\n").encode())
    assert error in row.error


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file"),
        ("email,name\nä@example.test,x\n".encode("latin-1"), "not UTF-8"),
        (b"mail,level\nx@example.test,viewer\n", "must name the columns"),
        (b"email,email address\nx@example.test,y@example.test\n", "must name the columns"),
        (HEADER.encode(), "nobody to invite"),
        (b"", "empty"),
    ],
)
def test_a_bad_file_is_refused_whole(data, message):
    with pytest.raises(CsvFileError, match=message):
        read_csv(data)


def test_at_most_500_rows():
    rows = "".join(f"p{i}@example.test,,,viewer,\n" for i in range(500))
    assert len(read_csv((HEADER + rows).encode())) == 500
    with pytest.raises(CsvFileError, match="more than 500 rows"):
        read_csv((HEADER + rows + "last@example.test,,,viewer,\n").encode())


# --- The page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "not a CSV file"),
        ("email;level\n\xe9t\xe9@example.test;viewer\n".encode("latin-1"), "not UTF-8"),
        (b"who,what\nx,y\n", "must name the columns"),
        (HEADER + "".join(f"p{i}@example.test,,,,\n" for i in range(501)), "more than 500"),
        (b"email\n" + b"x" * (3 * 1024 * 1024), "larger than"),
    ],
)
def test_bad_files_get_a_message_next_to_the_field(
    members, client_for, content, message, mailoutbox
):
    account = members["admin"].account
    response = _upload(client_for(members["admin"].user), account, content)
    assert message in _field_error(response)
    assert Invitation.objects.count() == 0 and mailoutbox == []


def test_no_file_is_a_field_error(members, client_for):
    account = members["admin"].account
    response = client_for(members["admin"].user).post(
        reverse("invitations:csv_preview", kwargs={"slug": account.slug})
    )
    assert "Choose a CSV file." in _field_error(response)


def test_preview_shows_every_row_and_sends_nothing(
    members, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    account = members["admin"].account
    InvitationFactory(account=account, email="pending@example.test")
    content = HEADER + "\n".join(
        [
            "new@example.test,New,Person,author,2027-01-31",
            f"{members['viewer'].user.email},,,viewer,",
            "pending@example.test,,,viewer,",
            "broken-address,,,viewer,",
            "boss@example.test,,,owner,",
            "NEW@example.test,,,viewer,",
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client_for(members["admin"].user), account, content)
    assert response.status_code == 200
    assert [(r.row.email, r.outcome) for r in response.context["results"]] == [
        ("new@example.test", "invite"),
        (members["viewer"].user.email, "member"),
        ("pending@example.test", "invited"),
        ("broken-address", "invalid"),
        ("boss@example.test", "level"),
        ("new@example.test", "duplicate"),  # the same address as row 2, whatever its case
    ]
    assert Invitation.objects.filter(account=account).count() == 1  # only the old one
    assert mailoutbox == []
    html = response.content.decode()
    for label in ("Will invite", "Already a member", "Already invited", "Invalid", "Duplicate row"):
        assert label in html


def test_nobody_is_invited_as_owner_from_a_file(members, client_for):
    account = members["admin"].account
    response = _upload(
        client_for(members["admin"].user), account, HEADER + "x@example.test,,,owner,\n"
    )
    assert _outcomes(response) == {"x@example.test": "level"}


def test_confirm_sends_exactly_the_good_rows(
    members, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    account, admin = members["admin"].account, members["admin"].user
    client = client_for(admin)
    content = (
        HEADER
        + "good1@example.test,Ana,Ruiz,author,2027-01-31\n"
        + "bad,,,viewer,\n"
        + "good2@example.test,,,viewer,\n"
    )
    preview = _upload(client, account, content)
    response = _confirm(client, account, preview, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    sent = Invitation.objects.filter(account=account).order_by("email")
    assert [(i.email, i.role, i.invited_by_id) for i in sent] == [
        ("good1@example.test", "author", admin.pk),
        ("good2@example.test", "viewer", admin.pk),
    ]
    good1 = sent[0]
    assert (good1.first_name, good1.last_name) == ("Ana", "Ruiz")
    assert good1.access_until == datetime.datetime(2027, 1, 31, 23, 59, 59, tzinfo=datetime.UTC)
    assert sorted(m.to[0] for m in mailoutbox) == ["good1@example.test", "good2@example.test"]
    assert ActivityEvent.objects.filter(action="invitation.sent").count() == 2
    # The review is used up: confirming again sends nothing more.
    again = _confirm(client, account, preview, django_capture_on_commit_callbacks)
    assert again.status_code == 302 and Invitation.objects.filter(account=account).count() == 2


@pytest.mark.parametrize("token", ["forged", "forgé ✓", ""])
def test_confirm_with_another_token_sends_nothing(members, client_for, mailoutbox, token):
    account = members["admin"].account
    client = client_for(members["admin"].user)
    _upload(client, account, HEADER + "good@example.test,,,viewer,\n")
    response = client.post(
        reverse("invitations:csv_confirm", kwargs={"slug": account.slug}), {"token": token}
    )
    assert response.status_code == 302
    assert Invitation.objects.count() == 0 and mailoutbox == []


def test_confirm_after_a_change_sends_nothing_and_shows_the_new_review(
    members, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    account = members["admin"].account
    client = client_for(members["admin"].user)
    preview = _upload(
        client, account, HEADER + "a@example.test,,,viewer,\nb@example.test,,,viewer,\n"
    )
    InvitationFactory(account=account, email="b@example.test")  # someone else invited b
    response = _confirm(client, account, preview, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response.context["changed"]
    assert _outcomes(response) == {"a@example.test": "invite", "b@example.test": "invited"}
    assert not Invitation.objects.filter(email="a@example.test").exists()
    again = _confirm(client, account, response, django_capture_on_commit_callbacks)
    assert again.status_code == 302
    assert Invitation.objects.filter(email="a@example.test").exists()


def test_the_daily_cap_lists_the_rest_as_not_sent_with_when(
    members, client_for, clock, mailoutbox, django_capture_on_commit_callbacks
):
    account = members["admin"].account
    for i in range(20):
        InvitationFactory(account=account, created_at=NOW - datetime.timedelta(hours=20 - i))
    client = client_for(members["admin"].user)
    content = HEADER + "".join(f"row{i}@example.test,,,viewer,\n" for i in range(8))
    preview = _upload(client, account, content)
    results = preview.context["results"]
    assert [r.outcome for r in results] == ["invite"] * 5 + ["over_cap"] * 3
    # the oldest of the 20 was sent 20 hours ago: the first row over the cap can go 4 hours on
    assert "can be sent from 1 Dec 2026, 13:00" in results[5].detail
    assert "Not sent: over the daily cap" in preview.content.decode()
    _confirm(client, account, preview, django_capture_on_commit_callbacks)
    assert Invitation.objects.filter(account=account).count() == 25
    assert len(mailoutbox) == 5


def test_seats_list_the_rest_as_not_sent(
    client_for, mailoutbox, django_capture_on_commit_callbacks
):
    account = AccountFactory(plan="standard")  # 5 seats
    owner = MembershipFactory(account=account, role="owner").user
    MembershipFactory(account=account, role="viewer")
    client = client_for(owner)
    content = HEADER + "".join(f"s{i}@example.test,,,viewer,\n" for i in range(5))
    preview = _upload(client, account, content)
    assert [r.outcome for r in preview.context["results"]] == ["invite"] * 3 + ["no_seat"] * 2
    assert "Not sent: no seat left" in preview.content.decode()
    _confirm(client, account, preview, django_capture_on_commit_callbacks)
    assert Invitation.objects.filter(account=account).count() == 3


def test_a_viewer_gets_403_and_another_account_404(members, other_account, client_for):
    content = HEADER + "x@example.test,,,viewer,\n"
    assert (
        _upload(client_for(members["viewer"].user), members["viewer"].account, content).status_code
        == 403
    )
    assert _upload(client_for(members["admin"].user), other_account, content).status_code == 404
    assert Invitation.objects.count() == 0


def test_a_review_is_for_its_own_account(members, client_for, django_capture_on_commit_callbacks):
    """A review made in account A cannot be confirmed in account B the same person administers."""
    account, admin = members["admin"].account, members["admin"].user
    second = AccountFactory()
    MembershipFactory(account=second, user=admin, role="owner")
    client = client_for(admin)
    preview = _upload(client, account, HEADER + "x@example.test,,,viewer,\n")
    response = client.post(
        reverse("invitations:csv_confirm", kwargs={"slug": second.slug}),
        {"token": preview.context["token"]},
    )
    assert response.status_code == 302
    assert Invitation.objects.count() == 0


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_a_csv_confirm_racing_a_seat_filling_invite_never_exceeds_seats():
    import threading

    from django.db import connections, transaction

    from accounts.models import Account
    from invitations import services
    from invitations.exceptions import SeatLimitReached
    from tests.locks import run_in_threads, wait_until_someone_waits_for_a_lock

    account = AccountFactory(plan="standard")  # 5 seats: the Owner and 4 left
    owner = MembershipFactory(account=account, role="owner").user
    rows = read_csv((HEADER + "".join(f"c{i}@example.test,,,viewer,\n" for i in range(4))).encode())
    held, release = threading.Event(), threading.Event()
    outcome = {}

    def hold_the_account():  # both writers queue behind this lock, then race for it
        with transaction.atomic():
            Account.objects.select_for_update().get(pk=account.pk)
            held.set()
            release.wait(10)

    def confirm_csv():
        held.wait(10)
        try:
            services.invite_csv_rows(
                account=account, rows=rows, expected_lines=[r.line for r in rows], actor=owner
            )
            outcome["csv"] = "sent"
        except services.CsvPreviewChanged:
            outcome["csv"] = "refused"

    def fill_seats():
        held.wait(10)
        try:
            services.invite_users(
                accounts=[account],
                emails=["x@example.test", "y@example.test"],
                level="viewer",
                actor=owner,
            )
            outcome["invite"] = "sent"
        except SeatLimitReached:
            outcome["invite"] = "refused"

    def let_go():
        held.wait(10)
        with connections["default"].cursor() as cursor:
            wait_until_someone_waits_for_a_lock(cursor)
        release.set()

    assert run_in_threads(hold_the_account, confirm_csv, fill_seats, let_go) == []
    assert sorted(outcome.values()) == ["refused", "sent"]
    pending = Invitation.objects.filter(account=account, status="pending").count()
    assert 1 + pending <= 5
    assert pending == (4 if outcome["csv"] == "sent" else 2)


def test_the_review_costs_the_same_queries_for_5_rows_and_500(members, client_for):
    account = members["admin"].account
    client = client_for(members["admin"].user)

    def content(n):
        return HEADER + "".join(f"q{i}@example.test,,,viewer,\n" for i in range(n))

    _upload(client, account, content(5))  # the session exists from now on
    with CaptureQueriesContext(connection) as small:
        _upload(client, account, content(5))
    with CaptureQueriesContext(connection) as large:
        response = _upload(client, account, content(500))
    assert len(response.context["results"]) == 500
    assert len(large.captured_queries) == len(small.captured_queries)

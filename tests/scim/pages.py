"""What an Owner sees on the Users page and in the activity log, for SCIM tests."""

import html
import re

from django.urls import reverse


def users_row(client, account, email) -> dict | None:
    """The Users page's row for `email`: {"name", "level", "status"}, or None when absent."""
    response = client.get(reverse("people:users", kwargs={"slug": account.slug}))
    assert response.status_code == 200
    page = response.content.decode()
    match = re.search(rf'<tr data-member="{re.escape(html.escape(email))}">(.*?)</tr>', page, re.S)
    if match is None:
        return None
    row = match.group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    level = re.search(r'data-testid="level">(.*?)</td>', row, re.S).group(1)
    status = re.search(r'data-testid="status">(.*?)</td>', row, re.S).group(1)
    return {
        "name": html.unescape(re.sub(r"<[^>]+>", "", cells[1])).strip(),
        "level": re.sub(r"<[^>]+>", "", level).strip(),
        "status": re.sub(r"<[^>]+>", "", status).strip(),
    }


def latest_activity(client, account) -> list[list[str]]:
    """The activity log's newest rows as lists of cell texts (When, Who, Action, ...)."""
    response = client.get(reverse("audit:activity", kwargs={"slug": account.slug}))
    assert response.status_code == 200
    rows = re.findall(r"<tr data-action=[^>]*>(.*?)</tr>", response.content.decode(), re.S)
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]

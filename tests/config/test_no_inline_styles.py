"""The CSP (style-src 'self') refuses inline style attributes, so a page's templates hold none:
widths and the like are classes in static/css/roster.css (issue 17). Emails are not served
under the CSP and keep their inline styles, which mail clients need."""

import re
from pathlib import Path

from django.conf import settings

EMAIL_TEMPLATES = ("emails/", "account/email/")


def served_templates():
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots.append(Path(settings.BASE_DIR) / "bench" / "templates")
    for root in roots:
        for path in sorted(root.rglob("*.html")):
            name = path.relative_to(root).as_posix()
            if not name.startswith(EMAIL_TEMPLATES):
                yield name, path


def test_served_templates_have_no_inline_style_attribute():
    templates = list(served_templates())
    assert len(templates) > 50  # the walk found the project's templates
    offenders = [
        f"{name}:{number}"
        for name, path in templates
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\sstyle\s*=", line)
    ]
    assert not offenders, offenders

"""`{% page_nav %}`: Previous / Page N of M / Next, with the list's filters kept."""

from django.core.paginator import Paginator
from django.template import Context, Template

TAG = '{% load page_nav %}{% page_nav page query "Members pages" css="mt-3" %}'


def render(number, *, count=60, query="", tag=TAG):
    page = Paginator(list(range(count)), 25).get_page(number)
    return Template(tag).render(Context({"page": page, "query": query}))


def test_a_single_page_has_no_navigation():
    assert render(1, count=25) == ""
    assert render(1, count=0) == ""


def test_the_middle_page_links_both_ways_and_keeps_the_filters_escaped():
    html = render(2, query='q=a%26b&level="x"')
    assert html == (
        '<nav aria-label="Members pages" class="mt-3"><ul class="pagination">'
        '<li class="page-item"><a class="page-link"'
        ' href="?q=a%26b&amp;level=&quot;x&quot;&amp;page=1">Previous</a></li>'
        '<li class="page-item active" aria-current="page">'
        '<span class="page-link">Page 2 of 3</span></li>'
        '<li class="page-item"><a class="page-link"'
        ' href="?q=a%26b&amp;level=&quot;x&quot;&amp;page=3">Next</a></li></ul></nav>'
    )


def test_the_ends_link_one_way_only():
    assert "Previous" not in render(1) and 'href="?page=2">Next' in render(1)
    assert 'href="?page=2">Previous' in render(3) and "Next" not in render(3)


def test_its_own_parameter_labels_and_landing_place():
    tag = (
        "{% load page_nav %}{% page_nav page query 'Activity pages' param='inv_page'"
        " previous='Newer' following='Older' fragment='#invitations' %}"
    )
    html = render(2, tag=tag)
    assert html.startswith('<nav aria-label="Activity pages"><ul class="pagination">')
    assert 'href="?inv_page=1#invitations">Newer</a>' in html
    assert 'href="?inv_page=3#invitations">Older</a>' in html

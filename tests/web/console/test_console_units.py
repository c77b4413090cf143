"""The console's pure parts: safe markdown, redirect targets, Host names, one-time links."""

import pytest

from researchos.web.console.markup import Links, ara_links, render_markdown
from researchos.web.console.session import LoginLinks, safe_next
from researchos.web.console.shield import host_name


def html(text: str, claims=("C0001",)) -> str:
    return render_markdown(text, ara_links("s", claims))


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ("hi <img src=x onerror=alert(1)> there", "<img"),
        ('<a href="javascript:alert(1)">x</a>', "<a "),
        ("[x](javascript:alert(1))", 'href="javascript'),
        ("<iframe src=//evil></iframe>\n\ntext", "<iframe"),
        ("![i](http://evil.example/p.png)", "evil.example"),
        ("![i](../../../var/token)", "var/token"),
    ],
)
def test_html_and_foreign_urls_never_survive(source, forbidden):
    assert forbidden not in html(source)


def test_html_is_shown_as_text_and_comments_dropped():
    out = html("<!-- compiled -->\n\nA <b>bold</b> claim.\n")
    assert "compiled" not in out and "&lt;b&gt;bold&lt;/b&gt;" in out


def test_claim_markers_link_known_claims_only():
    out = html("Up 5% [claim:C0001], see [claim:C0404]. `[claim:C0001]` in code.")
    assert out.count('href="/aras/s/claims/C0001"') == 1
    assert '<em class="claim-unknown" title="no such claim in this ARA">[claim:C0404]</em>' in out
    assert "<code>[claim:C0001]</code>" in out


def test_relative_paths_resolve_inside_the_ara():
    out = html("![f](../evidence/figures/a.png) [raw](../evidence/raw/m.jsonl) [top](#results)")
    assert 'src="/api/aras/s/files/evidence/figures/a.png"' in out
    assert 'href="/aras/s/files/evidence/raw/m.jsonl"' in out
    assert 'href="#results"' in out


def test_trees_without_images_show_alt_text():
    out = render_markdown("![plot](plot.png)", Links(base=".", files="/landscape/files/"))
    assert "<img" not in out and "[image not shown: plot]" in out


@pytest.mark.parametrize(
    "given, expected",
    [
        ("/aras", "/aras"),
        ("/projects/p-1?x=1", "/projects/p-1?x=1"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_login_redirects_stay_on_this_site(given, expected):
    assert safe_next(given) == expected


@pytest.mark.parametrize(
    "header, name",
    [("127.0.0.1:8765", "127.0.0.1"), ("localhost", "localhost"), ("[::1]:80", "::1"),
     ("evil.example:8765", "evil.example"), ("", "")],
)  # fmt: skip
def test_host_names(header, name):
    assert host_name(header) == name


def test_login_links_work_once_and_expire():
    links = LoginLinks()
    code = links.issue()
    assert links.redeem(code) and not links.redeem(code)
    stale = links.issue(ttl=-1)
    assert not links.redeem(stale)
    assert not links.redeem("guessed")

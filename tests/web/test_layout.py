"""The layout every page shares, the static assets and the error pages."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.urls import reverse

from pilothouse.core.roles import Role


def test_the_layout_has_brand_navigation_and_user_menu(as_user, make_user):
    user = make_user(Role.PRODUCT_MANAGER, username="pat", first_name="Pat", last_name="Lee")
    html = as_user(user).get(reverse("roadmap:feature_list")).content.decode()
    assert '<a class="brand" href="/">Pilothouse</a>' in html
    nav = html[html.index('<nav class="main-nav"') : html.index("</nav>")]
    top_level = re.sub(r'<ul class="main-nav__views".*?</ul>', "", nav, flags=re.S)
    labels = re.findall(r">([A-Za-z]+)</a>", top_level)
    assert labels == [
        "Portfolio",
        "Strategy",
        "Roadmap",
        "Prioritization",
        "Customers",
        "Metrics",
        "Experiments",
        "Teams",
        "People",
        "Changes",
    ]
    assert '<a href="/roadmap/features/" aria-current="page">Roadmap</a>' in nav
    assert "Pat Lee" in html
    assert "Product manager" in html
    assert f'href="{reverse("core:token_list")}"' in html
    logout = html[html.index(f'action="{reverse("core:logout")}"') :]
    assert 'name="csrfmiddlewaretoken"' in logout[:400]
    assert 'method="post"' in html[html.index("<form", html.index("user-menu")) :][:80]


def test_the_roadmap_entry_lists_the_roadmap_views(as_user, viewer):
    html = as_user(viewer).get(reverse("roadmap:board")).content.decode()
    nav = html[html.index('<nav class="main-nav"') : html.index("</nav>")]
    views = nav[nav.index('<ul class="main-nav__views" aria-label="Roadmap views">') :]
    views = views[: views.index("</ul>")]
    assert re.findall(r'<a href="([^"]+)"', views) == [
        reverse("roadmap:feature_list"),
        reverse("roadmap:timeline"),
        reverse("roadmap:board"),
        reverse("roadmap:release_plan"),
        reverse("roadmap:milestone_list"),
    ]
    board = reverse("roadmap:board")
    assert f'<a href="{board}" aria-current="page">Now / next / later</a>' in views
    assert '<a href="/roadmap/features/" aria-current="true">Roadmap</a>' in nav


def test_the_current_section_is_marked_inside_it(as_user, viewer):
    html = as_user(viewer).get(reverse("roadmap:release_list")).content.decode()
    assert '<a href="/roadmap/features/" aria-current="true">Roadmap</a>' in html
    assert 'aria-current="page">' not in html[: html.index("</nav>")]


def test_admins_also_see_the_admin_section(as_user, admin_user, leader):
    assert ">Admin</a>" in as_user(admin_user).get("/").content.decode()
    assert ">Admin</a>" not in as_user(leader).get("/").content.decode()


def test_the_layout_is_accessible_and_self_contained(as_user, viewer):
    html = as_user(viewer).get("/").content.decode()
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert 'name="viewport"' in html
    assert '<link rel="stylesheet" href="/static/pilothouse/app.css">' in html
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert scripts
    assert all(src.startswith("/static/") for src in scripts)  # no CDN: works offline
    assert any("htmx" in src for src in scripts)
    assert "X-CSRFToken" in html  # htmx requests carry the CSRF token


def test_the_stylesheet_is_served_and_has_both_schemes(client, db):
    response = client.get("/static/pilothouse/app.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()
    assert "prefers-color-scheme: dark" in css
    assert ":focus-visible" in css
    assert finders.find("django_htmx/htmx-2.min.js")


def test_messages_are_shown_after_a_change(as_user, leader):
    client = as_user(leader)
    response = client.post(
        reverse("strategy:initiative_create"), {"title": "Bet", "status": "proposed"}, follow=True
    )
    assert 'class="message message--success"' in response.content.decode()
    assert "Created initiative “Bet”." in response.content.decode()


def test_the_forbidden_page_explains_itself(as_user, viewer):
    response = as_user(viewer).get(reverse("portfolio:product_line_create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html
    assert "You do not have permission to do this." in html
    assert "Pilothouse" in html  # in the layout


def test_the_not_found_page(as_user, viewer):
    response = as_user(viewer).get("/roadmap/features/123456/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_every_form_field_has_a_label(as_user, leader):
    from tests.factories import FeatureFactory

    feature = FeatureFactory()
    html = as_user(leader).get(reverse("roadmap:feature_edit", args=[feature.pk])).content.decode()
    inputs = re.findall(r'<(?:input|select|textarea)[^>]*id="(id_[a-z_0-9]+)"', html)
    visible = [i for i in inputs if f'type="hidden" name="{i[3:]}"' not in html]
    assert visible
    for input_id in visible:
        # Checkboxes of a multiple choice are labelled by their wrapping <label>.
        assert f'for="{input_id}"' in html or re.search(
            rf'<label[^>]*>\s*<input[^>]*id="{input_id}"', html
        ), input_id

"""Each component declares its own pages: where a role lands, what the navigation bar shows."""

from __future__ import annotations

import pytest

from services.component import Component, PageLink, landing_pages, nav_links
from services.identity import Role

DESK = PageLink("工作台", "/desk", page="desk", roles=frozenset({Role.INFORMANT}))
PORTAL = PageLink("门户网站", "/site/index.html")


def test_each_role_lands_where_its_component_says() -> None:
    components = [Component("ingest", landing={Role.INFORMANT: "/desk"}),
                  Component("moderation", landing={Role.MODERATOR: "/queue",
                                                   Role.ADMIN: "/queue"})]
    assert landing_pages(components) == {Role.INFORMANT: "/desk", Role.MODERATOR: "/queue",
                                         Role.ADMIN: "/queue"}


def test_two_components_cannot_both_claim_where_a_role_lands() -> None:
    with pytest.raises(ValueError, match="two landing pages"):
        landing_pages([Component("ingest", landing={Role.ADMIN: "/desk"}),
                       Component("moderation", landing={Role.ADMIN: "/queue"})])


def test_the_navigation_bar_lists_the_components_pages_in_their_order() -> None:
    links = nav_links([Component("ingest", nav=[DESK]), Component("scoring"),
                       Component("publisher", nav=[PORTAL])])
    assert links == [DESK, PORTAL]
    assert DESK.shown_to(Role.INFORMANT) and not DESK.shown_to(Role.MODERATOR)
    assert PORTAL.shown_to(Role.MODERATOR)

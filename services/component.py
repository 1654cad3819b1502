"""What a component hands the composition root: its consumers, routes, jobs and the pages its
users land on.

A component's commands are a module-level ``typer.Typer`` that builds the context only when a
command runs (``cli_context``), so ``baosong --help`` touches no database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import typer
from fastapi import APIRouter

from services.context import Context
from services.identity import Role
from services.inbox import Subscription


@dataclass(frozen=True)
class Job:
    """Work that runs on a clock (closing a month, penalising a missed deadline)."""

    name: str
    every_seconds: float
    run: Callable[[Context], object]


@dataclass(frozen=True)
class PageLink:
    """A page in the navigation bar of the signed-in pages."""

    label: str
    path: str
    page: str = ""  # the ``page`` a template is rendered with when this link is the current one
    roles: frozenset[Role] | None = None  # who sees the link; None: everyone signed in

    def shown_to(self, role: Role) -> bool:
        return self.roles is None or role in self.roles


@dataclass(frozen=True)
class Component:
    name: str
    subscriptions: Sequence[Subscription] = ()
    routers: Sequence[APIRouter] = ()
    jobs: Sequence[Job] = ()
    startup: Sequence[Callable[[], Awaitable[None]]] = ()  # with the web app (async)
    shutdown: Sequence[Callable[[], Awaitable[None]]] = ()
    # the page a role starts at after signing in (the informant's desk, the moderator's queue)
    landing: Mapping[Role, str] = field(default_factory=dict)
    nav: Sequence[PageLink] = ()  # its pages in the signed-in pages' navigation bar


def landing_pages(components: Iterable[Component]) -> dict[Role, str]:
    """Each role's landing page, from the component that declares it (one for each role)."""
    pages: dict[Role, str] = {}
    for component in components:
        for role, path in component.landing.items():
            if role in pages and pages[role] != path:
                raise ValueError(f"two landing pages for {role}: {pages[role]} and {path} "
                                 f"({component.name})")
            pages[role] = path
    return pages


def nav_links(components: Iterable[Component]) -> list[PageLink]:
    """The navigation bar: each component's links, in the order of the components."""
    return [link for component in components for link in component.nav]


class CliState:
    """Handed to every command through ``typer.Context.obj``: builds the context on first use."""

    def __init__(self, build: Callable[[], Context]) -> None:
        self._build = build
        self._context: Context | None = None

    def context(self) -> Context:
        if self._context is None:
            self._context = self._build()
        return self._context


def cli_context(ctx: typer.Context) -> Context:
    state: CliState = ctx.find_root().obj
    return state.context()

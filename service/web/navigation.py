"""The staff menu: sections of links, each shown only to the roles its page admits.

Who may open a page is declared once, on its route (``allow(...)``); the menu
reads those declarations from the app instead of repeating them, so a link
never leads a role to a 403.  The section holding the current page opens its
links as a second row (phones scroll each row sideways).
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar

from service.errors import N_
from service.web.context import RequestContext

TENANT_PREFIX = "/t/{slug:str}"
STAFF_KINDS = ("staff", "support")  # the principals with a staff role (support: an operator as a viewer)


@dataclass(frozen=True)
class Link:
    label: str
    path: str  # inside the tenant


@dataclass(frozen=True)
class Section:
    label: str
    links: tuple[Link, ...]


SECTIONS = (
    Section(N_("Home"), (Link(N_("Home"), "/"),)),
    Section(
        N_("Roster"),
        (
            Link(N_("Roster"), "/workers"),
            Link(N_("Leave"), "/leave"),
            Link(N_("Attendance"), "/attendance"),
            Link(N_("Bank account changes"), "/bank-accounts/requests"),
        ),
    ),
    Section(N_("Compliance"), (Link(N_("Compliance"), "/compliance"), Link(N_("Dispatch ratio"), "/client-workforce"))),
    Section(
        N_("Assessment"),
        (
            Link(N_("Assessment"), "/assessment"),
            Link(N_("Appeals"), "/appeals"),
            Link(N_("Grade evaluation"), "/grades"),
            Link(N_("Rating charts"), "/charts/assessment"),
        ),
    ),
    Section(
        N_("Payroll"),
        (
            Link(N_("Payroll runs"), "/payroll"),
            Link(N_("Payslip questions"), "/payroll/questions"),
            Link(N_("Pay components"), "/pay-components"),
            Link(N_("Opening balances"), "/payroll/opening-balances"),
            Link(N_("Salary bands"), "/salary-bands"),
            Link(N_("Social insurance"), "/insurance"),
        ),
    ),
    Section(
        N_("Client bureaus"),
        (
            Link(N_("Client bureaus"), "/bureaus"),
            Link(N_("Statements"), "/statements"),
        ),
    ),
    Section(
        N_("Settings"),
        (
            Link(N_("City figures"), "/cities"),
            Link(N_("Users"), "/users"),
            Link(N_("Bureau sign-in"), "/sso/connections"),
            Link(N_("Bureau reviewers"), "/sso/reviewers"),
            Link(N_("Plan and billing"), "/billing"),
            Link(N_("Support access"), "/support-access"),
            Link(N_("Audit log"), "/audit"),
        ),
    ),
)


@dataclass(frozen=True)
class Menu:
    sections: list[tuple[Section, Link]]  # each visible section with the link it opens on
    current: Section | None
    links: list[Link]  # the current section's visible links


def _normal(path: str) -> str:
    return path.rstrip("/") or "/"


def readable_pages(app: Litestar) -> dict[str, frozenset[str]]:
    """{tenant-relative path: roles that may GET it} for every tenant page without path parameters."""
    pages: dict[str, frozenset[str]] = {}
    for route in app.routes:
        if not route.path.startswith(TENANT_PREFIX):
            continue
        inner = _normal(route.path[len(TENANT_PREFIX) :])
        if "{" in inner:
            continue
        for handler in getattr(route, "route_handlers", []):
            if "GET" in handler.http_methods and handler.opt.get("roles"):
                pages[inner] = handler.opt["roles"]
    return pages


def _current(path: str) -> Link | None:
    """The link whose page is the longest prefix of ``path`` (/payroll/questions, not /payroll)."""
    best = None
    for section in SECTIONS:
        for link in section.links:
            hit = path == "/" if link.path == "/" else path == link.path or path.startswith(link.path + "/")
            if hit and (best is None or len(link.path) > len(best.path)):
                best = link
    return best


def menu(ctx: RequestContext, request_path: str, pages: dict[str, frozenset[str]]) -> Menu | None:
    if ctx.principal is None or ctx.principal.kind not in STAFF_KINDS or ctx.tenant is None:
        return None  # assistants, reviewers and operators have their own layouts
    role = ctx.principal.role
    prefix = ctx.tenant_path("")
    inner = _normal(request_path[len(prefix) :]) if request_path.startswith(prefix) else ""
    here = _current(inner)
    sections, current, links = [], None, []
    for section in SECTIONS:
        visible = [link for link in section.links if role in pages.get(link.path, ())]
        if not visible:
            continue
        sections.append((section, visible[0]))
        if here in section.links:
            current, links = section, visible
    return Menu(sections, current, links if len(links) > 1 else [])

"""Server-rendered page shells. Each page is a template plus one ES module (static/js/pages/) that
reads the JSON API and talks to the chain through the user's wallet; every page works on a phone.

Pages send a Content-Security-Policy that allows scripts, styles and connections to this origin
only: the wallet extension talks to its own node, and no page loads anything from elsewhere.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from dapp.exceptions import ChainMartError

pages = Blueprint("pages", __name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@pages.after_request
def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _page(template: str, module: str, **context):
    return render_template(template, page_module=module, **context)


@pages.get("/")
def home():
    """The catalog, and which chain and contracts this server runs on (or what is wrong)."""
    chain = current_app.extensions["chain"]
    try:
        status = {"chainId": chain.chain_id, "contracts": chain.addresses, "error": None}
    except ChainMartError as exc:  # the page still answers, and says what is wrong
        status = {"chainId": None, "contracts": {}, "error": exc.message}
    return _page("home.html", "catalog", status=status)


@pages.get("/listings/<int:listing_id>")
def product(listing_id: int):
    return _page("product.html", "product", listing_id=listing_id)


@pages.get("/orders")
def my_orders():
    return _page("orders.html", "orders")


@pages.get("/account")
def account():
    return _page("account.html", "account")


@pages.get("/sell")
def sell():
    return _page("sell.html", "sell")


@pages.get("/trace")
def trace():
    return _page("trace.html", "trace")


@pages.get("/admin")
def admin():
    return _page("admin.html", "admin")


@pages.get("/works")
def works():
    return _page("works.html", "works")


@pages.get("/works/<int:work_id>")
def work(work_id: int):
    return _page("work.html", "work", work_id=work_id)


@pages.get("/licenses/verify")
def verify_license():
    return _page("verify.html", "verify")


@pages.get("/provenance/<int:token_id>")
def provenance(token_id: int):
    return _page("provenance.html", "provenance", token_id=token_id)

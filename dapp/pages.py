"""Server-rendered pages. For now the home page: what is running and where the API is."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from dapp.exceptions import ChainMartError

pages = Blueprint("pages", __name__)


@pages.get("/")
def home():
    chain = current_app.extensions["chain"]
    try:
        status = {"chainId": chain.chain_id, "contracts": chain.addresses, "error": None}
    except ChainMartError as exc:  # the page still answers, and says what is wrong
        status = {"chainId": None, "contracts": {}, "error": exc.message}
    return render_template("home.html", status=status)

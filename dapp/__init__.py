"""ChainMart's dApp server: a thin Flask app over the chain, IPFS and an event index.

    create_app()                      # configured from the environment (.env.example)
    create_app({"TESTING": True, ...}) # tests pass settings directly

Run it with gunicorn as one process (the relayer owns its account's nonces), e.g.
`gunicorn -w 1 --threads 16 'dapp:create_app()'`; `make run` does.
"""
from __future__ import annotations

import os
import secrets
from typing import Any, Mapping

from flask import Flask

from dapp import config as settings
from dapp.chain import Chain


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(settings.from_environ())
    if test_config is not None:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        # Sessions then last as long as this process: fine for a local run, set SECRET_KEY for more.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.logger.warning("SECRET_KEY is not set: using a random key; sign-ins end when the server stops.")
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config.get("SESSION_LIFETIME", 12 * 3600)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + 64 * 1024

    app.extensions["chain"] = Chain(
        app.config["CHAINMART_RPC_URL"],
        app.config["CHAINMART_DEPLOYMENTS"],
        app.config["CHAINMART_BUILD_DIR"],
        expected_chain_id=app.config["CHAINMART_CHAIN_ID"],
        timeout=app.config["CHAINMART_RPC_TIMEOUT"],
    )
    from dapp import indexer

    indexer.init_app(app)  # app.extensions["indexer"]; follows the chain when INDEX_AUTOSTART is true

    from dapp.api import api, api_routing_error

    app.register_blueprint(api)
    from dapp.gateway import gateway
    from dapp.pages import pages

    app.register_blueprint(gateway)
    app.register_blueprint(pages)
    # Routing errors happen before any blueprint is chosen: answer JSON for /api paths here.
    app.register_error_handler(404, api_routing_error)
    app.register_error_handler(405, api_routing_error)
    return app

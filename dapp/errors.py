"""Deprecated alias of dapp.exceptions, kept only while imports move over."""
from dapp.exceptions import *  # noqa: F401,F403
from dapp.exceptions import ChainMartError  # noqa: F401

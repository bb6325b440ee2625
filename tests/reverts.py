"""Expected revert messages for custom errors, as Brownie renders them.

Brownie decodes a custom error into ``"ErrorName: arg1, arg2"`` with addresses in lower case,
bytes as a Python bytes literal, and ``"ErrorName: "`` when there are no arguments;
``custom_error`` builds that string so tests can assert the exact error and its facts.
"""


def _render(arg):
    if hasattr(arg, "address"):  # a Brownie account or contract
        arg = arg.address
    if isinstance(arg, (bytes, bytearray)):  # bytes32 and the like show as a Python bytes literal
        return str(bytes(arg))
    if isinstance(arg, bool):
        return str(arg)
    if isinstance(arg, str) and arg.startswith("0x"):
        return arg.lower()
    return str(int(arg)) if not isinstance(arg, str) else arg


def custom_error(name, *args):
    """The revert message of custom error ``name`` raised with ``args``."""
    if not args:
        return f"{name}: "
    return f"{name}: " + ", ".join(_render(a) for a in args)

"""How long the fuzzer runs: `FUZZ_PROFILE=ci` (the default, part of `make test`), `long`
(`make fuzz`) or `smoke` (a quick look while changing the fuzzer). `steps` is the least number of
random steps a run must execute; `settings` are the Hypothesis settings of one state-machine run
(examples times steps per example is its most).
`FUZZ_VERBOSE=1` prints the steps of every example (with `-s`)."""
import os

from hypothesis import HealthCheck, Verbosity

PROFILES = {
    "smoke": {"steps": 100, "settings": {"max_examples": 4, "stateful_step_count": 25}},
    "ci": {"steps": 2_000, "settings": {"max_examples": 45, "stateful_step_count": 50}},
    "long": {"steps": 20_000, "settings": {"max_examples": 220, "stateful_step_count": 100}},
}
COMMON_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


def fuzz_profile():
    """(name, least steps, Hypothesis settings) of the profile `FUZZ_PROFILE` names."""
    name = os.environ.get("FUZZ_PROFILE", "ci")
    if name not in PROFILES:
        raise SystemExit(f"FUZZ_PROFILE={name!r}: choose one of {', '.join(PROFILES)}")
    profile = PROFILES[name]
    settings = {**COMMON_SETTINGS, **profile["settings"]}
    if os.environ.get("FUZZ_VERBOSE"):  # print every example's steps as it runs
        settings["verbosity"] = Verbosity.debug
    return name, profile["steps"], settings

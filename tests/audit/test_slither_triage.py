"""The audit gate's bookkeeping (scripts/audit.py), without running Slither."""
from scripts.audit import TRIAGE, VERDICTS, Finding, compare, element_name, read_triage


def finding(check="timestamp", where="Marketplace.releaseExpired(uint256)", impact="Low"):
    return Finding(check, where, impact, "Medium", f"{where} uses timestamp")


def test_every_row_of_the_triage_file_is_well_formed():
    rows = read_triage(TRIAGE)
    assert rows
    for row in rows:
        assert row.verdict in VERDICTS[row.impact], row
        assert row.reason, row


def test_a_listed_finding_passes():
    rows = read_triage(TRIAGE)
    summary = compare([finding()], [r for r in rows if r.key == finding().key])
    assert summary["new"] == summary["stale"] == summary["problems"] == []
    assert summary["triaged"]["accepted"] == 1


def test_an_unlisted_finding_fails_the_gate():
    summary = compare([finding(check="reentrancy-eth", impact="High")], [])
    assert [f["check"] for f in summary["new"]] == ["reentrancy-eth"]


def test_informational_findings_are_not_gated():
    assert compare([finding(check="assembly", impact="Informational")], [])["new"] == []


def test_a_row_with_no_matching_finding_is_stale():
    rows = [r for r in read_triage(TRIAGE) if r.key == finding().key]
    assert [s["check"] for s in compare([], rows)["stale"]] == ["timestamp"]


def test_a_medium_finding_cannot_be_accepted_only_shown_false():
    rows = [r for r in read_triage(TRIAGE) if r.impact == "Low"][:1]
    bad = [r.__class__(r.check, r.where, "Medium", "accepted", r.reason, r.line) for r in rows]
    found = [finding(bad[0].check, bad[0].where, "Medium")]
    assert compare(found, bad)["problems"]


def test_locations_are_named_not_numbered():
    function = {"type": "function", "name": "_send",
                "type_specific_fields": {"parent": {"type": "contract", "name": "PaymentVault"},
                                         "signature": "_send(address,address,uint256)"}}
    local = {"type": "variable", "name": "feeBps", "type_specific_fields": {"parent": {
        "type": "function", "name": "setFee",
        "type_specific_fields": {"parent": {"type": "contract", "name": "IMarketplace"}, "signature": "setFee(uint16)"}}}}
    node = {"type": "node", "name": "x", "type_specific_fields": {"parent": function}}
    assert element_name(function) == "PaymentVault._send(address,address,uint256)"
    assert element_name(local) == "IMarketplace.setFee(uint16).feeBps"
    assert element_name(node) == element_name(function)

"""1,000 concurrent relay submissions, good and bad mixed: every bad one is refused with its own
status and reason, every good one is mined exactly once, and none is lost.

The mix (requests, shuffled, sent 64 at a time to the dApp under gunicorn):
  400 good requests from 400 signers, and 50 signers sending two in a row (100)
  100 duplicates: byte-identical copies of good requests, sent at the same time as them
   50 replays of requests mined before the burst, byte-identical; 50 reusing a used nonce
   60 expired, 60 signed for another chain id, 60 forged (30 signed by someone else for `from`,
   30 altered after signing), 60 to targets off the allow-list (30 a foreign contract,
   30 an admin function), 60 with a nonce out of order
"""
import random
import threading
from collections import Counter

import pytest
import requests

from tests.faults.relay.relay_stack import concurrently, served_relay, signers

SINGLES, PAIRS, DUPLICATES, VETERANS, EACH_BAD_KIND = 400, 50, 100, 50, 60

# kind: (status, words the error must contain)
REFUSALS = {
    "replay-used-nonce": (409, "already used"),
    "expired": (400, "expired"),
    "wrong-chain": (401, "is not from"),
    "forged-signer": (401, "is not from"),
    "forged-field": (401, "is not from"),
    "foreign-target": (403, "is not a ChainMart contract"),
    "admin-function": (403, "setFee is not relayed"),
    "out-of-order": (409, "out of order"),
}


@pytest.fixture(scope="module")
def burst(tmp_path_factory):
    with served_relay(tmp_path_factory.mktemp("relay-burst")) as relay:
        yield run_burst(relay)


def run_burst(relay):
    veterans = signers("veteran", VETERANS)
    veteran_bodies = [relay.register_work(v, 0, f"veteran-{i}") for i, v in enumerate(veterans)]
    veteran_ids = [relay.post(body)[1]["id"] for body in veteran_bodies]
    assert {job["state"] for job in relay.wait_final(veteran_ids).values()} == {"mined"}

    singles = signers("single", SINGLES)
    pairs = signers("pair", PAIRS)
    outsiders = signers("outsider", EACH_BAD_KIND * 4)
    coin = relay.stack.stablecoin
    tasks = []  # (kind, signer, nonce, body) posted alone, or a ("pair", ...) posted in order

    good = [(s, relay.register_work(s, 0, f"single-{i}")) for i, s in enumerate(singles)]
    tasks += [("good", s, 0, body) for s, body in good]
    tasks += [("duplicate", s, 0, body) for s, body in good[:DUPLICATES]]
    tasks += [("pair", s, None, [relay.register_work(s, n, f"pair-{i}-{n}") for n in (0, 1)]) for i, s in enumerate(pairs)]
    tasks += [("replay-identical", v, 0, body) for v, body in zip(veterans, veteran_bodies)]
    tasks += [("replay-used-nonce", v, 0, relay.register_work(v, 0, f"veteran-again-{i}")) for i, v in enumerate(veterans)]
    past = relay.chain_time() - 10
    groups = [outsiders[k * EACH_BAD_KIND:(k + 1) * EACH_BAD_KIND] for k in range(4)]
    tasks += [("expired", s, 0, relay.register_work(s, 0, f"expired-{i}", deadline=past)) for i, s in enumerate(groups[0])]
    tasks += [("wrong-chain", s, 0, relay.register_work(s, 0, f"chain-1-{i}", chain_id=1)) for i, s in enumerate(groups[1])]
    half = EACH_BAD_KIND // 2
    for i, s in enumerate(groups[2]):
        if i < half:  # signed by one key, claiming to be another signer
            body = relay.register_work(s, 0, f"forged-{i}")
            body["request"]["from"] = groups[3][i].address
            tasks.append(("forged-signer", s, 0, body))
        else:  # signed, then a field changed
            body = relay.register_work(s, 0, f"altered-{i}")
            body["request"]["gas"] = 500_000
            tasks.append(("forged-field", s, 0, body))
    for i, s in enumerate(groups[3]):
        if i < half:
            tasks.append(("foreign-target", s, 0, relay.register_work(s, 0, f"foreign-{i}", to=coin)))
        else:
            tasks.append(("admin-function", s, 0, relay.register_work(
                s, 0, f"admin-{i}", to=relay.stack.contracts["Marketplace"], data=relay.admin_call())))
    tasks += [("out-of-order", s, 3, relay.register_work(s, 3, f"ahead-{i}")) for i, s in enumerate(signers("ahead", EACH_BAD_KIND))]
    random.Random(2771).shuffle(tasks)

    sessions = {}

    def post(task):
        kind, signer, nonce, body = task
        session = sessions.setdefault(threading.get_ident(), requests.Session())
        if kind == "pair":  # one signer's two requests, the second sent once the first is queued
            return [("pair", signer, n, b, *relay.post(b, session)) for n, b in enumerate(body)]
        return [(kind, signer, nonce, body, *relay.post(body, session))]

    answers = [a for result in concurrently([lambda t=t: post(t) for t in tasks]) for a in result]
    accepted = sorted({a[5]["id"] for a in answers if a[4] in (200, 202) and "id" in a[5]})
    final = relay.wait_final(accepted)
    return {
        "relay": relay,
        "answers": answers,
        "final": final,
        "executions": relay.executions(),
        "relayer_txs": relay.relayer_transactions(),
        "veterans": veterans,
        "veteran_ids": veteran_ids,
    }


def answers_of(burst, *kinds):
    return [a for a in burst["answers"] if a[0] in kinds]


def test_a_thousand_requests_were_tried(burst):
    assert len(burst["answers"]) == 1000


def test_every_good_request_is_queued_and_mined(burst):
    good = answers_of(burst, "good", "pair")
    assert len(good) == SINGLES + 2 * PAIRS
    for kind, signer, nonce, body, status, answer in good:
        assert status in (200, 202), (kind, status, answer)  # 200: its duplicate came first
        assert burst["final"][answer["id"]]["state"] == "mined"


def test_every_good_request_executes_exactly_once_on_chain(burst):
    expected = Counter((s.address, n) for _, s, n, *_ in answers_of(burst, "good", "pair"))
    expected.update((v.address, 0) for v in burst["veterans"])
    executed = Counter((signer, nonce) for signer, nonce, _ in burst["executions"])
    assert executed == expected
    assert all(success for _, _, success in burst["executions"])


def test_the_relayer_sent_one_successful_transaction_per_execution(burst):
    transactions = burst["relayer_txs"]
    assert len(transactions) == len(burst["executions"])
    assert {int(tx["status"], 16) for tx in transactions} == {1}


def test_a_duplicate_is_answered_with_its_original_job(burst):
    originals = {}
    for kind, signer, _, body, status, answer in answers_of(burst, "good", "duplicate"):
        originals.setdefault(body["signature"], []).append((status, answer["id"]))
    pairs = [sorted(copies) for copies in originals.values() if len(copies) == 2]
    assert len(pairs) == DUPLICATES
    for (first_status, first_id), (second_status, second_id) in pairs:
        assert (first_status, second_status) == (200, 202)  # one created the job, one was given it
        assert first_id == second_id


def test_a_byte_identical_replay_of_a_mined_request_returns_that_job_and_runs_nothing(burst):
    original = {v.address: job_id for v, job_id in zip(burst["veterans"], burst["veteran_ids"])}
    replays = answers_of(burst, "replay-identical")
    assert len(replays) == VETERANS
    for _, signer, _, _, status, answer in replays:
        assert status == 200
        assert answer["state"] == "mined"
        assert answer["id"] == original[signer.address]


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_each_bad_request_is_refused_with_its_status_and_reason(burst, kind):
    status, words = REFUSALS[kind]
    refused = answers_of(burst, kind)
    assert refused, kind
    for _, _, _, _, got, answer in refused:
        assert got == status, (kind, answer)
        assert words in answer["error"], (kind, answer)


def test_nothing_is_lost(burst):
    answers = burst["answers"]
    good = answers_of(burst, "good", "pair", "duplicate", "replay-identical")
    mined = [a for a in good if a[4] in (200, 202) and burst["final"].get(a[5].get("id"), {}).get("state") == "mined"]
    refused_correctly = [
        a for a in answers if a[0] in REFUSALS and a[4] == REFUSALS[a[0]][0] and REFUSALS[a[0]][1] in a[5].get("error", "")
    ]
    lost = len(good) - len(mined)
    print(f"\nrelay mixed burst: tried {len(answers)}, good {len(answers_of(burst, 'good', 'pair'))} "
          f"+ duplicates {len(answers_of(burst, 'duplicate'))} + identical replays "
          f"{len(answers_of(burst, 'replay-identical'))} answered mined, refused correctly "
          f"{len(refused_correctly)} of {len(answers_of(burst, *REFUSALS))}, lost {lost}")
    assert lost == 0
    assert len(refused_correctly) == len(answers_of(burst, *REFUSALS))

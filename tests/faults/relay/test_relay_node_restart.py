"""The chain node stops in the middle of a relay burst and comes back: no request is lost or
executed twice, and clients are told the truth meanwhile.

40 signers each send 6 requests in order (240), a client thread per signer, and one more signer
starts sending its 6 while the node is down; a request answered 503 is sent again, the same
signed bytes, until the relay takes it. Once 60 requests are mined,
the node stops mining (so transactions sit in its pool), the relay keeps sending until some are
waiting there, and then the node is stopped as an operator stops it (SIGTERM: anvil writes its
state file, blocks and receipts included, but not its pool) for OUTAGE seconds, and started
again from that file on the same port. The transactions that were in its pool are gone: the
relay must notice and send the same bytes again (as it does for a batch the node took but never
answered).
"""
import threading
import time
from collections import Counter

import pytest
import requests

from tests.faults.relay.relay_stack import served_relay, signers

SIGNERS, EACH, STOP_AFTER, OUTAGE = 40, 6, 60, 3.0
TOTAL = (SIGNERS + 1) * EACH  # and one signer who starts during the outage


class Client(threading.Thread):
    """One signer's requests, in nonce order, each sent until the relay takes it."""

    def __init__(self, relay, signer, bodies):
        super().__init__(daemon=True)
        self.relay, self.signer, self.bodies = relay, signer, bodies
        self.answers = []  # (status, JSON answer) of every post
        self.job_ids = []

    def run(self):
        session = requests.Session()
        for body in self.bodies:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                status, answer = self.relay.post(body, session)
                self.answers.append((status, answer))
                if status in (200, 202):
                    self.job_ids.append(answer["id"])
                    break
                time.sleep(0.2)


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    with served_relay(tmp_path_factory.mktemp("relay-restart")) as relay:
        yield run_outage(relay)


def run_outage(relay):
    clients = [
        Client(relay, signer, [relay.register_work(signer, n, f"restart-{i}-{n}") for n in range(EACH)])
        for i, signer in enumerate(signers("restart", SIGNERS))
    ]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 60
    while len(relay.executions()) < STOP_AFTER:
        assert time.monotonic() < deadline, "the relay mined too few requests before the outage"
        time.sleep(0.05)
    relay.rpc.call("evm_setAutomine", [False])
    deadline = time.monotonic() + 30
    while (in_pool := int(relay.rpc.call("txpool_status")["pending"], 16)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    # A signer who starts sending only once the node is down: refused until it is back.
    (newcomer,) = signers("late", 1)
    late = Client(relay, newcomer, [relay.register_work(newcomer, n, f"late-{n}") for n in range(EACH)])
    relay.node.stop()
    late.start()
    time.sleep(OUTAGE / 2)
    during = [(job_id, relay.job(job_id)) for c in clients for job_id in c.job_ids]
    time.sleep(OUTAGE / 2)
    relay.node.start()  # from the state file, on the same port; automine is on again
    clients.append(late)
    for client in clients:
        client.join(180)
    job_ids = [job_id for c in clients for job_id in c.job_ids]
    return {
        "relay": relay,
        "clients": clients,
        "in_pool": in_pool,
        "during": during,
        "final": relay.wait_final(job_ids),
        "job_ids": job_ids,
        "executions": relay.executions(),
        "relayer_txs": relay.relayer_transactions(),
        "stats": relay.relayer_stats(),
    }


def test_transactions_were_waiting_in_the_node_when_it_stopped(outage):
    assert outage["in_pool"] >= 3


def test_the_transactions_the_restarted_node_forgot_are_sent_again(outage):
    assert outage["stats"]["resent"] >= 1


def test_every_request_is_taken_once_the_node_is_back(outage):
    assert len(outage["job_ids"]) == TOTAL
    assert len(set(outage["job_ids"])) == TOTAL


def test_every_request_is_mined(outage):
    assert {job["state"] for job in outage["final"].values()} == {"mined"}
    assert len(outage["final"]) == TOTAL


def test_every_request_executes_exactly_once_on_chain(outage):
    executed = Counter((signer, nonce) for signer, nonce, _ in outage["executions"])
    expected = Counter((c.signer.address, n) for c in outage["clients"] for n in range(EACH))
    assert executed == expected
    assert all(success for _, _, success in outage["executions"])


def test_the_relayer_sent_one_transaction_per_request_and_none_reverted(outage):
    transactions = outage["relayer_txs"]
    assert len(transactions) == TOTAL
    assert {int(tx["status"], 16) for tx in transactions} == {1}


def test_requests_sent_while_the_node_is_down_are_refused_with_503_saying_why(outage):
    refused = [(status, answer) for c in outage["clients"] for status, answer in c.answers if status not in (200, 202)]
    assert refused, "no request reached the relay during the outage"
    for status, answer in refused:
        assert status == 503, answer
        assert "does not answer" in answer["error"]


def test_unfinished_requests_say_they_wait_for_the_node_during_the_outage(outage):
    unfinished = [job for _, job in outage["during"] if job["state"] in ("pending", "submitted")]
    assert unfinished, "no request was in flight during the outage"
    for job in unfinished:
        assert "does not answer" in job["delay"]


def test_nothing_is_lost(outage):
    answers = [a for c in outage["clients"] for a in c.answers]
    mined = [job_id for job_id in outage["job_ids"] if outage["final"].get(job_id, {}).get("state") == "mined"]
    refused = [a for a in answers if a[0] == 503]
    executed = Counter((signer, nonce) for signer, nonce, _ in outage["executions"])
    twice = sum(1 for count in executed.values() if count > 1)
    lost = TOTAL - len(mined)
    print(f"\nrelay node restart: tried {TOTAL} requests ({len(answers)} posts), "
          f"{outage['in_pool']} transactions in the node's pool when it stopped "
          f"({outage['stats']['resent']} sent again after the restart), "
          f"refused correctly {len(refused)} (503 while the node was down, then sent again), mined {len(mined)}, "
          f"executed twice {twice}, lost {lost}")
    assert lost == 0
    assert twice == 0

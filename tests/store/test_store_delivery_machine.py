"""A hypothesis state machine sends status callbacks shuffled and duplicated, on every backend,
and checks each message against a model: its furthest status, each status once in its history,
and what every callback reported (the previous status, whether it advanced)."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from twhooks.events import MESSAGE_STATUS_RANK
from twhooks.store import Deliveries, Store
from twhooks.store.records import message_status_order

STATUSES = [*sorted(MESSAGE_STATUS_RANK), "something_new"]


class DeliveryMachine(RuleBasedStateMachine):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.deliveries = Deliveries(store)
        self.run = uuid.uuid4().hex[:12]  # examples share the store: each its own messages
        self.furthest: dict[str, str | None] = {}
        self.seen: dict[str, set[str]] = {}
        self.errors: dict[str, str | None] = {}

    def sid(self, n: int) -> str:
        return f"SM{self.run}{n:02d}"

    @rule(
        n=st.integers(0, 3),
        status=st.sampled_from(STATUSES),
        error=st.sampled_from([None, "30003"]),
    )
    def callback(self, n: int, status: str, error: str | None) -> None:
        sid = self.sid(n)
        previous = self.furthest.get(sid)
        order = -1 if previous is None else message_status_order(previous)
        update = self.deliveries.record(sid, status, error_code=error, to="+1555")
        assert update.previous == previous
        assert update.advanced == (message_status_order(status) > order)
        if update.advanced:
            self.furthest[sid] = status
            self.errors[sid] = error
        self.seen.setdefault(sid, set()).add(status)

    @rule(n=st.integers(0, 3))
    def track(self, n: int) -> None:
        sid = self.sid(n)
        self.deliveries.track(sid, from_="+1999", n=n)
        self.furthest.setdefault(sid, None)
        self.seen.setdefault(sid, set())

    @invariant()
    def every_message_matches_the_model(self) -> None:
        for sid, furthest in self.furthest.items():
            found = self.deliveries.get(sid)
            assert found is not None
            assert found.status == furthest
            if furthest is not None:
                assert found.error_code == self.errors[sid]
            history = [c.status for c in found.history]
            assert sorted(history) == sorted(self.seen[sid])  # each status once
            assert [message_status_order(s) for s in history] == sorted(
                message_status_order(s) for s in history
            )


def test_delivery_ordering_against_a_model(store: Store) -> None:
    run_state_machine_as_test(
        lambda: DeliveryMachine(store),
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )

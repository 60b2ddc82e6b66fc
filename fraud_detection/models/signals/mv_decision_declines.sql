-- Decision decline: a payment the decision service (decisions/) declined on its own finding, so
-- a decline opens a case through the same views. One row per declined payment; the reason
-- carries the decision's reason codes.
{{ decision_signal('decline') }}

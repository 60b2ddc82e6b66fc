-- Decision review: a payment the decision service (decisions/) sent to review on its own
-- finding, so a review opens a case through the same views. One row per reviewed payment; the
-- reason carries the decision's reason codes.
{{ decision_signal('review') }}

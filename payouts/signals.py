"""What the payout engine announces, for apps that keep figures of their own (architecture.md:
nobody depends on the dashboard; the dashboard subscribes).

``run_approved`` is sent inside ``services.run_approve``'s transaction, with ``send`` (not
``send_robust``): a receiver that fails rolls the approval back, so figures folded from an
approved run can never be missing for it.
"""

from django.dispatch import Signal

run_approved = Signal()  # keyword argument: run (the PayoutRun just approved)

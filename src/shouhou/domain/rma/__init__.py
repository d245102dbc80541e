"""The RMA state machine of one unit line of a service order (DESIGN §2, §6). No Django.

A service order carries several unit lines and each follows its own path, so the machine
models one line. It is pure: `apply(line, event, at=..., now=..., calendar=..., **fields)`
returns a `Step` with the new `Line` (version + 1), the names of the changed fields and the
side effects (`Effect`) for the service layer to queue on commit. Bad input raises `Invalid`,
a wrong state `IllegalEvent` (naming the allowed events), an old version `StaleVersion`.

States (whose move: V vendor, D dealer, - nobody) and events::

    submit ─▶ submitted V ──request_info──▶ info_requested D ──resubmit──▶ submitted
                │ │ │                           └──reject / cancel──▶ rejected / cancelled
                │ │ └──reject──▶ rejected          cancel (also from approved, advance_approved)
                │ │
                │ └──approve_advance (coverage = replacement)──▶ advance_approved V
                │        ──ship_replacement──▶ replacement_shipped D ──confirm_delivery──▶
                │        awaiting_return D ──ship_to_centre──▶ in_transit - ──receive──▶
                │        received V ──inspect──▶ inspected V ──[charge]──▶ close ──▶ closed
                │
                └──approve──▶ approved D ──ship_to_centre──▶ in_transit - ──receive──▶ received V
                              (receive is also accepted straight from approved / awaiting_return)

    received V ──inspect──▶ by coverage on the report date and the findings:
        fault not confirmed                    → returning V   path no_fault_found
        replacement, terms met                 → replacing V   path free_replacement
        replacement, terms not met             → quoting V     path quote (replacement or repair)
        warranty, in free-repair scope         → repairing V   path free_repair
        warranty, outside scope                → quoting V     path quote (repair only)
        out_of_warranty                        → quoting V     path quote (repair only)
        discontinued                           → quoting V     path best_effort (quote or ship_back)

    quoting V ──send_quote──▶ quoted D ──confirm_quote──▶ replacing V (paid_replacement)
                                  │                     └▶ repairing V (paid_repair)
                                  ├──decline_quote──▶ returning V / scrapping V (return_unrepaired)
                                  └──send_quote (a revised quote)──▶ quoted
    repairing V ──complete_repair──▶ repaired V ──ship_repaired──▶ shipped D
    replacing V ──ship_replacement──▶ shipped D       returning V ──ship_back──▶ shipped D
    quoting V (best_effort) ──ship_back──▶ shipped D  scrapping V ──close──▶ closed
    shipped D ──confirm_delivery / close──▶ closed

Final states: closed, rejected, cancelled. Exactly one clock runs in every other state where
someone owes a step by a deadline: `due_at` when the move is the vendor's (always set then),
`dealer_due_at` while the dealer owes the faulty unit or an answer to a quote.
"""

from __future__ import annotations

from shouhou.domain.rma.events import (
    approve,
    approve_advance,
    cancel,
    charge,
    close,
    complete_repair,
    confirm_delivery,
    confirm_quote,
    decline_quote,
    inspect,
    receive,
    reject,
    request_info,
    resubmit,
    send_quote,
    ship_back,
    ship_repaired,
    ship_replacement,
    ship_to_centre,
)
from shouhou.domain.rma.fields import EVENT_FIELDS
from shouhou.domain.rma.machine import (
    FREE_REPAIR_EXCLUDES,
    actor_may,
    allowed,
    allowed_for,
    apply,
    free_repair_scope,
    overdue,
    overdue_party,
    quote_choices,
    quote_totals,
    replacement_terms_met,
    sheet_due,
    submit,
    whose_move,
)
from shouhou.domain.rma.model import (
    COVERAGES,
    DEALER_EVENTS,
    DEFAULT_POLICY,
    EFFECTS,
    FINAL_STATES,
    REPLACEMENT_PATHS,
    STATE_PATHS,
    WHOSE_MOVE,
    Damage,
    Effect,
    Event,
    Line,
    Party,
    Path,
    RmaPolicy,
    State,
    Step,
    WorkCalendar,
)

__all__ = [
    "COVERAGES",
    "DEALER_EVENTS",
    "DEFAULT_POLICY",
    "EFFECTS",
    "EVENT_FIELDS",
    "FINAL_STATES",
    "FREE_REPAIR_EXCLUDES",
    "REPLACEMENT_PATHS",
    "STATE_PATHS",
    "WHOSE_MOVE",
    "Damage",
    "Effect",
    "Event",
    "Line",
    "Party",
    "Path",
    "RmaPolicy",
    "State",
    "Step",
    "WorkCalendar",
    "actor_may",
    "allowed",
    "allowed_for",
    "apply",
    "approve",
    "approve_advance",
    "cancel",
    "charge",
    "close",
    "complete_repair",
    "confirm_delivery",
    "confirm_quote",
    "decline_quote",
    "free_repair_scope",
    "inspect",
    "overdue",
    "overdue_party",
    "quote_choices",
    "quote_totals",
    "receive",
    "reject",
    "replacement_terms_met",
    "request_info",
    "resubmit",
    "send_quote",
    "sheet_due",
    "ship_back",
    "ship_repaired",
    "ship_replacement",
    "ship_to_centre",
    "submit",
    "whose_move",
]

"""Personal-data rights: access, erasure, suppression, retention, restriction, consent, pseudonyms.

Functions take a :class:`~emptychair.workspace.Workspace` and never write personal
values to logs, errors or receipts.
"""

from emptychair.privacy.access import export_person, person_data, read_export
from emptychair.privacy.consent import consent_history, current_consents, grant, withdraw
from emptychair.privacy.erasure import ErasureReceipt, erase_person, erase_persons, erasure_receipts
from emptychair.privacy.pseudonymise import identify_tokens, pseudonym, pseudonymise_tables
from emptychair.privacy.restriction import (
    current_restrictions,
    lift,
    restrict,
    restricted_ids,
    restriction_history,
)
from emptychair.privacy.retention import RetentionReport, purge_expired
from emptychair.privacy.suppression import is_suppressed, suppressed_rows, suppression_summary

__all__ = [
    "ErasureReceipt",
    "RetentionReport",
    "consent_history",
    "current_consents",
    "current_restrictions",
    "erase_person",
    "erase_persons",
    "erasure_receipts",
    "export_person",
    "grant",
    "identify_tokens",
    "is_suppressed",
    "lift",
    "person_data",
    "pseudonym",
    "pseudonymise_tables",
    "purge_expired",
    "read_export",
    "restrict",
    "restricted_ids",
    "restriction_history",
    "suppressed_rows",
    "suppression_summary",
    "withdraw",
]

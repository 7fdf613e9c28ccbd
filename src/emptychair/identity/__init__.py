"""Identity resolution: one golden customer for the records of one person."""

from emptychair.identity.resolution import (
    compute_links,
    explain,
    golden_customers,
    golden_id,
    member_ids,
    relink,
    resolve_identities,
    unmerge,
    with_golden_ids,
)

__all__ = [
    "compute_links",
    "explain",
    "golden_customers",
    "golden_id",
    "member_ids",
    "relink",
    "resolve_identities",
    "unmerge",
    "with_golden_ids",
]

"""Identity resolution: one golden customer for the records of one person."""

from emptychair.identity.resolution import (
    compute_links,
    explain,
    golden_id,
    member_ids,
    relink,
    resolve_identities,
    unmerge,
)

__all__ = [
    "compute_links",
    "explain",
    "golden_id",
    "member_ids",
    "relink",
    "resolve_identities",
    "unmerge",
]

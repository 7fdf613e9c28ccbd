"""Roles: what each kind of account may see and do.

``viewer`` reads aggregates only; ``analyst`` also reads customer-level data with the
personal fields masked; ``admin`` imports, manages accounts and sees unmasked data.
"""

from __future__ import annotations

from enum import StrEnum

from emptychair.errors import InvalidParameterError


class Role(StrEnum):
    """An account's role; a higher role may do everything a lower one may."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return ROLES.index(self)

    def allows(self, minimum: Role) -> bool:
        """Whether this role may use something that requires ``minimum``."""
        return self.rank >= minimum.rank

    @property
    def sees_personal_data(self) -> bool:
        """Only admins see e-mails, phones, names and birth dates unmasked."""
        return self is Role.ADMIN

    @classmethod
    def parse(cls, text: str) -> Role:
        """The role named ``text``; a clear error names the accepted values."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise InvalidParameterError(
                f"unknown role {text!r}: use one of {', '.join(r.value for r in cls)}"
            ) from None


ROLES: tuple[Role, ...] = (Role.VIEWER, Role.ANALYST, Role.ADMIN)

#: What each role may do, for the documentation and ``emptychair user list``.
ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.VIEWER: "aggregates only (scores, segments, themes, frictions)",
    Role.ANALYST: "customer-level data, personal fields masked",
    Role.ADMIN: "imports, analyses, accounts, audit log and unmasked personal data",
}

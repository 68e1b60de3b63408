import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock, enums
from app.core.enums import CommuteMode, Language, Role, one_of
from app.models.base import Base, UUIDPrimaryKey

# Derived, for the statistics' statements.
MEMBER_GROUPS: tuple[str, ...] = tuple(enums.MemberGroup)
COMMUTE_MODES: tuple[str, ...] = tuple(CommuteMode)


class Member(UUIDPrimaryKey, Base):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint(one_of("role", Role), name="role"),
        CheckConstraint(one_of("language", Language), name="language"),
        CheckConstraint(
            "commute_km IS NULL OR (commute_km >= 0 AND commute_km <= 300)", name="commute_km"
        ),
    )

    # Stored lower-cased: emails are case-insensitive. NULL once the member is erased.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER, index=True)
    home_municipality: Mapped[str] = mapped_column(String(100))
    home_postcode: Mapped[str | None] = mapped_column(String(10))
    commute_km: Mapped[float | None] = mapped_column(Float)
    commute_mode: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    # E-mails and web pages; a page's ``?lang=`` stores it for a signed-in member.
    language: Mapped[str] = mapped_column(String(2), default=Language.DE, server_default="de")
    # The member's notification choices (the API's ``notifications`` object).
    notify_booking_confirmation: Mapped[bool] = mapped_column(default=True, server_default=true())
    notify_reminder: Mapped[bool] = mapped_column(default=True, server_default=true())
    notify_waitlist: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # Set by erasure: the row stays as an anonymous statistics profile (groups, municipality,
    # commute km rounded to 5 km, mode) so past bookings keep counting.
    erased_at: Mapped[datetime | None]

    group_rows: Mapped[list["MemberGroup"]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="MemberGroup.group"
    )

    @property
    def groups(self) -> list[str]:
        return [row.group for row in self.group_rows]

    @property
    def verified_groups(self) -> list[str]:
        """The groups an operator has confirmed: only these get a reduced price."""
        return [row.group for row in self.group_rows if row.verified]


class MemberGroup(Base):
    """One row per group a member belongs to, so statistics can ``GROUP BY`` group."""

    __tablename__ = "member_groups"

    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    group: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)
    # Confirmed by an operator (the social tariff); a group the member drops loses it.
    verified: Mapped[bool] = mapped_column(default=False, server_default=false())


class RefreshToken(Base):
    """A refresh token's ``jti``; tokens of one login form a family that is revoked together."""

    __tablename__ = "refresh_tokens"

    jti: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

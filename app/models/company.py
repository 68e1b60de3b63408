import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.enums import CompanyRole, CompanyStatus, one_of
from app.models.base import Base, UUIDPrimaryKey

#: ``held``: not mailed while the company is not active (the token waits in ``held_token``);
#: ``sent``: handed to the notifier; ``dropped``: used, withdrawn or expired while held.
INVITATION_MAIL_STATUSES = ("held", "sent", "dropped")


class Company(UUIDPrimaryKey, Base):
    """A local company; while ``active`` its employees book on its ``seats``.

    Booking transactions lock this row (``SELECT … FOR UPDATE``) before counting seats.
    """

    __tablename__ = "companies"
    __table_args__ = (
        CheckConstraint(one_of("status", CompanyStatus), name="status"),
        CheckConstraint("seats >= 0", name="seats"),
        CheckConstraint("seats_requested >= 0", name="seats_requested"),
    )

    name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    seats_requested: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=CompanyStatus.PENDING)
    seats: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class CompanyMember(Base):
    """One role of a member in a company: ``admin`` or ``employee`` (a member may hold both).

    A member is the employee of at most one company (a partial unique index).
    """

    __tablename__ = "company_members"
    __table_args__ = (
        CheckConstraint(one_of("company_role", CompanyRole), name="company_role"),
        Index(
            "ix_company_members_one_employer",
            "member_id",
            unique=True,
            postgresql_where=text(f"company_role = '{CompanyRole.EMPLOYEE}'"),
            sqlite_where=text(f"company_role = '{CompanyRole.EMPLOYEE}'"),
        ),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    company_role: Mapped[str] = mapped_column(String(16), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(default=clock.now)


class Invitation(UUIDPrimaryKey, Base):
    """An invitation to become an employee; the token is stored only as its SHA-256, except
    while its mail is held (a company not yet active): then until the mail goes out."""

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(f"mail_status IN {INVITATION_MAIL_STATUSES!r}", name="mail_status"),
        CheckConstraint("(mail_status = 'held') = (held_token IS NOT NULL)", name="held_token"),
        # The daily invitation limit counts a company's invitations of the last 24 hours.
        Index("ix_invitations_company_id_created_at", "company_id", "created_at"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    # Stored lower-cased; only the member with this email may accept.
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    # A withdrawn invitation stays (without a usable token) so it still counts for the day.
    revoked_at: Mapped[datetime | None]
    mail_status: Mapped[str] = mapped_column(String(8), default="sent", server_default="sent")
    held_token: Mapped[str | None] = mapped_column(String(64))

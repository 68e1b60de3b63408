import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.enums import DeskKind, one_of
from app.models.base import Base, UUIDPrimaryKey

# A member may hold one workplace at a time; a meeting room may overlap it.
WORKPLACE_KINDS = (DeskKind.DESK, DeskKind.PARENT_CHILD_ROOM)
DESK_NAME_INDEX = "uq_desks_location_id_lower_name"


class Desk(UUIDPrimaryKey, Base):
    __tablename__ = "desks"
    __table_args__ = (
        CheckConstraint(one_of("kind", DeskKind), name="kind"),
        CheckConstraint("capacity >= 1", name="capacity"),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("locations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    feature_rows: Mapped[list["DeskFeature"]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="DeskFeature.feature"
    )

    @property
    def features(self) -> list[str]:
        return [row.feature for row in self.feature_rows]


# Names are unique per location ignoring case; app.desks.service answers 409 by this name.
Index(DESK_NAME_INDEX, Desk.location_id, func.lower(Desk.name), unique=True)


class DeskFeature(Base):
    __tablename__ = "desk_features"

    desk_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("desks.id", ondelete="CASCADE"), primary_key=True
    )
    feature: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

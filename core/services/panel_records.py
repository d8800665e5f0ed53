"""The records of a mandate's draws, declaring one final, and the public number's one door.

:func:`use_public_number` is what the back office (and any front end) calls when the
secretariat enters the public number of a seat group: the group's rule decides what
it does (a stratified or uniform group's published lottery is chosen from, an open
group seated whole), so no front end decides between them; :func:`choose_draw` lets
the public number choose in any published draw (a panel, a replacement, a body's
seats), for the command line's ``panel choose``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kleroterion.models import Draw, DrawEntry, Mandate
from kleroterion.services import audit
from kleroterion.services.context import get
from kleroterion.services.errors import NotAllowed
from kleroterion.services.recruitment import seat_group
from sqlalchemy import func, select
from sqlalchemy.orm import Session


def use_public_number(session: Session, mandate_id: int, group_key: str, public_number: str,
                      on: dt.date, root: Path | None = None, *, engine: Any = None) -> Draw:
    """Seat a group's panel with the public number, as the group's rule says.

    A stratified or uniform group: its published lottery is chosen from (refused
    before it is published: the number is taken only once the digest is public). An
    open group: seated whole (nothing is drawn).
    """
    from kleroterion.services.panel import choose_panel, draw_panel

    mandate = get(session, Mandate, mandate_id)
    group = seat_group(mandate, group_key)
    if group.selection != "open":
        draw = latest_panel_draw(session, mandate.id, group.key)
        if draw is None:
            raise NotAllowed("seat group %(group)r has no published lottery yet",
                             group=group.key)
        return choose_panel(session, draw.id, public_number, on, root)
    return draw_panel(session, mandate.id, group.key, on, public_number=public_number,
                      root=root, engine=engine)


def choose_draw(session: Session, draw_id: int, public_number: str, on: dt.date,
                root: Path | None = None) -> Draw:
    """Let the public number choose in a published draw of any kind, and seat who it draws."""
    from kleroterion.services import bodies
    from kleroterion.services.panel import choose_panel
    from kleroterion.services.replacements import choose_replacement

    draw = get(session, Draw, draw_id)
    if draw.kind == "replacement":
        choose_replacement(session, draw.id, public_number, on, root)
        return draw
    if draw.kind == "body":
        return bodies.choose_draw(session, draw.id, public_number, on, root)
    return choose_panel(session, draw.id, public_number, on, root)


def finalize_draw(session: Session, draw_id: int) -> Draw:
    """Declare a draw final: its result stands, and unseated respondents may be purged."""
    draw = get(session, Draw, draw_id)
    if draw.final:
        raise NotAllowed("draw %(draw)s is already final", draw=draw_id)
    if draw.state != "chosen":
        raise NotAllowed("draw %(draw)s is %(state)s: only a drawn panel may be final",
                         draw=draw_id, state=draw.state)
    draw.final = True
    audit.record(session, "draw.finalize", "draw", draw.id)
    return draw


def latest_panel_draw(session: Session, mandate_id: int, group_key: str) -> Draw | None:
    """The newest panel draw of a seat group (a failed one included), or None."""
    return session.scalar(select(Draw).where(
        Draw.mandate_id == mandate_id, Draw.kind == "panel", Draw.seat_group == group_key)
        .order_by(Draw.id.desc()))


def draws(session: Session, mandate_id: int) -> list[Draw]:
    get(session, Mandate, mandate_id)
    return list(session.scalars(select(Draw).where(Draw.mandate_id == mandate_id)
                                .order_by(Draw.id)))


def entry_summaries(session: Session, mandate_id: int) -> dict[int, tuple[int, float]]:
    """(candidates, smallest selection probability) of each of the mandate's draws, by id.

    One aggregate query: the public record shows these figures, not the candidates, and
    loading every entry of every draw to find them cost more than the page around them.
    """
    rows = session.execute(
        select(DrawEntry.draw_id, func.count(), func.min(DrawEntry.probability))
        .join(Draw, DrawEntry.draw_id == Draw.id)
        .where(Draw.mandate_id == mandate_id)
        .group_by(DrawEntry.draw_id))
    return {draw_id: (count, float(smallest)) for draw_id, count, smallest in rows}

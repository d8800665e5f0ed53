"""The back office's acts: the list of the current mandate's acts, and a new act.

An act is created through ``services.proposals.create`` (the CLI's ``proposal
create``, the API's writes share the same service) in its kind's first state; its
steps are recorded on its own page (``backoffice.proposal_page``), its follow-up once
adopted on ``backoffice_followup.page``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from kleroterion.models import Proposal
from kleroterion.services import acts, proposals, texts
from kleroterion.web.admin_common import Refusal, change, may_write
from kleroterion.web.admin_forms import ActForm, TextsForm
from kleroterion.web.auth import role_required
from kleroterion.web.context import current_city, current_config
from kleroterion.web.database import current_mandate, db_session
from kleroterion.web.i18n import INTERFACE_LANGUAGES, current_language, l10n_text
from kleroterion.web.public import today
from markupsafe import Markup

bp = Blueprint("admin_acts", __name__, url_prefix="/admin/acts")


def _title_languages() -> list[str]:
    """The languages an act's title is written in: the city's first (the form's own
    field), then the site's others (English for Paris's visitors)."""
    return list(texts.languages_of(current_city().slug))


def _in_language(what: str, code: str) -> Markup:
    return Markup('{} (<span lang="{}">{}</span>)').format(
        what, code, INTERFACE_LANGUAGES.get(code, code))


def _form() -> ActForm:
    form = ActForm()
    form.kind.choices = [(kind.key, l10n_text(kind.label))
                         for kind in current_config().proposal_kinds]
    form.title.label.text = _in_language(gettext("Title"), _title_languages()[0])
    if not form.is_submitted():
        form.on.data = today()
    return form


def _typed_titles() -> dict[str, str]:
    """The act's title in the site's other languages, as the form sent them."""
    return {code: request.form.get(f"title-{code}", "").strip()
            for code in _title_languages()[1:]}


def _render(form: ActForm | None = None, refusal: str | None = None,
            status: int = 200, titles: dict[str, str] | None = None) -> ResponseReturnValue:
    mandate = current_mandate()
    acts = proposals.list_proposals(db_session(), mandate.id) if mandate else []
    kinds = {kind.key: kind for kind in current_config().proposal_kinds}
    adopted = {act.id for act in acts if proposals.outcome(db_session(), act) == "adopted"}
    states = {(key, state.key): state.label for key, kind in kinds.items()
              for state in kind.states}
    return render_template("admin/acts.html", mandate=mandate, acts=acts, kinds=kinds,
                           states=states, adopted=adopted, form=form or _form(),
                           title_languages=_title_languages()[1:], titles=titles or {},
                           language_names=INTERFACE_LANGUAGES,
                           may_write=may_write(), refusal=refusal), status


@bp.route("/")
@role_required("read-only")
def acts_page() -> ResponseReturnValue:
    return _render()


@bp.route("/", methods=["POST"])
@role_required("secretariat")
def new_act() -> ResponseReturnValue:
    """Create an act, refused as ``proposal create`` refuses, with nothing written."""
    mandate = current_mandate()
    form = _form()
    titles = _typed_titles()
    if mandate is None or not form.validate_on_submit():
        return _render(form, None if mandate else gettext("No mandate is open."), 422, titles)
    summary = (form.summary.data or "").strip()
    try:
        act = change(lambda session: proposals.create(
            session, mandate.id, form.kind.data, form.title.data or "", form.on.data,
            titles={code: text for code, text in titles.items() if text},
            summary={current_language(): summary} if summary else None,
            tabled_by=form.tabled_by.data or ""))
    except Refusal as refusal:
        return _render(form, refusal.text, 422, titles)
    flash(gettext("The act is created."))
    return redirect(url_for("backoffice.proposal_page", proposal_id=act.id))


def _act(proposal_id: int) -> Proposal:
    act = db_session().get(Proposal, proposal_id)
    if act is None:
        abort(404)
    return act


def _render_texts(act: Proposal, typed: dict[str, dict[str, str]] | None = None,
                  form: TextsForm | None = None, refusal: str | None = None,
                  status: int = 200) -> ResponseReturnValue:
    languages = current_config().profile.languages
    written = typed or {"summary": dict(act.summary), "full_text": dict(act.full_text),
                        "title": texts.texts_of(act, "title", languages[0]),
                        "tabled_by": texts.texts_of(act, "tabled_by", languages[0])}
    if form is None:
        form = TextsForm(formdata=None, data={"expected_version": act.version})
    return render_template("admin/act_texts.html", act=act, languages=languages,
                           texts=written, title_languages=_title_languages(),
                           language_names=INTERFACE_LANGUAGES,
                           form=form, refusal=refusal, may_write=may_write()), status


@bp.route("/<int:proposal_id>/texts")
@role_required("read-only")
def texts_page(proposal_id: int) -> ResponseReturnValue:
    return _render_texts(_act(proposal_id))


@bp.route("/<int:proposal_id>/texts", methods=["POST"])
@role_required("secretariat")
def save_texts(proposal_id: int) -> ResponseReturnValue:
    """The act's title, summary and full text in each of the city's languages
    (``acts.set_content``, the CLI's ``record content``), checked against the version
    the page showed."""
    act = _act(proposal_id)
    languages = current_config().profile.languages
    typed = {what: {language: request.form.get(f"{what}-{language}", "")
                    for language in languages} for what in ("summary", "full_text")}
    # The title fields the page sent (a language left out keeps its title).
    for what in ("title", "tabled_by"):
        typed[what] = {code: request.form[f"{what}-{code}"] for code in _title_languages()
                       if f"{what}-{code}" in request.form}
    form = TextsForm()
    if not form.validate_on_submit():
        return _render_texts(act, typed, form, status=422)
    try:
        version = int(form.expected_version.data)
    except (TypeError, ValueError):
        version = None
    try:
        change(lambda session: acts.set_content(
            session, proposal_id, summary=typed["summary"], full_text=typed["full_text"],
            titles=typed["title"], tabled_by_texts=typed["tabled_by"],
            expected_version=version))
    except Refusal as refusal:
        if refusal.conflict:
            return _render_texts(_act(proposal_id), None, None, gettext(
                "Someone else changed this act since the page was shown. Here it is as it "
                "is now; check it and record the step again if it is still needed."), 409)
        return _render_texts(act, typed, form, refusal.text, 422)
    flash(gettext("The texts are saved."))
    return redirect(url_for("admin_acts.texts_page", proposal_id=proposal_id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

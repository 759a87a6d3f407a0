"""Quiz list, the answer page, grading and the result page with explanations."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.converters import bounded_int
from app.core.permissions import Permission, require, require_any
from app.extensions import db
from app.quizzes import bp, grants, service
from app.quizzes.forms import GrantForm, StartForm, SubmitForm


def _quiz_or_404(slug: str):
    quiz = service.get_active(slug)
    if quiz is None:
        abort(404)
    return quiz


def parse_selections(form) -> dict[int, list[int]]:
    """``q3=0&q3=2`` → {3: [0, 2]}; anything malformed is ignored (and so counts as unanswered)."""
    selections: dict[int, list[int]] = {}
    for key in form:
        if key.startswith("q") and key[1:].isdigit():
            values = [int(v) for v in form.getlist(key) if v.isdigit()]
            selections[int(key[1:])] = values
    return selections


@bp.get("/")
@require(Permission.LEARN)
def index():
    page = service.LOOKUPS.index(current_user.id, service.progress_for)
    return render_template(
        "quizzes/index.html",
        quizzes=page["items"],
        versions=page["versions"],
        progress=page["progress"],
    )


def _render_take(quiz, attempt, selections=None, missing=None, status=200):
    return render_template(
        "quizzes/take.html",
        quiz=quiz,
        attempt=attempt,
        definition=attempt.version.definition,
        questions=service.questions_for_page(attempt),
        selections=selections or {},
        missing=set(missing or []),
        form=SubmitForm(),
    ), status


@bp.get("/<slug>")
@require(Permission.LEARN)
def take(slug: str):
    """The intro page, or the questions of the attempt in progress."""
    quiz = _quiz_or_404(slug)
    attempt = service.open_attempt(current_user.id, quiz)
    if attempt is not None:
        return _render_take(quiz, attempt)
    version = service.current_version(quiz)
    return render_template(
        "quizzes/intro.html",
        quiz=quiz,
        version=version,
        definition=version.definition,
        allowance=service.allowance(current_user.id, quiz),
        earlier=service.submitted_attempts(current_user.id, quiz)[:5],
        form=StartForm(),
    )


@bp.post("/<slug>/start")
@require(Permission.LEARN)
def start(slug: str):
    quiz = _quiz_or_404(slug)
    if StartForm().validate_on_submit():
        try:
            service.start(current_user.id, quiz)
        except service.AttemptsUsedUp:
            flash(
                _(
                    "You have used all your attempts at this quiz. You may ask the training office (研修担当) for another attempt."
                ),
                "error",
            )
    return redirect(url_for("quizzes.take", slug=slug))


@bp.post("/<slug>/submit")
@require(Permission.LEARN)
def submit(slug: str):
    quiz = _quiz_or_404(slug)
    form = SubmitForm()
    attempt = (
        service.get_attempt(current_user.id, form.attempt.data)
        if form.validate_on_submit()
        else None
    )
    if attempt is None or attempt.quiz_id != quiz.id:
        flash(_("Your answers could not be recorded. Please try again."), "error")
        return redirect(url_for("quizzes.take", slug=slug))
    if attempt.submitted:
        return redirect(url_for("quizzes.result", slug=slug, attempt_id=attempt.id))
    selections = parse_selections(request.form)
    try:
        service.submit(attempt, selections)
    except service.NotAnswered as exc:
        return _render_take(quiz, attempt, selections, exc.missing)
    return redirect(url_for("quizzes.result", slug=slug, attempt_id=attempt.id))


@bp.get("/<slug>/results/<int:attempt_id>")
@require(Permission.LEARN)
def result(slug: str, attempt_id: int):
    quiz = service.get_by_slug(slug)
    attempt = service.get_attempt(current_user.id, attempt_id) if quiz else None
    if attempt is None or attempt.quiz_id != quiz.id or not attempt.submitted:
        abort(404)
    return render_template(
        "quizzes/result.html",
        quiz=quiz,
        attempt=attempt,
        definition=attempt.version.definition,
        reviewed=service.review(attempt),
        attempts_left=service.attempts_left(current_user.id, quiz) if quiz.active else 0,
        form=StartForm(),
    )


@bp.get("/reports")
@require_any(Permission.MANAGE_CONTENT, Permission.VIEW_ALL_PROGRESS)
def reports():
    quizzes = service.active_quizzes()
    stats = {q.id: service.question_report(q, service.current_version(q)) for q in quizzes}
    return render_template("quizzes/reports.html", quizzes=quizzes, stats=stats)


# --- extra attempts (training office) ------------------------------------------------------------


@bp.get("/reports/locked-out")
@require(Permission.MANAGE_ASSIGNMENTS)
def locked_out_overview():
    """Each quiz with an attempt limit, and how many learners are locked out of it."""
    rows = []
    for quiz in service.active_quizzes():
        version = service.current_version(quiz)
        if version.max_attempts:
            rows.append((quiz, version, grants.count_locked_out(version)))
    return render_template("quizzes/locked_out_overview.html", rows=rows)


def _render_locked_out(quiz, form, page: int, status: int = 200):
    version = service.current_version(quiz)
    return render_template(
        "quizzes/locked_out.html",
        quiz=quiz,
        version=version,
        definition=version.definition,
        pagination=grants.locked_out(version, page),
        form=form,
        max_extra=grants.MAX_EXTRA_ATTEMPTS,
        recent=grants.recent_grants(quiz),
    ), status


@bp.get("/reports/locked-out/<slug>")
@require(Permission.MANAGE_ASSIGNMENTS)
def locked_out(slug: str):
    return _render_locked_out(
        _quiz_or_404(slug), GrantForm(formdata=None), request.args.get("page", 1, type=bounded_int)
    )


@bp.post("/reports/locked-out/<slug>")
@require(Permission.MANAGE_ASSIGNMENTS)
def grant_attempts(slug: str):
    """Grant one locked-out learner extra attempts; a refused grant re-shows the list with the reason."""
    quiz = _quiz_or_404(slug)
    form = GrantForm()
    page = request.form.get("page", 1, type=bounded_int)
    if form.validate_on_submit():
        try:
            grant = grants.grant_attempts(
                current_user.id,
                quiz,
                form.employee.data,
                form.extra_attempts.data,
                form.reason.data,
            )
        except grants.GrantRefused as exc:
            form.form_errors.append(exc.message)
        else:
            message = _(
                "%(name)s was granted %(n)d extra attempts and may take the quiz again.",
                name=grant.employee.name,
                n=grant.extra_attempts,
            )
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("quizzes.locked_out", slug=slug, page=page))
    return _render_locked_out(quiz, form, page, status=400)

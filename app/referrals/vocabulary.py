"""The quick form's words, as staff see them, for the content check (see app/content/vocabulary.py)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from app.content.vocabulary import FormVocabulary

# Fields the training may name in a short form of their own.
ALIASES = {
    "相談室のことを伝えたか": "told_about_office",
    "生年月日": "birth_date",
    "電話番号": "phone",
}


def quick_form() -> FormVocabulary:
    from app.referrals.forms import ReferralForm

    with force_locale("ja"):
        form = ReferralForm(meta={"csrf": False}, formdata=None)
        fields = {}
        labels = {}
        for field in form:
            if field.name in {"csrf_token", "idempotency_key"}:
                continue
            label = str(field.label.text)
            choices = [str(c.label) for c in (getattr(field, "choices", None) or []) if c.label]
            fields[label] = choices
            labels[field.name] = label
            short = label.replace("（任意）", "")
            if short != label:
                fields[short] = choices
        aliases = {alias: labels[name] for alias, name in ALIASES.items() if name in labels}
        return FormVocabulary(
            form=_("quick form"), fields=fields, line_range=(1, 3), aliases=aliases
        )

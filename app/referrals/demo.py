"""Fictional demo referrals and cases, so that the inbox, lists and agenda are not empty."""


def load() -> str | None:
    return None

"""The people picker (static/js/people_picker.js) driven as a user does: search by typing, pick a match,
remove a chip. `label` is the picker's accessible name (the label of the choice it stands for)."""

from __future__ import annotations

from typing import Any


def _search(scope: Any, label: str) -> Any:
    return scope.get_by_role("combobox", name=label, exact=True)


def chosen(scope: Any, label: str) -> list[str]:
    """The usernames of the chips, in order (once the picker is there)."""
    search = _search(scope, label)
    search.wait_for()
    picker = search.locator("xpath=..")
    return [c.get_attribute("data-username") for c in picker.locator("li.chip").all()]


def set_people(scope: Any, label: str, usernames: list[str], *, query: dict[str, str] | None = None) -> None:
    """Remove every chip, then pick each user: type (their username, or `query[username]`), click the match."""
    search = _search(scope, label)
    search.wait_for()  # a panel draws its pickers once it has its choices: count the chips after that
    picker = search.locator("xpath=..")
    while picker.locator("li.chip button.remove").count():
        picker.locator("li.chip button.remove").first.click()
    for name in usernames:
        search.fill((query or {}).get(name, name))
        picker.locator(f'.people-results [role=option][data-username="{name}"]').click()

"""Small-cell protection: what an official may not be shown.

A figure behind which fewer than `minimum` companies stand could point at a
single company, so it is hidden ("<3"). Hiding one cell of a table whose total
is shown would let anyone work it out by subtraction, so a second cell (or
the total) is hidden with it: complementary suppression.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence

Group = tuple[Hashable, Sequence[Hashable]]


def protect(counts: Mapping[Hashable, int], minimum: int, groups: Iterable[Group] = ()) -> set[Hashable]:
    """The keys of the figures to hide.

    `counts` maps each figure to the number of companies behind it. `groups`
    are additive tables, each a (total key, part keys) pair: a total shown
    with exactly one hidden part would give that part away, so then the next
    smallest shown part is hidden too (or the total, when no part is left).

    A zero is shown: it points at no company. With `minimum` 0 or 1 nothing
    is hidden (managers and admins see exact figures).
    """
    hidden = {key for key, companies in counts.items() if 0 < companies < minimum}
    groups = list(groups)
    changed = bool(hidden)
    while changed:
        changed = False
        for total, parts in groups:
            if total in hidden or sum(part in hidden for part in parts) != 1:
                continue
            shown = [part for part in parts if part not in hidden and counts.get(part, 0) > 0]
            if shown:
                hidden.add(min(shown, key=lambda part: (counts[part], parts.index(part))))
            else:
                hidden.add(total)
            changed = True
    return hidden

from pilothouse.core.tables import sort_headers

COLUMNS = [("title", "Title", ""), ("updated", "Updated", "-")]


def test_the_sorted_column_flips_and_others_start_in_their_own_direction():
    title, updated = sort_headers(columns=COLUMNS, sort="title")
    assert (title["sort"], title["aria_sort"]) == ("-title", "ascending")
    assert (updated["sort"], updated["aria_sort"]) == ("-updated", "")

    title, updated = sort_headers(columns=COLUMNS, sort="-updated")
    assert (title["sort"], title["aria_sort"]) == ("title", "")
    assert (updated["sort"], updated["aria_sort"]) == ("updated", "descending")

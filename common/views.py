"""What every page view shares."""


def query_without_page(request, **changes: str) -> str:
    """The request's query string without its page number (the base of pagination links),
    with `changes` set."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query[name] = value
    return query.urlencode()

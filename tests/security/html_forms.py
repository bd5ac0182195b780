"""Read a page's forms as a browser would submit them, so a test can open a form, change one
field and send the rest unchanged (hidden fields and all)."""

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """Each <form> on a page with the values a browser would submit from it unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", {}))
        if not self.forms or not attrs.get("name") and tag != "option":
            return
        fields = self.forms[-1][1]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                fields.setdefault(attrs["name"], [])
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            fields.setdefault(attrs["name"], []).append(attrs.get("value", default) or "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            fields[self._textarea] = [""]
        elif tag == "select":
            self._select = [attrs["name"], None, None]  # name, first option, selected option
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self._select[1] = value if self._select[1] is None else self._select[1]
            if "selected" in attrs:
                self._select[2] = value

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1][1][self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            value = self.forms[-1][1][self._textarea]
            value[0] = value[0].removeprefix("\n")  # as browsers do
            self._textarea = None
        elif tag == "select" and self._select:
            name, first, chosen = self._select
            self.forms[-1][1][name] = [chosen if chosen is not None else first or ""]
            self._select = None


def open_form(client, url, field):
    """GET the page and return (where it posts, its values) for the form with `field` in it."""
    response = client.get(url)
    assert response.status_code == 200
    reader = FormReader()
    reader.feed(response.text)
    for action, fields in reader.forms:
        if field in fields:
            return action or url, {name: values for name, values in fields.items() if values}
    raise AssertionError(f"No form with {field} on {url}")


def form_in(response, field, url):
    """Like open_form, for a page already fetched."""
    reader = FormReader()
    reader.feed(response.text)
    return next((action or url, {n: v for n, v in fields.items() if v})
                for action, fields in reader.forms if field in fields)

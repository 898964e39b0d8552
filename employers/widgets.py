"""The employer-name field with the 云 autocomplete, for any school page's form."""

from __future__ import annotations

import json

from django import forms


class EmployerAutocompleteInput(forms.TextInput):
    """A text input wired to static/js/employer-autocomplete.js.

    `fill` maps a search result's keys (employer_id, credit_code, nature, industry, region,
    province, city…) to CSS selectors of the fields a picked 云 entry fills in.
    Render `{{ form.media }}` on the page to load the script.
    """

    def __init__(self, fill: dict[str, str] | None = None, attrs: dict | None = None):
        attrs = {
            "data-employer-autocomplete": "",
            "data-search-url": "/api/v1/employers/search",
            "autocomplete": "off",
            **(attrs or {}),
        }
        if fill:
            attrs["data-fill"] = json.dumps(fill)
        super().__init__(attrs)

    class Media:
        js = ["js/employer-autocomplete.js"]

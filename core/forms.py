from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _l


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names (the rest on top)."""
    # The page's form and the service often check the same rule: say each thing once.
    shown = {e for errs in form.errors.values() for e in errs} if form.is_bound else set()
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            fresh = [e for e in errors if e not in shown]
            if fresh:
                form.add_error(field if field in form.fields else None, fresh)
    else:
        fresh = [e for e in error.messages if e not in shown]
        if fresh:
            form.add_error(None, fresh)


def post_data(request):
    """A form's data: bound on every POST, even an empty one (`request.POST or None` isn't)."""
    return request.POST if request.method == "POST" else None


# One label for "nothing chosen yet" on every form (Django's default is "---------").
EMPTY_LABEL = _l("请选择")
EMPTY_CHOICE = ("", EMPTY_LABEL)


def with_empty(choices) -> list:
    """`choices` behind the one empty-choice label."""
    return [EMPTY_CHOICE, *[c for c in choices if c[0] not in ("", None)]]


def unify_empty_choices(form) -> None:
    """Give every select of `form` that offers an empty choice the one label (ModelForms too)."""
    from django import forms as dj_forms

    for field in form.fields.values():
        if isinstance(field, dj_forms.ModelChoiceField):
            if field.empty_label is not None:
                field.empty_label = EMPTY_LABEL
        elif isinstance(field, dj_forms.ChoiceField) and not isinstance(
            field, dj_forms.MultipleChoiceField
        ):
            choices = list(field.choices)
            if choices and choices[0][0] in ("", None):
                field.choices = [EMPTY_CHOICE, *choices[1:]]

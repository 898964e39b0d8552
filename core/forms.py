from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names (the rest on top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def post_data(request):
    """A form's data: bound on every POST, even an empty one (`request.POST or None` isn't)."""
    return request.POST if request.method == "POST" else None

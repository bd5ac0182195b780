from django.shortcuts import render


def render_form(request, template, context, form, *forms):
    """Render a form page: 422 when any form has errors (the user's input is kept)."""
    invalid = any(f.errors for f in (form, *forms))
    return render(request, template, context, status=422 if invalid else 200)

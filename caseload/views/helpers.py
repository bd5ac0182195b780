from django.shortcuts import render


def render_form(request, template, context, form):
    """Render a form page: 422 when the form has errors (the user's input is kept)."""
    return render(request, template, context, status=422 if form.errors else 200)

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.roles import capabilities_of


@login_required
def home(request):
    return render(request, "core/home.html", {"capabilities": sorted(capabilities_of(request.user))})

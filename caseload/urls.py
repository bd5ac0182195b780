app_name = "caseload"

urlpatterns = []

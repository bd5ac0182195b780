app_name = "debriefs"

urlpatterns = []

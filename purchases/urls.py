app_name = "purchases"

urlpatterns = []

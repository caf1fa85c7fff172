from django.conf import settings
from django.utils.functional import SimpleLazyObject

from helpdesk import notifications as notices


def product(request):
    return {"product_name": settings.HELPDESK_PRODUCT_NAME}


def notifications(request):
    """The bell's unread count, queried only when a page shows the bell."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: notices.visible_to(user).filter(read_at__isnull=True).count()
        )
    }

from django.conf import settings


def product(request):
    return {"product_name": settings.HELPDESK_PRODUCT_NAME}

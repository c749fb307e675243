from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from shop import signal_handlers

        user_logged_in.connect(signal_handlers.merge_cart_at_login, dispatch_uid="shop.merge_cart")

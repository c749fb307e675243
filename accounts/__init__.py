"""Accounts: django-allauth's account app made the site's own (adapter, login limits, email
verification, its emails sent by Celery). No domain of the shop: shop asks it whether an
account's email is verified."""

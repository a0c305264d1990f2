from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opencities.accounts"
    label = "accounts"
    verbose_name = "Accounts and workspaces"

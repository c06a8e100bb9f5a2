"""The window's screens, one module a screen.

    settings            SettingsDialog(service, parent): Schedule, Sync policies, Data folder, Diagnostics, About
    settings_accounts   its Accounts tab: who is signed in, token health, reconnect, sign out, the keychain
"""

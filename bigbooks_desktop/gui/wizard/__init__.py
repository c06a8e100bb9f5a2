"""The first-run set-up wizard and the sign-in panels it shares with Settings.

    first_run     FirstRunWizard(service, parent): welcome, keychain choice, BigCommerce, FreshBooks, backfill, start
    bigcommerce   BigCommerceSignIn: a store-level API account, or the registered app's install
    freshbooks    FreshBooksSignIn: OAuth in the system browser, the pasted address, the business picker
    backfill      BackfillChooser: where the first sync starts, with the dry-run preview
    common        the message line, buttons with mnemonics and tooltips, palette-role text
"""

from __future__ import annotations

from bigbooks_desktop.gui.wizard.first_run import FirstRunWizard, WizardPage

__all__ = ["FirstRunWizard", "WizardPage"]

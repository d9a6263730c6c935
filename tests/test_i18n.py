"""French translation: the shipped fr.po loads and the add-on speaks French."""

import os
import re

import polib
from babel.messages.extract import extract

from odoo.exceptions import UserError
from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tools.osutil import clean_filename

from .common import RevenueTestCommon

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|%%")


@tagged("post_install", "-at_install")
class TestI18n(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.module_path = get_module_path("revenue_recognition")
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["revenue_recognition"], ["fr_FR"], overwrite=True
        )
        cls.env_fr = cls.env(context=dict(cls.env.context, lang="fr_FR"))

    def _po(self, name):
        return polib.pofile(os.path.join(self.module_path, "i18n", name))

    # --- the files themselves -------------------------------------------------

    def test_fr_po_complete_and_placeholders_kept(self):
        po = self._po("fr.po")
        self.assertEqual(po.metadata.get("Language"), "fr")
        self.assertIn("nplurals=2; plural=(n > 1);", po.metadata.get("Plural-Forms"))
        self.assertFalse(
            [entry.msgid for entry in po if not entry.msgstr or entry.fuzzy],
            "fr.po has untranslated or fuzzy entries",
        )
        mismatched = [
            entry.msgid
            for entry in po
            if sorted(PLACEHOLDER.findall(entry.msgid))
            != sorted(PLACEHOLDER.findall(entry.msgstr))
        ]
        self.assertFalse(mismatched, "placeholders differ between msgid and msgstr")
        pot_ids = {entry.msgid for entry in self._po("revenue_recognition.pot")}
        self.assertFalse(
            pot_ids - {entry.msgid for entry in po},
            "revenue_recognition.pot has msgids that fr.po does not translate",
        )

    def test_python_messages_have_a_french_translation(self):
        """Every _()/env._() string of models/ and wizard/ is in fr.po.

        When this fails, re-export i18n/revenue_recognition.pot
        (--i18n-export) and translate the new msgids in i18n/fr.po.
        """
        translated = {entry.msgid for entry in self._po("fr.po") if entry.msgstr}
        missing = []
        for folder in ("models", "wizard", "report"):
            root = os.path.join(self.module_path, folder)
            for name in sorted(os.listdir(root)):
                if not name.endswith(".py"):
                    continue
                with open(os.path.join(root, name), "rb") as source:
                    for _lineno, message, _comments, _context in extract(
                        "python",
                        source,
                        keywords={"_": None, "_lt": None},
                        options={"encoding": "UTF-8"},
                    ):
                        if message not in translated:
                            missing.append(f"{folder}/{name}: {message}")
        self.assertFalse(missing, "strings without a French translation")

    # --- translated output ----------------------------------------------------

    def test_field_and_selection_labels_in_french(self):
        description = self.env_fr["revenue.schedule"].fields_get(
            ["recognition_basis", "recognition_convention", "occurrences"],
            ["string", "selection"],
        )
        self.assertEqual(description["recognition_basis"]["string"], "Base")
        self.assertEqual(
            dict(description["recognition_basis"]["selection"]),
            {
                "occurrences": "Occurrences",
                "monthly": "Mensuel (prorata du mois)",
                "monthly_days": "Mensuel au nombre de jours",
                "delivery": "Livraison",
            },
        )
        self.assertEqual(
            dict(description["recognition_convention"]["selection"])["next_month"],
            "Mois suivant",
        )
        states = dict(
            self.env_fr["revenue.recognition.line"].fields_get(
                ["state"], ["selection"]
            )["state"]["selection"]
        )
        # the words an accountant uses, one word for status
        self.assertEqual(states["pending"], "À constater")
        self.assertEqual(states["posted"], "Constaté")
        self.assertEqual(states["expected"], "Prévu")

    def test_views_and_menus_in_french(self):
        arch = self.env_fr["revenue.hold.wizard"].get_view(view_type="form")["arch"]
        self.assertIn("Mettre en attente", arch)
        self.assertIn("Libérer", arch)
        action = self.env.ref("revenue_recognition.action_revenue_schedule")
        self.assertEqual(
            action.with_context(lang="fr_FR").name, "Échéanciers de chiffre d'affaires"
        )
        self.assertEqual(
            self.env_fr["revenue.recognition.wizard"]._description,
            "Recognise Revenue",
        )
        self.assertEqual(
            self.env_fr["ir.model"]._get("revenue.recognition.wizard").name,
            "Constater le CA",
        )

    def test_accounting_french_constater_le_ca(self):
        """Accounting French "constate" revenue: the same words on the menu,
        the wizard's title and its button."""
        menu = self.env.ref("revenue_recognition.menu_revenue_recognition_wizard")
        self.assertEqual(menu.with_context(lang="fr_FR").name, "Constater le CA")
        action = self.env.ref("revenue_recognition.action_revenue_recognition_wizard")
        self.assertEqual(action.with_context(lang="fr_FR").name, "Constater le CA")
        arch = self.env_fr["revenue.recognition.wizard"].get_view(view_type="form")[
            "arch"
        ]
        self.assertIn('string="Constater le CA"', arch)
        self.assertNotIn("econnaître", arch)
        # the accrual summary, moved under its option, is French too
        self.assertIn("factures à établir pour", arch)
        self.assertNotIn("expected line(s) to accrue", arch)
        self.assertNotIn("already accrued", arch)
        leftovers = [
            entry.msgid
            for entry in self._po("fr.po")
            if "Reconnaître" in entry.msgstr or "reconnaître" in entry.msgstr
        ]
        self.assertFalse(leftovers, "fr.po still says reconnaître")

    def test_hold_column_says_en_attente(self):
        """The list's hold column is a status ("En attente"), not the button's
        verb ("Mettre en attente")."""
        view = self.env.ref("revenue_recognition.revenue_recognition_line_view_list")
        arch = self.env_fr["revenue.recognition.line"].get_view(view.id, "list")["arch"]
        self.assertIn('name="hold_badge" string="En attente"', arch)

    def test_plural_forms_in_french(self):
        schedule = self.env_fr["revenue.schedule"].create(
            {
                "name": "Une fois",
                "recognition_basis": "occurrences",
                "recognition_convention": "actual_start",
                "occurrences": 1,
            }
        )
        self.assertIn("Total (1 ligne)", schedule.preview_html)
        self.assertNotIn("1 lignes", schedule.preview_html)
        arch = self.env_fr["revenue.hold.wizard"].get_view(view_type="form")["arch"]
        self.assertIn("Lignes à constater :", arch)
        self.assertNotIn("ligne(s)", arch)

    def test_user_error_in_french(self):
        self.company.revenue_deferred_account_id = False
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        with self.assertRaises(UserError) as caught:
            invoice.with_context(lang="fr_FR").action_post()
        message = str(caught.exception)
        self.assertIn("aucun compte de produits constatés d'avance", message)
        self.assertIn(self.schedule_quarterly.display_name, message)
        self.assertIn(
            "Comptabilité › Configuration › Paramètres › Étalement du CA",
            message,
        )
        self.assertEqual(invoice.state, "draft")

    def test_english_unchanged(self):
        self.company.revenue_deferred_account_id = False
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        with self.assertRaisesRegex(UserError, "no deferred revenue account"):
            invoice.with_context(lang="en_US").action_post()

    def test_created_journal_named_in_every_language(self):
        company = self.env["res.company"].create({"name": "Nouvelle société"})
        journal = company.with_context(lang="fr_FR")._revenue_create_journal()
        self.assertEqual(journal.with_context(lang="en_US").name, "Revenue Recognition")
        self.assertEqual(journal.with_context(lang="fr_FR").name, "Étalement du CA")

    def test_french_export_file_names_read_well(self):
        """Odoo's export names its file after the model and strips characters
        such as apostrophes: the French model names avoid elisions."""
        for model in (
            "revenue.recognition.line",
            "revenue.schedule",
            "revenue.report.rollforward",
            "revenue.report.backlog",
            "revenue.report.mrr",
        ):
            name = self.env_fr["ir.model"]._get(model).name
            self.assertNotEqual(name, self.env["ir.model"]._get(model).name)
            self.assertEqual(clean_filename(name), name, model)
        self.assertEqual(
            self.env_fr["ir.model"]._get("revenue.recognition.line").name,
            "Échéance de CA",
        )

    def test_hold_message_in_the_company_language(self):
        """An English user holds a line of a French company: its chatter says
        it in French."""
        self.company.partner_id.lang = "fr_FR"
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        invoice.action_post()
        line = invoice.invoice_line_ids.revenue_line_ids[:1]
        line.with_context(lang="en_US").action_hold("Recette client")
        body = invoice.message_ids[:1].body
        self.assertIn("Comptabilisation du chiffre d'affaires mise en attente", body)
        self.assertIn("Recette client", body)
        self.assertNotIn("put on hold", body)

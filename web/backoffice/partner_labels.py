"""French names of the partners' values, as the back office's « Partenaires » shows them."""

from __future__ import annotations

CATEGORIES = {
    "SPORT": "Sport",
    "CULTURE": "Culture",
    "LOISIRS": "Loisirs",
    "SOUTIEN_SCOLAIRE": "Soutien scolaire",
    "TOURISME": "Tourisme",
    "INSERTION_PROFESSIONNELLE": "Insertion professionnelle",
}
WALLETS = {
    "SPORT_CULTURE_LOISIRS": "Sport, culture et loisirs",
    "SOUTIEN_SCOLAIRE": "Soutien scolaire",
}
STATUSES = {
    "ACTIVE": "Actif",
    "SUSPENDED": "Suspendu",
    "TERMINATED": "Convention résiliée",
}
PIN_LEVELS = {
    "NONE": "Aucun code imposé",
    "TERMINALS": "Sur les terminaux de paiement (TPE, Smart TPE) seulement",
    "EVERY_TILL": "À chaque paiement, sur toutes les caisses",
}
DELEGATE_STATUSES = {
    "INVITED": "Invitation envoyée",
    "ACTIVE": "Actif",
    "SUSPENDED": "Suspendu",
    "REVOKED": "Révoqué",
}
TERMINAL_KINDS = {
    "SMART_TPE": "Smart TPE (caisse web)",
    "SUPPLIED_TPE": "TPE prêté",
    "SUPPLIED_TPE_PRINTER": "TPE prêté avec imprimante",
}
TERMINAL_STATES = {
    "PENDING": "En attente d'appairage",
    "ACTIVE": "Appairé",
    "REVOKED": "Révoqué",
}
OFFER_KINDS = {"DEAL": "Bon plan", "EVENT": "Événement"}
OFFER_STATUSES = {
    "DRAFT": "Brouillon",
    "SUBMITTED": "En modération",
    "APPROVED": "Publié",
    "REJECTED": "Refusé",
    "SUPERSEDED": "Remplacé",
}
REIMBURSEMENT_STATUSES = {
    "PENDING": "À payer",
    "IN_BATCH": "Virement en cours",
    "PAID": "Payé",
    "REJECTED": "Rejeté",
    "CARRIED_OVER": "Reporté",
}
ACTIONS = {
    "partner.created": "Partenaire créé",
    "partner.suspended": "Partenaire suspendu",
    "partner.reactivated": "Partenaire réactivé",
    "partner.terminated": "Convention résiliée",
    "partner.bon_plan_reminder_sent": "Rappel « bon plan » envoyé",
    "partner.pin_minimum_imposed": "Minimum du code PIN fixé",
    "partner.pin_policy_chosen": "Code PIN choisi par le partenaire",
    "delegate.invited": "Délégué invité",
    "terminal.assigned": "Matériel prêté",
    "terminal.pre_paired": "Matériel pré-appairé",
    "terminal.returned": "Matériel rendu",
    "terminal.unassigned": "Matériel repris",
}

# What an action says once done (`?fait=` on the record).
DONE = {
    "cree": "Le partenaire est créé : son représentant légal reçoit l'invitation à son "
    "espace partenaire par e-mail.",
    "suspendu": "Le partenaire est suspendu : ses délégués ne peuvent plus encaisser ni "
    "publier, et il n'apparaît plus sur la carte.",
    "reactive": "Le partenaire est réactivé.",
    "resilie": "La convention est résiliée : le partenaire ne peut plus encaisser.",
    "pin": "Le minimum du code PIN est enregistré.",
    "materiel-enregistre": "Le matériel est enregistré et prêté à ce partenaire.",
    "materiel-prete": "Le matériel est prêté à ce partenaire.",
    "materiel-rendu": "Le retour du matériel est enregistré : il est révoqué.",
    "rappel": "Le rappel est envoyé au délégué principal.",
}


def label(names: dict[str, str], value: str | None) -> str:
    return names.get(value or "", value or "")

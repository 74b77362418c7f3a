"""Structured data (schema.org JSON-LD) for medicine pages: a `MedicalWebPage` about a `Drug`.

Search engines and assistive tools read it to know what a page is about, who it is for and how it
is dated (last reviewed, or until approval written or last updated). Built from the same record as the page, so the two cannot disagree.
"""

from __future__ import annotations

from generator.model.records import (
    Medicine,
    PrescriptionStatus,
    Reviewer,
    ReviewStatus,
    Route,
    SiteSettings,
)
from generator.model.review_date import DateKind, guide_date
from generator.render.warning_box import warning_box

# schema.org's administrationRoute is free text; these are the usual clinical words.
ROUTE_NAMES = {
    Route.by_mouth: "oral", Route.intrathecal: "intrathecal", Route.injection: "injection",
    Route.rectal: "rectal", Route.nasal: "nasal",
}
PRESCRIPTION_STATUS = {
    PrescriptionStatus.prescription_only: "https://schema.org/PrescriptionOnly",
    PrescriptionStatus.controlled: "https://schema.org/PrescriptionOnly",
    PrescriptionStatus.over_the_counter: "https://schema.org/OTC",
}
STATUS_NAMES = {
    ReviewStatus.draft: "Draft", ReviewStatus.submitted: "Pending clinical review",
    ReviewStatus.under_review: "Pending clinical review", ReviewStatus.approved: "Approved",
}
# Only an approved guide has a `lastReviewed`; the others are dated as written or updated.
DATE_PROPERTIES = {
    DateKind.reviewed: "lastReviewed", DateKind.written: "dateCreated",
    DateKind.updated: "dateModified",
}


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def one_or_many(items: list):
    return items[0] if len(items) == 1 else items


def drug(medicine: Medicine, url: str) -> dict:
    name = medicine.generic_name
    data: dict = {
        "@type": "Drug",
        "name": name[:1].upper() + name[1:],
        "nonProprietaryName": name,
        "url": url,
    }
    if medicine.brand_names:
        data["proprietaryName"] = one_or_many([brand.name for brand in medicine.brand_names])
    data["drugClass"] = {"@type": "DrugClass", "name": medicine.drug_class.name}
    data["administrationRoute"] = one_or_many(
        unique([ROUTE_NAMES[form.route] for form in medicine.forms]))
    data["dosageForm"] = one_or_many(
        unique([form.dosage_form.value.replace("_", " ") for form in medicine.forms]))
    data["prescriptionStatus"] = PRESCRIPTION_STATUS[medicine.prescription_status]
    box = warning_box(medicine)
    if box is not None:
        data["warning"] = box.structured(medicine.stopping.boxed_warning or "")
    return data


def person(reviewer: Reviewer) -> dict:
    if reviewer.name:
        return {"@type": "Person", "name": reviewer.name}
    return {"@type": "Organization", "name": reviewer.role}


def medical_web_page(site: SiteSettings, medicine: Medicine, reviewers: dict[str, Reviewer],
                     *, url: str, overview_url: str, title: str, description: str) -> dict:
    """JSON-LD for one page of a medicine. `reviewedBy` is given only once a clinician has
    approved the content; the people who wrote it are its authors."""
    review = medicine.review
    dated = guide_date(review, [change.date for change in medicine.changes])
    authors = [person(reviewers[i]) for i in review.written_by if i in reviewers]
    approvers = [person(reviewers[i]) for i in review.reviewed_by if i in reviewers]
    page: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": title,
        "description": description,
        "url": url,
        "inLanguage": site.language,
        "isPartOf": {"@type": "WebSite", "name": site.name, "url": site.url},
        "medicalAudience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        DATE_PROPERTIES[dated.kind]: dated.date.isoformat(),
        "creativeWorkStatus": STATUS_NAMES[review.status],
    }
    if authors:
        page["author"] = one_or_many(authors)
    if review.status is ReviewStatus.approved and approvers:
        page["reviewedBy"] = one_or_many(approvers)
    page["about"] = drug(medicine, overview_url)
    return page
